"""Strategies for birdc replies: route listings, ``show protocols all`` and ``show status``, as text and models.

Each ``*_outputs()`` strategy draws the text BIRD prints together with the models birdkit's parsers must
return for it. The route renderer follows BIRD's own format strings (``nest/rt-show.c``:
``%-20s %s [%s %s%s]%s%s``, next-hop lines, ``Type:`` and ``BGP.x:`` lines in 2.x, ``bgp_x:`` lines and no
``Type:`` in 3.x, long community lists wrapped onto TAB-TAB lines), and optionally wraps the result in
control-socket framing (reply codes).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from typing import Literal

import attrs
from hypothesis import strategies as st

from birdkit.show.models import (
    AsPathSegment,
    BgpAttributes,
    Community,
    ExtCommunity,
    LargeCommunity,
    NextHop,
    Route,
)

u16 = st.integers(0, 65535)
u32 = st.integers(0, 2**32 - 1)
asn = st.integers(1, 2**32 - 1)

ipv4 = st.builds(lambda n: str(ipaddress.IPv4Address(n)), u32)
ipv6 = st.builds(lambda n: str(ipaddress.IPv6Address(n)), st.integers(0, 2**128 - 1))
address = ipv4 | ipv6
name = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
interface = st.from_regex(r"(eth|ens|veth|wg)[0-9]{1,3}", fullmatch=True)

since = st.one_of(
    st.builds(lambda h, m, s, ms: f"{h:02}:{m:02}:{s:02}.{ms:03}", st.integers(0, 23), st.integers(0, 59),
              st.integers(0, 59), st.integers(0, 999)),
    st.builds(lambda y, m, d: f"{y}-{m:02}-{d:02}", st.integers(2000, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda d, h: f"2025-03-{d:02} {h:02}:14:04", st.integers(1, 28), st.integers(0, 23)),
)


#: the kinds of network :func:`routes` draws
NET_KINDS = ("ip", "vpn", "mpls", "roa", "flow")


@st.composite
def _network(draw: st.DrawFn, kinds: tuple[str, ...]) -> str:
    """An IPv4 or IPv6 network (``ip``), a VPN (``RD net``) or labelled (``net mpls N``) one, a ROA or a flow."""
    kind = draw(st.sampled_from(kinds))
    if kind == "roa":
        length = draw(st.integers(8, 24))
        roa = ipaddress.IPv4Network((draw(u32) >> (32 - length) << (32 - length), length))
        return f"{roa}-{draw(st.integers(length, 32))} AS{draw(asn)}"
    if kind == "flow":
        return f"flow4 {{ dst 10.{draw(st.integers(0, 255))}.0.0/16; proto {draw(st.integers(1, 255))}; }}"
    net: ipaddress.IPv4Network | ipaddress.IPv6Network
    if draw(st.booleans()):
        length = draw(st.integers(0, 32))
        net = ipaddress.IPv4Network((draw(u32) >> (32 - length) << (32 - length), length))
    else:
        length = draw(st.integers(0, 128))
        net = ipaddress.IPv6Network((draw(st.integers(0, 2**128 - 1)) >> (128 - length) << (128 - length), length))
    if kind == "vpn":
        return f"{draw(u16)}:{draw(u32)} {net}"
    if kind == "mpls":
        return f"{net} mpls {draw(st.integers(16, 2**20 - 1))}"
    return str(net)


mpls_stack = st.lists(st.integers(16, 2**20 - 1), max_size=3).map(tuple)


@st.composite
def next_hops(draw: st.DrawFn, version: int) -> tuple[NextHop, ...]:
    """One next hop, or several with weights (multipath)."""
    count = draw(st.integers(1, 4))
    hops = []
    for _ in range(count):
        weight = draw(st.integers(1, 256)) if count > 1 else None
        mpls = draw(mpls_stack)
        onlink = draw(st.booleans())
        kind = draw(st.sampled_from(["via", "via", "dev"] + (["recursive"] if version == 3 else [])))
        if kind == "via":
            hops.append(NextHop(draw(address), draw(interface), mpls, onlink, weight))
        elif kind == "dev":
            hops.append(NextHop(None, draw(interface), mpls, onlink, weight))
        else:
            hops.append(NextHop(draw(address), None, mpls, False, weight, draw(name)))
    return tuple(hops)


@st.composite
def as_path(draw: st.DrawFn) -> tuple[AsPathSegment, ...]:
    """Sequences with AS_SETs and confederation segments; adjacent sequences are merged, as BIRD shows them."""
    segments: list[AsPathSegment] = []
    for kind in draw(st.lists(st.sampled_from(["sequence", "sequence", "set", "confed_sequence", "confed_set"]),
                              max_size=4)):
        asns = tuple(draw(st.lists(asn, min_size=1, max_size=4)))
        if kind == "sequence" and segments and segments[-1].kind == "sequence":
            segments[-1] = AsPathSegment("sequence", segments[-1].asns + asns)
        else:
            segments.append(AsPathSegment(kind, asns))
    return tuple(segments)


ext_community = st.one_of(
    st.builds(ExtCommunity, st.sampled_from(["rt", "ro"]), st.one_of(u16.map(str), ipv4), u32.map(str)),
    st.builds(ExtCommunity, st.just("generic"), u32.map(lambda n: f"0x{n:x}"), u32.map(lambda n: f"0x{n:x}")),
    st.builds(ExtCommunity, u16.map(lambda n: f"unknown 0x{n:x}"), u16.map(str), u32.map(str)),
)


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


bgp_attributes = st.builds(
    BgpAttributes,
    origin=_maybe(st.sampled_from(["IGP", "EGP", "Incomplete"])),
    as_path=_maybe(as_path()),
    next_hop=_maybe(st.lists(address, min_size=1, max_size=2).map(tuple)),
    med=_maybe(u32),
    local_pref=_maybe(u32),
    communities=_maybe(st.lists(st.builds(Community, u16, u16), max_size=60).map(tuple)),
    large_communities=_maybe(st.lists(st.builds(LargeCommunity, u32, u32, u32), max_size=20).map(tuple)),
    ext_communities=_maybe(st.lists(ext_community, max_size=6).map(tuple)),
    originator_id=_maybe(ipv4),
    cluster_list=_maybe(st.lists(ipv4, min_size=1, max_size=4).map(tuple)),
).filter(lambda attributes: attributes != BgpAttributes())  # an empty set prints nothing: bgp is None

#: attributes without a typed field, per format: (name, value strategy)
OTHER_ATTRIBUTES = {
    2: [
        ("BGP.atomic_aggr", st.just("")),
        ("BGP.aggregator", st.builds(lambda ip, n: f"{ip} AS{n}", ipv4, asn)),
        ("BGP.otc", asn.map(str)),
        ("OSPF.metric1", u16.map(str)),
        ("igp_metric", u32.map(str)),
        ("BGP.0x42 [t]", st.just("01 02 03")),
    ],
    3: [
        ("preference", u16.map(str)),
        ("igp_metric", u32.map(str)),
        ("from", address),
        ("hostentry", st.builds(lambda ip, t: f"via {ip} table {t}", address, name)),
        ("bgp_atomic_aggr", st.just("")),
        ("Internal route handling values", st.builds(lambda a, b: f"{a}L {b}G 0S id {a}", u16, u16)),
    ],
}


@st.composite
def route_info(draw: st.DrawFn) -> tuple[int, str]:
    """(preference, the info text BIRD prints after the primary mark)."""
    preference = draw(u16)
    tail = draw(st.sampled_from(["", "bgp", "bgp-metric", "ospf"]))
    if tail == "bgp":
        return preference, f"({preference}) [AS{draw(asn)}{draw(st.sampled_from('ie?'))}]"
    if tail == "bgp-metric":
        return preference, f"({preference}/{draw(st.sampled_from(['?', '-', '38']))}) [i]"
    if tail == "ospf":
        return preference, f"E2 ({preference}/{draw(u16)}/{draw(u16)}) [{draw(ipv4)}]"
    return preference, f"({preference})"


Version = Literal["2", "3"]


def _major(version: Version | int) -> int:
    if str(version) not in ("2", "3"):
        raise ValueError(f"version must be \"2\" or \"3\" (the birdc output format), not {version!r}")
    return int(version)


def _is_bgp_attribute(attribute: str) -> bool:
    return attribute.startswith(("BGP.", "bgp_"))


@st.composite
def _route(draw: st.DrawFn, version: int, prefix: str, table: str | None, all_attributes: bool, bgp: bool) -> Route:
    """One route of ``prefix``; with ``all_attributes`` it carries the lines ``show route all`` adds."""
    nexthop_free = " " in prefix and (prefix.startswith("flow") or "-" in prefix.split(" ")[0])
    dest = "" if nexthop_free else draw(st.sampled_from(["unicast", "unicast", "blackhole", "unreachable",
                                                          "prohibited"]))
    preference, info = draw(route_info())
    mark = draw(st.sampled_from(["", "*", "!"]))
    source: str | None = None
    scope: str | None = None
    attributes: BgpAttributes | None = None
    other: tuple[tuple[str, str], ...] = ()
    if all_attributes:
        source = draw(st.none() | st.sampled_from(["BGP", "static", "OSPF-E2", "device"]))
        if version == 2 and source is not None:
            scope = draw(st.sampled_from(["univ", "link", "host", "site"]))
        attributes = draw(st.none() | bgp_attributes) if bgp else None
        candidates = [pair for pair in OTHER_ATTRIBUTES[version] if bgp or not _is_bgp_attribute(pair[0])]
        pairs = draw(st.lists(st.sampled_from(candidates), max_size=3, unique_by=lambda p: p[0]))
        other = tuple((attribute, draw(values)) for attribute, values in pairs)
    return Route(
        prefix=prefix,
        dest=dest,
        protocol=draw(name),
        since=draw(since),
        table=table,
        from_address=draw(st.none() | address),
        primary=mark == "*",
        sync_error=mark == "!",
        preference=preference,
        info=info,
        next_hops=draw(next_hops(version)) if dest == "unicast" else (),
        source=source,
        scope=scope,
        bgp=attributes,
        other_attributes=other,
    )


def routes(
    version: Version = "2",
    bgp: bool = True,
    kinds: Collection[str] | None = None,
    all_attributes: bool = True,
) -> st.SearchStrategy[list[Route]]:
    """Route listings as ``show route [all]`` prints them: one or more tables, networks with several routes.

    ``version``: the output format, ``"2"`` (``Type:``, ``BGP.x:`` lines) or ``"3"`` (``bgp_x:`` lines,
    recursive next hops). ``bgp=False`` draws no BGP attributes. ``kinds``: the networks drawn, a subset of
    :data:`NET_KINDS` (default all). ``all_attributes=False`` draws what plain ``show route`` shows.
    """
    major = _major(version)
    chosen = tuple(NET_KINDS if kinds is None else kinds)
    if not chosen or set(chosen) - set(NET_KINDS):
        raise ValueError(f"kinds must be a non-empty subset of {NET_KINDS}, not {sorted(chosen)}")
    weighted = tuple(kind for kind in chosen for _ in range(4 if kind == "ip" else 1))
    return _listing(major, weighted, all_attributes, bgp)


@st.composite
def _listing(draw: st.DrawFn, version: int, kinds: tuple[str, ...], all_attributes: bool, bgp: bool) -> list[Route]:
    listing: list[Route] = []
    tables = draw(st.lists(name, min_size=1, max_size=3, unique=True))
    for table in tables:
        for _ in range(draw(st.integers(0 if len(tables) > 1 else 1, 4))):
            prefix = draw(_network(kinds))
            for _ in range(draw(st.integers(1, 3))):
                listing.append(draw(_route(version, prefix, table, all_attributes, bgp)))
    return listing


@attrs.frozen
class RouteOutput:
    """A ``show route [all]`` reply: the ``text`` BIRD prints and the ``routes`` it must parse to."""

    text: str
    routes: tuple[Route, ...]
    version: Version
    framed: bool


def route_outputs(
    version: Version | None = None,
    bgp: bool = True,
    kinds: Collection[str] | None = None,
    all_attributes: bool | None = None,
    framed: bool | None = None,
) -> st.SearchStrategy[RouteOutput]:
    """Route listings (see :func:`routes`) with their text; ``None`` draws either value of a choice.

    ``framed=True`` draws control-socket text (``1007-`` reply codes and the final ``0000``), ``False``
    what ``birdc`` prints.
    """
    versions: list[Version] = ["2", "3"] if version is None else [version]
    whole = [True, False] if all_attributes is None else [all_attributes]
    framings = [True, False] if framed is None else [framed]

    @st.composite
    def build(draw: st.DrawFn) -> RouteOutput:
        chosen = draw(st.sampled_from(versions))
        is_framed = draw(st.sampled_from(framings))
        listing = draw(routes(chosen, bgp, kinds, draw(st.sampled_from(whole))))
        return RouteOutput(render_routes(listing, chosen, framed=is_framed), tuple(listing), chosen, is_framed)

    return build()


# ---------------------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------------------

_V2_NAMES = {
    "origin": "BGP.origin", "as_path": "BGP.as_path", "next_hop": "BGP.next_hop", "med": "BGP.med",
    "local_pref": "BGP.local_pref", "communities": "BGP.community", "large_communities": "BGP.large_community",
    "ext_communities": "BGP.ext_community", "originator_id": "BGP.originator_id", "cluster_list": "BGP.cluster_list",
}
_V3_NAMES = {field: "bgp_" + printed.removeprefix("BGP.") for field, printed in _V2_NAMES.items()}
_V3_NAMES["as_path"] = "bgp_path"
_SEGMENT_BRACKETS = {"sequence": ("", ""), "set": ("{", "}"), "confed_sequence": ("(", ")"), "confed_set": ("({", "})")}


def render_as_path(path: tuple[AsPathSegment, ...]) -> str:
    """BIRD's ``as_path_format``: ``65001 {65002 65003} (65004) ({65005})``."""
    parts = []
    for segment in path:
        opener, closer = _SEGMENT_BRACKETS[segment.kind]
        parts.append(opener + " ".join(str(n) for n in segment.asns) + closer)
    return " ".join(parts)


