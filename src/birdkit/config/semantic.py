"""The checks `bird -p` makes after parsing: symbols defined before use, protocol sanity rules."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
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

    def reference(self, node: Any, name: str, what: str = "symbol") -> None:
        if name in self.globals or _predefined(name, what) or any(name in scope for scope in self.scopes):
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

    def expr(self, root: Any) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            node_type = node.__class__
            if node_type is ast.Symbol:
                self.reference(node, node.name)
            elif node_type is ast.Call:
                self.reference(node, node.name, "function")
            elif node_type is ast.MethodCall and _rd_as_community(node) and supports(self.version, (2, 14, 0)):
                self.fail(
                    node.span,
                    f"argument 1 of '{node.name}' must be a community, not a route distinguisher",
                    hint="write a pair such as (65000, 1)",
                )
            for name in reversed(_EXPR_PARTS.get(node_type, ())):  # pushed last to first: read left to right
                part = getattr(node, name)
                if part.__class__ is tuple:
                    stack.extend(reversed(part))
                elif part is not None:
                    stack.append(part)

    def statements(self, statements: tuple[Any, ...]) -> None:
        self.scopes.append(set())
        for statement in statements:
            self.statement(statement)
        self.scopes.pop()

    def statement(self, node: Any) -> None:
        check = _STATEMENT_CHECKS.get(node.__class__)
        if check is not None:
            check(self, node)

    def block(self, node: ast.Block) -> None:
        self.statements(node.statements)

    def var_decl(self, node: ast.VarDecl) -> None:
        if node.value is not None:
            self.expr(node.value)
        self.scopes[-1].add(node.name)

    def assign(self, node: ast.Assign) -> None:
        self.reference(node, node.target)
        self.expr(node.value)

    def if_stmt(self, node: ast.If) -> None:
        self.expr(node.condition)
        self.statements((node.then_branch,))
        if node.else_branch is not None:
            self.statements((node.else_branch,))

    def case(self, node: ast.Case) -> None:
        self.expr(node.subject)
        for arm in node.arms:
            for label in arm.labels:
                self.expr(label)
            self.statements(arm.statements)

    def for_loop(self, node: ast.For) -> None:
        if node.var_type is None and supports(self.version, (2, 14, 0)):
            self.fail(node.span, "a 'for' loop variable needs its type since BIRD 2.14", hint="for int a in ...")
        self.expr(node.iterable)
        self.scopes.append({node.var})
        self.statements((node.body,))
        self.scopes.pop()

    def arguments(self, node: ast.Accept | ast.Reject | ast.ErrorStmt | ast.Print) -> None:
        for arg in node.args:
            self.expr(arg)

    def return_stmt(self, node: ast.Return) -> None:
        self.expr(node.value)

    def expr_stmt(self, node: ast.ExprStmt) -> None:
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
            # an empty config has no span: the main file is the first source read
            path = config.span.path if config.span else next(iter(self.sources), None)
            self.fail(
                Span(path, 1, 1),
                "no protocol is specified in the config file",
                hint="a config needs at least one protocol, e.g. protocol device {}",
                syntax=False,
            )

    def top(self, node: Any) -> None:
        check = _TOP_CHECKS.get(node.__class__)
        if check is not None:
            check(self, node)

    def define(self, node: ast.Define) -> None:
        self.expr(node.value)
        self.globals.add(node.name)
        self.defines[node.name] = node

    def attribute_decl(self, node: ast.AttributeDecl) -> None:
        self.globals.add(node.name)

    def table(self, node: ast.Table) -> None:
        self.globals.add(node.name)
        self.tables[node.name] = node

    def router_id(self, node: ast.RouterId) -> None:
        self.expr(node.value)

    def filter_def(self, node: ast.FilterDef) -> None:
        self.routine(node.local_vars, (), node.body)
        self.globals.add(node.name)

    def function_def(self, node: ast.FunctionDef) -> None:
        self.globals.add(node.name)
        self.routine(node.local_vars, node.params, node.body)

    def top_option(self, node: ast.Option) -> None:
        if node.name.startswith("mpls domain") and len(node.words) > 2:
            word = node.words[2]
            if isinstance(word, ast.Word):
                self.globals.add(word.text)

    def protocol(self, node: ast.Protocol) -> None:
        if node.from_template is not None:
            if node.from_template not in self.protocols:
                self.fail(node.span, f"unknown template '{node.from_template}'", hint="define the template above")
            if node.proto_type.startswith("ospf") and not node.is_template:
                self.fail(node.span, "inheriting configuration for OSPF is not supported", syntax=False)
        self.proto_items(node.items)
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

    def proto_items(self, items: tuple[Any, ...]) -> None:
        checks = _PROTO_ITEM_CHECKS
        for item in items:
            check = checks.get(item.__class__)
            if check is not None:
                check(self, item)

    def channel(self, item: ast.Channel) -> None:
        if item.items is not None:
            self.proto_items(item.items)

    def import_export(self, item: ast.ImportExport) -> None:
        policy = item.policy
        if isinstance(policy, ast.PolicyFilterName):
            self.reference(policy, policy.name, "filter")
        elif isinstance(policy, ast.PolicyWhere):
            self.expr(policy.condition)
        elif isinstance(policy, ast.PolicyFilterBody):
            self.routine((), (), policy.body)

    def table_ref(self, item: ast.TableRef) -> None:
        self.reference(item, item.name, "table")

    def static_route(self, item: ast.StaticRoute) -> None:
        if item.attributes is not None:
            self.routine((), (), item.attributes)

    def bgp_endpoint(self, item: ast.BgpEndpoint) -> None:
        if item.asn is not None:
            self.expr(item.asn)

    # ------------------------------------------------ protocol rules

    def effective_items(self, node: ast.Protocol) -> list[Any]:
        chain: list[ast.Protocol] = [node]
        while chain[-1].from_template in self.protocols and len(chain) < 16:
            chain.append(self.protocols[chain[-1].from_template or ""])
        return [item for proto in reversed(chain) for item in proto.items]

    def protocol_rules(self, node: ast.Protocol, items: list[Any]) -> None:
        kind = node.proto_type.split()[0] if node.proto_type else ""
        channels: list[ast.Channel] = []
        endpoints: list[ast.BgpEndpoint] = []
        routes: list[ast.StaticRoute] = []
        options: dict[str, ast.Option] = {}
        for item in items:
            item_type = item.__class__
            if item_type is ast.Channel:
                channels.append(item)
            elif item_type is ast.BgpEndpoint:
                endpoints.append(item)
            elif item_type is ast.StaticRoute:
                routes.append(item)
            elif item_type is ast.Option:
                options[item.name] = item
        if kind == "static" and not channels and routes:
            self.fail(routes[0].span, "channel not specified", hint="add a channel, e.g. ipv4;", syntax=False)
        if kind != "bgp":
            return
        has_neighbor = any(item.role == "neighbor" and item.address is not None for item in endpoints)
        if not has_neighbor and not any(name.startswith("interface range") for name in options):
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
        if self.is_ebgp(endpoints, options):
            self.ebgp_policies(node, channels)

    def option_values(self, node: ast.Protocol) -> None:
        if not supports(self.version, (2, 17, 0)):
            return
        for item in node.items:
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

    def is_ebgp(self, endpoints: list[ast.BgpEndpoint], options: dict[str, ast.Option]) -> bool:
        local = neighbor = None
        flags: set[str] = set()
        for item in endpoints:
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
        if local is None or neighbor is None or local == neighbor:
            return False
        return not any(name.startswith("confederation") for name in options)

    def ebgp_policies(self, node: ast.Protocol, channels: list[ast.Channel]) -> None:
        merged: dict[str, set[str]] = {}
        spans: dict[str, Span | None] = {}
        for channel in channels:
            seen = merged.setdefault(channel.net_type, set())
            spans[channel.net_type] = channel.span
            for item in channel.items or ():
                if isinstance(item, ast.ImportExport):
                    seen.add(item.direction)
        for net_type, seen in merged.items():
            for direction in ("import", "export"):
                if direction not in seen:
                    self.fail(
                        spans[net_type] or node.span,
                        f"EBGP requires explicit {direction} policy",
                        hint=f"add '{direction} all;', '{direction} none;' or a filter to the {net_type} channel",
                        syntax=False,
                    )


_Check = Callable[[_Checker, Any], None]

#: what the checker does with each kind of top-level statement, filter statement and protocol item
_TOP_CHECKS: dict[type, _Check] = {
    ast.Define: _Checker.define,
    ast.AttributeDecl: _Checker.attribute_decl,
    ast.Table: _Checker.table,
    ast.RouterId: _Checker.router_id,
    ast.FilterDef: _Checker.filter_def,
    ast.FunctionDef: _Checker.function_def,
    ast.Protocol: _Checker.protocol,
    ast.Option: _Checker.top_option,
}
_STATEMENT_CHECKS: dict[type, _Check] = {
    ast.Block: _Checker.block,
    ast.VarDecl: _Checker.var_decl,
    ast.Assign: _Checker.assign,
    ast.If: _Checker.if_stmt,
    ast.Case: _Checker.case,
    ast.For: _Checker.for_loop,
    ast.Accept: _Checker.arguments,
    ast.Reject: _Checker.arguments,
    ast.ErrorStmt: _Checker.arguments,
    ast.Print: _Checker.arguments,
    ast.Return: _Checker.return_stmt,
    ast.ExprStmt: _Checker.expr_stmt,
}
_PROTO_ITEM_CHECKS: dict[type, _Check] = {
    ast.Channel: _Checker.channel,
    ast.ImportExport: _Checker.import_export,
    ast.TableRef: _Checker.table_ref,
    ast.StaticRoute: _Checker.static_route,
    ast.BgpEndpoint: _Checker.bgp_endpoint,
}


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


@functools.cache
def _predefined(name: str, what: str) -> bool:
    """True when BIRD knows ``name`` as a ``what`` without a definition (enum constant, route attribute, ...)."""
    if _PREDEFINED.match(name):
        return True
    if what == "function":
        return name in _BUILTIN_FUNCTIONS or name.startswith("bt_")
    if what == "symbol":
        return name.startswith(_ATTRIBUTE_PREFIXES) or name in _ROUTE_ATTRIBUTES
    return False


#: the parts of an expression that may hold symbols, in the order expr() stacks them (the last is read first)
_EXPR_PARTS: dict[type, tuple[str, ...]] = {
    ast.MethodCall: ("target", "args"),
    ast.ExtCommunity: ("key", "value", "subtype"),
    ast.Binary: ("left", "right"),
    ast.Range: ("low", "high"),
    ast.Pair: ("first", "second"),
    ast.LargeCommunity: ("first", "second", "third"),
    ast.Not: ("operand",),
    ast.Paren: ("expr",),
    ast.Call: ("args",),
    ast.SetLit: ("items",),
    ast.PathMask: ("items",),
}
