"""The reference parsers of birdc output, driven by ``grammars/birdc.lark``: routes, protocols, status, counts.

Each public function takes the whole reply as text: plain birdc output, raw control-socket lines with reply
codes, an interactive session with ``bird>`` prompts, or a transcript with ``>>> command`` lines. The format
(2.0.x, 2.13+, 3.x) is recognised from the lines themselves. This is the slow, obviously-correct path;
:func:`birdkit.show.stream.iter_routes` is the fast one and tests keep the two equal.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, TypeVar

from lark import Lark, Token, Transformer, Tree, UnexpectedInput
from lark.exceptions import VisitError

from birdkit.errors import BirdError, ImpossibleValueError, OutputParseError
from birdkit.resources import grammar_path
from birdkit.show import values
from birdkit.show.framing import deframe, restore_tabs
from birdkit.show.models import (
    BGP_ATTRIBUTE_NAMES,
    AsPathSegment,
    BgpAttributes,
    BgpSession,
    Channel,
    ChannelRoutes,
    ChannelStats,
    Community,
    ExtCommunity,
    Interface,
    InterfaceAddress,
    LargeCommunity,
    Limit,
    NextHop,
    Protocol,
    Route,
    RouteCount,
    RouteTotal,
    StatsRow,
    Status,
    TableCount,
)
from birdkit.show.values import ImpossibleValue
from birdkit.span import Span

_STARTS = [
    "routes",
    "route_count",
    "status",
    "protocols",
    "interfaces",
    "as_path_value",
    "community_value",
    "large_community_value",
    "ext_community_value",
    "origin_value",
    "number_value",
    "addresses_value",
    "address_value",
]

#: BgpAttributes field -> the start rule of its value
_VALUE_RULES = {
    "origin": "origin_value",
    "as_path": "as_path_value",
    "next_hop": "addresses_value",
    "med": "number_value",
    "local_pref": "number_value",
    "communities": "community_value",
    "large_communities": "large_community_value",
    "ext_communities": "ext_community_value",
    "originator_id": "address_value",
    "cluster_list": "addresses_value",
}


@cache
def _parser() -> Lark:
    return Lark(
        grammar_path("birdc.lark").read_text(),
        parser="lalr",
        lexer="contextual",
        start=_STARTS,
        propagate_positions=True,
    )


# ---------------------------------------------------------------------------------------------------------
# input: framing, prompts, banners
# ---------------------------------------------------------------------------------------------------------


def reply_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of the reply lines of ``text``: codes removed, right-stripped, without
    prompts, ``>>>`` transcript lines, greeting banners and the empty final ``0000`` line.

    Raises :class:`BirdError` for an 8xxx/9xxx reply line.
    """
    for number, line in enumerate(deframe(text.splitlines()), 1):
        body = line.text.rstrip()
        if line.code is not None and line.last and body.startswith("of ") and " routes for " in body:
            # plain `show route count` text whose count has four digits: "1437 of 1437 routes for …"
            body = f"{line.code:04} {body}"
        elif line.code is not None:
            if line.code >= 8000:
                raise BirdError(line.code, line.text)
            if line.code == 1 or (line.last and not body):
                continue
        elif body.startswith(">>>"):
            continue
        elif body.startswith("bird>"):
            body = body[5:].strip()
            if not body[:1].isdigit():
                continue
        elif (body.startswith("BIRD ") and body.endswith(" ready.")) or body == "Access restricted":
            continue
        yield number, body


