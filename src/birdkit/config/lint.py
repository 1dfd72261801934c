"""Semantic lint rules for BIRD configs: single-file checks and cross-node (fleet) checks."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from birdkit.config import ast
from birdkit.config.keywords import reserved_names
from birdkit.config.symbols import Undefined, asn_value, is_ebgp, scan
from birdkit.config.versions import format_version, keywords_usable_as_names, parse_target
from birdkit.span import Span, caret_snippet
from birdkit.stack import deep_stack
from birdkit.terminal import printable


class Severity(enum.Enum):
    """How bad a finding is: errors fail ``birdkit lint``, warnings only do with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Rule:
    """One lint rule: a stable id, its severity and one line of documentation."""

    id: str
    severity: Severity
    doc: str


@attrs.frozen
class Finding:
    """A rule violation: where it is (``span``), other places involved (``related``) and a hint."""

    rule: str
    severity: Severity
    message: str
    span: Span | None = None
    related: tuple[Span, ...] = ()
    hint: str | None = None

    def render(self, source_line: str | None = None) -> str:
        """Compiler-style text: ``file:line:col: severity[rule]: message``, the caret, related places, hint.

        Names and messages quote files and configs, so terminal controls in them come out as escapes."""
        where = f"{self.span.location()}: " if self.span else ""
        parts = [printable(f"{where}{self.severity.value}[{self.rule}]: {self.message}")]
        if source_line is not None and self.span is not None:
            parts.append(caret_snippet(source_line, self.span.column))
        parts += [printable(f"    see {span.location()}") for span in self.related]
        if self.hint:
            parts.append(printable(f"hint: {self.hint}"))
        return "\n".join(parts)

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.span.path if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "related": [{"path": span.path, "line": span.line, "column": span.column} for span in self.related],
            "hint": self.hint,
        }


#: every rule, by id, in the order they are documented
RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: Severity, doc: str) -> Rule:
    rule = Rule(rule_id, severity, doc)
    RULES[rule_id] = rule
    return rule


def _finding(
    rule: Rule, message: str, span: Span | None, *, related: Sequence[Span | None] = (), hint: str | None = None
) -> Finding:
    return Finding(rule.id, rule.severity, message, span, tuple(s for s in related if s is not None), hint)


# ---------------------------------------------------------------- rules

UNDEFINED_FILTER = _rule("undefined-filter", Severity.ERROR, "a channel uses a filter that is not defined above it")
UNDEFINED_FUNCTION = _rule(
    "undefined-function", Severity.ERROR, "an expression calls a function that is not defined above it"
)
UNDEFINED_TEMPLATE = _rule(
    "undefined-template", Severity.ERROR, "a protocol inherits `from` a template that is not defined above it"
)
UNDEFINED_TABLE = _rule("undefined-table", Severity.ERROR, "a channel names a routing table that is not declared")
UNDEFINED_SYMBOL = _rule(
    "undefined-symbol", Severity.ERROR, "an expression uses a name that is no constant, variable or attribute"
)
DUPLICATE_PROTOCOL = _rule("duplicate-protocol", Severity.ERROR, "two protocols or templates share one name")
KEYWORD_PROTOCOL_NAME = _rule(
    "keyword-protocol-name",
    Severity.ERROR,
    "a protocol is named with a word the target BIRD reserves (e.g. `peer` on 3.0/3.1)",
)
BGP_NO_LOCAL_AS = _rule("bgp-no-local-as", Severity.ERROR, "a bgp protocol has no `local as` (BIRD refuses it)")
EBGP_NO_POLICY = _rule(
    "ebgp-no-policy", Severity.ERROR, "an eBGP channel lacks an explicit import or export (RFC 8212; BIRD refuses it)"
)
EBGP_EXPORT_ALL = _rule(
    "ebgp-export-all", Severity.WARNING, "an eBGP channel exports all: every route, underlay and learned ones, leaks"
)
STATIC_NO_CHANNEL = _rule(
    "static-no-channel", Severity.ERROR, "a static route has no channel of its address family to go into"
)
KERNEL_NO_EXPORT = _rule(
    "kernel-no-export", Severity.WARNING, "a kernel protocol exports nothing, so no route reaches the host's table"
)
BGP_NEXT_HOP_UNRESOLVABLE = _rule(
    "bgp-nexthop-unresolvable",
    Severity.WARNING,
    "an iBGP/multihop neighbor's subnet is covered by no protocol (direct, static, ospf, kernel learn)",
)
FLEET_DUPLICATE_ROUTER_ID = _rule(
    "fleet-duplicate-router-id", Severity.ERROR, "two nodes of the fleet share a router id"
)
FLEET_UNKNOWN_NEIGHBOR = _rule(
    "fleet-unknown-neighbor", Severity.ERROR, "a BGP neighbor address belongs to no node of the fleet"
)
FLEET_ASYMMETRIC_SESSION = _rule(
    "fleet-asymmetric-session",
    Severity.ERROR,
    "a BGP session has no matching session back, or the two ends disagree on the AS numbers",
)
FLEET_OVERLAPPING_BLACKHOLE = _rule(
    "fleet-overlapping-blackhole", Severity.ERROR, "static blackhole (pod CIDR) routes of two nodes overlap"
)


