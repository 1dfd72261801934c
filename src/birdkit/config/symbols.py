"""The scope pass: what each name in a config refers to, read top to bottom as BIRD reads it.

One walk over the AST yields facts: the names defined (and where), each use of a name nothing of its kind
defines above it, and the BIRD-2.14-sensitive constructs met on the way. ``semantic`` raises on these facts
(``birdkit check``) and ``lint`` reports them, so the two agree by construction. The names BIRD knows without
a definition (route attributes, enum constants, built-in functions) and the eBGP test live here, once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Literal

import attrs

from birdkit.config import ast
from birdkit.config.keywords import ALL_KEYWORDS, words
from birdkit.config.versions_options import ATTRIBUTE_SINCE
from birdkit.errors import closest_choice
from birdkit.span import Span

#: what a name is used as: a value (``symbol``), or the name of a function, filter, table or template
Kind = Literal["symbol", "function", "filter", "table", "template"]

#: enum constants (uppercase) and the iproute2 names BIRD loads at start-up
ENUM_CONSTANT = re.compile(
    r"(?:RTS|RTD|SCOPE|ROA|ASPA|NET|AF|ORIGIN|MPLS_POLICY|RA_PREF|RTP|KRT)_[A-Z0-9_]+\Z|(?:ipt|ipp|ipr|ips)_\w+\Z"
)
#: the routing tables BIRD creates without a declaration
MASTER_TABLES = frozenset({"master4", "master6"})
ATTRIBUTE_PREFIXES = ("bgp_", "krt_", "ospf_", "rip_", "ra_", "mpls_", "babel_")
#: route attributes BIRD knows without a declaration: the common ones, the protocols' (bgp_med, krt_prefsrc, ...;
#: keywords in 2.x) and those some releases lack (``versions_options`` owns which, such as the 3.x-only names)
ROUTE_ATTRIBUTES = (
    words(
        "net proto source from gw scope dest ifname ifindex preference weight igp_metric "
        "babel_metric aspa_providers"
    )
    | frozenset(ATTRIBUTE_SINCE)
    | frozenset(name for name in ALL_KEYWORDS if name.startswith(ATTRIBUTE_PREFIXES))
)
#: functions BIRD provides (called as ``name(...)``)
BUILTIN_FUNCTIONS = words(
    "defined unset prepend add delete filter append format from_hex roa_check aspa_check aspa_check_upstream "
    "aspa_check_downstream bt_assert bt_test_suite bt_check_assign bt_test_same"
)
#: the parts of an expression that may hold names, in reading order
EXPR_PARTS: dict[type, tuple[str, ...]] = {
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
#: option words naming a table (``igp table NAME;``)
_TABLE_OPTIONS = frozenset({"igp table", "base table"})


@functools.cache
def predefined(name: str, kind: Kind) -> bool:
    """True when BIRD knows ``name`` as a ``kind`` without a definition (enum constant, route attribute, ...)."""
    if kind == "symbol":
        return ENUM_CONSTANT.match(name) is not None or name in ROUTE_ATTRIBUTES
    if kind == "function":
        return name in BUILTIN_FUNCTIONS
    if kind == "table":
        return name in MASTER_TABLES
    return False


# ---------------------------------------------------------------- facts


@attrs.frozen
class Undefined:
    """A name used as a ``kind`` where nothing of that kind is defined above (BIRD reads in one pass)."""

    kind: Kind
    name: str
    #: the node using the name (an import names a filter, a protocol its template, ...)
    node: Any
    #: index of the top-level statement the use is in
    statement: int
    #: where a top-level definition of the name comes later, if one does
    defined_below: Span | None = None

    @property
    def span(self) -> Span | None:
        """Where the name is used."""
        return self.node.span  # type: ignore[no-any-return]

    @property
    def is_keyword(self) -> bool:
        """The name is a keyword of BIRD's language (often a missing ';' before it)."""
        return self.kind != "template" and self.name in ALL_KEYWORDS

    @property
    def near_keyword(self) -> str | None:
        """The keyword a misspelt name was likely meant to be (``selfx`` -> ``self``)."""
        if self.kind != "symbol":
            return None
        return closest_choice(self.name, ALL_KEYWORDS, cutoff=0.8)

    @property
    def enum_spelling(self) -> str | None:
        """The uppercase enum constant a lowercase name was likely meant to be."""
        upper = self.name.upper()
        return upper if upper != self.name and ENUM_CONSTANT.match(upper) else None


