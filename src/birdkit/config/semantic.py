"""The checks `bird -p` makes after parsing: symbols defined before use, protocol sanity rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from birdkit.config import ast
from birdkit.config.keywords import ALL_KEYWORDS, words
from birdkit.config.versions import Version, supports
from birdkit.errors import BirdSyntaxError, ConfigError
from birdkit.span import Span

#: enum constants (uppercase) and the iproute2 names BIRD loads at start-up
_PREDEFINED = re.compile(
    r"(?:RTS|RTD|SCOPE|ROA|ASPA|NET|AF|ORIGIN|MPLS_POLICY|RA_PREF|RTP|KRT)_[A-Z0-9_]+\Z|(?:ipt|ipp|ipr|ips)_\w+\Z"
)
_PREDEFINED_NAMES = frozenset({"master4", "master6", "master", "local_metric", "bgp_otc", "mpls_label"})
#: route attributes BIRD knows without a declaration (besides the bgp_/krt_/ospf_/... families)
_ROUTE_ATTRIBUTES = words(
    "net proto source from gw scope dest ifname ifindex preference weight gw_mpls gw_mpls_stack onlink "
    "igp_metric local_metric babel_metric aspa_providers"
)
_ATTRIBUTE_PREFIXES = ("bgp_", "krt_", "ospf_", "rip_", "ra_", "mpls_", "babel_")
_BUILTIN_FUNCTIONS = words(
    "defined unset prepend add delete filter append format from_hex roa_check aspa_check "
    "aspa_check_upstream aspa_check_downstream"
)
_BFD_NEIGHBOR_WORDS = frozenset({"dev", "local", "multihop"})
_SWITCH_OFF = frozenset({"off", "no", "false", "0"})


def check_semantics(config: ast.Config, version: Version, sources: dict[str | None, list[str]]) -> None:
    """Raise the first error `bird -p` reports after parsing (unknown symbol, no protocol, ...).

    ``sources`` maps each file path to its lines, for the caret snippet.
    """
    _Checker(version, sources).run(config)


class _Checker:
    def __init__(self, version: Version, sources: dict[str | None, list[str]]) -> None:
        self.version = version
        self.sources = sources
        self.globals: set[str] = set(_PREDEFINED_NAMES)
        self.tables: dict[str, ast.Table] = {}
        self.protocols: dict[str, ast.Protocol] = {}
        self.defines: dict[str, ast.Define] = {}
        self.scopes: list[set[str]] = []

    # ------------------------------------------------ reporting

    def fail(self, span: Span | None, message: str, hint: str | None = None, *, syntax: bool = True) -> None:
        lines = self.sources.get(span.path if span else None, [])
        line = lines[span.line - 1] if span and 0 < span.line <= len(lines) else None
        error_type = BirdSyntaxError if syntax else ConfigError
        raise error_type(message, span=span, source_line=line, hint=hint)

    # ------------------------------------------------ symbols

    def known(self, name: str, what: str) -> bool:
        if name in self.globals or any(name in scope for scope in self.scopes) or _PREDEFINED.match(name):
            return True
        if what == "function":
            return name in _BUILTIN_FUNCTIONS or name.startswith("bt_")
        if what == "symbol":
            return name.startswith(_ATTRIBUTE_PREFIXES) or name in _ROUTE_ATTRIBUTES
        return False

    def reference(self, node: Any, name: str, what: str = "symbol") -> None:
        if self.known(name, what):
            return
        if name in ALL_KEYWORDS:
            self.fail(
                node.span,
                f"'{name}' is a keyword, not a {what} here",
                hint=f"is the ';' before '{name}' missing?",
            )
        hint = "BIRD reads the config in one pass: define it above its first use"
        if name.upper() != name and _PREDEFINED.match(name.upper()):
            hint = f"enum constants are uppercase: {name.upper()}"
        self.fail(node.span, f"unknown {what} '{name}'", hint=hint)

    def expr(self, node: Any) -> None:
        for child in _expr_nodes(node):
            if _rd_as_community(child) and supports(self.version, (2, 14, 0)):
                self.fail(
                    child.span,
                    f"argument 1 of '{child.name}' must be a community, not a route distinguisher",
                    hint="write a pair such as (65000, 1)",
                )
            if isinstance(child, ast.Symbol):
                self.reference(child, child.name)
            elif isinstance(child, ast.Call):
                self.reference(child, child.name, "function")

    def statements(self, statements: tuple[Any, ...]) -> None:
        self.scopes.append(set())
        for statement in statements:
            self.statement(statement)
        self.scopes.pop()

    def statement(self, node: Any) -> None:
        if isinstance(node, ast.Block):
            self.statements(node.statements)
        elif isinstance(node, ast.VarDecl):
            if node.value is not None:
                self.expr(node.value)
            self.scopes[-1].add(node.name)
        elif isinstance(node, ast.Assign):
            self.reference(node, node.target)
            self.expr(node.value)
        elif isinstance(node, ast.If):
            self.expr(node.condition)
            self.statements((node.then_branch,))
            if node.else_branch is not None:
                self.statements((node.else_branch,))
        elif isinstance(node, ast.Case):
            self.expr(node.subject)
            for arm in node.arms:
                for label in arm.labels:
                    self.expr(label)
                self.statements(arm.statements)
        elif isinstance(node, ast.For):
            if node.var_type is None and supports(self.version, (2, 14, 0)):
                self.fail(node.span, "a 'for' loop variable needs its type since BIRD 2.14", hint="for int a in ...")
            self.expr(node.iterable)
            self.scopes.append({node.var})
            self.statements((node.body,))
            self.scopes.pop()
        elif isinstance(node, (ast.Accept, ast.Reject, ast.ErrorStmt, ast.Print)):
            for arg in node.args:
                self.expr(arg)
        elif isinstance(node, ast.Return):
            self.expr(node.value)
        elif isinstance(node, ast.ExprStmt):
            self.expr(node.expr)

    def routine(self, local_vars: tuple[ast.VarDecl, ...], params: tuple[ast.Param, ...], body: ast.Block) -> None:
        self.scopes.append({param.name for param in params} | {var.name for var in local_vars})
        self.statements(body.statements)
        self.scopes.pop()

    # ------------------------------------------------ top level

    def run(self, config: ast.Config) -> None:
        for statement in config.statements:
            self.top(statement)
        if not any(isinstance(s, ast.Protocol) and not s.is_template for s in config.statements):
            path = config.span.path if config.span else None
            self.fail(
                Span(path, 1, 1),
                "no protocol is specified in the config file",
                hint="a config needs at least one protocol, e.g. protocol device {}",
                syntax=False,
            )

    def top(self, node: Any) -> None:
        if isinstance(node, ast.Define):
            self.expr(node.value)
            self.globals.add(node.name)
            self.defines[node.name] = node
        elif isinstance(node, ast.AttributeDecl):
            self.globals.add(node.name)
        elif isinstance(node, ast.Table):
            self.globals.add(node.name)
            self.tables[node.name] = node
        elif isinstance(node, ast.RouterId):
            self.expr(node.value)
        elif isinstance(node, ast.FilterDef):
            self.routine(node.local_vars, (), node.body)
            self.globals.add(node.name)
        elif isinstance(node, ast.FunctionDef):
            self.globals.add(node.name)
            self.routine(node.local_vars, node.params, node.body)
        elif isinstance(node, ast.Protocol):
            self.protocol(node)
        elif isinstance(node, ast.Option) and node.name.startswith("mpls domain") and len(node.words) > 2:
            word = node.words[2]
            if isinstance(word, ast.Word):
                self.globals.add(word.text)

    def protocol(self, node: ast.Protocol) -> None:
        if node.from_template is not None:
            if node.from_template not in self.protocols:
                self.fail(node.span, f"unknown template '{node.from_template}'", hint="define the template above")
            if node.proto_type.startswith("ospf") and not node.is_template:
                self.fail(node.span, "inheriting configuration for OSPF is not supported", syntax=False)
        for item in node.items:
            self.proto_item(item)
        self.option_values(node)
        self.endpoint_words(node)
        items = self.effective_items(node)
        if not node.is_template:
            self.protocol_rules(node, items)
        if node.name is not None:
            self.protocols[node.name] = node
            self.globals.add(node.name)

    def endpoint_words(self, node: ast.Protocol) -> None:
        allowed = _BFD_NEIGHBOR_WORDS if node.proto_type == "bfd" else {"role"}
        for item in node.items:
            if not isinstance(item, ast.BgpEndpoint) or not item.extra:
                continue
            first = item.extra[0]
            if not isinstance(first, ast.Word) or first.text not in allowed:
                text = first.text if isinstance(first, (ast.Word, ast.Punct)) else "this"
                self.fail(
                    first.span,
                    f"unexpected '{text}' in '{item.role}'",
                    hint=f"is the ';' after the '{item.role} ...' option missing?",
                )

    def proto_item(self, item: Any) -> None:
        if isinstance(item, ast.Channel):
            for channel_item in item.items or ():
                self.proto_item(channel_item)
        elif isinstance(item, ast.ImportExport):
            policy = item.policy
            if isinstance(policy, ast.PolicyFilterName):
                self.reference(policy, policy.name, "filter")
            elif isinstance(policy, ast.PolicyWhere):
                self.expr(policy.condition)
            elif isinstance(policy, ast.PolicyFilterBody):
                self.routine((), (), policy.body)
        elif isinstance(item, ast.TableRef):
            self.reference(item, item.name, "table")
        elif isinstance(item, ast.StaticRoute) and item.attributes is not None:
            self.routine((), (), item.attributes)
        elif isinstance(item, ast.BgpEndpoint) and item.asn is not None:
            self.expr(item.asn)

    # ------------------------------------------------ protocol rules

    def effective_items(self, node: ast.Protocol) -> list[Any]:
        chain: list[ast.Protocol] = [node]
        while chain[-1].from_template in self.protocols and len(chain) < 16:
            chain.append(self.protocols[chain[-1].from_template or ""])
        return [item for proto in reversed(chain) for item in proto.items]

    def protocol_rules(self, node: ast.Protocol, items: list[Any]) -> None:
        kind = node.proto_type.split()[0] if node.proto_type else ""
        channels = [item for item in items if isinstance(item, ast.Channel)]
        if kind == "static" and not channels:
            route = next((item for item in items if isinstance(item, ast.StaticRoute)), None)
            if route is not None:
                self.fail(route.span, "channel not specified", hint="add a channel, e.g. ipv4;", syntax=False)
        if kind != "bgp":
            return
        options = {item.name: item for item in items if isinstance(item, ast.Option)}
        if not any(
            isinstance(item, ast.BgpEndpoint) and item.role == "neighbor" and item.address is not None for item in items
        ) and not any(name.startswith("interface range") for name in options):
            self.fail(node.span, "neighbor must be configured", hint="add neighbor ADDRESS as ASN;", syntax=False)
        multihop = options.get("multihop")
        if multihop is not None and not _switched_off(multihop, 1):
            for channel in channels:
                for option in channel.items or ():
                    if isinstance(option, ast.Option) and option.name == "gateway direct":
                        self.fail(option.span, "multihop BGP cannot use direct gateway mode", syntax=False)
        for channel in channels:
            for option in channel.items or ():
                if not (isinstance(option, ast.Option) and option.name.startswith("secondary")):
                    continue
                if not _switched_off(option, 1) and not self.sorted_table(channel):
                    self.fail(option.span, "BGP with secondary option requires sorted table", syntax=False)
        if self.is_ebgp(items):
            self.ebgp_policies(node, channels)

    def option_values(self, node: ast.Protocol) -> None:
        for item in node.items:
            if not supports(self.version, (2, 17, 0)):
                return
            if isinstance(item, ast.Option) and item.name == "graceful restart time" and len(item.words) > 3:
                value = item.words[3]
                if isinstance(value, ast.Num) and value.value >= 4096:
                    self.fail(item.span, "graceful restart time must be less than 4096", syntax=False)

    def sorted_table(self, channel: ast.Channel) -> bool:
        table = self.tables.get(channel.table or "")
        return table is not None and table.sorted

    def asn_value(self, expr: Any) -> int | None:
        if isinstance(expr, ast.Num):
            return expr.value
        if isinstance(expr, ast.Symbol) and expr.name in self.defines:
            return self.asn_value(self.defines[expr.name].value)
        return None

    def is_ebgp(self, items: list[Any]) -> bool:
        local = neighbor = None
        flags: set[str] = set()
        for item in items:
            if isinstance(item, ast.BgpEndpoint):
                if item.role == "local" and item.asn is not None:
                    local = self.asn_value(item.asn)
                if item.role == "neighbor":
                    flags.update(item.flags)
                    if item.asn is not None:
                        neighbor = self.asn_value(item.asn)
        if "internal" in flags:
            return False
        if "external" in flags:
            return True
        confederated = any(isinstance(i, ast.Option) and i.name.startswith("confederation") for i in items)
        return local is not None and neighbor is not None and local != neighbor and not confederated

    def ebgp_policies(self, node: ast.Protocol, channels: list[ast.Channel]) -> None:
        merged: dict[str, set[str]] = {}
        spans: dict[str, Span | None] = {}
        for channel in channels:
            seen = merged.setdefault(channel.net_type, set())
            spans[channel.net_type] = channel.span
            seen.update(item.direction for item in channel.items or () if isinstance(item, ast.ImportExport))
        for net_type, seen in merged.items():
            for direction in ("import", "export"):
                if direction not in seen:
                    self.fail(
                        spans[net_type] or node.span,
                        f"EBGP requires explicit {direction} policy",
                        hint=f"add '{direction} all;', '{direction} none;' or a filter to the {net_type} channel",
                        syntax=False,
                    )


def _rd_as_community(node: Any) -> bool:
    return (
        isinstance(node, ast.MethodCall)
        and node.name in ("add", "delete", "filter")
        and bool(node.args)
        and isinstance((node.args or ())[0], ast.Rd)
    )


def _switched_off(option: ast.Option, index: int) -> bool:
    word = option.words[index] if len(option.words) > index else None
    if isinstance(word, ast.Word):
        return word.text in _SWITCH_OFF
    return isinstance(word, ast.Num) and word.value == 0


def _expr_nodes(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, ast.MethodCall):
            stack.append(current.target)
            stack.extend(current.args or ())
        elif isinstance(current, ast.ExtCommunity):
            stack.extend(x for x in (current.key, current.value, current.subtype) if x is not None)
        elif isinstance(current, (ast.Binary, ast.Range, ast.Pair, ast.LargeCommunity)):
            stack.extend(
                getattr(current, name)
                for name in ("left", "right", "low", "high", "first", "second", "third")
                if hasattr(current, name)
            )
        elif isinstance(current, (ast.Not, ast.Paren)):
            stack.append(current.operand if isinstance(current, ast.Not) else current.expr)
        elif isinstance(current, ast.Call):
            stack.extend(current.args)
        elif isinstance(current, (ast.SetLit, ast.PathMask)):
            stack.extend(current.items)
