"""Strategies for valid peer maps (the data a peer-map YAML file holds), across topologies and address stacks."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from hypothesis import strategies as st

from birdkit.gen.topology import protocol_name

# Names a user may well pick that are BIRD keywords or BIRD's own protocol names.
AWKWARD_NAMES = ["peer", "bgp", "from", "kernel1", "static", "ipv4", "RTS_BGP", "1a", "x-y.z", "table"]

node_names = st.one_of(st.sampled_from(AWKWARD_NAMES), st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True))


#: the topology types a peer map can name
TOPOLOGIES = ("full-mesh", "route-reflectors", "peers")
_STACKS = {None: ("ipv4", "ipv6", "dual"), False: ("ipv4",), True: ("dual",), "only": ("ipv6",)}


def peermaps(
    topology: str | Collection[str] | None = None,
    nodes: int | tuple[int, int] = (1, 7),
    ipv6: bool | Literal["only"] | None = None,
    password_file: str | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid peer maps as plain data (``birdkit.gen.peermap.peermap_from_data`` loads them).

    Unique node names (some of them BIRD keywords, which the generator must quote or rename), disjoint pod
    CIDRs in one subnet, extra peers, timers, kernel export and session options.

    ``topology``: one of :data:`TOPOLOGIES` or several (default all). ``nodes``: how many nodes, exactly or
    as ``(least, most)``. ``ipv6``: ``False`` IPv4 only, ``True`` dual stack, ``"only"`` IPv6 sessions
    (pods may still be IPv4, over extended next hop), ``None`` any. ``password_file``: a file the maps may
    name as the BGP password source.
    """
    kinds = (topology,) if isinstance(topology, str) else tuple(TOPOLOGIES if topology is None else topology)
    if not kinds or set(kinds) - set(TOPOLOGIES):
        raise ValueError(f"topology must be among {TOPOLOGIES}, not {kinds}")
    least, most = (nodes, nodes) if isinstance(nodes, int) else nodes
    if not 1 <= least <= most:
        raise ValueError(f"nodes must be at least 1 (and least <= most), not {nodes}")
    if ipv6 not in _STACKS:
        raise ValueError(f"ipv6 must be None, False, True or 'only', not {ipv6!r}")
    return _peermaps(kinds, least, most, _STACKS[ipv6], password_file)


@st.composite
def _peermaps(
    draw: st.DrawFn,
    topologies: tuple[str, ...],
    least: int,
    most: int,
    stacks: tuple[str, ...],
    password_file: str | None,
) -> dict[str, Any]:
    count = draw(st.integers(least, most))
    names = draw(st.lists(node_names, min_size=count, max_size=count, unique_by=protocol_name))
    stack = draw(st.sampled_from(stacks))
    topology_kind = draw(st.sampled_from(topologies))
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