# ---------------------------------------------------------------- public API


@deep_stack
def lint_config(config: ast.Config, *, target: str | None = None) -> list[Finding]:
    """Every single-file finding for ``config``, ordered by position.

    ``target`` (a BIRD version such as ``"3.1.8"``) enables the version rules; without it, names that some
    supported version reserves are reported as warnings.
    """
    model = _Model(config)
    findings = [
        *_symbol_findings(config),
        *_protocol_name_findings(model, target),
        *_session_findings(model),
        *_static_findings(model),
        *_kernel_findings(model),
        *_next_hop_findings(model),
    ]
    return sorted(findings, key=_position)


@deep_stack
def lint_fleet(
    configs: Sequence[ast.Config],
    *,
    target: str | None = None,
    outside: Iterable[str] = (),
    anycast: Iterable[str] = (),
) -> list[Finding]:
    """Lint ``configs`` as one fleet: each file's findings, then the cross-node ``fleet-*`` rules.

    ``outside`` lists neighbor addresses that belong to routers outside the fleet (a top-of-rack switch, an
    upstream): sessions to them are not reported as ``fleet-unknown-neighbor``. ``anycast`` lists prefixes that
    several nodes blackhole on purpose (announced service ranges, pod aggregates): they are not reported as
    ``fleet-overlapping-blackhole``.
    """
    findings: list[Finding] = []
    for config in configs:
        findings += lint_config(config, target=target)
    models = [_Model(config) for config in configs]
    known_outside = {ipaddress.ip_address(address) for address in outside}
    fleet = [
        *_router_id_findings(models),
        *_neighbor_findings(models, known_outside),
        *_blackhole_findings(models, {ipaddress.ip_network(prefix) for prefix in anycast}),
    ]
    return findings + sorted(fleet, key=_position)


def _position(finding: Finding) -> tuple[str, int, int]:
    span = finding.span
    return (span.path or "", span.line, span.column) if span else ("", 0, 0)


# ---------------------------------------------------------------- the config, as the rules see it

_SINKS = frozenset({"blackhole", "drop", "unreachable", "reject", "prohibit"})
_OFF = frozenset({"off", "no", "false", "0"})
_IGP_PROTOCOLS = frozenset({"ospf", "rip", "babel"})

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _switched_on(option: ast.Option, index: int) -> bool:
    """An option such as ``learn``, ``multihop`` or ``disabled off`` is on unless its value says off."""
    value = option.words[index] if len(option.words) > index else None
    text = value.text if isinstance(value, (ast.Word, ast.Num)) else None
    return text not in _OFF