def _attribute_items(bgp: BgpAttributes) -> list[tuple[str, list[str]]]:
    """(field, printed items) for each attribute that is set; items are joined by spaces (and may wrap)."""
    items: list[tuple[str, list[str]]] = []
    if bgp.origin is not None:
        items.append(("origin", [bgp.origin]))
    if bgp.as_path is not None:
        items.append(("as_path", [render_as_path(bgp.as_path)] if bgp.as_path else []))
    if bgp.next_hop is not None:
        items.append(("next_hop", list(bgp.next_hop)))
    if bgp.med is not None:
        items.append(("med", [str(bgp.med)]))
    if bgp.local_pref is not None:
        items.append(("local_pref", [str(bgp.local_pref)]))
    if bgp.communities is not None:
        items.append(("communities", [f"({c.asn},{c.value})" for c in bgp.communities]))
    if bgp.originator_id is not None:
        items.append(("originator_id", [bgp.originator_id]))
    if bgp.cluster_list is not None:
        items.append(("cluster_list", list(bgp.cluster_list)))
    if bgp.ext_communities is not None:
        items.append(("ext_communities", [f"({e.kind}, {e.admin}, {e.value})" for e in bgp.ext_communities]))
    if bgp.large_communities is not None:
        items.append(("large_communities", [f"({c.global_admin}, {c.local1}, {c.local2})"
                                            for c in bgp.large_communities]))
    return items


