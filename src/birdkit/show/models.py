"""Typed models of birdc output (routes, protocols, status, counts, interfaces) and their JSON form.

Every model is a frozen attrs class, except the values a route carries by the dozen (AS path segments and
communities), which are named tuples (see :data:`VALUE_TUPLES`). JSON goes through one cattrs converter:
:func:`to_json` gives plain dicts/lists with the field names below (they are the stable JSON keys),
:func:`from_json` reads them back; :func:`route_json` is its fast twin for routes.
Nothing BIRD prints is dropped: what has no typed field is kept as raw ``(name, value)`` text.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import attrs
import cattrs
from cattrs.cols import namedtuple_dict_structure_factory, namedtuple_dict_unstructure_factory

T = TypeVar("T")

RawPairs = tuple[tuple[str, str], ...]

# ---------------------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------------------


@attrs.frozen
class NextHop:
    """One next hop of a unicast route: ``via GW on IFACE`` or ``dev IFACE``, with its options."""

    gateway: str | None = None
    interface: str | None = None
    #: MPLS label stack pushed on this next hop (``mpls 100/200``)
    mpls: tuple[int, ...] = ()
    onlink: bool = False
    #: only printed for multipath routes
    weight: int | None = None
    #: 3.x unresolved recursive next hop: ``via IP table T``
    table: str | None = None


class AsPathSegment(NamedTuple):
    """A run of the AS path: ``sequence``, ``set`` ``{…}``, ``confed_sequence`` ``(…)`` or ``confed_set``."""

    kind: str
    asns: tuple[int, ...]


class Community(NamedTuple):
    """A standard BGP community ``(asn,value)``."""

    asn: int
    value: int


class LargeCommunity(NamedTuple):
    """A large BGP community ``(global, local1, local2)``."""

    global_admin: int
    local1: int
    local2: int


class ExtCommunity(NamedTuple):
    """An extended community ``(kind, admin, value)``: kind ``rt``, ``ro``, ``generic`` or ``unknown 0x…``."""

    kind: str
    admin: str
    value: str


#: the values a route carries by the dozen: named tuples, which the streaming parser builds in C
#: (``tuple.__new__``), several times cheaper than an attrs class; immutable all the same
VALUE_TUPLES: tuple[type[tuple[Any, ...]], ...] = (AsPathSegment, Community, LargeCommunity, ExtCommunity)


#: printed attribute name (2.x ``BGP.x``, 3.x ``bgp_x``) -> :class:`BgpAttributes` field
BGP_ATTRIBUTE_NAMES: dict[str, str] = {}
for _field, _v2, _v3 in (
    ("origin", "origin", "bgp_origin"),
    ("as_path", "as_path", "bgp_path"),
    ("next_hop", "next_hop", "bgp_next_hop"),
    ("med", "med", "bgp_med"),
    ("local_pref", "local_pref", "bgp_local_pref"),
    ("communities", "community", "bgp_community"),
    ("large_communities", "large_community", "bgp_large_community"),
    ("ext_communities", "ext_community", "bgp_ext_community"),
    ("originator_id", "originator_id", "bgp_originator_id"),
    ("cluster_list", "cluster_list", "bgp_cluster_list"),
):
    BGP_ATTRIBUTE_NAMES["BGP." + _v2] = _field
    BGP_ATTRIBUTE_NAMES[_v3] = _field


#: not slotted, like :class:`Route`: the streaming parser installs its field dict whole
@attrs.frozen(slots=False)
class BgpAttributes:
    """Typed BGP attributes of a route (2.x ``BGP.x:``, 3.x ``bgp_x:`` lines); ``None`` = not printed."""

    origin: str | None = None
    as_path: tuple[AsPathSegment, ...] | None = None
    #: one address, or global + link-local for IPv6
    next_hop: tuple[str, ...] | None = None
    med: int | None = None
    local_pref: int | None = None
    communities: tuple[Community, ...] | None = None
    large_communities: tuple[LargeCommunity, ...] | None = None
    ext_communities: tuple[ExtCommunity, ...] | None = None
    originator_id: str | None = None
    cluster_list: tuple[str, ...] | None = None

    def flat_as_path(self) -> list[int]:
        """The AS numbers of the path in order, sets included."""
        return [asn for segment in self.as_path or () for asn in segment.asns]


#: not slotted: a frozen attrs class with a ``__dict__`` is built about twice as fast, and the streaming
#: parser, which builds one Route per route line, installs the field dict whole. Fields, equality, hashing,
#: JSON: the same
@attrs.frozen(slots=False)
class Route:
    """One route of ``show route [all]``.

    ``prefix`` is filled in for a network's second and later routes too (BIRD leaves that column blank).
    ``info`` is the raw text after the primary mark (``(100) [AS65002i]``); ``preference``, its first number.
    ``source``/``scope`` come from the 2.x ``Type:`` line (``source`` also from the 3.x ``source:`` line).
    ``other_attributes`` keeps every attribute line without a typed field, as printed: ``(name, value)``.
    """

    prefix: str
    dest: str
    protocol: str
    since: str
    table: str | None = None
    from_address: str | None = None
    primary: bool = False
    #: ``!`` instead of ``*``: best route, but the kernel copy is out of sync
    sync_error: bool = False
    preference: int | None = None
    info: str = ""
    next_hops: tuple[NextHop, ...] = ()
    source: str | None = None
    scope: str | None = None
    bgp: BgpAttributes | None = None
    other_attributes: RawPairs = ()


# ---------------------------------------------------------------------------------------------------------
# protocols
# ---------------------------------------------------------------------------------------------------------


@attrs.frozen
class StatsRow:
    """One row of ``Route change stats``: e.g. ``Import updates`` and its numbers (``None`` for ``---``)."""

    name: str
    values: tuple[int | None, ...]


@attrs.frozen
class ChannelStats:
    """The route change stats table: 5 columns in 2.x, 7 in 3.x (3.0.0 withdraw rows carry only 6 values)."""

    columns: tuple[str, ...]
    rows: tuple[StatsRow, ...]

    def value(self, row: str, column: str) -> int | None:
        """The number in ``row`` (``"Import updates"``) and ``column`` (``"accepted"``); ``None`` for ``---``.

        Raises ``ValueError`` for a row shorter than the header (the 3.0.0 withdraw rows), whose columns
        cannot be told apart.
        """
        for candidate in self.rows:
            if candidate.name == row:
                if len(candidate.values) != len(self.columns):
                    raise ValueError(f"row {row!r}: {len(candidate.values)} values, not {len(self.columns)}")
                return candidate.values[self.columns.index(column)]
        raise KeyError(row)


@attrs.frozen
class ChannelRoutes:
    """The ``Routes:`` line, ``8 imported, 1 filtered, 0 exported, 7 preferred``; absent counts: ``None``."""

    imported: int | None = None
    filtered: int | None = None
    exported: int | None = None
    preferred: int | None = None


@attrs.frozen
class Limit:
    """An ``Import limit:``/``Receive limit:``/``Export limit:`` line and its ``Action:``."""

    kind: str
    value: int
    hit: bool = False
    action: str | None = None


@attrs.frozen
class Channel:
    """One ``Channel <name>`` block of ``show protocols all``. ``details`` keeps every other line raw."""

    name: str
    state: str | None = None
    import_state: str | None = None
    export_state: str | None = None
    table: str | None = None
    preference: int | None = None
    input_filter: str | None = None
    output_filter: str | None = None
    limits: tuple[Limit, ...] = ()
    routes: ChannelRoutes | None = None
    stats: ChannelStats | None = None
    details: RawPairs = ()


@attrs.frozen
class BgpSession:
    """The BGP part of ``show protocols all``: state, addresses, capabilities, timers, last error."""

    state: str
    neighbor_address: str | None = None
    neighbor_port: int | None = None
    neighbor_as: int | None = None
    local_as: int | None = None
    neighbor_id: str | None = None
    #: capability lines, nested ones joined as ``Multiprotocol / AF announced: ipv4 ipv6``
    local_capabilities: tuple[str, ...] = ()
    neighbor_capabilities: tuple[str, ...] = ()
    session: tuple[str, ...] = ()
    source_address: str | None = None
    hold_timer: str | None = None
    keepalive_timer: str | None = None
    send_hold_timer: str | None = None
    last_error: str | None = None
    details: RawPairs = ()


@attrs.frozen
class Protocol:
    """One protocol of ``show protocols [all]``; the detail fields are empty for the short form."""

    name: str
    proto: str
    table: str | None
    state: str
    since: str
    info: str = ""
    description: str | None = None
    bgp: BgpSession | None = None
    channels: tuple[Channel, ...] = ()
    #: protocol-level lines without a typed field (``Created:``, ``Message:``, pipe ``Routes:`` …)
    details: RawPairs = ()


# ---------------------------------------------------------------------------------------------------------
# status, counts, interfaces
# ---------------------------------------------------------------------------------------------------------


@attrs.frozen
class Status:
    """``show status``."""

    version: str
    router_id: str
    hostname: str | None
    server_time: str
    last_reboot: str
    last_reconfiguration: str
    #: the final line, e.g. ``Daemon is up and running``
    message: str
    #: graceful-restart and other extra lines, as printed
    details: tuple[str, ...] = ()


@attrs.frozen
class TableCount:
    """One ``N of M routes for K networks in table T`` line (``table`` is ``None`` from BIRD 1.x, which
    counts its one table without naming it)."""

    table: str | None
    routes: int
    total_routes: int
    networks: int


@attrs.frozen
class RouteTotal:
    """The ``Total: N of M routes for K networks in T tables`` line."""

    routes: int
    total_routes: int
    networks: int
    tables: int


@attrs.frozen
class RouteCount:
    """``show route count`` / ``… count``; ``total`` is ``None`` when BIRD printed no Total line."""

    tables: tuple[TableCount, ...]
    total: RouteTotal | None = None


@attrs.frozen
class InterfaceAddress:
    """An address line of ``show interfaces``: ``192.0.2.2/24 (Preferred, scope univ)``."""

    prefix: str
    scope: str
    preferred: bool = False
    secondary: bool = False
    opposite: str | None = None


@attrs.frozen
class Interface:
    """One interface of ``show interfaces``."""

    name: str
    up: bool
    index: int
    master: str | None = None
    flags: tuple[str, ...] = ()
    mtu: int | None = None
    addresses: tuple[InterfaceAddress, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------------------

converter = cattrs.Converter(forbid_extra_keys=True)
for _value_tuple in VALUE_TUPLES:
    # named tuples are JSON objects with their field names, like the attrs classes
    converter.register_unstructure_hook(_value_tuple, namedtuple_dict_unstructure_factory(_value_tuple, converter))
    converter.register_structure_hook(
        _value_tuple, namedtuple_dict_structure_factory(_value_tuple, converter, "from_converter", True)
    )


def to_json(obj: Any) -> Any:
    """Plain JSON-ready data (dicts, lists, str, int, bool, None) for a model or a list of models."""
    return converter.unstructure(obj)


def from_json(cls: type[T], data: Any) -> T:
    """The model ``cls`` rebuilt from :func:`to_json` data."""
    return converter.structure(data, cls)


def route_json(route: Route) -> dict[str, Any]:
    """``to_json(route)``, built field by field: a full table's JSON lines go through here, several times
    faster than the converter (tests keep the two equal)."""
    bgp = route.bgp
    return {
        "prefix": route.prefix,
        "dest": route.dest,
        "protocol": route.protocol,
        "since": route.since,
        "table": route.table,
        "from_address": route.from_address,
        "primary": route.primary,
        "sync_error": route.sync_error,
        "preference": route.preference,
        "info": route.info,
        "next_hops": [next_hop_json(hop) for hop in route.next_hops],
        "source": route.source,
        "scope": route.scope,
        "bgp": None if bgp is None else _bgp_json(bgp),
        "other_attributes": list(route.other_attributes),
    }


def next_hop_json(hop: NextHop) -> dict[str, Any]:
    """``to_json(hop)``, built field by field."""
    return {
        "gateway": hop.gateway,
        "interface": hop.interface,
        "mpls": list(hop.mpls),
        "onlink": hop.onlink,
        "weight": hop.weight,
        "table": hop.table,
    }


def as_path_json(as_path: tuple[AsPathSegment, ...]) -> list[dict[str, Any]]:
    """``to_json(as_path)``, built segment by segment."""
    return [{"kind": kind, "asns": list(asns)} for kind, asns in as_path]


def ext_communities_json(ext: tuple[ExtCommunity, ...]) -> list[dict[str, str]]:
    """``to_json(ext_communities)``, built item by item."""
    return [{"kind": kind, "admin": admin, "value": value} for kind, admin, value in ext]


def _bgp_json(bgp: BgpAttributes) -> dict[str, Any]:
    as_path, next_hop, cluster_list = bgp.as_path, bgp.next_hop, bgp.cluster_list
    communities, large, ext = bgp.communities, bgp.large_communities, bgp.ext_communities
    return {
        "origin": bgp.origin,
        "as_path": None if as_path is None else as_path_json(as_path),
        "next_hop": None if next_hop is None else list(next_hop),
        "med": bgp.med,
        "local_pref": bgp.local_pref,
        "communities": None if communities is None else [{"asn": a, "value": v} for a, v in communities],
        "large_communities": None
        if large is None
        else [{"global_admin": g, "local1": a, "local2": b} for g, a, b in large],
        "ext_communities": None if ext is None else ext_communities_json(ext),
        "originator_id": bgp.originator_id,
        "cluster_list": None if cluster_list is None else list(cluster_list),
    }