def _family(net_type: str) -> int | None:
    head = net_type.split()[0] if net_type else ""
    return {"ipv4": 4, "ipv6": 6}.get(head)


@attrs.frozen
class _Session:
    """One non-template ``bgp`` protocol after its templates: who it talks to, as which AS."""

    protocol: ast.Protocol
    items: tuple[ast.Statement, ...]
    local_ip: IpAddress | None
    local_as: int | None
    has_local_as: bool
    local_span: Span | None
    neighbor_ip: IpAddress | None
    neighbor_as: int | None
    neighbor_span: Span | None
    flags: frozenset[str]

    @property
    def name(self) -> str:
        return self.protocol.name or "bgp"

    def options(self, name: str) -> list[ast.Option]:
        return [item for item in self.items if isinstance(item, ast.Option) and item.name == name]

    def channels(self) -> list[ast.Channel]:
        return [item for item in self.items if isinstance(item, ast.Channel)]

    @property
    def is_ebgp(self) -> bool:
        return is_ebgp(self.local_as, self.neighbor_as, self.flags, self._option_names())

    @property
    def resolves_next_hops_recursively(self) -> bool:
        """BIRD's ``gateway recursive``: iBGP and multihop eBGP, unless ``direct`` or ``gateway direct``."""
        gateways = {
            item.name
            for channel in self.channels()
            for item in channel.items or ()
            if isinstance(item, ast.Option) and item.name.startswith("gateway")
        }
        if "gateway recursive" in gateways:
            return True
        if "gateway direct" in gateways or self.options("direct"):
            return False
        multihop = any(_switched_on(option, 1) for option in self.options("multihop"))
        return multihop or not self.is_ebgp

    def _option_names(self) -> set[str]:
        return {item.name for item in self.items if isinstance(item, ast.Option)}


class _Model:
    """Defines, protocols with their template chains, and BGP sessions of one config."""

    def __init__(self, config: ast.Config) -> None:
        self.config = config
        self.defines = {s.name: s for s in config.statements if isinstance(s, ast.Define)}
        self.protocols: list[tuple[ast.Protocol, tuple[ast.Statement, ...]]] = []
        earlier: dict[str, ast.Protocol] = {}
        for name, protocol in config.named_protocols():
            self.protocols.append((protocol, self._effective_items(protocol, earlier)))
            earlier.setdefault(name, protocol)
        self.sessions = [
            self._session(protocol, items)
            for protocol, items in self.protocols
            if protocol.kind == "bgp" and not protocol.is_template
        ]

    @property
    def path(self) -> str:
        spans = [s.span for s in self.config.statements if s.span is not None]
        return (spans[0].path if spans else None) or "<string>"

    def active(self, kind: str) -> list[tuple[ast.Protocol, tuple[ast.Statement, ...]]]:
        """Non-template protocols of ``kind`` that are not ``disabled``."""
        return [
            (protocol, items)
            for protocol, items in self.protocols
            if protocol.kind == kind
            and not protocol.is_template
            and not any(isinstance(i, ast.Option) and i.name == "disabled" and _switched_on(i, 1) for i in items)
        ]

    @staticmethod
    def _effective_items(protocol: ast.Protocol, earlier: dict[str, ast.Protocol]) -> tuple[ast.Statement, ...]:
        chain = [protocol]
        while chain[-1].from_template in earlier and len(chain) < 16:
            parent = earlier[chain[-1].from_template or ""]
            if parent in chain:
                break
            chain.append(parent)
        return tuple(item for member in reversed(chain) for item in member.items)

    def address(self, node: ast.Node | None, followed: tuple[str, ...] = ()) -> IpAddress | None:
        if isinstance(node, ast.Ip):
            try:
                return ipaddress.ip_address(node.text)
            except ValueError:
                return None
        if isinstance(node, ast.Symbol) and node.name in self.defines and node.name not in followed:
            return self.address(self.defines[node.name].value, (*followed, node.name))
        return None

    def _session(self, protocol: ast.Protocol, items: tuple[ast.Statement, ...]) -> _Session:
        fields: dict[str, Any] = {"local_ip": None, "local_as": None, "has_local_as": False, "local_span": None}
        fields.update(neighbor_ip=None, neighbor_as=None, neighbor_span=None)
        flags: set[str] = set()
        for item in items:
            if not isinstance(item, ast.BgpEndpoint):
                continue
            role = item.role
            if item.address is not None and not item.is_range and item.iface is None:
                fields[f"{role}_ip"] = self.address(item.address)
                fields[f"{role}_span"] = fields[f"{role}_span"] or item.span
            if item.asn is not None:
                fields[f"{role}_as"] = asn_value(item.asn, self.defines)
                fields[f"{role}_span"] = item.span
                if role == "local":
                    fields["has_local_as"] = True
            if role == "neighbor":
                flags.update(item.flags)
        return _Session(protocol, items, flags=frozenset(flags), **fields)


