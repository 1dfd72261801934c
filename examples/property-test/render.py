"""The code under test: render one node of an IPv4 full-mesh peer map with templates/bird.conf.j2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(peermap: dict[str, Any], node_name: str) -> str:
    """``bird.conf`` for ``node_name``: BGP to every other node and to its extra peers, pods as static routes."""
    default_asn = peermap["defaults"]["asn"]
    nodes = {node["name"]: node for node in peermap["nodes"]}
    node = nodes[node_name]
    address = node["address"].split("/")[0]
    peers = [
        {"name": other["name"], "address": other["address"].split("/")[0], "asn": other.get("asn", default_asn),
         "description": other.get("description")}
        for other in peermap["nodes"]
        if other["name"] != node_name
    ]
    peers += [{**peer, "description": peer.get("description")} for peer in node.get("extra_peers", [])]
    return _ENVIRONMENT.get_template("bird.conf.j2").render(
        node=node, router_id=address, address=address, asn=node.get("asn", default_asn), peers=peers
    )
