"""For every drawn peer map, every node's config passes real `bird -p` and lints clean."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from render import render

from birdkit import lint_config, parse_config
from birdkit.testing import assert_bird_accepts, peermaps


@settings(max_examples=25, deadline=None)
@given(peermaps(topology="full-mesh", nodes=(1, 4), ipv6=False))
def test_every_node_config_passes_bird_and_lints_clean(peermap: dict[str, Any]) -> None:
    for node in peermap["nodes"]:
        text = render(peermap, node["name"])
        findings = lint_config(parse_config(text, f"{node['name']}.conf"))
        assert not findings, "\n".join(finding.render() for finding in findings) + "\n" + text
        assert_bird_accepts(text, version="2.0.12")