# ---------------------------------------------------------------- undefined names


#: the rule for each kind of name
_UNDEFINED_RULES = {
    "symbol": UNDEFINED_SYMBOL,
    "function": UNDEFINED_FUNCTION,
    "filter": UNDEFINED_FILTER,
    "table": UNDEFINED_TABLE,
    "template": UNDEFINED_TEMPLATE,
}


def _symbol_findings(config: ast.Config) -> Iterator[Finding]:
    for fact in scan(config).problems:
        if isinstance(fact, Undefined):
            yield _undefined(fact)


def _undefined(fact: Undefined) -> Finding:
    rule, name, kind = _UNDEFINED_RULES[fact.kind], fact.name, fact.kind
    if fact.is_keyword:
        return _finding(
            rule, f"'{name}' is a keyword, not a {kind} here", fact.span, hint=f"is the ';' before '{name}' missing?"
        )
    if fact.defined_below is not None:
        hint = (
            f"{kind} '{name}' is defined below, at {fact.defined_below.location()}; BIRD needs it defined above its use"
        )
    elif fact.near_keyword is not None:
        hint = f"did you mean '{fact.near_keyword}'? (or define the {kind} above its first use)"
    else:
        hint = f"define the {kind} above its first use, or fix the spelling"
    if kind == "symbol":
        if fact.enum_spelling is not None:
            hint = f"enum constants are uppercase: {fact.enum_spelling}"
        message = f"'{name}' is not a defined constant, variable or attribute"
    elif kind == "function":
        message = f"call of undefined function '{name}'"
    elif kind == "filter":
        message = f"{getattr(fact.node, 'direction', 'import')} uses undefined filter '{name}'"
    elif kind == "table":
        message = f"table '{name}' is not declared"
        hint = f"declare it above, e.g. `ipv4 table {name};` (master4 and master6 always exist)"
    else:
        user = fact.node
        message = f"protocol {user.name or user.proto_type} inherits from undefined template '{name}'"
    return _finding(rule, message, fact.span, hint=hint)


# ---------------------------------------------------------------- protocol rules


def _protocol_name_findings(model: _Model, target: str | None) -> Iterator[Finding]:
    seen: dict[str, ast.Protocol] = {}
    version = parse_target(target) if target is not None else None
    for protocol, _ in model.protocols:
        name = protocol.name
        if name is None:
            continue
        first = seen.setdefault(name, protocol)
        if first is not protocol:
            where = first.span.location() if first.span else "above"
            yield _finding(
                DUPLICATE_PROTOCOL,
                f"protocol name '{name}' is already used at {where}",
                protocol.span,
                related=[first.span],
                hint="every protocol and template needs its own name",
            )
        if version is not None:
            if not keywords_usable_as_names(version) and name in reserved_names(version):
                yield _finding(
                    KEYWORD_PROTOCOL_NAME,
                    f"'{name}' is a keyword in BIRD {format_version(version)}, which rejects it as a protocol name",
                    protocol.span,
                    hint=f"rename it, e.g. '{name}1' or 'to_{name}'",
                )
        elif name in reserved_names((2, 0, 12)) or name in reserved_names((3, 0, 0)):
            yield Finding(
                KEYWORD_PROTOCOL_NAME.id,
                Severity.WARNING,
                f"'{name}' is a keyword in BIRD 2.0-2.13 and 3.0-3.2.0, which reject it as a protocol name",
                protocol.span,
                hint="rename it, or lint with --target to check one version",
            )


