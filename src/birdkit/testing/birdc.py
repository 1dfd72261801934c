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
from datetime import datetime
from typing import Literal

import attrs
from hypothesis import strategies as st

from birdkit.show.models import (
    AsPathSegment,
    BgpAttributes,
    BgpSession,
    Channel,
    ChannelRoutes,
    ChannelStats,
    Community,
    ExtCommunity,
    LargeCommunity,
    Limit,
    NextHop,
    Protocol,
    Route,
    StatsRow,
    Status,
)

_u16 = st.integers(0, 65535)
_u32 = st.integers(0, 2**32 - 1)
_asn = st.integers(1, 2**32 - 1)

_ipv4 = st.builds(lambda n: str(ipaddress.IPv4Address(n)), _u32)
_ipv6 = st.builds(lambda n: str(ipaddress.IPv6Address(n)), st.integers(0, 2**128 - 1))
_address = _ipv4 | _ipv6
_name = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
_interface = st.from_regex(r"(eth|ens|veth|wg)[0-9]{1,3}", fullmatch=True)

#: the ``strftime`` formats of the times BIRD prints (``iso short`` and ``iso long``, plain, ms and us; 1.x's
#: ``old short``: ``HH:MM``, ``Jun13``, a year; 1.x's ``old long``); ``%3f`` is milliseconds, as in BIRD's
#: ``timeformat``
SINCE_FORMATS = (
    "%H:%M:%S.%3f", "%H:%M:%S.%f", "%H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%3f",
    "%Y-%m-%d %H:%M:%S.%f", "%H:%M", "%b%d", "%Y", "%d-%m-%Y %H:%M:%S",
)  # fmt: skip


def bird_time(moment: datetime, time_format: str) -> str:
    """``moment`` as BIRD prints it in ``time_format`` (one of :data:`SINCE_FORMATS`)."""
    return moment.strftime(time_format.replace("%3f", f"{moment.microsecond // 1000:03}"))


_since = st.builds(
    bird_time, st.datetimes(datetime(1990, 1, 1), datetime(2100, 12, 31)), st.sampled_from(SINCE_FORMATS)
)


#: the kinds of network :func:`routes` draws
NET_KINDS = ("ip", "vpn", "mpls", "roa", "flow")


@st.composite
def _network(draw: st.DrawFn, kinds: tuple[str, ...]) -> str:
    """An IPv4 or IPv6 network (``ip``), a VPN (``RD net``) or labelled (``net mpls N``) one, a ROA or a flow."""
    kind = draw(st.sampled_from(kinds))
    if kind == "roa":
        length = draw(st.integers(8, 24))
        roa = ipaddress.IPv4Network((draw(_u32) >> (32 - length) << (32 - length), length))
        return f"{roa}-{draw(st.integers(length, 32))} AS{draw(_asn)}"
    if kind == "flow":
        return f"flow4 {{ dst 10.{draw(st.integers(0, 255))}.0.0/16; proto {draw(st.integers(1, 255))}; }}"
    net: ipaddress.IPv4Network | ipaddress.IPv6Network
    if draw(st.booleans()):
        length = draw(st.integers(0, 32))
        net = ipaddress.IPv4Network((draw(_u32) >> (32 - length) << (32 - length), length))
    else:
        length = draw(st.integers(0, 128))
        net = ipaddress.IPv6Network((draw(st.integers(0, 2**128 - 1)) >> (128 - length) << (128 - length), length))
    if kind == "vpn":
        return f"{draw(_u16)}:{draw(_u32)} {net}"
    if kind == "mpls":
        return f"{net} mpls {draw(st.integers(16, 2**20 - 1))}"
    return str(net)


_mpls_stack = st.lists(st.integers(16, 2**20 - 1), max_size=3).map(tuple)


@st.composite
def _next_hops(draw: st.DrawFn, version: int) -> tuple[NextHop, ...]:
    """One next hop, or several with weights (multipath)."""
    count = draw(st.integers(1, 4))
    hops = []
    for _ in range(count):
        weight = draw(st.integers(1, 256)) if count > 1 else None
        mpls = draw(_mpls_stack)
        onlink = draw(st.booleans())
        kind = draw(st.sampled_from(["via", "via", "dev"] + (["recursive"] if version == 3 else [])))
        if kind == "via":
            hops.append(NextHop(draw(_address), draw(_interface), mpls, onlink, weight))
        elif kind == "dev":
            hops.append(NextHop(None, draw(_interface), mpls, onlink, weight))
        else:
            hops.append(NextHop(draw(_address), None, mpls, False, weight, draw(_name)))
    return tuple(hops)