@attrs.frozen
class Since214:
    """A construct BIRD 2.14 and later refuse: an untyped ``for`` variable, or a route distinguisher given
    to a community method (``what`` names which)."""

    what: Literal["untyped-for", "rd-community"]
    span: Span | None
    statement: int
    method: str = ""


Fact = Undefined | Since214


@attrs.frozen
class Scope:
    """The facts of one config: the problems in reading order, and each top-level name's definition."""

    config: ast.Config
    problems: tuple[Fact, ...]

    @property
    def definitions(self) -> dict[str, Span | None]:
        """Each name a top-level statement defines (define, table, filter, function, protocol, ...) -> where."""
        return {name: span for name, (_, span) in _placed(self.config).items()}


def scan(config: ast.Config) -> Scope:
    """Walk ``config`` once, top to bottom, and gather its :class:`Scope`."""
    walker = _Walker(config)
    for index, statement in enumerate(config.statements):
        walker.statement = index
        walker.top(statement)
    return Scope(config, tuple(walker.problems))


def _placed(config: ast.Config) -> dict[str, tuple[int, Span | None]]:
    """Each top-level name -> the index of the statement defining it, and its span (the last one wins)."""
    placed: dict[str, tuple[int, Span | None]] = {}
    for index, statement in enumerate(config.statements):
        name = getattr(statement, "name", None)
        if isinstance(name, str) and not isinstance(statement, ast.Option):
            placed[name] = (index, statement.span)
    return placed


# ---------------------------------------------------------------- eBGP


def asn_value(expr: Any, defines: Mapping[str, ast.Define]) -> int | None:
    """The AS number ``expr`` stands for: a number, a parenthesised one, or a ``define`` of one (a define
    that refers back to itself stands for none)."""
    followed: tuple[str, ...] = ()
    while True:
        if isinstance(expr, ast.Num):
            return expr.value
        if isinstance(expr, ast.Paren):
            expr = expr.expr
        elif isinstance(expr, ast.Symbol) and expr.name in defines and expr.name not in followed:
            followed += (expr.name,)
            expr = defines[expr.name].value
        else:
            return None


def is_ebgp(local_as: int | None, neighbor_as: int | None, flags: Collection[str], options: Iterable[str]) -> bool:
    """BIRD's test for an external session: ``neighbor ... internal/external`` decides; otherwise two known,
    different AS numbers outside a confederation (``options`` are the protocol's option names)."""
    if "internal" in flags:
        return False
    if "external" in flags:
        return True
    if local_as is None or neighbor_as is None or local_as == neighbor_as:
        return False
    return not any(name.startswith("confederation") for name in options)


# ---------------------------------------------------------------- the walk


