#!/usr/bin/python
"""birdkit.bird.facts: documentation; the action plugin of the same name reads birdc and parses on the controller."""

from __future__ import annotations

DOCUMENTATION = r"""
module: facts
short_description: BIRD's status, protocols, BGP sessions and route counts as facts
description:
  - Runs C(birdc show status), C(show protocols all) and C(show route count) on the host and parses the replies
    on the controller with birdkit's models into C(ansible_facts.birdkit_bird).
version_added: 0.1.0
options:
  socket_path:
    description: BIRD's control socket on the host.
    type: str
    default: /run/bird/bird.ctl
  birdc:
    description: The birdc program on the host.
    type: str
    default: birdc
attributes:
  check_mode:
    support: full
author: birdkit contributors
"""

EXAMPLES = r"""
- birdkit.bird.facts:
- ansible.builtin.assert:
    that: ansible_facts.birdkit_bird.established == ansible_facts.birdkit_bird.sessions | length
"""

RETURN = r"""
ansible_facts:
  description: C(birdkit_bird) with status, protocols, sessions (name, state, neighbor), established, route_count.
  returned: always
  type: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "birdkit.bird.facts runs as an action plugin on the controller"}))
    sys.exit(1)