@st.composite
def _as_path(draw: st.DrawFn) -> tuple[AsPathSegment, ...]:
    """Sequences with AS_SETs and confederation segments; adjacent sequences are merged, as BIRD shows them."""
    segments: list[AsPathSegment] = []
    for kind in draw(st.lists(st.sampled_from(["sequence", "sequence", "set", "confed_sequence", "confed_set"]),
                              max_size=4)):
        asns = tuple(draw(st.lists(_asn, min_size=1, max_size=4)))
        if kind == "sequence" and segments and segments[-1].kind == "sequence":
            segments[-1] = AsPathSegment("sequence", segments[-1].asns + asns)
        else:
            segments.append(AsPathSegment(kind, asns))
    return tuple(segments)


_ext_community = st.one_of(
    # BIRD's widths: a 2-byte AS with a 32-bit value, an IPv4 address or a 4-byte AS with a 16-bit value
    st.builds(ExtCommunity, st.sampled_from(["rt", "ro"]), _u16.map(str), _u32.map(str)),
    st.builds(ExtCommunity, st.sampled_from(["rt", "ro"]), _ipv4 | _u32.filter(lambda n: n > 65535).map(str),
              _u16.map(str)),
    st.builds(ExtCommunity, st.just("generic"), _u32.map(lambda n: f"0x{n:x}"), _u32.map(lambda n: f"0x{n:x}")),
    st.builds(ExtCommunity, _u16.map(lambda n: f"unknown 0x{n:x}"), _u16.map(str), _u32.map(str)),
)


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


_bgp_attributes = st.builds(
    BgpAttributes,
    origin=_maybe(st.sampled_from(["IGP", "EGP", "Incomplete"])),
    as_path=_maybe(_as_path()),
    next_hop=_maybe(st.lists(_address, min_size=1, max_size=2).map(tuple)),
    med=_maybe(_u32),
    local_pref=_maybe(_u32),
    communities=_maybe(st.lists(st.builds(Community, _u16, _u16), max_size=60).map(tuple)),
    large_communities=_maybe(st.lists(st.builds(LargeCommunity, _u32, _u32, _u32), max_size=20).map(tuple)),
    ext_communities=_maybe(st.lists(_ext_community, max_size=6).map(tuple)),
    originator_id=_maybe(_ipv4),
    cluster_list=_maybe(st.lists(_ipv4, min_size=1, max_size=4).map(tuple)),
).filter(lambda attributes: attributes != BgpAttributes())  # an empty set prints nothing: bgp is None

#: attributes without a typed field, per format: (name, value strategy)
_OTHER_ATTRIBUTES = {
    2: [
        ("BGP.atomic_aggr", st.just("")),
        ("BGP.aggregator", st.builds(lambda ip, n: f"{ip} AS{n}", _ipv4, _asn)),
        ("BGP.otc", _asn.map(str)),
        ("OSPF.metric1", _u16.map(str)),
        ("igp_metric", _u32.map(str)),
        ("BGP.0x42 [t]", st.just("01 02 03")),
    ],
    3: [
        ("preference", _u16.map(str)),
        ("igp_metric", _u32.map(str)),
        ("from", _address),
        ("hostentry", st.builds(lambda ip, t: f"via {ip} table {t}", _address, _name)),
        ("bgp_atomic_aggr", st.just("")),
        ("Internal route handling values", st.builds(lambda a, b: f"{a}L {b}G 0S id {a}", _u16, _u16)),
    ],
}


@st.composite
def _route_info(draw: st.DrawFn) -> tuple[int, str]:
    """(preference, the info text BIRD prints after the primary mark)."""
    preference = draw(_u16)
    tail = draw(st.sampled_from(["", "bgp", "bgp-metric", "ospf"]))
    if tail == "bgp":
        return preference, f"({preference}) [AS{draw(_asn)}{draw(st.sampled_from('ie?'))}]"
    if tail == "bgp-metric":
        return preference, f"({preference}/{draw(st.sampled_from(['?', '-', '38']))}) [i]"
    if tail == "ospf":
        return preference, f"E2 ({preference}/{draw(_u16)}/{draw(_u16)}) [{draw(_ipv4)}]"
    return preference, f"({preference})"


Version = Literal["2", "3"]


def _major(version: Version | int) -> int:
    if str(version) not in ("2", "3"):
        raise ValueError(f"version must be \"2\" or \"3\" (the birdc output format), not {version!r}")
    return int(version)


