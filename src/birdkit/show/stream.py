"""The fast streaming parser of ``show route [all]``: constant memory, every field typed.

Input (a text file, any iterable of lines, control-socket lines or :class:`~birdkit.show.framing.ReplyLine`
objects) is handled in chunks of about a megabyte. One regular expression cuts a chunk into route records
(a route line and the TAB-led lines under it, skipping the ``1007-``/``1008-``/``1012-`` reply codes and
socket continuation spaces), and each record is typed with plain ``str`` methods. Route-line tails, body
lines and whole bodies repeat a lot in real tables, so each distinct text is parsed once and its immutable
result shared; the memo tables are bounded. Tests prove this parser equal to the Lark reference parser in
:mod:`birdkit.show.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

import attrs

from birdkit.errors import BirdError, OutputParseError
from birdkit.show.framing import ReplyLine
from birdkit.show.models import (
    AsPathSegment,
    BgpAttributes,
    Community,
    ExtCommunity,
    LargeCommunity,
    NextHop,
    Route,
)
from birdkit.span import Span

#: words BIRD prints in the destination column of a route line
DESTINATIONS = frozenset({"unicast", "blackhole", "unreachable", "prohibited", "recursive", "unknown", "invalid"})

#: attribute name as printed (2.x and 3.x) -> BgpAttributes field
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

_ROUTE_CODES = frozenset({1007, 1008, 1012})
_SEGMENT_OPENERS = {"{": ("set", "}"), "(": ("confed_sequence", ")"), "({": ("confed_set", "})")}
#: memo tables are cleared when they reach this size, so memory stays constant on any table size
_MEMO_LIMIT = 1 << 14
#: whole bodies are the biggest memo entries (long community lists): fewer of them
_BODY_MEMO_LIMIT = 1 << 12
_CHUNK_CHARACTERS = 1 << 20
_CHUNK_LINES = 1 << 14

#: one record: a line that does not start with a TAB, then the TAB-led lines under it; the route-list
#: reply codes (``1007-``, ``1008-``, ``1012-``) and socket continuation spaces are skipped here
_RECORD = re.compile(r"^(?:1007-| )?([^\t\n][^\n]*)\n((?:(?:100[78]-|1012-| )?\t[^\n]*\n)*)", re.M)
#: body lines of plain birdc text whose TABs were expanded to spaces (no ``[``: not a route line)
_EXPANDED_TABS = re.compile(r"^( {2,})(?=[^ \[\n][^\[\n]*$)", re.M)

#: the part of a route line from ``[`` on -> (protocol, since, from, primary, sync_error, preference, info)
_Tail = tuple[str, str, str | None, bool, bool, int | None, str]
#: the TAB-led lines of one route -> (next hops, source, scope, bgp, other attributes)
_Body = tuple[tuple[NextHop, ...], str | None, str | None, BgpAttributes | None, tuple[tuple[str, str], ...]]
_NO_BODY: _Body = ((), None, None, None, ())
_BGP_FIELDS = frozenset(field.name for field in attrs.fields(BgpAttributes))


def iter_routes(
    source: Iterable[str] | Iterable[ReplyLine], *, path: str | None = None
) -> Iterator[Route]:
    """Yield the routes of ``show route [all]`` output read from ``source`` (a text file, lines, reply lines).

    Raises :class:`BirdError` for an 8xxx/9xxx reply and :class:`OutputParseError` (with the line number)
    for a line BIRD would not print in this output.
    """
    reader = _RecordReader(path)
    for chunk in _chunks(source):
        yield from reader.feed(chunk, final=False)
    yield from reader.feed("", final=True)


def _chunks(source: Iterable[str] | Iterable[ReplyLine]) -> Iterator[str]:
    """The input as text chunks of whole lines (the last one may end without a newline)."""
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            data = read(_CHUNK_CHARACTERS)
            if not data:
                return
            yield data
    batch: list[str] = []
    for item in source:
        if item.__class__ is not str:
            reply: ReplyLine = item  # type: ignore[assignment]
            if reply.code is not None and reply.code >= 8000:
                raise BirdError(reply.code, reply.text)
            item = reply.text if reply.code is None or reply.code in _ROUTE_CODES else ""
        batch.append(item.rstrip("\r\n"))
        if len(batch) >= _CHUNK_LINES:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


def _expand_tabs(text: str) -> str:
    """Plain birdc text copied from a terminal (no TAB at all): indented body lines get their TABs back."""
    if "\t" in text or "\n  " not in text:
        return text
    return _EXPANDED_TABS.sub(lambda match: "\t\t" if len(match.group(1)) >= 16 else "\t", text)


class _RecordReader:
    """Cuts chunks into route records and types them; keeps the state a record can span (table, prefix)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.carry = ""
        self.lines_before = 0
        self.table: str | None = None
        self.prefix: str | None = None
        self.tails: dict[str, _Tail] = {}
        self.bodies: dict[str, _Body] = {}
        self.lines: dict[str, tuple[str, Any]] = {}

    def feed(self, chunk: str, *, final: bool) -> Iterator[Route]:
        """Yield the routes completed by ``chunk``; with ``final``, also the last one."""
        text = self.carry + chunk
        if final:
            self.carry = ""
            if text and not text.endswith("\n"):
                text += "\n"
        else:
            cut = text.rfind("\n") + 1
            text, self.carry = text[:cut], text[cut:]
        text = _expand_tabs(text)
        position = 0
        end = len(text)
        for match in _RECORD.finditer(text):
            start = match.start()
            if start != position and text[position:start].strip("\n"):
                self._fail(text, position, "a next-hop or attribute line before any route line")
            if not final and match.end() == end:
                self.carry = text[start:] + self.carry
                end = start
                break
            position = match.end()
            line, body = match.groups()
            try:
                route = self._record(line.rstrip(), body)
            except ValueError as error:
                self._fail(text, start, str(error))
            if route is not None:
                yield route
            elif body:
                self._fail(text, start, "a next-hop or attribute line after a line that is not a route")
        else:
            if text[position:].strip("\n"):
                self._fail(text, position, "a next-hop or attribute line before any route line")
        self.lines_before += text.count("\n", 0, end)

    def _fail(self, text: str, position: int, message: str) -> NoReturn:
        number = self.lines_before + text.count("\n", 0, position) + 1
        line_end = text.find("\n", position)
        raise OutputParseError(
            message,
            span=Span(self.path, number, 1),
            source_line=text[position : line_end if line_end >= 0 else None],
            hint="is this `show route` output?",
        )

    def _record(self, line: str, body: str) -> Route | None:
        open_at = line.find("[")
        first = line[:1]
        if open_at < 0 or (first == "b" and line.startswith("bird>")):
            self._other_line(line, first)
            return None
        if "\t" in line:
            line = line.replace("\t", " ")
        head = line[:open_at].strip()
        dest = ""
        if head:
            before, _, last = head.rpartition(" ")
            if last in DESTINATIONS:
                dest = last
                head = before.rstrip()
        if head:
            self.prefix = head
        elif self.prefix is None:
            raise ValueError("a route line without a network and no route before it")
        bracketed = line[open_at:]
        tail = self.tails.get(bracketed)
        if tail is None:
            if len(self.tails) >= _MEMO_LIMIT:
                self.tails.clear()
            tail = self.tails[bracketed] = _route_tail(bracketed)
        if body:
            parsed = self.bodies.get(body)
            if parsed is None:
                if len(self.bodies) >= _BODY_MEMO_LIMIT:
                    self.bodies.clear()
                parsed = self.bodies[body] = self._body(body)
        else:
            parsed = _NO_BODY
        protocol, since, from_address, primary, sync_error, preference, info = tail
        next_hops, source, scope, bgp, other = parsed
        return Route(
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

    def _other_line(self, line: str, first: str) -> None:
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
        """The TAB-led lines of one route -> next hops, source, scope, typed BGP, other attributes.

        Fast path: every line's action comes from the line memo and ``dict()`` of the actions holds them
        all (at most one next hop, no continuation line, no attribute twice).
        """
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
                return (hop,) if hop else (), source, scope, BgpAttributes(**fields) if fields else None, other
        return self._body_in_order(lines)

    def _line_action(self, raw: str) -> tuple[str, Any]:
        """``(key, value)`` of one body line: a BgpAttributes field, ``#hop``, ``#type``, ``#source`` or
        ``#`` + name for a raw attribute; remembered in the bounded line memo."""
        line = raw[raw.index("\t") :].rstrip()
        if line.startswith("via ", 1) or line.startswith("dev ", 1):
            action: tuple[str, Any] = ("#hop", parse_next_hop(line[1:]))
        else:
            kind, payload = _attribute_line(line)
            action = ("#" + payload[0], payload) if kind == "other" else ("#" + kind, payload) if kind in (
                "type", "source") else (kind, payload)
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
        return tuple(hops), source, scope, BgpAttributes(**bgp) if bgp else None, tuple(other)


def _route_tail(bracketed: str) -> _Tail:
    """``[proto since[ from ip]][ *| !] info`` -> the route fields it holds."""
    close_at = bracketed.find("]")
    if close_at < 0:
        raise ValueError("expected a route line: `<net> <dest> [<protocol> <since>] …`")
    protocol, _, since = bracketed[1:close_at].partition(" ")
    from_address = None
    from_at = since.find(" from ")
    if from_at >= 0:
        from_address = since[from_at + 6 :]
        since = since[:from_at]
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
            preference = int(info[paren + 1 : end])
    return (protocol, since, from_address, mark == "*", mark == "!", preference, info)


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
        except ValueError:
            pass
    elif name == "Type" and " " in value:
        return "type", tuple(value.rsplit(" ", 1))
    elif name == "source" and value:
        return "source", value
    return "other", (name, value)


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
            gateway = value
        elif word in ("on", "dev"):
            interface = value
        elif word == "mpls":
            mpls = tuple(int(label) for label in value.split("/"))
        elif word == "weight":
            weight = int(value)
        elif word == "table":
            table = value
        else:
            raise ValueError(f"next hop: unexpected {word!r}")
        index += 2
    return NextHop(gateway=gateway, interface=interface, mpls=mpls, onlink=onlink, weight=weight, table=table)


def parse_as_path(text: str) -> tuple[AsPathSegment, ...]:
    """``65001 {65002 65003} (65004) ({65005})`` -> segments; BIRD's older ``{ 1 2 }`` spacing too."""
    if "{" not in text and "(" not in text:
        return (AsPathSegment("sequence", tuple(_asn(word) for word in text.split())),) if text else ()
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
    return int(word)


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


def parse_communities(text: str) -> tuple[Community, ...]:
    """``(65000,1) (65000,2)`` -> communities."""
    communities = []
    for asn, value in _parenthesised(text, 2):
        if not (asn.isdigit() and value.isdigit()):
            raise ValueError(f"({asn},{value}) is not a community")
        communities.append(Community(int(asn), int(value)))
    return tuple(communities)


def parse_large_communities(text: str) -> tuple[LargeCommunity, ...]:
    """``(65000, 1, 2)`` -> large communities."""
    communities = []
    for first, second, third in _parenthesised(text, 3):
        if not (first.isdigit() and second.isdigit() and third.isdigit()):
            raise ValueError(f"({first}, {second}, {third}) is not a large community")
        communities.append(LargeCommunity(int(first), int(second), int(third)))
    return tuple(communities)


def parse_ext_communities(text: str) -> tuple[ExtCommunity, ...]:
    """``(rt, 65000, 7) (generic, 0x43000000, 0x1)`` -> extended communities."""
    return tuple(ExtCommunity(kind, admin, value) for kind, admin, value in _parenthesised(text, 3))


def _uint(word: str) -> int:
    if not word.isdigit():
        raise ValueError(f"{word!r} is not a number")
    return int(word)


_ADDRESS_CHARACTERS = frozenset("0123456789abcdefABCDEF:.")


def _addresses(text: str) -> tuple[str, ...]:
    words = tuple(text.split())
    for word in words:
        if not _ADDRESS_CHARACTERS.issuperset(word):
            raise ValueError(f"{word!r} is not an address")
    return words


def _address(text: str) -> str:
    if not text or not _ADDRESS_CHARACTERS.issuperset(text):
        raise ValueError(f"{text!r} is not an address")
    return text


def _origin(text: str) -> str:
    if text not in ("IGP", "EGP", "Incomplete"):
        raise ValueError(f"unknown origin {text!r}")
    return text


_BGP_VALUE_PARSERS = {
    "origin": _origin,
    "as_path": parse_as_path,
    "next_hop": _addresses,
    "med": _uint,
    "local_pref": _uint,
    "communities": parse_communities,
    "large_communities": parse_large_communities,
    "ext_communities": parse_ext_communities,
    "originator_id": _address,
    "cluster_list": _addresses,
}