def _session_findings(model: _Model) -> Iterator[Finding]:
    for session in model.sessions:
        if not session.has_local_as:
            yield _finding(
                BGP_NO_LOCAL_AS,
                f"bgp protocol {session.name} has no local AS",
                session.protocol.span,
                hint="add `local [ADDRESS] as ASN;` (here or in its template)",
            )
        if session.is_ebgp:
            yield from _ebgp_policies(session)
            yield from _ebgp_export_all(session)


def _ebgp_policies(session: _Session) -> Iterator[Finding]:
    by_type: dict[str, list[ast.Channel]] = {}
    for channel in session.channels():
        by_type.setdefault(channel.net_type, []).append(channel)
    for net_type, channels in by_type.items():
        directions = {i.direction for c in channels for i in c.items or () if isinstance(i, ast.ImportExport)}
        missing = [d for d in ("import", "export") if d not in directions]
        if missing:
            own = [c for c in channels if c in session.protocol.items]
            yield _finding(
                EBGP_NO_POLICY,
                f"eBGP channel {net_type} of {session.name} has no explicit {' or '.join(missing)}",
                (own or channels)[-1].span or session.protocol.span,
                hint=f"write e.g. `{missing[0]} filter NAME;`, `{missing[0]} all;` or `{missing[0]} none;`",
            )


def _ebgp_export_all(session: _Session) -> Iterator[Finding]:
    for channel in session.channels():
        for item in channel.items or ():
            if not isinstance(item, ast.ImportExport):
                continue
            if item.direction == "export" and isinstance(item.policy, ast.PolicyAll):
                yield _finding(
                    EBGP_EXPORT_ALL,
                    f"eBGP channel {channel.net_type} of {session.name} exports all routes to AS {session.neighbor_as}",
                    item.span or channel.span or session.protocol.span,
                    hint="export only what the peer should see, e.g. `export where source = RTS_STATIC;` "
                    "(birdkit gen: leave out `policy: open`)",
                )


def _static_findings(model: _Model) -> Iterator[Finding]:
    for protocol, items in model.protocols:
        if protocol.kind != "static" or protocol.is_template:
            continue
        families = {_family(item.net_type) for item in items if isinstance(item, ast.Channel)}
        for route in protocol.static_routes():
            family = (
                ipaddress.ip_network(str(route.net), strict=False).version
                if isinstance(route.net, ast.Prefix)
                else None
            )
            if not families:
                message = f"static route {_route_net(route)} has no channel: protocol {protocol.name or 'static'} "
                yield _finding(STATIC_NO_CHANNEL, message + "declares none", route.span, hint="add `ipv4;`")
            elif family is not None and family not in families:
                yield _finding(
                    STATIC_NO_CHANNEL,
                    f"static route {_route_net(route)} is IPv{family} but the protocol has no ipv{family} channel",
                    route.span,
                    hint=f"add `ipv{family};` or move the route to a protocol that has one",
                )


def _route_net(route: ast.StaticRoute) -> str:
    return str(route.net) if isinstance(route.net, ast.Prefix) else type(route.net).__name__