class _Walker:
    def __init__(self, config: ast.Config) -> None:
        self.defined: dict[Kind, set[str]] = {
            "symbol": set(MASTER_TABLES),
            "function": set(),
            "filter": set(),
            "table": set(MASTER_TABLES),
            "template": set(),
        }
        self.locals: list[set[str]] = []
        self.problems: list[Fact] = []
        self.statement = 0
        self.config = config
        self.protocol_names = iter([name for name, _ in config.named_protocols()])

    @functools.cached_property
    def placed(self) -> dict[str, tuple[int, Span | None]]:
        """Read for a problem's hint only, so a valid config never pays for it."""
        return _placed(self.config)

    def define(self, name: str, *kinds: Kind) -> None:
        for kind in ("symbol", *kinds):
            self.defined[kind].add(name)

    def reference(self, node: Any, name: str, kind: Kind = "symbol") -> None:
        if name in self.defined[kind] or predefined(name, kind):
            return
        if kind == "symbol" and any(name in scope for scope in self.locals):
            return
        index, span = self.placed.get(name, (-1, None))
        below = span if index > self.statement else None
        self.problems.append(Undefined(kind, name, node, self.statement, below))

    def expr(self, root: Any) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            node_type = node.__class__
            if node_type is ast.Symbol:
                self.reference(node, node.name)
            elif node_type is ast.Call:
                self.reference(node, node.name, "function")
            elif node_type is ast.MethodCall and _rd_as_community(node):
                self.problems.append(Since214("rd-community", node.span, self.statement, node.name))
            for name in reversed(EXPR_PARTS.get(node_type, ())):  # pushed last to first: read left to right
                part = getattr(node, name)
                if part.__class__ is tuple:
                    stack.extend(reversed(part))
                elif part is not None:
                    stack.append(part)

    # ------------------------------------------------ filters and functions

    def statements(self, statements: Iterable[Any], scope: Iterable[str] = ()) -> None:
        self.locals.append(set(scope))
        for statement in statements:
            visit = _STATEMENTS.get(statement.__class__)
            if visit is not None:
                visit(self, statement)
        self.locals.pop()

    def block(self, node: ast.Block) -> None:
        self.statements(node.statements)

    def var_decl(self, node: ast.VarDecl) -> None:
        if node.value is not None:
            self.expr(node.value)
        self.locals[-1].add(node.name)

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
        if node.var_type is None:
            self.problems.append(Since214("untyped-for", node.span, self.statement))
        self.expr(node.iterable)
        self.locals.append({node.var})
        self.statements((node.body,))
        self.locals.pop()

    def arguments(self, node: ast.Accept | ast.Reject | ast.ErrorStmt | ast.Quitbird | ast.Print) -> None:
        for arg in node.args:
            self.expr(arg)

    def return_stmt(self, node: ast.Return) -> None:
        self.expr(node.value)

    def expr_stmt(self, node: ast.ExprStmt) -> None:
        self.expr(node.expr)

    def routine(self, local_vars: tuple[ast.VarDecl, ...], params: tuple[ast.Param, ...], body: ast.Block) -> None:
        self.locals.append({param.name for param in params} | {var.name for var in local_vars})
        self.statements(body.statements)
        self.locals.pop()

    # ------------------------------------------------ top level

    def top(self, node: Any) -> None:
        visit = _TOP.get(node.__class__)
        if visit is not None:
            visit(self, node)

    def define_stmt(self, node: ast.Define) -> None:
        self.expr(node.value)
        self.define(node.name)

    def attribute_decl(self, node: ast.AttributeDecl) -> None:
        self.define(node.name)

    def table(self, node: ast.Table) -> None:
        self.define(node.name, "table")

    def router_id(self, node: ast.RouterId) -> None:
        self.expr(node.value)

    def filter_def(self, node: ast.FilterDef) -> None:
        self.routine(node.local_vars, (), node.body)
        self.define(node.name, "filter")

    def function_def(self, node: ast.FunctionDef) -> None:
        self.define(node.name, "function")
        self.routine(node.local_vars, node.params, node.body)

    def top_option(self, node: ast.Option) -> None:
        self.define_named(node, ("mpls domain", "thread group"))
        if node.name.startswith("mpls domain") and node.block is not None:
            for item in node.block.items:
                if isinstance(item, ast.Option):
                    self.define_named(item, ("label range",))

    def define_named(self, node: ast.Option, heads: tuple[str, ...]) -> None:
        """Define the name after two leading words in ``heads`` (``mpls domain NAME``, ``label range NAME``)."""
        word = node.words[2] if len(node.words) > 2 else None
        if isinstance(word, ast.Word) and node.name.startswith(heads):
            self.define(word.text)

    def protocol(self, node: ast.Protocol) -> None:
        if node.from_template is not None:
            self.reference(node, node.from_template, "template")
        self.items(node.items)
        self.define(next(self.protocol_names), "template")

    def items(self, items: Iterable[Any]) -> None:
        for item in items:
            visit = _ITEMS.get(item.__class__)
            if visit is not None:
                visit(self, item)

    def channel(self, item: ast.Channel) -> None:
        if item.items is not None:
            self.items(item.items)

    def import_export(self, item: ast.ImportExport | ast.ProtocolFilter) -> None:
        policy = item.policy
        if isinstance(policy, ast.PolicyFilterName):
            self.reference(item, policy.name, "filter")
        elif isinstance(policy, ast.PolicyWhere):
            self.expr(policy.condition)
        elif isinstance(policy, ast.PolicyFilterBody):
            self.routine((), (), policy.body)

    def table_ref(self, item: ast.TableRef) -> None:
        self.reference(item, item.name, "table")

    def option(self, item: ast.Option) -> None:
        table = item.words[2] if len(item.words) > 2 and item.name in _TABLE_OPTIONS else None
        if isinstance(table, ast.Word):
            self.reference(item, table.text.strip("'"), "table")
        # any other bare word after the option's first is a keyword or a name defined above (BIRD's lexer
        # turns anything else into an undefined symbol, which no option takes)
        for word in item.words[1:]:
            if isinstance(word, ast.Word) and word is not table and word.text not in ALL_KEYWORDS:
                self.reference(word, word.text.strip("'"))
        if item.block is not None:
            self.items(item.block.items)

    def static_route(self, item: ast.StaticRoute) -> None:
        if item.attributes is not None:
            self.routine((), (), item.attributes)

    def bgp_endpoint(self, item: ast.BgpEndpoint) -> None:
        for value in (item.asn, item.port):
            if value is not None:
                self.expr(value)

    def aggregate_on(self, item: ast.AggregateOn) -> None:
        for key in item.keys:
            self.expr(key)

    def merge_by(self, item: ast.MergeBy) -> None:
        self.statements(item.body.statements, scope=("routes",))