def _wrapped(head: str, items: list[str], width: int = 400) -> list[str]:
    """``head`` + items; past ``width`` characters the rest goes on ``\\t\\t`` lines, as BIRD's buffer does."""
    lines = []
    current = head
    has_item = False
    for item in items:
        if has_item and len(current) + 1 + len(item) > width:
            lines.append(current)
            current = "\t\t" + item
        else:
            current += (" " if has_item else "") + item
        has_item = True
    lines.append(current)
    return lines


def _render_route(route: Route, version: int, show_net: bool) -> list[tuple[int, str]]:
    """The (reply code, text) lines BIRD prints for one route."""
    net = route.prefix if show_net else ""
    source_part = f" from {route.from_address}" if route.from_address else ""
    mark = " *" if route.primary else " !" if route.sync_error else ""
    lines = [(1007, f"{net:<20} {route.dest} [{route.protocol} {route.since}{source_part}]{mark} {route.info}")]
    for hop in route.next_hops:
        text = f"\tvia {hop.gateway}" if hop.gateway else "\tdev"
        if hop.interface:
            text += f" on {hop.interface}" if hop.gateway else f" {hop.interface}"
        if hop.table:
            text += f" table {hop.table}"
        if hop.mpls:
            text += " mpls " + "/".join(str(label) for label in hop.mpls)
        if hop.onlink:
            text += " onlink"
        if hop.weight is not None:
            text += f" weight {hop.weight}"
        lines.append((1007, text))
    attributes: list[str] = []
    if version == 2 and route.source is not None:
        lines.append((1008, f"\tType: {route.source} {route.scope}"))
    if version == 3 and route.source is not None:
        attributes.append(f"\tsource: {route.source}")
    names = _V2_NAMES if version == 2 else _V3_NAMES
    if route.bgp is not None:
        for field, items in _attribute_items(route.bgp):
            attributes.extend(_wrapped(f"\t{names[field]}: ", items))
    attributes.extend(f"\t{attribute}: {value}" for attribute, value in route.other_attributes)
    lines.extend((1012, text) for text in attributes)
    return lines


def render_routes(listing: Collection[Route], version: Version | int, framed: bool = False) -> str:
    """The whole ``show route [all]`` reply: table headers, blank separators, routes; optionally framed."""
    lines: list[tuple[int, str]] = []
    table: object = object()
    previous_prefix = None
    major = _major(version)
    for route in listing:
        if route.table != table:
            if lines:
                lines.append((1007, ""))
            lines.append((1007, f"Table {route.table}:"))
            table = route.table
            previous_prefix = None
        lines.extend(_render_route(route, major, route.prefix != previous_prefix))
        previous_prefix = route.prefix
    if not framed:
        return "".join(text.rstrip(" ") + "\n" for _, text in lines)
    out = []
    code = None
    for line_code, text in lines:
        out.append(f" {text}" if line_code == code else f"{line_code}-{text}")
        code = line_code
    out.append("0000 ")
    return "\n".join(out) + "\n"