def _either(choice: bool | None) -> list[bool]:
    """The values a ``None``-means-either keyword allows."""
    return [True, False] if choice is None else [choice]


def _is_bgp_attribute(attribute: str) -> bool:
    return attribute.startswith(("BGP.", "bgp_"))


@st.composite
def _route(draw: st.DrawFn, version: int, prefix: str, table: str | None, all_attributes: bool, bgp: bool) -> Route:
    """One route of ``prefix``; with ``all_attributes`` it carries the lines ``show route all`` adds."""
    nexthop_free = " " in prefix and (prefix.startswith("flow") or "-" in prefix.split(" ")[0])
    dest = "" if nexthop_free else draw(st.sampled_from(["unicast", "unicast", "blackhole", "unreachable",
                                                          "prohibited"]))
    preference, info = draw(_route_info())
    mark = draw(st.sampled_from(["", "*", "!"]))
    source: str | None = None
    scope: str | None = None
    attributes: BgpAttributes | None = None
    other: tuple[tuple[str, str], ...] = ()
    if all_attributes:
        source = draw(st.none() | st.sampled_from(["BGP", "static", "OSPF-E2", "device"]))
        if version == 2 and source is not None:
            scope = draw(st.sampled_from(["univ", "link", "host", "site"]))
        attributes = draw(st.none() | _bgp_attributes) if bgp else None
        candidates = [pair for pair in _OTHER_ATTRIBUTES[version] if bgp or not _is_bgp_attribute(pair[0])]
        pairs = draw(st.lists(st.sampled_from(candidates), max_size=3, unique_by=lambda p: p[0]))
        other = tuple((attribute, draw(values)) for attribute, values in pairs)
    return Route(
        prefix=prefix,
        dest=dest,
        protocol=draw(_name),
        since=draw(_since),
        table=table,
        from_address=draw(st.none() | _address),
        primary=mark == "*",
        sync_error=mark == "!",
        preference=preference,
        info=info,
        next_hops=draw(_next_hops(version)) if dest == "unicast" else (),
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
    tables = draw(st.lists(_name, min_size=1, max_size=3, unique=True))
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
    whole = _either(all_attributes)
    framings = _either(framed)

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


def _render_as_path(path: tuple[AsPathSegment, ...]) -> str:
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
        items.append(("as_path", [_render_as_path(bgp.as_path)] if bgp.as_path else []))
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
    return _framed(lines)


# ---------------------------------------------------------------------------------------------------------
# show protocols [all]
# ---------------------------------------------------------------------------------------------------------

_PROTOCOL_KINDS = ["BGP", "BGP", "Device", "Direct", "Kernel", "Static", "OSPF", "Pipe", "Babel", "RIP", "BFD"]
_STATES = ["up", "down", "start", "stop", "flush"]
_INFOS = ["", "Established", "Active", "Connect", "Idle", "Passive", "Error: Hold timer expired",
          "Socket: Connection refused", "Down", "Running"]  # fmt: skip
_CAPABILITIES = [
    "Multiprotocol / AF announced: ipv4",
    "Multiprotocol / AF announced: ipv4 ipv6",
    "Route refresh",
    "Graceful restart",
    "Graceful restart / Restart time: 120 / AF supported: ipv4",
    "4-octet AS numbers",
    "Enhanced refresh",
    "Long-lived graceful restart",
    "Extended next hop / IPv6 nexthop: ipv4",
    "Extended message",
    "Hostname: vm1",
    "Role: peer",
]
_BGP_STATES = ["Established", "Active", "Connect", "Idle", "OpenSent", "OpenConfirm", "Down"]
_SESSION_WORDS = ["external", "internal", "multihop", "route-reflector", "AS4", "confederation"]
_TIMER = st.builds(lambda left, total: f"{left}.{left % 1000:03}/{total}", st.integers(0, 240), st.integers(1, 600))
_FILTERS = st.sampled_from(["ACCEPT", "REJECT", "(unnamed)"]) | _name
_CHANNEL_STATES = ["UP", "DOWN", "START", "FEEDING", "READY", "FLUSHING"]
_LIMIT_ACTIONS = ["warn", "block", "restart", "disable"]
_STATS_COLUMNS = {
    2: ("received", "rejected", "filtered", "ignored", "accepted"),
    3: ("received", "rejected", "filtered", "ignored", "RX limit", "limit", "accepted"),
}
_STATS_ROWS = ("Import updates", "Import withdraws", "Export updates", "Export withdraws")
#: channel lines without a typed field: (key, value) pairs, and bare lines (value "")
_CHANNEL_DETAILS = st.sampled_from([("BGP Next hop", _ipv4), ("IGP IPv4 table", _name), ("IGP IPv6 table", _name)])
_CHANNEL_BARE = "Pending 0 attribute sets with total 0 prefixes to send"


@st.composite
def _bgp_session(draw: st.DrawFn) -> BgpSession:
    established = draw(st.booleans())
    capabilities = st.lists(st.sampled_from(_CAPABILITIES), max_size=5, unique=True).map(tuple)
    return BgpSession(
        state="Established" if established else draw(st.sampled_from(_BGP_STATES[1:])),
        neighbor_address=draw(st.none() | _address),
        neighbor_port=draw(st.none() | _u16),
        neighbor_as=draw(st.none() | _asn),
        local_as=draw(st.none() | _asn),
        neighbor_id=draw(_ipv4) if established else None,
        local_capabilities=draw(capabilities) if established else (),
        neighbor_capabilities=draw(capabilities) if established else (),
        session=tuple(draw(st.lists(st.sampled_from(_SESSION_WORDS), max_size=3, unique=True))) if established else (),
        source_address=draw(_address) if established else None,
        hold_timer=draw(st.none() | _TIMER),
        keepalive_timer=draw(st.none() | _TIMER),
        send_hold_timer=draw(st.none() | _TIMER),
        last_error=draw(st.none() | st.sampled_from(["Socket: Connection refused", "Received: Hold timer expired"])),
        details=tuple(draw(st.lists(st.sampled_from([("TX pending", "0 bytes"), ("Connect delay", "2.514/5")]),
                                    max_size=2, unique=True))),
    )


@st.composite
def _channel_stats(draw: st.DrawFn, version: int) -> ChannelStats:
    columns = _STATS_COLUMNS[version]
    cell = st.none() | st.integers(0, 2**32 - 1)
    rows = tuple(StatsRow(row, tuple(draw(cell) for _ in columns)) for row in _STATS_ROWS)
    return ChannelStats(columns, rows)


@st.composite
def _channel(draw: st.DrawFn, version: int) -> Channel:
    limits = []
    for kind in draw(st.lists(st.sampled_from(["Receive limit", "Import limit", "Export limit"]), max_size=2,
                              unique=True)):
        limits.append(Limit(kind, draw(_u32), draw(st.booleans()), draw(st.none() | st.sampled_from(_LIMIT_ACTIONS))))
    counts = draw(st.none() | st.builds(ChannelRoutes, _u32, st.none() | _u32, _u32, _u32))
    details = [(key, draw(value)) for key, value in draw(st.lists(_CHANNEL_DETAILS, max_size=2, unique=True))]
    if draw(st.booleans()):
        details.append((_CHANNEL_BARE, ""))
    return Channel(
        name=draw(st.sampled_from(["ipv4", "ipv6", "vpn4-mpls", "flow4"])),
        state=draw(st.sampled_from(_CHANNEL_STATES)),
        import_state=draw(st.sampled_from(_CHANNEL_STATES)) if version == 3 else None,
        export_state=draw(st.sampled_from(_CHANNEL_STATES)) if version == 3 else None,
        table=draw(st.none() | st.sampled_from(["master4", "master6"]) | _name),
        preference=draw(st.none() | _u16),
        input_filter=draw(st.none() | _FILTERS),
        output_filter=draw(st.none() | _FILTERS),
        limits=tuple(limits),
        routes=counts,
        stats=draw(st.none() | _channel_stats(version)),
        details=tuple(details),
    )


@st.composite
def _protocol(draw: st.DrawFn, version: int, all_details: bool, protocol_name: str) -> Protocol:
    kind = draw(st.sampled_from(_PROTOCOL_KINDS))
    row = Protocol(
        name=protocol_name,
        proto=kind,
        table=draw(st.none() | st.sampled_from(["master4", "master6"])),
        state=draw(st.sampled_from(_STATES)),
        since=draw(_since),
        info=draw(st.sampled_from(_INFOS)),
    )
    if not all_details:
        return row
    details: list[tuple[str, str]] = []
    if version == 3:
        details.append(("Created", draw(_since)))
    if draw(st.integers(0, 3)) == 0:
        details.append(("Message", draw(st.sampled_from(["Reconfigured", "Neighbor down"]))))
    return attrs.evolve(
        row,
        description=draw(st.none() | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,./-]{0,20}[A-Za-z0-9]", fullmatch=True)),
        bgp=draw(_bgp_session()) if kind == "BGP" else None,
        channels=tuple(draw(st.lists(_channel(version), max_size=2))) if kind != "Device" else (),
        details=tuple(details),
    )


@attrs.frozen
class ProtocolOutput:
    """A ``show protocols [all]`` reply: the ``text`` BIRD prints and the ``protocols`` it must parse to."""

    text: str
    protocols: tuple[Protocol, ...]
    version: Version
    all_details: bool
    framed: bool


def protocol_outputs(
    version: Version | None = None, all_details: bool | None = None, framed: bool | None = None
) -> st.SearchStrategy[ProtocolOutput]:
    """``show protocols`` (``all_details=False``) or ``show protocols all`` replies, as text and models.

    BGP sessions (capabilities, timers, last error), channels with states, filters, limits and their
    actions, route counts, the 5-column (2.x) or 7-column (3.x) change stats, and raw detail lines.
    ``None`` draws either value of a choice; ``framed=True`` draws control-socket text.
    """
    versions: list[Version] = ["2", "3"] if version is None else [version]
    detail_choices = _either(all_details)
    framings = _either(framed)

    @st.composite
    def build(draw: st.DrawFn) -> ProtocolOutput:
        chosen = draw(st.sampled_from(versions))
        details = draw(st.sampled_from(detail_choices))
        is_framed = draw(st.sampled_from(framings))
        names = draw(st.lists(_name, max_size=4, unique=True))
        protocols = tuple(draw(_protocol(_major(chosen), details, protocol_name)) for protocol_name in names)
        text = render_protocols(protocols, chosen, framed=is_framed)
        return ProtocolOutput(text, protocols, chosen, details, is_framed)

    return build()


def _protocol_lines(protocol: Protocol, version: int) -> list[tuple[int, str]]:
    """(reply code, text) of one protocol: its row, then its detail lines."""
    row = (f"{protocol.name:<10} {protocol.proto:<10} {protocol.table or '---':<10} {protocol.state:<6} "
           f"{protocol.since:<12}  {protocol.info}")
    lines = [(1002, row)]
    details: list[str] = []
    if protocol.description is not None:
        details.append(f"  {'Description:':<20}{protocol.description}")
    details += [f"  {key + ':':<20}{value}" for key, value in protocol.details]
    if protocol.bgp is not None:
        details += _bgp_lines(protocol.bgp)
    for channel in protocol.channels:
        details += _channel_lines(channel)
    lines += [(1006, text) for text in details]
    return lines


def _pair(indent: int, key: str, value: object, width: int) -> str:
    return f"{' ' * indent}{key + ':':<{width}}{value}"


def _present(indent: int, width: int, pairs: tuple[tuple[str, object], ...]) -> list[str]:
    """``key: value`` lines for the values that are set, in order."""
    return [_pair(indent, key, value, width) for key, value in pairs if value is not None]


def _bgp_lines(session: BgpSession) -> list[str]:
    lines = [_pair(2, "BGP state", session.state, 20)]
    lines += _present(4, 18, (
        ("Neighbor address", session.neighbor_address),
        ("Neighbor port", session.neighbor_port),
        ("Neighbor AS", session.neighbor_as),
        ("Local AS", session.local_as),
        ("Neighbor ID", session.neighbor_id),
    ))
    for title, capabilities in (("Local", session.local_capabilities), ("Neighbor", session.neighbor_capabilities)):
        if capabilities:
            lines.append(f"    {title} capabilities")
            for capability in capabilities:
                head, *nested = capability.split(" / ")
                lines.append(f"      {head}")
                lines += [f"        {part}" for part in nested]
    if session.session:
        lines.append(_pair(4, "Session", " ".join(session.session), 18))
    lines += _present(4, 18, (
        ("Source address", session.source_address),
        ("Hold timer", session.hold_timer),
        ("Keepalive timer", session.keepalive_timer),
        ("Send hold timer", session.send_hold_timer),
        ("Last error", session.last_error),
    ))
    lines += [_pair(4, key, value, 18) for key, value in session.details]
    return lines


def _channel_lines(channel: Channel) -> list[str]:
    lines = [f"  Channel {channel.name}"]
    lines += _present(4, 16, (
        ("State", channel.state),
        ("Import state", channel.import_state),
        ("Export state", channel.export_state),
        ("Table", channel.table),
        ("Preference", channel.preference),
        ("Input filter", channel.input_filter),
        ("Output filter", channel.output_filter),
    ))
    for limit in channel.limits:
        lines.append(_pair(4, limit.kind, f"{limit.value}{' [HIT]' if limit.hit else ''}", 16))
        if limit.action is not None:
            lines.append(_pair(6, "Action", limit.action, 14))
    if channel.routes is not None:
        counts = [f"{number} {what}" for what, number in attrs.asdict(channel.routes).items() if number is not None]
        lines.append(_pair(4, "Routes", ", ".join(counts), 16))
    if channel.stats is not None:
        lines.append("    Route change stats:   " + "".join(f"{column:>11}" for column in channel.stats.columns))
        for row in channel.stats.rows:
            cells = "".join(f"{'---' if value is None else value:>11}" for value in row.values)
            lines.append(f"      {row.name + ':':<20}{cells}")
    lines += [f"    {key}" if not value else _pair(4, key, value, 16) for key, value in channel.details]
    return lines


def render_protocols(protocols: Collection[Protocol], version: Version | int, framed: bool = False) -> str:
    """The ``show protocols [all]`` reply: the header, then each protocol (a blank line after detailed ones)."""
    major = _major(version)
    lines = [(2002, "Name       Proto      Table      State  Since         Info")]
    for protocol in protocols:
        body = _protocol_lines(protocol, major)
        lines += body
        if len(body) > 1:
            lines.append((body[-1][0], ""))
    return _framed(lines) if framed else "".join(text + "\n" for _, text in lines)


def _framed(lines: list[tuple[int, str]], final: tuple[int, str] = (0, "")) -> str:
    """Control-socket text: a code and ``-`` where the code changes, a space before continued lines."""
    out = []
    code = None
    for line_code, text in lines:
        out.append(f" {text}" if line_code == code else f"{line_code:04}-{text}")
        code = line_code
    out.append(f"{final[0]:04} {final[1]}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------------------
# show status
# ---------------------------------------------------------------------------------------------------------

_CLOCK = st.builds(
    lambda d, h, m, s, ms: f"2026-11-{d:02} {h:02}:{m:02}:{s:02}.{ms:03}",
    st.integers(1, 28), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999),
)
_STATUS_MESSAGES = ["Daemon is up and running", "Reconfiguration in progress", "Shutdown in progress"]
_STATUS_DETAILS = ["Graceful restart recovery in progress", "Waiting for 2 channels to recover",
                   "Wait timer is 12.345/240"]  # fmt: skip


@attrs.frozen
class StatusOutput:
    """A ``show status`` reply: the ``text`` BIRD prints and the ``status`` it must parse to."""

    text: str
    status: Status
    framed: bool


def status_outputs(framed: bool | None = None) -> st.SearchStrategy[StatusOutput]:
    """``show status`` replies of 2.x and 3.x BIRDs (hostname, graceful-restart lines), as text and model."""
    framings = _either(framed)

    @st.composite
    def build(draw: st.DrawFn) -> StatusOutput:
        status = Status(
            version=draw(st.sampled_from(["2.0.12", "2.17.6", "3.1.8", "2.0.7", "3.2.0"])),
            router_id=draw(_ipv4),
            hostname=draw(st.none() | _name),
            server_time=draw(_CLOCK),
            last_reboot=draw(_CLOCK),
            last_reconfiguration=draw(_CLOCK),
            message=draw(st.sampled_from(_STATUS_MESSAGES)),
            details=tuple(draw(st.lists(st.sampled_from(_STATUS_DETAILS), max_size=2, unique=True))),
        )
        is_framed = draw(st.sampled_from(framings))
        return StatusOutput(render_status(status, framed=is_framed), status, is_framed)

    return build()


def render_status(status: Status, framed: bool = False) -> str:
    """The ``show status`` reply for ``status``."""
    lines = [(1000, f"BIRD {status.version}"), (1011, f"Router ID is {status.router_id}")]
    if status.hostname is not None:
        lines.append((1011, f"Hostname is {status.hostname}"))
    lines += [
        (1011, f"Current server time is {status.server_time}"),
        (1011, f"Last reboot on {status.last_reboot}"),
        (1011, f"Last reconfiguration on {status.last_reconfiguration}"),
    ]
    lines += [(1011, detail) for detail in status.details]
    if framed:
        return _framed(lines, (13, status.message))
    return "".join(text + "\n" for _, text in [*lines, (13, status.message)])