_Visit = Callable[[_Walker, Any], None]

#: what the walk does with each kind of top-level statement, filter statement and protocol item
_TOP: dict[type, _Visit] = {
    ast.Define: _Walker.define_stmt,
    ast.AttributeDecl: _Walker.attribute_decl,
    ast.Table: _Walker.table,
    ast.RouterId: _Walker.router_id,
    ast.FilterDef: _Walker.filter_def,
    ast.FunctionDef: _Walker.function_def,
    ast.Protocol: _Walker.protocol,
    ast.Option: _Walker.top_option,
}
_STATEMENTS: dict[type, _Visit] = {
    ast.Block: _Walker.block,
    ast.VarDecl: _Walker.var_decl,
    ast.Assign: _Walker.assign,
    ast.If: _Walker.if_stmt,
    ast.Case: _Walker.case,
    ast.For: _Walker.for_loop,
    ast.Accept: _Walker.arguments,
    ast.Reject: _Walker.arguments,
    ast.ErrorStmt: _Walker.arguments,
    ast.Quitbird: _Walker.arguments,
    ast.Print: _Walker.arguments,
    ast.Return: _Walker.return_stmt,
    ast.ExprStmt: _Walker.expr_stmt,
}
_ITEMS: dict[type, _Visit] = {
    ast.Channel: _Walker.channel,
    ast.ImportExport: _Walker.import_export,
    ast.ProtocolFilter: _Walker.import_export,
    ast.TableRef: _Walker.table_ref,
    ast.Option: _Walker.option,
    ast.StaticRoute: _Walker.static_route,
    ast.BgpEndpoint: _Walker.bgp_endpoint,
    ast.AggregateOn: _Walker.aggregate_on,
    ast.MergeBy: _Walker.merge_by,
}


def _rd_as_community(node: ast.MethodCall) -> bool:
    return node.name in ("add", "delete", "filter") and bool(node.args) and isinstance((node.args or ())[0], ast.Rd)