def _kernel_findings(model: _Model) -> Iterator[Finding]:
    for protocol, items in model.active("kernel"):
        channels = [item for item in items if isinstance(item, ast.Channel)]
        if not channels:
            yield _finding(
                KERNEL_NO_EXPORT,
                f"kernel protocol {protocol.name or 'kernel'} has no channel, so it exports nothing",
                protocol.span,
                hint="add `ipv4 { export all; };`",
            )
        for channel in channels:
            exports = channel.exports()
            if not exports or all(isinstance(e.policy, ast.PolicyNone) for e in exports):
                yield _finding(
                    KERNEL_NO_EXPORT,
                    f"kernel channel {channel.net_type} exports nothing: routes BIRD learns never reach the host",
                    channel.span,
                    hint="add `export all;` (or an export filter) to the channel",
                )


# ---------------------------------------------------------------- next hops (the walkthrough's pitfall)


def _next_hop_findings(model: _Model) -> Iterator[Finding]:
    for session in model.sessions:
        address = session.neighbor_ip
        if address is None or address.is_link_local or session.options("interface"):
            continue
        if not session.resolves_next_hops_recursively:
            continue
        if any(isinstance(i, ast.Option) and i.name == "disabled" and _switched_on(i, 1) for i in session.items):
            continue
        table = _igp_table(session, address.version)
        if _covered(model, address, table):
            continue
        yield _finding(
            BGP_NEXT_HOP_UNRESOLVABLE,
            f"next hops learned from {address} ({session.name}) resolve through {table}, but no protocol puts a "
            f"route covering {address} there",
            session.neighbor_span or session.protocol.span,
            hint=f"add `protocol direct {{ ipv{address.version}; }}` so connected subnets reach {table} (without "
            "it BIRD marks the routes unreachable), or a static route covering the neighbor",
        )


def _igp_table(session: _Session, family: int) -> str:
    for channel in session.channels():
        if _family(channel.net_type) != family:
            continue
        for item in channel.items or ():
            if isinstance(item, ast.Option) and item.name == "igp table" and len(item.words) > 2:
                word = item.words[2]
                if isinstance(word, ast.Word):
                    return word.text.strip("'")
        if channel.table is not None:
            return channel.table
    return f"master{family}"


def _channel_tables(items: tuple[ast.Statement, ...], family: int) -> set[str]:
    return {
        item.table or f"master{family}"
        for item in items
        if isinstance(item, ast.Channel) and _family(item.net_type) == family
    }


def _covered(model: _Model, address: IpAddress, table: str, seen: frozenset[str] = frozenset()) -> bool:
    """Does a protocol put a route covering ``address`` into ``table`` (directly or through a pipe)?"""
    family = address.version
    for _, items in model.active("pipe"):
        tables = [item.name for item in items if isinstance(item, ast.TableRef)]
        if table in tables and len(tables) == 2:
            other = tables[1] if tables[0] == table else tables[0]
            if other not in seen and _covered(model, address, other, seen | {table}):
                return True
    for kind in ("direct", *_IGP_PROTOCOLS):
        for _, items in model.active(kind):
            if table in _channel_tables(items, family):
                return True
    for _, items in model.active("kernel"):
        learns = any(isinstance(i, ast.Option) and i.name == "learn" and _switched_on(i, 1) for i in items)
        if learns and table in _channel_tables(items, family):
            return True
    for protocol, items in model.active("static"):
        if table not in _channel_tables(items, family):
            continue
        for route in protocol.static_routes():
            if route.kind in _SINKS or route.kind == "none" or not isinstance(route.net, ast.Prefix):
                continue
            network = ipaddress.ip_network(str(route.net), strict=False)
            if network.version == family and address in network:
                return True
    return False


# ---------------------------------------------------------------- fleet rules


def _router_id(model: _Model) -> tuple[IpAddress | None, Span | None]:
    statement = model.config.router_id
    if statement is None:
        return None, None
    value = statement.value
    if isinstance(value, ast.Num):
        return ipaddress.IPv4Address(value.value & 0xFFFFFFFF), statement.span
    return model.address(value), statement.span


def _addresses(model: _Model) -> set[IpAddress]:
    found = {session.local_ip for session in model.sessions if session.local_ip is not None}
    router_id, _ = _router_id(model)
    if router_id is not None:
        found.add(router_id)
    for session in model.sessions:
        for option in session.options("source address"):
            if len(option.words) > 2:
                address = model.address(option.words[2])
                if address is not None:
                    found.add(address)
    return found


