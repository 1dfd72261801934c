#!/usr/bin/python
"""birdkit.bird.config: documentation; the work is done by the action plugin of the same name on the controller."""

from __future__ import annotations

DOCUMENTATION = r"""
module: config
short_description: Apply a BIRD config safely (check, atomic install, configure timeout, verify, confirm or undo)
description:
  - Renders the host's bird.conf from a birdkit peer map (or takes O(config)), parses and fleet-lints it on the
    controller, uploads it beside the live config and runs C(bird -p) on the host, backs up the live config and
    renames the new one over it, runs C(birdc configure timeout N), verifies that the BGP sessions that were
    Established come back and the node's own pod CIDRs are blackholed, then C(configure confirm) - or
    C(configure undo) and restores the backup.
  - Idempotent - an identical file reports C(changed=false) and BIRD is not reloaded.
  - Check mode reads the live file and reports the diff; it writes nothing and reloads nothing.
  - Passwords are masked in the diff, messages and failed checks; O(config) is no_log.
  - Runs on the controller (needs the birdkit Python package there). The host needs only coreutils, bird and birdc.
version_added: 0.1.0
options:
  peermap:
    description: Peer map file on the controller (searched like the src of copy). One of O(peermap), O(config).
    type: str
  node:
    description: The node's name in the peer map.
    type: str
    default: inventory_hostname
  config:
    description: Config text to apply instead of the peer map's rendering (own CIDRs still come from O(peermap)).
    type: str
  bird_version:
    description: Target BIRD version for the local checks; default the node's C(bird_version) in the peer map.
    type: str
  config_path:
    description: bird.conf on the host.
    type: str
    default: /etc/bird/bird.conf
  socket_path:
    description: BIRD's control socket on the host.
    type: str
    default: /run/bird/bird.ctl
  bird:
    description: The bird program on the host.
    type: str
    default: bird
  birdc:
    description: The birdc program on the host.
    type: str
    default: birdc
  timeout:
    description: Seconds of BIRD's undo timer; verification must pass within it.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author: birdkit contributors
"""

EXAMPLES = r"""
- name: Roll out bird.conf from the peer map
  birdkit.bird.config:
    peermap: peermap.yaml
    timeout: 20
"""

RETURN = r"""
outcome:
  description: unchanged, would-change, applied, rolled-back, rejected or failed.
  returned: always
  type: str
rolled_back:
  description: Whether the config was undone after a failed verification.
  returned: always
  type: bool
failed_checks:
  description: The verification checks that failed (kind, subject, detail), passwords masked.
  returned: always
  type: list
  elements: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "birdkit.bird.config runs as an action plugin on the controller"}))
    sys.exit(1)