def _route_line_tabs(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A TAB inside a route line (a hand-edited sample) becomes a space; body lines keep their leading TAB."""
    return [(number, body.replace("\t", " ") if body[:1] != "\t" and "\t" in body else body) for number, body in lines]


def _parse(lines: list[tuple[int, str]], start: str, path: str | None) -> Tree[Token]:
    text = "".join(body + "\n" for _, body in lines)
    parser = _parser()
    try:
        return parser.parse(text, start=start)
    except UnexpectedInput as error:
        index = max(error.line, 1) - 1
        number, source_line = lines[index] if index < len(lines) else (len(lines) + 1, "")
        expected = _literal_words(getattr(error, "expected", None) or getattr(error, "allowed", None) or [])
        raise OutputParseError(
            f"this is not `{start.replace('_', ' ')}` output as BIRD prints it",
            span=Span(path or f"<{start.replace('_', ' ')} reply>", number, max(error.column, 1)),
            source_line=source_line,
            hint=f"expected one of: {', '.join(expected[:8])}" if expected else None,
        ) from None


_Parser = TypeVar("_Parser", bound=Callable[..., Any])


def _values_checked(kind: str) -> Callable[[_Parser], _Parser]:
    """A reply parser whose value conversions (numbers, counts) fail as :class:`OutputParseError`, not as the
    ValueError or TypeError a value BIRD never prints would raise."""

    def decorate(parser: _Parser) -> _Parser:
        @functools.wraps(parser)
        def checked(text: str, *, path: str | None = None) -> Any:
            try:
                return parser(text, path=path)
            except (ValueError, TypeError, KeyError, IndexError) as error:
                raise OutputParseError(
                    f"this is not `{kind}` output as BIRD prints it: a value BIRD never prints ({error})",
                    span=Span(path or f"<{kind} reply>", 1, 1),
                ) from None

        return checked  # type: ignore[return-value]

    return decorate


@contextlib.contextmanager
def _impossible_values_at(
    lines: list[tuple[int, str]], tree: Tree[Token], path: str | None, start: str
) -> Iterator[None]:
    """A value no BIRD prints, found while building from ``tree``, reported at the line ``tree`` starts on."""
    try:
        yield
    except (ImpossibleValue, VisitError) as error:
        found = error.orig_exc if isinstance(error, VisitError) else error
        if not isinstance(found, ImpossibleValue):
            raise
        number, source_line = lines[tree.meta.line - 1] if 0 < tree.meta.line <= len(lines) else (1, "")
        raise ImpossibleValueError(
            str(found),
            span=Span(path or f"<{start.replace('_', ' ')} reply>", number, 1),
            source_line=source_line,
            hint=values.HINT,
        ) from None


def _literal_words(terminals: Iterable[str]) -> list[str]:
    """The fixed words among the grammar's terminal names, quoted (a name like ``INT`` means nothing to a user)."""
    from lark.lexer import PatternStr

    words = set()
    for name in terminals:
        with contextlib.suppress(KeyError):
            pattern = _parser().get_terminal(name).pattern
            if isinstance(pattern, PatternStr):
                words.add(f"'{pattern.value}'")
    return sorted(words)


# ---------------------------------------------------------------------------------------------------------
# show route
# ---------------------------------------------------------------------------------------------------------


#: a BIRD 1.x route line with its next hop on it: ``10.0.0.0/24 via 192.0.2.1 on eth0 [static1 ...] * (200)``
#: (a further route of the same network leaves the network column blank)
_V1_ROUTE_WITH_HOP = re.compile(r"(\S[^\[]*? +|(?= *(?:via|dev) ))((?:via|dev) [^\[]*?) *(\[.*)\Z")
#: a BIRD 1.x multipath route line (its next hops follow as body lines): ``10.0.0.0/16 multipath [static1 ...]``
_V1_MULTIPATH = re.compile(r"(\S[^\[]*? +|)multipath +(\[.*)\Z")


def _v1_next_hops(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """BIRD 1.x route lines carry the next hop: moved to a line of its own below, as 2.x and 3.x print it; a
    multipath route (next hops below already) is a unicast one."""
    result = []
    for number, body in lines:
        line = body.lstrip(" ") if body[:1] != "\t" else ""
        if match := _V1_ROUTE_WITH_HOP.match(line):
            net, hop, rest = match.groups()
            result += [(number, f"{net}unicast {rest}"), (number, f"\t{hop}")]
        elif match := _V1_MULTIPATH.match(line):
            net, rest = match.groups()
            result.append((number, f"{net}unicast {rest}"))
        else:
            result.append((number, body))
    return result


@_values_checked("show route")
def parse_routes(text: str, *, path: str | None = None) -> list[Route]:
    """The routes of ``show route [all]`` output (any table, any net type; 1.x, 2.x or 3.x attributes)."""
    lines = _route_line_tabs([(n, b) for n, b in reply_lines(restore_tabs(text)) if not b.startswith("Total:")])
    if " via " in text or " dev " in text or " multipath " in text:
        lines = _v1_next_hops(lines)
    tree = _parse(lines, "routes", path)
    routes: list[Route] = []
    table: str | None = None
    prefix: str | None = None
    for item in tree.children:
        if not isinstance(item, Tree):
            continue
        if item.data == "table_header":
            table = str(item.children[1])
            prefix = None
        elif item.data == "route":
            with _impossible_values_at(lines, item, path, "routes"):
                route = _route(item, table, prefix)
            prefix = route.prefix
            routes.append(route)
    return routes


def _route(tree: Tree[Token], table: str | None, prefix: str | None) -> Route:
    line = tree.children[0]
    assert isinstance(line, Tree)
    head = _RouteLine().transform(line)
    net = head.pop("net", None) or prefix
    if net is None:
        raise OutputParseError(
            "a route line without a network and no route before it",
            span=Span(None, tree.meta.line, 1),
        )
    next_hops: list[NextHop] = []
    source = scope = None
    bgp: dict[str, Any] = {}
    other: list[tuple[str, str]] = []
    for body in tree.children[1:]:
        if not isinstance(body, Tree):
            continue
        if body.data == "next_hop":
            next_hops.append(_next_hop(body))
        elif body.data == "type_line":
            words = [str(word) for word in body.children[1:]]
            if len(words) > 1:
                source, scope = " ".join(words[:-1]), words[-1]
            else:
                other.append(("Type", " ".join(words)))
        else:
            name = str(body.children[0])
            value = " ".join(_attribute_chunks(body))
            field = BGP_ATTRIBUTE_NAMES.get(name)
            if field is not None:
                parsed = _typed_value(value, _VALUE_RULES[field])
                if parsed is not _UNTYPED:
                    bgp[field] = _FIELD_CHECKS.get(field, _unchecked)(parsed)
                    continue
            elif name == "source" and value:
                source = value
                continue
            other.append((name, value))
    return Route(
        prefix=net,
        table=table,
        next_hops=tuple(next_hops),
        source=source,
        scope=scope,
        bgp=BgpAttributes(**bgp) if bgp else None,
        other_attributes=tuple(other),
        **head,
    )


def _attribute_chunks(tree: Tree[Token]) -> Iterator[str]:
    for child in tree.children[1:]:
        if isinstance(child, Token):
            yield str(child)
        else:
            yield str(child.children[0])


class _RouteLine(Transformer[Token, dict[str, Any]]):
    """``route_line`` -> the keyword arguments of :class:`Route` it determines."""

    def route_line(self, children: list[Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {"dest": "", "from_address": None, "primary": False, "sync_error": False}
        fields["info"] = ""
        fields["preference"] = None
        for child in children:
            if isinstance(child, tuple):
                fields["from_address"] = child[1]
                continue
            kind = child.type
            if kind == "NET":
                fields["net"] = values.network(str(child))
            elif kind == "DEST":
                fields["dest"] = str(child)
            elif kind == "PROTO":
                fields["protocol"] = str(child)
            elif kind == "SINCE":
                fields["since"] = values.since(str(child))
            elif kind == "MARK":
                fields["primary"] = child == "*"
                fields["sync_error"] = child == "!"
            elif kind == "INFO":
                fields["info"] = str(child).strip()
                preference = _preference(fields["info"])
                fields["preference"] = (
                    preference
                    if preference is None
                    else values.bounded(preference, values.MAX_PREFERENCE, "preference")
                )
        return fields

    def from_address(self, children: list[Token]) -> tuple[str, str]:
        return ("from", values.address(str(children[-1]), "from address"))


def _preference(info: str) -> int | None:
    """The first number right after the first ``(`` of the route info: ``(100/38) [AS…]`` -> 100."""
    _, paren, after = info.partition("(")
    digits = ""
    for char in after:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if paren and digits else None


def _next_hop(tree: Tree[Token]) -> NextHop:
    kind, target = tree.children[0], str(tree.children[1])
    assert isinstance(kind, Token)
    fields: dict[str, Any] = (
        {"gateway": values.address(target, "gateway")} if kind.type == "VIA" else {"interface": target}
    )
    for option in tree.children[2:]:
        assert isinstance(option, Tree)
        value = option.children[-1]
        if option.data == "hop_interface":
            fields["interface"] = str(value)
        elif option.data == "hop_mpls":
            fields["mpls"] = values.numbers(str(value).split("/"), values.MAX_MPLS_LABEL, "MPLS label")
        elif option.data == "hop_onlink":
            fields["onlink"] = True
        elif option.data == "hop_weight":
            fields["weight"] = values.number(str(value), values.MAX_WEIGHT, "weight")
        elif option.data == "hop_table":
            fields["table"] = str(value)
    return NextHop(**fields)


_UNTYPED = object()


def _typed_value(value: str, rule: str) -> Any:
    """The typed form of a BGP attribute value, or ``_UNTYPED`` when it does not have the expected shape."""
    try:
        tree = _parser().parse(value, start=rule)
    except UnexpectedInput:
        return _UNTYPED
    return _VALUE_BUILDERS[rule](tree)


def _ints(tree: Tree[Token]) -> tuple[int, ...]:
    return values.numbers((str(token) for token in tree.children), values.MAX_ASN, "AS number")


def _as_path(tree: Tree[Token]) -> tuple[AsPathSegment, ...]:
    segments: list[AsPathSegment] = []
    sequence: list[int] = []
    kinds = {"as_set": "set", "as_confed_sequence": "confed_sequence", "as_confed_set": "confed_set"}
    for segment in tree.children:
        assert isinstance(segment, Tree)
        if segment.data == "as_sequence_item":
            sequence += _ints(segment)
            continue
        if sequence:
            segments.append(AsPathSegment("sequence", tuple(sequence)))
            sequence = []
        segments.append(AsPathSegment(kinds[str(segment.data)], _ints(segment)))
    if sequence:
        segments.append(AsPathSegment("sequence", tuple(sequence)))
    return tuple(segments)


def _items(tree: Tree[Token]) -> list[list[str]]:
    return [[str(token) for token in item.children] for item in tree.children if isinstance(item, Tree)]


_VALUE_BUILDERS: dict[str, Callable[[Tree[Token]], Any]] = {
    "as_path_value": _as_path,
    "community_value": lambda tree: tuple(
        Community(*values.numbers(item, values.MAX_COMMUNITY_PART, "community part")) for item in _items(tree)
    ),
    "large_community_value": lambda tree: tuple(
        LargeCommunity(*values.numbers(item, values.U32, "large community part")) for item in _items(tree)
    ),
    "ext_community_value": lambda tree: tuple(_ext_community(*item) for item in _items(tree)),
    "origin_value": lambda tree: str(tree.children[0]),
    "number_value": lambda tree: int(str(tree.children[0])),
    "addresses_value": lambda tree: tuple(str(token) for token in tree.children),
    "address_value": lambda tree: str(tree.children[0]),
}


def _ext_community(kind: str, admin: str, value: str) -> ExtCommunity:
    values.ext_community(kind, admin, value)
    return ExtCommunity(kind, admin, value)


def _unchecked(value: Any) -> Any:
    return value


#: the checks of the typed BGP values whose start rule several fields share (numbers, addresses)
_FIELD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "med": lambda number: values.bounded(number, values.MAX_ATTRIBUTE_NUMBER, "MED or local preference"),
    "local_pref": lambda number: values.bounded(number, values.MAX_ATTRIBUTE_NUMBER, "MED or local preference"),
    "next_hop": lambda words: tuple(values.address(word, "BGP next hop") for word in words),
    "originator_id": lambda word: values.ipv4(word, "originator id"),
    "cluster_list": lambda words: values.ipv4s(" ".join(words), "cluster id"),
}


# ---------------------------------------------------------------------------------------------------------
# show route count
# ---------------------------------------------------------------------------------------------------------


@_values_checked("show route count")
def parse_route_count(text: str, *, path: str | None = None) -> RouteCount:
    """``show route count`` (and ``show route … count``): per-table counts and the Total line."""
    lines = list(reply_lines(text))
    tree = _parse(lines, "route_count", path)
    tables: list[TableCount] = []
    total = None
    for item in tree.children:
        if not isinstance(item, Tree):
            continue
        words = [str(token) for token in item.children if token is not None]
        with _impossible_values_at(lines, item, path, "route_count"):
            if item.data == "count_line":
                table = words[3] if len(words) > 3 else None  # BIRD 1.x names no table
                tables.append(TableCount(table, *values.numbers(words[:3], values.MAX_COUNTER, "route count")))
            else:
                total = RouteTotal(*values.numbers(words, values.MAX_COUNTER, "route count"))
    return RouteCount(tables=tuple(tables), total=total)


# ---------------------------------------------------------------------------------------------------------
# show status
# ---------------------------------------------------------------------------------------------------------


@_values_checked("show status")
def parse_status(text: str, *, path: str | None = None) -> Status:
    """``show status``."""
    lines = list(reply_lines(text))
    tree = _parse(lines, "status", path)
    rest = [str(child) for child in tree.children if isinstance(child, Token) and child.type == "REST"]
    rest += [str(token) for times in tree.find_data("status_times") for token in times.children]
    hostname = None
    details: list[str] = []
    message = ""
    for child in tree.children:
        if isinstance(child, Tree) and child.data == "hostname":
            hostname = str(child.children[0])
        elif isinstance(child, Tree) and child.data == "status_detail":
            details.append(str(child.children[0]))
        elif isinstance(child, Token) and child.type == "STATUS_MESSAGE":
            message = str(child)
    version, router_id, server_time, reboot, reconfiguration = rest
    with _impossible_values_at(lines, tree, path, "status"):
        values.ipv4(router_id, "router id")
    return Status(
        version=version,
        router_id=router_id,
        hostname=hostname,
        server_time=server_time,
        last_reboot=reboot,
        last_reconfiguration=reconfiguration,
        message=message,
        details=tuple(details),
    )


# ---------------------------------------------------------------------------------------------------------
# show interfaces
# ---------------------------------------------------------------------------------------------------------


@_values_checked("show interfaces")
def parse_interfaces(text: str, *, path: str | None = None) -> list[Interface]:
    """``show interfaces``: state, index, master, flags, MTU and addresses of every interface."""
    lines = _route_line_tabs(list(reply_lines(restore_tabs(text))))
    tree = _parse(lines, "interfaces", path)
    interfaces = []
    for item in tree.children:
        if isinstance(item, Tree):
            with _impossible_values_at(lines, item, path, "interfaces"):
                interfaces.append(_interface(item))
    return interfaces


def _interface(tree: Tree[Token]) -> Interface:
    name, state, index = (str(token) for token in tree.children[:3])
    index_number = values.number(index, values.MAX_COUNTER, "interface index")
    fields: dict[str, Any] = {"name": name, "up": state == "up", "index": index_number}
    addresses = []
    for child in tree.children[3:]:
        assert isinstance(child, Tree)
        if child.data == "iface_master":
            fields["master"] = str(child.children[0])
        elif child.data == "iface_flags":
            words = [str(token) for token in child.children]
            fields["flags"] = tuple(words[:-1])
            fields["mtu"] = values.number(words[-1].partition("=")[2], values.MAX_COUNTER, "MTU")
        else:
            addresses.append(_interface_address(child))
    return Interface(addresses=tuple(addresses), **fields)


def _interface_address(tree: Tree[Token]) -> InterfaceAddress:
    fields: dict[str, Any] = {"prefix": values.prefix(str(tree.children[0])), "scope": ""}
    for option in tree.children[1:]:
        assert isinstance(option, Tree)
        if option.data == "address_preferred":
            fields["preferred"] = True
        elif option.data == "address_secondary":
            fields["secondary"] = True
        elif option.data == "address_opposite":
            fields["opposite"] = values.address(str(option.children[0]), "opposite address")
        else:
            fields["scope"] = str(option.children[0])
    return InterfaceAddress(**fields)


# ---------------------------------------------------------------------------------------------------------
# show protocols [all]
# ---------------------------------------------------------------------------------------------------------


@_values_checked("show protocols")
def parse_protocols(text: str, *, path: str | None = None) -> list[Protocol]:
    """``show protocols`` or ``show protocols all``: rows, BGP sessions, channels, limits and stats."""
    lines = list(reply_lines(text))
    tree = _parse(lines, "protocols", path)
    return [_protocol(item, lines, path) for item in tree.children if isinstance(item, Tree)]


_BGP_KEYS = {
    "Neighbor address": "neighbor_address",
    "Neighbor port": "neighbor_port",
    "Neighbor AS": "neighbor_as",
    "Local AS": "local_as",
    "Neighbor ID": "neighbor_id",
    "Session": "session",
    "Source address": "source_address",
    "Hold timer": "hold_timer",
    "Keepalive timer": "keepalive_timer",
    "Send hold timer": "send_hold_timer",
    "Last error": "last_error",
}
#: the BGP session's numbers and addresses, each with its check
_BGP_VALUES: dict[str, Callable[[str], Any]] = {
    "neighbor_port": lambda word: values.number(word, values.MAX_PORT, "neighbor port"),
    "neighbor_as": lambda word: values.number(word, values.MAX_ASN, "neighbor AS"),
    "local_as": lambda word: values.number(word, values.MAX_ASN, "local AS"),
    "neighbor_address": lambda word: values.address(word, "neighbor address"),
    "neighbor_id": lambda word: values.ipv4(word, "neighbor id"),
    "source_address": lambda word: values.address(word, "source address"),
    "session": str.split,
}
_CHANNEL_KEYS = {
    "State": "state",
    "Import state": "import_state",
    "Export state": "export_state",
    "Table": "table",
    "Preference": "preference",
    "Input filter": "input_filter",
    "Output filter": "output_filter",
    # pipe channels
    "Import filter": "input_filter",
    "Export filter": "output_filter",
}
_LIMIT_KEYS = {"Receive limit", "Import limit", "Export limit"}


def _protocol(tree: Tree[Token], lines: list[tuple[int, str]], path: str | None) -> Protocol:
    row_tree = tree.children[0]
    assert isinstance(row_tree, Tree)
    row = [str(token) for token in row_tree.children]
    with _impossible_values_at(lines, row_tree, path, "protocols"):
        since = values.since(row[4])
    builder = _ProtocolBuilder()
    for detail in tree.children[1:]:
        assert isinstance(detail, Tree)
        with _impossible_values_at(lines, detail, path, "protocols"):
            builder.detail(detail)
    return Protocol(
        name=row[0],
        proto=row[1],
        table=None if row[2] == "---" else row[2],
        state=row[3],
        since=since,
        info=row[5].strip() if len(row) > 5 else "",
        description=builder.description,
        bgp=BgpSession(**_tupled(builder.bgp)) if builder.bgp is not None else None,
        channels=tuple(Channel(**_tupled(fields)) for fields in builder.channels),
        details=tuple(builder.details),
    )


def _tupled(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in fields.items()}


class _ProtocolBuilder:
    """Sorts the detail lines of one protocol into its BGP session, its channels and raw details."""

    def __init__(self) -> None:
        self.description: str | None = None
        self.bgp: dict[str, Any] | None = None
        self.channels: list[dict[str, Any]] = []
        self.details: list[tuple[str, str]] = []
        self.capabilities: list[str] | None = None
        self.capability_indent = 0

    def detail(self, tree: Tree[Token]) -> None:
        indent = len(str(tree.children[0]).expandtabs(8))
        line = tree.children[1]
        assert isinstance(line, Tree)
        words = [str(token) for token in line.children]
        if self.capabilities is not None:
            if indent > self.capability_indent:
                text = words[0] if line.data == "bare" else f"{words[0]}: {' '.join(words[1:])}".rstrip()
                if self.capabilities and indent > self.capability_indent + 2:
                    self.capabilities[-1] += " / " + text
                else:
                    self.capabilities.append(text)
                return
            self.capabilities = None
        if line.data == "channel_head":
            self.channels.append({"name": words[1], "limits": [], "details": []})
        elif line.data in ("stats_head", "stats_row"):
            self._stats(line.data, words)
        elif line.data == "bare":
            self._bare(words[0], indent)
        else:
            self._key_value(words[0], words[1] if len(words) > 1 else "")

    def _bare(self, text: str, indent: int) -> None:
        if self.bgp is not None and text in ("Local capabilities", "Neighbor capabilities"):
            field = "local_capabilities" if text.startswith("Local") else "neighbor_capabilities"
            self.capabilities = self.bgp[field] = []
            self.capability_indent = indent
        elif self.channels:
            self.channels[-1]["details"].append((text, ""))
        else:
            self.details.append((text, ""))

    def _key_value(self, key: str, value: str) -> None:
        if key == "BGP state" and not self.channels:
            self.bgp = {"state": value}
        elif key == "Description" and not self.channels:
            self.description = value
        elif self.channels:
            self._channel_key(self.channels[-1], key, value)
        elif self.bgp is not None and key == "Neighbor caps":  # BIRD 1.x: the neighbor's capabilities on one line
            self.bgp["neighbor_capabilities"] = value.split()
        elif self.bgp is not None and key in _BGP_KEYS:
            field = _BGP_KEYS[key]
            self.bgp[field] = _BGP_VALUES[field](value) if field in _BGP_VALUES else value
        elif self.bgp is not None:
            self.bgp.setdefault("details", []).append((key, value))
        else:
            self.details.append((key, value))

    def _channel_key(self, channel: dict[str, Any], key: str, value: str) -> None:
        if key in _CHANNEL_KEYS and _CHANNEL_KEYS[key] not in channel:
            field = _CHANNEL_KEYS[key]
            channel[field] = (
                values.number(value, values.MAX_PREFERENCE, "preference") if field == "preference" else value
            )
        elif key in _LIMIT_KEYS:
            number, _, mark = value.partition(" ")
            limit = values.number(number, values.MAX_COUNTER, key.lower())
            channel["limits"].append(Limit(kind=key, value=limit, hit=mark == "[HIT]"))
        elif key == "Action" and channel["limits"]:
            last = channel["limits"][-1]
            channel["limits"][-1] = Limit(kind=last.kind, value=last.value, hit=last.hit, action=value)
        elif key == "Routes" and "routes" not in channel:
            counts = {}
            for part in value.split(","):
                number, _, what = part.strip().partition(" ")
                counts[what] = values.number(number, values.MAX_COUNTER, f"{what} routes")
            channel["routes"] = ChannelRoutes(**counts)
        else:
            channel["details"].append((key, value))

    def _stats(self, kind: str, words: list[str]) -> None:
        if not self.channels:
            self.details.append((words[0], " ".join(words[1:])))
            return
        channel = self.channels[-1]
        if kind == "stats_head":
            channel["stats"] = ChannelStats(columns=tuple(words[1:]), rows=())
            return
        stats = channel.get("stats") or ChannelStats(columns=(), rows=())
        cells = words[1:]
        numbers = iter(values.numbers([cell for cell in cells if cell != "---"], values.MAX_COUNTER, words[0].lower()))
        row = StatsRow(words[0], tuple(None if cell == "---" else next(numbers) for cell in cells))
        channel["stats"] = ChannelStats(columns=stats.columns, rows=(*stats.rows, row))