def _router_id_findings(models: list[_Model]) -> Iterator[Finding]:
    seen: dict[IpAddress, tuple[_Model, Span | None]] = {}
    for model in models:
        router_id, span = _router_id(model)
        if router_id is None:
            continue
        first = seen.setdefault(router_id, (model, span))
        if first[0] is not model:
            where = first[1].location() if first[1] else first[0].path
            yield _finding(
                FLEET_DUPLICATE_ROUTER_ID,
                f"router id {router_id} is also the router id of {where}",
                span,
                related=[first[1]],
                hint="every node needs its own router id (usually its own IPv4 address)",
            )


def _neighbor_findings(models: list[_Model], outside: set[IpAddress]) -> Iterator[Finding]:
    addresses = [_addresses(model) for model in models]
    for index, model in enumerate(models):
        for session in model.sessions:
            address = session.neighbor_ip
            if address is None or address in outside:
                continue
            owners = [i for i, found in enumerate(addresses) if i != index and address in found]
            if not owners:
                yield _finding(
                    FLEET_UNKNOWN_NEIGHBOR,
                    f"neighbor {address} of {session.name} is not an address of any other node in the fleet",
                    session.neighbor_span or session.protocol.span,
                    hint="lint every node's config together, or fix the neighbor address",
                )
                continue
            peer = models[owners[0]]
            yield from _session_back(session, model, addresses[index], peer)


def _session_back(session: _Session, model: _Model, own_addresses: set[IpAddress], peer: _Model) -> Iterator[Finding]:
    here = session.neighbor_span or session.protocol.span
    back = [other for other in peer.sessions if other.neighbor_ip in own_addresses]
    if not back:
        yield _finding(
            FLEET_ASYMMETRIC_SESSION,
            f"{session.name} ({_where(here, model)}) peers with {session.neighbor_ip} in {peer.path}, but no bgp "
            f"protocol there has a neighbor address of this node",
            here,
            hint=f"add a bgp protocol to {peer.path} with `neighbor <this node's address> as ...;`",
        )
        return
    other = back[0]
    there = other.local_span or other.protocol.span
    if session.neighbor_as is not None and other.local_as is not None and session.neighbor_as != other.local_as:
        yield _finding(
            FLEET_ASYMMETRIC_SESSION,
            f"{session.name} at {_where(here, model)} expects AS {session.neighbor_as} at {session.neighbor_ip}, "
            f"but {other.name} at {_where(there, peer)} says its local AS is {other.local_as}",
            here,
            related=[there],
            hint="the neighbor AS on one side must equal the local AS on the other",
        )


def _where(span: Span | None, model: _Model) -> str:
    return f"{span.path or model.path}:{span.line}" if span else model.path


def _blackholes(model: _Model) -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ast.StaticRoute]]:
    found = []
    for protocol, _ in model.active("static"):
        for route in protocol.static_routes():
            if route.kind in _SINKS and isinstance(route.net, ast.Prefix):
                found.append((ipaddress.ip_network(str(route.net), strict=False), route))
    return found


def _blackhole_findings(
    models: list[_Model], anycast: set[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> Iterator[Finding]:
    earlier: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ast.StaticRoute, _Model]] = []
    for model in models:
        mine = [(network, route) for network, route in _blackholes(model) if network not in anycast]
        for network, route in mine:
            for other_network, other_route, other_model in earlier:
                if network.version == other_network.version and network.overlaps(other_network):
                    yield _finding(
                        FLEET_OVERLAPPING_BLACKHOLE,
                        f"pod CIDR {network} overlaps {other_network} of {_where(other_route.span, other_model)}",
                        route.span,
                        related=[other_route.span],
                        hint="give every node its own, disjoint pod CIDR",
                    )
        earlier += [(network, route, model) for network, route in mine]
