"""Hypothesis strategies for valid peer maps (as plain data), across topologies, IPv4, IPv6 and dual stack."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from birdkit.gen.topology import protocol_name

# Names a user may well pick that are BIRD keywords or BIRD's own protocol names.
AWKWARD_NAMES = ["peer", "bgp", "from", "kernel1", "static", "ipv4", "RTS_BGP", "1a", "x-y.z", "table"]

node_names = st.one_of(st.sampled_from(AWKWARD_NAMES), st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True))


@st.composite
def peermap_data(draw: st.DrawFn, password_file: str | None = None, max_nodes: int = 7) -> dict[str, Any]:
    """A valid peer map: unique names, disjoint pod CIDRs, one subnet, a random topology and options."""
    count = draw(st.integers(1, max_nodes))
    names = draw(st.lists(node_names, min_size=count, max_size=count, unique_by=protocol_name))
    stack = draw(st.sampled_from(["ipv4", "ipv6", "dual"]))
    topology_kind = draw(st.sampled_from(["full-mesh", "route-reflectors", "peers"]))
    nodes = []
    for index, name in enumerate(names):
        host = index + 1
        node: dict[str, Any] = {"name": name}
        if stack == "ipv6":
            node |= {"address": f"fd00:198:18::{host:x}/64", "router_id": f"10.255.0.{host}"}
        else:
            node["address"] = f"198.18.0.{host}/24"
        if stack == "dual":
            node["address6"] = f"fd00:198:18::{host:x}/64"
        cidrs = []
        if stack != "ipv6" or draw(st.booleans()):  # IPv4 pods over IPv6 sessions use extended next hop
            cidrs += [f"10.{index}.{k}.0/24" for k in range(draw(st.integers(0, 2)))]
        if stack != "ipv4":
            cidrs += [f"fd00:10:{index:x}:{k:x}::/64" for k in range(draw(st.integers(0, 2)))]
        node["pod_cidrs"] = cidrs
        if topology_kind != "route-reflectors" and draw(st.booleans()):
            node["asn"] = draw(st.integers(64512, 65534))
        if draw(st.booleans()):
            node["description"] = draw(st.from_regex(r"[A-Za-z0-9 ,.:/-]{1,30}", fullmatch=True))
        if draw(st.integers(0, 3)) == 0:
            tor = f"fd00:198:18::{200 + index:x}" if stack == "ipv6" else f"198.18.0.{200 + index}"
            node["extra_peers"] = [{"name": f"tor{index}", "address": tor, "asn": 64512 + index,
                                    "description": "top of rack"}]
        nodes.append(node)
    topology: dict[str, Any] = {"type": topology_kind}
    if topology_kind == "route-reflectors":
        topology["route_reflectors"] = names[: draw(st.integers(1, min(2, count)))]
    elif topology_kind == "peers":
        pairs = [[a, b] for i, a in enumerate(names) for b in names[i + 1:]]
        topology["peers"] = draw(st.lists(st.sampled_from(pairs), unique_by=tuple)) if pairs else []
    options: dict[str, Any] = {
        "bfd": draw(st.booleans()),
        "graceful_restart": draw(st.booleans()),
        "ecmp": draw(st.booleans()),
        "multihop": draw(st.sampled_from([False, True, 2, 64])),
    }
    if password_file and draw(st.booleans()):
        options["password"] = {"file": password_file}
    defaults = {
        "asn": draw(st.sampled_from([65000, 64512, 4200000000])),
        "timers": draw(
            st.sampled_from(
                [{}, {"hold": 90, "keepalive": 30}, {"connect_retry": 5}, {"connect_delay": 1, "error_wait": 2}]
            )
        ),
        "kernel": {"export": draw(st.sampled_from(["all", "bgp-and-static"])), "persist": draw(st.booleans()),
                   "graceful_restart": draw(st.booleans())},
    }
    return {"version": 1, "defaults": defaults, "options": options, "nodes": nodes, "topology": topology}
