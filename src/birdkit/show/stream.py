"""The fast streaming parser of ``show route [all]``: constant memory, every field typed.

Input (a text file, any iterable of lines, control-socket lines or :class:`~birdkit.show.framing.ReplyLine`
objects) is read in chunks that grow from a few kilobytes (the first route comes out early) to 64 KiB.

The common record, a route line and the BGP route's body as BIRD 2.x or 3.x prints it, is typed from one
regular-expression match (:data:`_TYPED_RECORD`): the route line's fields are groups, each BGP attribute
its own group. What repeats from route to route in a real table (the lines between the route line and the
BGP attributes: next hops, ``Type``, 3.x ``preference``/``from``/``source``; BGP next hops) is typed once
and looked up in bounded memos. What does not repeat (AS paths, communities, large communities) is
converted in bulk: ``orjson`` reads a list's numbers in C and ``tuple.__new__`` makes the named tuples.
Each Route's field dict is installed whole. Where whole records repeat (few attribute sets), a cheaper
match (:data:`_SHARED_RECORD`) finds each record in a whole-record memo first; where they do not, that
memo pauses itself. Every other record (table headers, several next hops, wrapped attributes other than
communities, unknown attributes, odd spacing …) takes a general path that cuts records with
:data:`_RECORD` and types them line by line. Tests prove both paths equal to the Lark
reference parser in :mod:`birdkit.show.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, NamedTuple, NoReturn

import attrs
from orjson import loads as json_loads

from birdkit.errors import BirdError, ImpossibleValueError, OutputParseError
from birdkit.show import values
from birdkit.show.framing import ReplyLine, restore_tabs
from birdkit.show.models import (
    BGP_ATTRIBUTE_NAMES,
    AsPathSegment,
    BgpAttributes,
    Community,
    ExtCommunity,
    LargeCommunity,
    NextHop,
    RawPairs,
    Route,
    as_path_json,
    ext_communities_json,
    next_hop_json,
    route_json,
)
from birdkit.show.values import ImpossibleValue
from birdkit.span import Span

#: words BIRD prints in the destination column of a route line
DESTINATIONS = frozenset({"unicast", "blackhole", "unreachable", "prohibited", "recursive", "unknown", "invalid"})

_ROUTE_CODES = frozenset({1007, 1008, 1012})
_SEGMENT_OPENERS = {"{": ("set", "}"), "(": ("confed_sequence", ")"), "({": ("confed_set", "})")}
#: memo tables are cleared when they reach this size, so memory stays constant on any table size
_MEMO_LIMIT = 1 << 14
#: the whole-record memo's entries are big (a route's typed fields): fewer of them
_RECORD_MEMO_LIMIT = 1 << 11
#: chunks (of about 150 routes) without the whole-record memo after one where it gave under a quarter
_SHARING_PAUSE = 64
#: input is read in pieces that grow from the first size to the last: the first route comes out early;
#: 64 KiB pieces amortise the work per piece and still fit in the CPU cache (faster than 1 MiB ones)
_FIRST_CHARACTERS, _CHUNK_CHARACTERS = 1 << 12, 1 << 16
_FIRST_LINES, _CHUNK_LINES = 1 << 6, 1 << 11

#: how a body line starts: a TAB, after a reply code or continuation space in socket text
_BODY_LINE_START = r"(?:\t| \t|100[78]-\t|1012-\t)"
#: the TAB-led lines under a route line (the record body); reply codes and continuation spaces skipped
_BODY_PATTERN = "(?:" + _BODY_LINE_START + r"[^\n]*+\n)*+"
#: one record: a route line cut at its first ``[`` (head, then the bracketed tail, empty for a line
#: without ``[``), then its body. The route-list reply codes (``1007-``, ``1008-``, ``1012-``) and
#: socket continuation spaces are skipped here.
_RECORD = re.compile(r"(?:1007-| )?([^\t\n\[][^\n\[]*+|(?=\[))(\[[^\n]*+|)\n(" + _BODY_PATTERN + ")")
#: 3.x ends each route's body with this line; its ``id N`` differs from route to route
_INTERNAL_VALUES = "Internal route handling values"


def _bgp_line(field: str, value: str) -> str:
    """An optional body line of the BGP attribute ``field`` (either version's name), ``value`` after the colon."""
    names = "|".join(re.escape(name) for name, named in BGP_ATTRIBUTE_NAMES.items() if named == field)
    return f"(?:{_BODY_LINE_START}(?:{names}):{value}\\n)?"


def _item_list(item: str) -> str:
    """One or more ``item``s, separated by a space or (BIRD wraps long lists) a continuation line; possessive,
    so the last item is not matched twice."""
    return f"({item}(?:(?: |\\n{_BODY_LINE_START}\\t){item})*+)"


#: the common record, typed from its groups (unpacked in :meth:`RouteReader.routes`); its numbers and one-word
#: network and time are matched only within the limits of :mod:`birdkit.show.values`, so a record with a value no BIRD
#: prints takes the general path, which reports it. Route line
#: ``[net] dest [proto since[ from addr]][ *|!][ info]``, the lines up to the BGP attributes (one memo
#: entry), the BGP attributes in the order BIRD prints them, 3.x's last line; then no other body line.
_TYPED_RECORD = re.compile(
    r"(?:1007-| )?(?!bird>)(" + values.ONE_WORD_NETWORK + r")? ++(" + "|".join(sorted(DESTINATIONS)) + r") ++"
    r"\[([^ \]\n]++) (" + values.SINCE + r")(?: from ([^\]\n]++))?\](?: ([*!]))?"
    r"(?: (?=\S)((?:\(([0-9]{1,5}+)(?![0-9])|(?=[^(\n]*+\n))[^\n]*+))?(?<!\s)\n"
    rf"((?:{_BODY_LINE_START}(?!BGP\.|bgp_|{_INTERNAL_VALUES}:)[^\t\n][^\n]*+\n)*+)"
    "("
    + _bgp_line("origin", " (IGP|EGP|Incomplete)")
    + _bgp_line("as_path", "(?:((?: [0-9]{1,10}+)*+)|([^\\n]*+))")
    + _bgp_line("next_hop", "([^\\n]*+)")
    + _bgp_line("med", " ([0-9]{1,10}+)")
    + _bgp_line("local_pref", " ([0-9]{1,10}+)")
    + rf"((?:{_BODY_LINE_START}(?:BGP\.|bgp_)(?:atomic_aggr|aggregator):[^\n]*+\n)*+)"
    + _bgp_line("communities", " " + _item_list(r"\([0-9]{1,5}+,[0-9]{1,5}+\)"))
    + _bgp_line("originator_id", "([^\\n]*+)")
    + _bgp_line("cluster_list", "([^\\n]*+)")
    + _bgp_line("ext_communities", "([^\\n]*+)")
    + _bgp_line("large_communities", " " + _item_list(r"\([0-9]{1,10}+, [0-9]{1,10}+, [0-9]{1,10}+\)"))
    + ")"
    + rf"(?:{_BODY_LINE_START}{_INTERNAL_VALUES}:([^\n]*+)\n)?(?!{_BODY_LINE_START})"
)
#: any record cut in three, cheaply, for the whole-record memo: network, destination, the record from ``[``
#: to its end but for 3.x's per-route ``Internal route handling values`` line (the memo key), that line
_SHARED_RECORD = re.compile(
    r"(?:1007-| )?(?!bird>)(" + values.ONE_WORD_NETWORK + r")? ++(" + "|".join(sorted(DESTINATIONS)) + r") ++"
    rf"(\[[^\n]*+\n(?:{_BODY_LINE_START}(?!{_INTERNAL_VALUES}:)[^\n]*+\n)*+)"
    rf"(?:{_BODY_LINE_START}{_INTERNAL_VALUES}:([^\n]*+)\n)?(?!{_BODY_LINE_START})"
)
#: a continuation line inside a matched value, with its line start: joined with a space
_CONTINUATION = re.compile(r"\n" + _BODY_LINE_START + r"\t")
#: how the lines of a record body start (``_BODY_LINE_START`` as str prefixes)
_BODY_STARTS = ("\t", " \t", "1007-\t", "1008-\t", "1012-\t")
_BLANK_LINES = re.compile(r"\n+")
#: a BIRD 1.x route line's network (blank for a further route of it) and next hop, or ``multipath`` (its next
#: hops follow as body lines), before the bracket
_V1_HOP = re.compile(r"(\S[^\t\n]*?|) *(?:((?:via|dev) [^\t\n]*?)|multipath) *\Z")
_NO_NETWORK = "a route line without a network and no route before it"
_COMMUNITY_PART, _LARGE_COMMUNITY_PART = "community part", "large community part"
#: the limits the typed path checks inline, where ints are made (a value beyond one sends its record to the
#: general path, whose checks in :mod:`birdkit.show.values` report it); its regex bounds the digits
_U16, _U32 = values.U16, values.U32
_BGP_FIELDS = frozenset(field.name for field in attrs.fields(BgpAttributes))
#: named tuples built in C from a list of their values (see :data:`birdkit.show.models.VALUE_TUPLES`)
_new_community = partial(tuple.__new__, Community)
_new_large_community = partial(tuple.__new__, LargeCommunity)
_new_segment = partial(tuple.__new__, AsPathSegment)
_new_ext_community = partial(tuple.__new__, ExtCommunity)
_SEQUENCE = "sequence"
#: a frozen attrs object is built by installing its complete field dict (no validators or converters to skip)
_new_object = object.__new__
_set_fields = object.__setattr__


class _RouteTail(NamedTuple):
    """The part of a route line from ``[`` on, typed."""

    protocol: str
    since: str
    from_address: str | None
    primary: bool
    sync_error: bool
    preference: int | None
    info: str


class _Body(NamedTuple):
    """The TAB-led lines of one route, typed."""

    next_hops: tuple[NextHop, ...]
    source: str | None
    scope: str | None
    bgp: BgpAttributes | None
    other_attributes: RawPairs


_NO_BODY = _Body((), None, None, None, ())


class _Memo(dict[Any, Any]):
    """A bounded memo: a missing key is typed by ``make`` (and counted); ``seed`` entries are always there."""

    def __init__(self, make: Callable[[Any], Any], seed: dict[Any, Any]) -> None:
        super().__init__(seed)
        self.make, self.seed = make, seed
        self.misses = 0

    def __missing__(self, key: Any) -> Any:
        self.misses += 1
        if len(self) >= _MEMO_LIMIT:
            self.clear()
            self.update(self.seed)
        value = self[key] = self.make(key)
        return value


def iter_routes(source: Iterable[str] | Iterable[ReplyLine], *, path: str | None = None) -> Iterator[Route]:
    """Yield the routes of ``show route [all]`` output read from ``source`` (a text file, lines, reply lines).

    Raises :class:`BirdError` for an 8xxx/9xxx reply and :class:`OutputParseError` (with the line number)
    for a line BIRD would not print in this output.
    """
    return RouteReader(path).routes(source)


def iter_route_json(
    source: Iterable[str] | Iterable[ReplyLine], *, path: str | None = None
) -> Iterator[dict[str, Any]]:
    """Like :func:`iter_routes`, but yield each route's JSON form (``to_json(route)``, the same keys in the same
    order) built straight from the parsed text, without Route objects: what ``parse-routes --format jsonl``
    writes. Lists may be tuples, and values may be shared between routes: serialize, do not change them."""
    return RouteReader(path).route_json(source)


def _chunks(source: Iterable[str] | Iterable[ReplyLine]) -> Iterator[str]:
    """The input as text chunks (whole lines, except from ``read``), growing from small to about 64 KiB."""
    read = getattr(source, "read", None)
    if read is not None:
        size = _FIRST_CHARACTERS
        while data := read(size):
            yield data
            size = min(size * 4, _CHUNK_CHARACTERS)
        return
    batch: list[str] = []
    limit = _FIRST_LINES
    for item in source:
        if item.__class__ is not str:
            reply: ReplyLine = item  # type: ignore[assignment]
            if reply.code is not None and reply.code >= 8000:
                raise BirdError(reply.code, reply.text)
            item = reply.text if reply.code is None or reply.code in _ROUTE_CODES else ""
        batch.append(item.rstrip("\r\n"))
        if len(batch) >= limit:
            yield "\n".join(batch) + "\n"
            batch = []
            limit = min(limit * 4, _CHUNK_LINES)
    if batch:
        yield "\n".join(batch) + "\n"


def _last_record_start(text: str, floor: int, end: int) -> int:
    """Where the last record of ``text[:end]`` (whole lines; a record starts at ``floor`` unless it is 0)
    begins.

    That record may go on in the next chunk, so it waits; with no record start at or after ``floor``, the
    text is all body lines: 0 keeps them with the record that starts there, ``end`` lets them fail now.
    """
    newline = end - 1
    while newline >= floor:
        start = text.rfind("\n", 0, newline) + 1
        if not text.startswith(_BODY_STARTS, start):
            return start
        newline = start - 1
    return 0 if floor else end


class RouteReader:
    """Cuts the input into route records and types them; keeps the state a record can span (table, prefix)
    and the memos, whose hit rate it reports (:meth:`memo_hit_rate`)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        #: the last line read, not yet ended by a newline
        self.pending = ""
        #: whole lines from the last record start on: the record may go on in the next chunk
        self.carry = ""
        self.lines_before = 0
        self.table: str | None = None
        self.prefix: str | None = None
        #: records typed from one match (:data:`_TYPED_RECORD`), and by the general path
        self.typed_records = self.general_records = 0
        #: typed records with BGP attributes (they look up the next hop memo), and AS path memo look-ups
        #: (a path of AS numbers only is read without one)
        self.typed_bgp_records = self.path_lookups = 0
        #: look-ups in the whole-record memo, and the records it gave (their pieces are not looked up)
        self.record_lookups = self.shared_records = 0
        #: chunks to go before the whole-record memo is tried again
        self.sharing_pause = 0
        self.tails: dict[str, _RouteTail] = {}
        self.bodies: dict[str, _Body] = {}
        self.lines: dict[str, tuple[str, Any]] = {}
        # the memos of the typed path; each typed record looks up each of them once
        self.heads = _Memo(self._head, {"": _NO_BODY})
        self.paths = _Memo(_as_path_value, {None: None})
        self.next_hops = _Memo(_next_hop_value, {None: None})
        self.other_bgp = _Memo(_other_bgp_lines, {"": ()})
        #: the JSON form of the next hops of :attr:`heads`, by the same key
        self.heads_json: dict[str, list[dict[str, Any]]] = {}
        self.from_addresses: set[str] = set()
        #: the shallowest body-line indents of output whose TABs became spaces (see :func:`restore_tabs`)
        self.indents: dict[bool, int] = {}

    def memo_hit_rate(self) -> float:
        """The share of the typed path's memo look-ups that found their value typed already."""
        built = self.typed_records - self.shared_records
        lookups = self.record_lookups + 2 * built + self.typed_bgp_records + self.path_lookups
        misses = self.record_lookups - self.shared_records
        misses += sum(memo.misses for memo in (self.heads, self.paths, self.next_hops, self.other_bgp))
        return 1 - misses / lookups if lookups else 0.0

    def routes(self, source: Iterable[str] | Iterable[ReplyLine]) -> Iterator[Route]:
        """Yield the routes of ``source``, each as soon as it is built (no list per chunk: routes die young,
        which keeps the garbage collector idle). Records that :data:`_TYPED_RECORD` matches are typed by
        :meth:`_typed_fields` (or copied from the whole-record memo); any other record, and a typed one
        whose values do not parse, by :meth:`_other_record`."""
        return self._items(source, as_json=False)

    def route_json(self, source: Iterable[str] | Iterable[ReplyLine]) -> Iterator[dict[str, Any]]:
        """Yield the JSON form of the routes of ``source`` (see :func:`iter_route_json`): typed records by
        :meth:`_typed_json`, any other record through a Route."""
        return self._items(source, as_json=True)

    def _items(self, source: Iterable[str] | Iterable[ReplyLine], *, as_json: bool) -> Iterator[Any]:
        """The routes of ``source``: Route objects, or their JSON form ``as_json`` (one loop for both)."""
        chunks = _chunks(source)
        records: dict[str, dict[str, Any]] = {}
        typed_fields = self._typed_json if as_json else self._typed_fields
        final = False
        while not final:
            chunk = next(chunks, None)
            final = chunk is None
            text, end = self._whole_records(chunk or "", final)
            prefix, table = self.prefix, self.table
            position = typed = shared = 0
            # the whole-record memo pays where records repeat (few attribute sets, routes learned in the
            # same millisecond); on a table where they do not, it pauses and tries again later
            sharing = self.sharing_pause == 0
            self.sharing_pause = max(self.sharing_pause - 1, 0)
            while position < end:
                match = None
                try:
                    # Scanner.match: successive matches, each where the last ended (undocumented but stable)
                    if sharing:
                        for match in iter(_SHARED_RECORD.scanner(text, position, end).match, None):  # type: ignore[attr-defined]
                            net, dest, rest, internal_values = match.groups()
                            if net:
                                prefix = net
                            elif prefix is None:
                                raise ValueError(_NO_NETWORK)
                            fields = records.get(rest)
                            if fields is None:
                                typed_match = _TYPED_RECORD.match(text, match.start(), match.end())
                                if typed_match is None:
                                    raise ValueError("not a typed record")
                                if len(records) >= _RECORD_MEMO_LIMIT:
                                    records.clear()
                                fields = records[rest] = typed_fields(typed_match.groups(), prefix, table)
                            else:
                                shared += 1
                            fields = fields.copy()
                            fields["prefix"], fields["dest"], fields["table"] = prefix, dest, table
                            if internal_values is not None:
                                fields["other_attributes"] += ((_INTERNAL_VALUES, internal_values.strip()),)
                            typed += 1
                            if as_json:
                                yield fields
                            else:
                                route = _new_object(Route)
                                _set_fields(route, "__dict__", fields)
                                yield route
                    else:
                        for match in iter(_TYPED_RECORD.scanner(text, position, end).match, None):  # type: ignore[attr-defined]
                            groups = match.groups()
                            if groups[0]:
                                prefix = groups[0]
                            elif prefix is None:
                                raise ValueError(_NO_NETWORK)
                            fields = typed_fields(groups, prefix, table)
                            if groups[-1] is not None:
                                fields["other_attributes"] += ((_INTERNAL_VALUES, groups[-1].strip()),)
                            typed += 1
                            if as_json:
                                yield fields
                            else:
                                route = _new_object(Route)
                                _set_fields(route, "__dict__", fields)
                                yield route
                    if match is not None:
                        position = match.end()
                except ValueError:
                    # a value the typed path cannot type, or no network: the general path types the
                    # record or reports the error
                    assert match is not None
                    position = match.start()
                if position < end:
                    self.prefix = prefix
                    position, other_route = self._other_record(text, position, end)
                    prefix, table = self.prefix, self.table
                    if other_route is not None:
                        self.general_records += 1
                        yield route_json(other_route) if as_json else other_route
            self.prefix, self.table = prefix, table
            self.typed_records += typed
            self.shared_records += shared
            if sharing:
                self.record_lookups += typed
                if shared * 4 < typed:
                    self.sharing_pause = _SHARING_PAUSE
                    records.clear()
            self.lines_before += text.count("\n", 0, end)

    def _typed_fields(self, groups: tuple[Any, ...], prefix: str, table: str | None) -> dict[str, Any]:
        """The Route fields of a record that :data:`_TYPED_RECORD` matched (``groups``), but 3.x's
        ``Internal route handling values`` line."""
        (head, bgp_lines, origin, asns, as_path, next_hop, med, local_pref, other_lines, communities, originator_id,
         cluster_list, ext_communities, large_communities, _) = groups[8:]  # fmt: skip
        next_hop_list, source, scope, _, other = self.heads[head]
        other += self.other_bgp[other_lines]
        bgp = None
        if len(bgp_lines) > len(other_lines):  # a typed BGP attribute
            self.typed_bgp_records += 1
            if asns is not None:
                # a path of AS numbers only, checked by the regex: read by orjson
                as_path = ()
                if asns:
                    asn_list = _asn_list(asns)
                    as_path = (_new_segment((_SEQUENCE, tuple(asn_list))),)
            else:
                self.path_lookups += 1
                as_path = self.paths[as_path]
            if communities is not None:
                numbers = iter(_checked_numbers(communities, _U16, "community part"))
                communities = tuple(map(_new_community, zip(numbers, numbers, strict=False)))
            if large_communities is not None:
                numbers = iter(_checked_numbers(large_communities, _U32, "large community part"))
                large_communities = tuple(map(_new_large_community, zip(numbers, numbers, numbers, strict=False)))
            bgp = _new_object(BgpAttributes)
            _set_fields(bgp, "__dict__", {
                "origin": origin,
                "as_path": as_path,
                "next_hop": self.next_hops[next_hop],
                "med": _optional_u32(med),
                "local_pref": _optional_u32(local_pref),
                "communities": communities,
                "large_communities": large_communities,
                "ext_communities": None if ext_communities is None else parse_ext_communities(ext_communities.strip()),
                "originator_id": None if originator_id is None else _originator_id(originator_id.strip()),
                "cluster_list": None if cluster_list is None else _cluster_list(cluster_list.strip()),
            })  # fmt: skip
        return self._route_fields(groups, prefix, table, next_hop_list, source, scope, bgp, other)

    def _typed_json(self, groups: tuple[Any, ...], prefix: str, table: str | None) -> dict[str, Any]:
        """:meth:`_typed_fields` in JSON form (``route_json`` of the Route it would build), from the same
        pieces and checks, without the models."""
        (head, bgp_lines, origin, asns, as_path, next_hop, med, local_pref, other_lines, communities, originator_id,
         cluster_list, ext_communities, large_communities, _) = groups[8:]  # fmt: skip
        _, source, scope, _, other = body = self.heads[head]
        next_hops = self.heads_json.get(head)
        if next_hops is None:
            if len(self.heads_json) >= _MEMO_LIMIT:
                self.heads_json.clear()
            next_hops = self.heads_json[head] = [next_hop_json(hop) for hop in body.next_hops]
        other += self.other_bgp[other_lines]
        bgp = None
        if len(bgp_lines) > len(other_lines):  # a typed BGP attribute
            self.typed_bgp_records += 1
            if asns is not None:
                as_path = []
                if asns:
                    asn_list = _asn_list(asns)
                    as_path = [{"kind": _SEQUENCE, "asns": asn_list}]
            else:
                self.path_lookups += 1
                segments = self.paths[as_path]
                as_path = None if segments is None else as_path_json(segments)
            if communities is not None:
                numbers = iter(_checked_numbers(communities, _U16, "community part"))
                communities = [{"asn": asn, "value": value} for asn, value in zip(numbers, numbers, strict=False)]
            if large_communities is not None:
                numbers = iter(_checked_numbers(large_communities, _U32, "large community part"))
                large_communities = [
                    {"global_admin": global_admin, "local1": local1, "local2": local2}
                    for global_admin, local1, local2 in zip(numbers, numbers, numbers, strict=False)
                ]
            bgp = {
                "origin": origin,
                "as_path": as_path,
                "next_hop": self.next_hops[next_hop],
                "med": _optional_u32(med),
                "local_pref": _optional_u32(local_pref),
                "communities": communities,
                "large_communities": large_communities,
                "ext_communities": None
                if ext_communities is None
                else ext_communities_json(parse_ext_communities(ext_communities.strip())),
                "originator_id": None if originator_id is None else _originator_id(originator_id.strip()),
                "cluster_list": None if cluster_list is None else _cluster_list(cluster_list.strip()),
            }
        return self._route_fields(groups, prefix, table, next_hops, source, scope, bgp, other)

    def _route_fields(
        self,
        groups: tuple[Any, ...],
        prefix: str,
        table: str | None,
        next_hops: Any,
        source: str | None,
        scope: str | None,
        bgp: Any,
        other: RawPairs,
    ) -> dict[str, Any]:
        """The field dict of a typed record (a Route's, in its field order, or its JSON form: ``next_hops`` and
        ``bgp`` are given in the form wanted), the route line's fields typed from ``groups``."""
        _, dest, protocol, since, from_address, mark, info, preference = groups[:8]
        return {
            "prefix": prefix,
            "dest": dest,
            "protocol": protocol,
            "since": since,
            "table": table,
            "from_address": from_address if from_address is None else self._from_address(from_address),
            "primary": mark == "*",
            "sync_error": mark == "!",
            "preference": _optional_u16(preference),
            "info": info or "",
            "next_hops": next_hops,
            "source": source,
            "scope": scope,
            "bgp": bgp,
            "other_attributes": other,
        }

    def _from_address(self, address: str) -> str:
        """A route line's ``from`` address, checked once per address (a table has few)."""
        if address not in self.from_addresses:
            if len(self.from_addresses) >= _MEMO_LIMIT:
                self.from_addresses.clear()
            self.from_addresses.add(values.address(address, "from address"))
        return address

    def _head(self, lines: str) -> _Body:
        """The lines of a typed record between its route line and its BGP attributes (next hops, 2.x
        ``Type``, 3.x ``preference``, ``from``, ``source`` …), typed as a body without BGP attributes."""
        return self._parse_body(lines)

    def _whole_records(self, chunk: str, final: bool) -> tuple[str, int]:
        """``text`` and ``end``: ``text[:end]`` are the records completed by ``chunk`` (with ``final``, all
        that is left); the rest waits for the next chunk. One copy of the chunk, no more: it is large."""
        floor = len(self.carry)
        text = self.carry + self.pending + chunk
        if final and text and not text.endswith("\n"):
            text += "\n"
        lines_end = len(text) if final else text.rfind("\n") + 1
        if "\t" not in chunk and lines_end > floor:
            pending = text[lines_end:]
            text = text[:floor] + restore_tabs(text[floor:lines_end], self.indents) + pending
            lines_end = len(text) - len(pending)
        end = lines_end if final else _last_record_start(text, floor, lines_end)
        self.carry, self.pending = text[end:lines_end], text[lines_end:]
        return text, end

    def _other_record(self, text: str, position: int, end: int) -> tuple[int, Route | None]:
        """The record at ``position`` that is not plain (table header, reply code, network with spaces,
        TABs in the route line …), or blank lines: where the next record starts, and the route if any."""
        match = _RECORD.match(text, position, end)
        if match is None:
            if text[position] != "\n":
                self._fail(text, position, "a next-hop or attribute line before any route line")
            blank = _BLANK_LINES.match(text, position, end)
            assert blank is not None
            return blank.end(), None
        head, bracketed, body = match.groups()
        v1_hop = _V1_HOP.match(head)
        if v1_hop:  # BIRD 1.x prints the next hop on the route line: read it as the first body line
            head = f"{v1_hop.group(1)} unicast"
            if v1_hop.group(2):
                body = f"\t{v1_hop.group(2)}\n{body}"
        try:
            dest = self._route_head(head, bracketed)
            if dest is None:
                if body:
                    self._fail(text, position, "a next-hop or attribute line after a line that is not a route")
                return match.end(), None
            assert self.prefix is not None
            protocol, since, from_address, primary, sync_error, preference, info = self._tail(bracketed)
            next_hops, source, scope, bgp, other = self._body(body) if body else _NO_BODY
        except ValueError as error:
            self._fail(text, position, str(error), values.HINT if isinstance(error, ImpossibleValue) else None)
        route = Route(
            self.prefix,
            dest,
            protocol,
            since,
            self.table,
            from_address,
            primary,
            sync_error,
            preference,
            info,
            next_hops,
            source,
            scope,
            bgp,
            other,
        )
        return match.end(), route

    def _fail(self, text: str, position: int, message: str, hint: str | None = None) -> NoReturn:
        number = self.lines_before + text.count("\n", 0, position) + 1
        line_end = text.find("\n", position)
        raise (ImpossibleValueError if hint == values.HINT else OutputParseError)(
            message,
            span=Span(self.path, number, 1),
            source_line=text[position : line_end if line_end >= 0 else None],
            hint=hint or "is this `show route` output?",
        )

    def _route_head(self, head: str, bracketed: str) -> str | None:
        """The destination of a route line in the general case (network with spaces, TABs, no network);
        ``None`` for a line that is not a route (table header, prompt, reply code …)."""
        if not bracketed or head.startswith("bird>"):
            self._other_line((head + bracketed).rstrip())
            return None
        head = head.replace("\t", " ").strip()
        dest = ""
        if head:
            before, _, last = head.rpartition(" ")
            if last in DESTINATIONS:
                dest = last
                head = before.rstrip()
        if head:
            self.prefix = values.network(head)
        elif self.prefix is None:
            raise ValueError(_NO_NETWORK)
        return dest

    def _tail(self, bracketed: str) -> _RouteTail:
        """:func:`_route_tail`, remembered in the bounded tail memo."""
        tail = self.tails.get(bracketed)
        if tail is None:
            if len(self.tails) >= _MEMO_LIMIT:
                self.tails.clear()
            tail = self.tails[bracketed] = _route_tail(bracketed.replace("\t", " "))
        return tail

    def _other_line(self, line: str) -> None:
        first = line[:1]
        if "0" <= first <= "9" and line[4:5] in ("-", " ", "") and line[:4].isdigit():
            code = int(line[:4])
            if code >= 8000:
                raise BirdError(code, line[5:])
            line = line[5:]
            first = line[:1]
            self.table = self.prefix = None
        if not line.strip():
            return
        if first == "T" and line.startswith("Table ") and line.endswith(":"):
            self.table = line[6:-1]
            self.prefix = None
        elif first in ">b" and (line.startswith(">>>") or line.startswith("bird>")):
            self.table = self.prefix = None
        elif " routes for " in line and " networks in " in line:
            return
        elif not (first == "B" and line.startswith("BIRD ") and line.endswith(" ready.")):
            raise ValueError("expected a route line: `<net> <dest> [<protocol> <since>] …`")

    def _body(self, body: str) -> _Body:
        """The TAB-led lines of one route -> next hops, source, scope, typed BGP, other attributes;
        remembered in the bounded body memo."""
        parsed = self.bodies.get(body)
        if parsed is None:
            if len(self.bodies) >= _MEMO_LIMIT:
                self.bodies.clear()
            parsed = self.bodies[body] = self._parse_body(body)
        return parsed

    def _parse_body(self, body: str) -> _Body:
        """Fast path: every line's action comes from the line memo and ``dict()`` of the actions holds them
        all (at most one next hop, no continuation line, no attribute twice)."""
        lines = body.split("\n")
        lines.pop()
        if "\t\t" not in body:
            get = self.lines.get
            actions = [get(line) or self._line_action(line) for line in lines]
            fields = dict(actions)
            if len(fields) == len(actions) and not ("#type" in fields and "#source" in fields):
                hop = fields.pop("#hop", None)
                source, scope = fields.pop("#type", (fields.pop("#source", None), None))
                other: tuple[tuple[str, str], ...] = ()
                if not fields.keys() <= _BGP_FIELDS:
                    other = tuple(fields.pop(key) for key in [key for key in fields if key[0] == "#"])
                return _Body((hop,) if hop else (), source, scope, BgpAttributes(**fields) if fields else None, other)
        return self._body_in_order(lines)

    def _line_action(self, raw: str) -> tuple[str, Any]:
        """``(key, value)`` of one body line: a BgpAttributes field, ``#hop``, ``#type``, ``#source`` or
        ``#`` + name for a raw attribute; remembered in the bounded line memo."""
        line = raw[raw.index("\t") :].rstrip()
        if line.startswith("via ", 1) or line.startswith("dev ", 1):
            action: tuple[str, Any] = ("#hop", parse_next_hop(line[1:]))
        else:
            kind, payload = _attribute_line(line)
            action = (
                ("#" + payload[0], payload)
                if kind == "other"
                else ("#" + kind, payload)
                if kind in ("type", "source")
                else (kind, payload)
            )
        if len(self.lines) >= _MEMO_LIMIT:
            self.lines.clear()
        self.lines[raw] = action
        return action

    def _body_in_order(self, raw_lines: list[str]) -> _Body:
        """The general case: several next hops, continuation lines, repeated attributes."""
        hops: list[NextHop] = []
        attributes: list[str] = []
        for raw in raw_lines:
            line = raw[raw.index("\t") :].rstrip()
            if line[1:2] == "\t":
                if not attributes:
                    raise ValueError("a continuation line without an attribute before it")
                attributes[-1] += " " + line.strip()
            elif line.startswith("via ", 1) or line.startswith("dev ", 1):
                hops.append(parse_next_hop(line[1:]))
            else:
                attributes.append(line)
        source = scope = None
        bgp: dict[str, Any] = {}
        other: list[tuple[str, str]] = []
        for line in attributes:
            kind, payload = _attribute_line(line)
            if kind == "other":
                other.append(payload)
            elif kind == "type":
                source, scope = payload
            elif kind == "source":
                source = payload
            else:
                bgp[kind] = payload
        return _Body(tuple(hops), source, scope, BgpAttributes(**bgp) if bgp else None, tuple(other))


def _route_tail(bracketed: str) -> _RouteTail:
    """``[proto since[ from ip]][ *| !] info`` -> the route fields it holds."""
    close_at = bracketed.find("]")
    if close_at < 0:
        raise ValueError("expected a route line: `<net> <dest> [<protocol> <since>] …`")
    protocol, _, since = bracketed[1:close_at].partition(" ")
    from_address = None
    from_at = since.find(" from ")
    if from_at >= 0:
        from_address = values.address(since[from_at + 6 :], "from address")
        since = since[:from_at]
    values.since(since)
    rest = bracketed[close_at + 1 :]
    mark = rest[1:2] if rest[:1] == " " else ""
    if mark in ("*", "!"):
        rest = rest[2:]
    info = rest.strip()
    preference = None
    paren = info.find("(")
    if paren >= 0:
        end = paren + 1
        while end < len(info) and info[end].isdigit():
            end += 1
        if end > paren + 1:
            preference = values.bounded(int(info[paren + 1 : end]), values.MAX_PREFERENCE, "preference")
    return _RouteTail(protocol, since, from_address, mark == "*", mark == "!", preference, info)


def _attribute_line(line: str) -> tuple[str, Any]:
    """One TAB-led attribute line -> (BgpAttributes field | ``type`` | ``source`` | ``other``, its value)."""
    name, colon, value = line[1:].partition(":")
    if not colon:
        raise ValueError("expected `name: value`, `via …` or `dev …` after a route line")
    value = value.strip()
    field = BGP_ATTRIBUTE_NAMES.get(name)
    if field is not None:
        try:
            return field, _BGP_VALUE_PARSERS[field](value)
        except ImpossibleValue:
            raise
        except ValueError:
            pass
    elif name == "Type" and " " in value:
        return "type", tuple(value.rsplit(" ", 1))
    elif name == "source" and value:
        return "source", value
    return "other", (name, value)


def _numbers(items: str) -> list[int]:
    """The numbers of a list of items checked by :data:`_TYPED_RECORD` (communities ``(1,2) (3,4)``, large
    ones ``(1, 2, 3) (4, 5, 6)``, maybe wrapped), read by orjson: converting them one by one with ``int()``
    costs twice as much (AS paths, `` 1 2 3``, are read the same way in :meth:`RouteReader._typed_fields`)."""
    if "\n" in items:
        items = _CONTINUATION.sub(" ", items)
    return json_loads("[" + items[1:-1].replace(") (", ",") + "]")  # type: ignore[no-any-return]


def _as_path_value(text: str) -> tuple[AsPathSegment, ...]:
    return parse_as_path(text.strip())


def _next_hop_value(text: str) -> tuple[str, ...]:
    return _addresses(text.strip())


def _other_bgp_lines(lines: str) -> RawPairs:
    """``BGP.atomic_aggr``/``BGP.aggregator`` lines (no typed field) -> ``(name, value)`` pairs."""
    return tuple(_attribute_line(line[line.index("\t") :].rstrip())[1] for line in lines.splitlines())


def parse_next_hop(text: str) -> NextHop:
    """One next-hop line without its TAB: ``via GW on IF [mpls L/L] [onlink] [weight N]`` or ``dev IF …``."""
    words = text.split()
    gateway = interface = table = None
    mpls: tuple[int, ...] = ()
    onlink = False
    weight = None
    index = 0
    count = len(words)
    while index < count:
        word = words[index]
        if word == "onlink":
            onlink = True
            index += 1
            continue
        if index + 1 >= count:
            raise ValueError(f"next hop: {word!r} needs a value")
        value = words[index + 1]
        if word == "via":
            gateway = values.address(value, "gateway")
        elif word in ("on", "dev"):
            interface = value
        elif word == "mpls":
            mpls = values.numbers(value.split("/"), values.MAX_MPLS_LABEL, "MPLS label")
        elif word == "weight":
            weight = values.number(value, values.MAX_WEIGHT, "weight")
        elif word == "table":
            table = value
        else:
            raise ValueError(f"next hop: unexpected {word!r}")
        index += 2
    return NextHop(gateway=gateway, interface=interface, mpls=mpls, onlink=onlink, weight=weight, table=table)


def parse_as_path(text: str) -> tuple[AsPathSegment, ...]:
    """``65001 {65002 65003} (65004) ({65005})`` -> segments; BIRD's older ``{ 1 2 }`` spacing too."""
    if "{" not in text and "(" not in text:
        if not text:
            return ()
        words = text.split()
        # all digits: int() cannot fail, and map() is much faster than checking word by word
        asns = (
            tuple(values.all_bounded(list(map(int, words)), values.MAX_ASN, "AS number"))
            if "".join(words).isdigit()
            else tuple(_asn(word) for word in words)
        )
        return (AsPathSegment("sequence", asns),)
    segments: list[AsPathSegment] = []
    sequence: list[int] = []
    words = _path_tokens(text)
    index = 0
    while index < len(words):
        word = words[index]
        opener = _SEGMENT_OPENERS.get(word)
        if opener is None:
            sequence.append(_asn(word))
            index += 1
            continue
        if sequence:
            segments.append(AsPathSegment("sequence", tuple(sequence)))
            sequence = []
        kind, closer = opener
        try:
            end = words.index(closer, index + 1)
        except ValueError:
            raise ValueError(f"AS path: {word!r} is not closed") from None
        segments.append(AsPathSegment(kind, tuple(_asn(asn) for asn in words[index + 1 : end])))
        index = end + 1
    if sequence:
        segments.append(AsPathSegment("sequence", tuple(sequence)))
    return tuple(segments)


def _path_tokens(text: str) -> list[str]:
    """Split an AS path into numbers and the brackets ``{ } ( ) ({ })``."""
    tokens = []
    index = 0
    while index < len(text):
        char = text[index]
        pair = text[index : index + 2]
        if char == " ":
            index += 1
        elif pair in ("({", "})"):
            tokens.append(pair)
            index += 2
        elif char in "{}()":
            tokens.append(char)
            index += 1
        else:
            end = index
            while end < len(text) and text[end] not in " {}()":
                end += 1
            tokens.append(text[index:end])
            index = end
    return tokens


def _asn(word: str) -> int:
    if not word.isdigit():
        raise ValueError(f"AS path: {word!r} is not an AS number")
    return values.bounded(int(word), values.MAX_ASN, "AS number")


def _parenthesised(text: str, size: int) -> list[list[str]]:
    """``(a, b) (c, d)`` -> ``[[a, b], [c, d]]``; each item must have ``size`` non-empty parts."""
    if not text:
        return []
    if text[0] != "(" or text[-1] != ")":
        raise ValueError(f"expected (…) items, got {text!r}")
    items = []
    for item in text[1:-1].split(") ("):
        parts = item.split(",")
        if len(parts) != size:
            raise ValueError(f"expected {size} parts in ({item})")
        parts = [part.strip() for part in parts]
        if not all(parts):
            raise ValueError(f"an empty part in ({item})")
        items.append(parts)
    return items


#: community lists exactly as BIRD prints them: the fast path (anything else is checked item by item)
_COMMUNITY_LIST = re.compile(r"\([0-9]+,[0-9]+\)(?: \([0-9]+,[0-9]+\))*")
_COMMUNITY = re.compile(r"\(([0-9]+),([0-9]+)\)")
_LARGE_COMMUNITY_LIST = re.compile(r"\([0-9]+, [0-9]+, [0-9]+\)(?: \([0-9]+, [0-9]+, [0-9]+\))*")
_LARGE_COMMUNITY = re.compile(r"\(([0-9]+), ([0-9]+), ([0-9]+)\)")
#: extended communities as BIRD prints them (``rt``, ``ro``, ``generic``, ``unknown 0x…`` kinds)
_EXT_COMMUNITY = re.compile(r"\(([a-z]++|unknown 0x[0-9a-f]++), ([^\s,()]++), ([^\s,()]++)\)")
_EXT_COMMUNITY_LIST = re.compile(f"{_EXT_COMMUNITY.pattern}(?: {_EXT_COMMUNITY.pattern})*+")


def parse_communities(text: str) -> tuple[Community, ...]:
    """``(65000,1) (65000,2)`` -> communities."""
    if _COMMUNITY_LIST.fullmatch(text):
        pairs = _COMMUNITY.findall(text)
    else:
        pairs = _parenthesised(text, 2)
        for asn, value in pairs:
            if not (asn.isdigit() and value.isdigit()):
                raise ValueError(f"({asn},{value}) is not a community")
    return tuple(Community(*values.numbers(pair, values.MAX_COMMUNITY_PART, _COMMUNITY_PART)) for pair in pairs)


def parse_large_communities(text: str) -> tuple[LargeCommunity, ...]:
    """``(65000, 1, 2)`` -> large communities."""
    if _LARGE_COMMUNITY_LIST.fullmatch(text):
        triples = _LARGE_COMMUNITY.findall(text)
    else:
        triples = _parenthesised(text, 3)
        for first, second, third in triples:
            if not (first.isdigit() and second.isdigit() and third.isdigit()):
                raise ValueError(f"({first}, {second}, {third}) is not a large community")
    return tuple(LargeCommunity(*values.numbers(triple, values.U32, _LARGE_COMMUNITY_PART)) for triple in triples)


def parse_ext_communities(text: str) -> tuple[ExtCommunity, ...]:
    """``(rt, 65000, 7) (generic, 0x43000000, 0x1)`` -> extended communities."""
    items = _EXT_COMMUNITY.findall(text) if _EXT_COMMUNITY_LIST.fullmatch(text) else _parenthesised(text, 3)
    for kind, admin, value in items:
        values.ext_community(kind, admin, value)
    return tuple(map(_new_ext_community, items))


def _optional_u16(digits: str | None) -> int | None:
    """A 16-bit field of a typed record (the regex matched its digits), or None when the record has none."""
    return None if digits is None else int(digits) if len(digits) < 5 else _u16(digits)


def _optional_u32(digits: str | None) -> int | None:
    """A 32-bit field of a typed record (the regex matched its digits), or None when the record has none."""
    return None if digits is None else int(digits) if len(digits) < 10 else _u32(digits)


def _checked_numbers(text: str, limit: int, what: str) -> list[int]:
    """The numbers of a typed community list, each at most ``limit`` (a larger one is a ``what`` no BIRD prints)."""
    numbers = _numbers(text)
    if max(numbers) > limit:
        raise ImpossibleValue(what)
    return numbers


def _asn_list(asns: str) -> list[int]:
    """The AS numbers of a typed path of plain ASNs (`` 65000 65001``, checked by the regex), read by orjson."""
    asn_list: list[int] = json_loads("[" + asns[1:].replace(" ", ",") + "]")
    if max(asn_list) > _U32:
        raise ImpossibleValue("AS number")
    return asn_list


def _u16(digits: str) -> int:
    """A 16-bit number of a typed record (the regex checked its digits)."""
    return values.bounded(int(digits), _U16, "16-bit number")


def _u32(digits: str) -> int:
    """A 32-bit number of a typed record (the regex checked its digits)."""
    return values.bounded(int(digits), _U32, "32-bit number")


def _attribute_number(word: str) -> int:
    if not word.isdigit():
        raise ValueError(f"{word!r} is not a number")
    return values.bounded(int(word), values.MAX_ATTRIBUTE_NUMBER, "MED or local preference")


_ADDRESS_CHARACTERS = frozenset("0123456789abcdefABCDEF:.")


def _address_words(text: str) -> list[str]:
    """The words of ``text``, each shaped like an address (else ``ValueError``: kept as an untyped attribute)."""
    words = text.split()
    for word in words:
        if not _ADDRESS_CHARACTERS.issuperset(word):
            raise ValueError(f"{word!r} is not an address")
    return words


def _addresses(text: str) -> tuple[str, ...]:
    """Words shaped like addresses, each one BIRD can print."""
    return tuple(values.address(word, "BGP next hop") for word in _address_words(text))


def _originator_id(text: str) -> str:
    if not text or not _ADDRESS_CHARACTERS.issuperset(text):
        raise ValueError(f"{text!r} is not an address")
    return values.ipv4(text, "originator id")


def _cluster_list(text: str) -> tuple[str, ...]:
    _address_words(text)
    return values.ipv4s(text, "cluster id")


def _origin(text: str) -> str:
    if text not in ("IGP", "EGP", "Incomplete"):
        raise ValueError(f"unknown origin {text!r}")
    return text


_BGP_VALUE_PARSERS = {
    "origin": _origin,
    "as_path": parse_as_path,
    "next_hop": _addresses,
    "med": _attribute_number,
    "local_pref": _attribute_number,
    "communities": parse_communities,
    "large_communities": parse_large_communities,
    "ext_communities": parse_ext_communities,
    "originator_id": _originator_id,
    "cluster_list": _cluster_list,
}
