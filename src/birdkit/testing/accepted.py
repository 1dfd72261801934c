"""Strategies for configs real BIRD accepts: whole configs, filters and well-typed filter expressions.

Symbols are defined before use, names never collide with keywords or with each other, channels sit where
BIRD wants them, eBGP channels have import and export, and expressions are well typed. ``target`` is the
oldest BIRD the drawn text must pass (``bird -p``); it passes every newer release too. Newer targets draw
more: declarations inside bodies and blocks as case arms from 2.0.11 (older ones declare locals before the body,
``filter f int x; {``),
return types (``-> int``) from 2.14 and the bitwise ``&``/``|`` operators on 3.x.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from random import Random
from typing import Any, Literal, overload

import attrs
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.format import format_config
from birdkit.config.versions import Version, parse_target, supports
from birdkit.testing.syntax import (
    binary,
    comment_texts,
    comments,
    ipv4_prefixes,
    ipv4_text,
    method,
    negate,
    small_ints,
    strings,
)

#: protocol types :func:`configs` can draw, in the order they appear in a config
PROTOCOL_TYPES = ("device", "direct", "kernel", "static", "bgp")

_SUFFIX = st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True)
_ASNS = st.integers(min_value=1, max_value=4_294_967_294)


@attrs.frozen
class _Target:
    """What the target BIRD version allows beyond 2.0.7."""

    scoped_blocks: bool
    #: 2.0.7's `bird -p` crashes folding a `case` on a constant that picks an arm: subjects are route values
    constant_case: bool
    return_types: bool
    bitwise: bool

    @classmethod
    def of(cls, target: str) -> _Target:
        version: Version = parse_target(target)
        return cls(
            scoped_blocks=supports(version, (2, 0, 11)),
            constant_case=supports(version, (2, 0, 8)),
            return_types=supports(version, (2, 14, 0)),
            bitwise=supports(version, None),
        )


@attrs.frozen
class _Scope:
    """The symbols a filter body may use: int constants and parameters, and ``name/arity`` functions."""

    target: _Target
    variables: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@overload
def configs(
    target: str = ...,
    protocols: Collection[str] | None = ...,
    with_filters: bool = ...,
    as_text: Literal[False] = ...,
) -> st.SearchStrategy[ast.Config]: ...


@overload
def configs(
    target: str = ...,
    protocols: Collection[str] | None = ...,
    with_filters: bool = ...,
    *,
    as_text: Literal[True],
) -> st.SearchStrategy[str]: ...


def configs(
    target: str = "2.0.12",
    protocols: Collection[str] | None = None,
    with_filters: bool = True,
    as_text: bool = False,
) -> st.SearchStrategy[ast.Config] | st.SearchStrategy[str]:
    """Whole configs that BIRD ``target`` (and every newer BIRD) accepts with ``bird -p``.

    ``protocols``: the protocol types each config holds, each at least once (a subset of
    :data:`PROTOCOL_TYPES`); by default ``device`` plus any of the others. ``with_filters=False`` leaves out
    filters, functions and ``where`` expressions (channels import and export ``all`` or ``none``).
    ``as_text=True`` draws the formatted text instead of the AST. Comments and blank lines are sprinkled
    everywhere the formatter prints them.
    """
    wanted = None if protocols is None else frozenset(protocols)
    if wanted is not None and (not wanted or wanted - set(PROTOCOL_TYPES)):
        raise ValueError(f"protocols must be a non-empty subset of {PROTOCOL_TYPES}, not {sorted(wanted)}")
    strategy = _configs(_Target.of(target), wanted, with_filters)
    return strategy.map(format_config) if as_text else strategy


def filters(target: str = "2.0.12") -> st.SearchStrategy[ast.FilterDef]:
    """``filter`` definitions BIRD ``target`` accepts: they use route attributes and literals only.

    Nested ``if``/``case``, local variables, community and path edits; each ends in ``accept`` or ``reject``.
    """
    scope = _Scope(_Target.of(target))
    return st.builds(
        lambda name, body: ast.FilterDef(name, *_declared_before(body, scope.target)),
        _SUFFIX.map(lambda suffix: f"f_{suffix}"),
        _filter_body(scope),
    )


def expressions(target: str = "2.0.12", kind: Literal["bool", "int"] = "bool") -> st.SearchStrategy[Any]:
    """Well-typed filter expressions of ``kind``: literals, route attributes, operators, sets and path masks.

    A ``bool`` one fits ``if EXPR then accept;``, an ``int`` one ``bgp_local_pref = EXPR;``.
    """
    scope = _Scope(_Target.of(target))
    if kind == "int":
        return _route_ints(scope)
    return _bool_expr(scope, depth=2)


@st.composite
def _configs(draw: st.DrawFn, target: _Target, protocols: frozenset[str] | None, with_filters: bool) -> ast.Config:
    statements: list[Any] = [ast.RouterId(ast.Ip(draw(ipv4_text)))]
    if draw(st.booleans()):
        statements.append(ast.Option((ast.Word("log"), ast.Word("syslog"), ast.Word("all"))))
    constants = tuple(f"c{i}_{draw(_SUFFIX)}" for i in range(draw(st.integers(0, 3))))
    scope = _Scope(target)
    for name in constants:
        statements.append(ast.Define(name, draw(_int_expr(scope, depth=2))))
    scope = attrs.evolve(scope, variables=constants)
    tables = [f"t{i}_{draw(_SUFFIX)}" for i in range(draw(st.integers(0, 2)))]
    statements += [ast.Table("ipv4", name) for name in tables]
    filter_names: list[str] = []
    if with_filters:
        for index in range(draw(st.integers(0, 2))):
            name = f"fn{index}_{draw(_SUFFIX)}"
            params = tuple(f"a{i}_{draw(_SUFFIX)}" for i in range(draw(st.integers(0, 2))))
            body = draw(_filter_body(attrs.evolve(scope, variables=constants + params), returns=True))
            return_type = draw(st.sampled_from([None, ast.TypeRef("int")])) if target.return_types else None
            local_vars, body = _declared_before(body, target)
            statements.append(
                ast.FunctionDef(
                    name, tuple(ast.Param(ast.TypeRef("int"), p) for p in params), return_type, local_vars, body
                )
            )
            scope = attrs.evolve(scope, functions=(*scope.functions, f"{name}/{len(params)}"))
        for index in range(draw(st.integers(0, 3))):
            name = f"f{index}_{draw(_SUFFIX)}"
            statements.append(ast.FilterDef(name, *_declared_before(draw(_filter_body(scope)), target)))
            filter_names.append(name)
    if protocols is None or "device" in protocols:
        statements.append(ast.Protocol("device", None, ()))
    statements += draw(_protocols(scope, protocols, filter_names if with_filters else None, tables))
    statements = [
        attrs.evolve(
            statement,
            blank_line_before=index > 0 and draw(st.booleans()),
            comments_before=tuple(draw(st.lists(comments, max_size=1))),
        )
        for index, statement in enumerate(statements)
    ]
    texts = draw(st.lists(comment_texts, min_size=4, max_size=4))
    statements = [_sprinkle(statement, draw(st.randoms(use_true_random=False)), texts) for statement in statements]
    return ast.Config(tuple(statements), tuple(draw(st.lists(comments, max_size=1))))


_NESTED_LISTS = {ast.Protocol: "items", ast.Channel: "items", ast.Block: "statements"}


def _declared_before(body: ast.Block, target: _Target) -> tuple[tuple[ast.VarDecl, ...], ast.Block]:
    """The locals to declare before ``body`` and the body itself: for a target before 2.0.11 each declaration
    in the body (at any depth) moves before it, its initial value becoming an assignment."""
    if target.scoped_blocks:
        return (), body
    moved: list[ast.VarDecl] = []

    def hoist(node: Any) -> Any:
        if isinstance(node, ast.VarDecl) and node.value is not None:
            moved.append(ast.VarDecl(node.type, node.name))
            return ast.Assign(node.name, node.value)
        if isinstance(node, tuple):
            return tuple(hoist(item) for item in node)
        if isinstance(node, (ast.Block, ast.If, ast.Case, ast.CaseArm)):
            return attrs.evolve(node, **{field: hoist(getattr(node, field)) for field in ast.node_fields(type(node))})
        return node

    hoisted = hoist(body)  # fills `moved`
    return tuple(moved), hoisted


def _sprinkle(node: Any, rnd: Random, texts: list[str]) -> Any:
    """``node`` with comments, trailing comments and blank lines added inside its blocks, so real BIRD sees
    every place the formatter prints trivia."""
    if isinstance(node, (ast.FilterDef, ast.FunctionDef)):
        return attrs.evolve(node, body=_sprinkle(node.body, rnd, texts))
    field = _NESTED_LISTS.get(type(node))
    if field is None or getattr(node, field) is None:
        return node
    items = []
    for index, child in enumerate(getattr(node, field)):
        item = _sprinkle(child, rnd, texts)
        if rnd.random() < 0.3:
            item = attrs.evolve(item, comments_before=(ast.Comment(rnd.choice(texts)),))
        if rnd.random() < 0.3:
            item = attrs.evolve(item, trailing_comment=ast.Comment(rnd.choice(texts)))
        if index and rnd.random() < 0.2:
            item = attrs.evolve(item, blank_line_before=True)
        items.append(item)
    ends = (ast.Comment(rnd.choice(texts)),) if rnd.random() < 0.2 else ()
    return attrs.evolve(node, **{field: tuple(items), "comments_end": ends})


@cache
def _int_expr(scope: _Scope, depth: int) -> st.SearchStrategy[Any]:
    leaves: list[st.SearchStrategy[Any]] = [small_ints.map(lambda n: ast.Num(str(n)))]
    if scope.variables:
        leaves.append(st.sampled_from(scope.variables).map(ast.Symbol))
    leaf = st.one_of(*leaves)
    if depth == 0:
        return leaf
    sub = _int_expr(scope, depth - 1)
    operators = ["+", "-", "*", *(["&", "|"] if scope.target.bitwise else [])]
    choices = [leaf, st.builds(binary, st.sampled_from(operators), sub, sub), st.builds(ast.Paren, sub)]
    for spec in scope.functions:
        name, arity = spec.split("/")
        arguments = st.lists(sub, min_size=int(arity), max_size=int(arity)).map(tuple)
        choices.append(st.builds(ast.Call, st.just(name), arguments))
    return st.one_of(*choices)


@cache
def _route_lengths() -> st.SearchStrategy[Any]:
    """``net.len`` or ``bgp_path.len``: ints known only when a route passes."""
    return st.sampled_from([method(ast.Symbol("net"), "len", None), method(ast.Symbol("bgp_path"), "len", None)])


@cache
def _route_ints(scope: _Scope) -> st.SearchStrategy[Any]:
    return st.one_of(_int_expr(scope, 1), _route_lengths())


@cache
def _bool_expr(scope: _Scope, depth: int) -> st.SearchStrategy[Any]:
    ints = _int_expr(scope, 1)
    leaf = st.one_of(
        st.booleans().map(ast.Bool),
        st.builds(binary, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), _route_ints(scope), ints),
        st.builds(
            lambda s: binary("~", ast.Symbol("net"), s),
            st.lists(
                ipv4_prefixes | st.builds(ast.PrefixPattern, ipv4_prefixes, st.just("+")), min_size=1, max_size=3
            ).map(lambda items: ast.SetLit(tuple(items))),
        ),
        st.builds(
            lambda asn: binary(
                "~", ast.Symbol("bgp_path"), ast.PathMask((ast.MaskAny(), ast.Num(str(asn)), ast.MaskAny()))
            ),
            small_ints,
        ),
        st.builds(
            lambda a: binary("~", ast.Pair(ast.Num(str(a)), ast.Num("1")), ast.Symbol("bgp_community")), small_ints
        ),
    )
    if depth == 0:
        return leaf
    sub = _bool_expr(scope, depth - 1)
    return st.one_of(leaf, st.builds(binary, st.sampled_from(["&&", "||"]), sub, sub), st.builds(negate, sub))


@st.composite
def _filter_body(draw: st.DrawFn, scope: _Scope, *, returns: bool = False) -> ast.Block:
    statements: list[Any] = []
    counter = [0]
    for _ in range(draw(st.integers(0, 4))):
        statements.append(draw(_statement(scope, counter, depth=2, returns=returns)))
        if isinstance(statements[-1], ast.VarDecl):
            scope = attrs.evolve(scope, variables=(*scope.variables, statements[-1].name))
    final = ast.Return(draw(_int_expr(scope, 1))) if returns else draw(st.sampled_from([ast.Accept(), ast.Reject()]))
    return ast.Block((*statements, final))


@st.composite
def _statement(draw: st.DrawFn, scope: _Scope, counter: list[int], depth: int, *, returns: bool) -> Any:
    ints = _int_expr(scope, 1)
    kinds = ["decl", "pref", "community", "prepend", "print"]
    if depth:
        kinds += ["if", "case"]
    if not returns:
        kinds += ["accept"]
    kind = draw(st.sampled_from(kinds))
    if kind == "decl":
        counter[0] += 1
        return ast.VarDecl(ast.TypeRef("int"), f"v{counter[0]}_{draw(_SUFFIX)}", draw(ints))
    if kind == "pref":
        return ast.Assign("bgp_local_pref", draw(ints))
    if kind == "community":
        pair = ast.Pair(ast.Num(str(draw(small_ints))), ast.Num(str(draw(small_ints))))
        return ast.ExprStmt(method(ast.Symbol("bgp_community"), "add", (pair,)))
    if kind == "prepend":
        return ast.ExprStmt(method(ast.Symbol("bgp_path"), "prepend", (draw(ints),)))
    if kind == "print":
        return ast.Print((draw(strings), draw(ints)), draw(st.booleans()))
    if kind == "accept":
        return draw(st.sampled_from([ast.Accept(), ast.Reject((ast.Str("rejected"),))]))
    inner = _statement(scope, counter, depth - 1, returns=returns)
    single = inner.filter(lambda s: not isinstance(s, (ast.VarDecl, ast.If)))
    branch = single | st.lists(inner, min_size=1, max_size=2).map(lambda ss: ast.Block(tuple(ss)))
    if kind == "if":
        return ast.If(draw(_bool_expr(scope, 1)), draw(branch), draw(st.none() | branch))
    # before 2.0.11 a block is no statement of its own, and 3.x wants one statement per arm
    arm = branch if scope.target.scoped_blocks else single
    values = draw(st.lists(st.integers(0, 50), min_size=1, max_size=3, unique=True))
    arms = [ast.CaseArm((ast.Num(str(v)),), (draw(arm),)) for v in values]
    if draw(st.booleans()):
        arms.append(ast.CaseArm((), (draw(arm),)))
    return ast.Case(draw(ints if scope.target.constant_case else _route_lengths()), tuple(arms))


def _static_route(prefix: ast.Prefix) -> st.SearchStrategy[ast.StaticRoute]:
    sink = st.sampled_from(["blackhole", "unreachable", "prohibit"]).map(lambda kind: ast.StaticRoute(prefix, kind))
    via = ipv4_text.map(lambda hop: ast.StaticRoute(prefix, "via", next_hops=(ast.NextHop(ast.Ip(hop)),)))
    return sink | via


@st.composite
def _protocols(
    draw: st.DrawFn, scope: _Scope, wanted: frozenset[str] | None, filter_names: list[str] | None, tables: list[str]
) -> list[Any]:
    """The protocols after ``device``; ``filter_names`` is None when policies must be ``all`` or ``none``."""
    out: list[Any] = []

    def count(kind: str, most: int) -> int:
        if wanted is None:
            return draw(st.integers(0, most))
        return draw(st.integers(1, most)) if kind in wanted else 0

    def policy() -> Any:
        choices: list[Any] = [ast.PolicyAll(), ast.PolicyNone()]
        if filter_names is None:
            return draw(st.sampled_from(choices))
        choices += [ast.PolicyFilterName(name) for name in filter_names]
        choice = draw(st.sampled_from([*choices, "where"]))
        if choice == "where":
            return ast.PolicyWhere(draw(_bool_expr(scope, 1)))
        return choice

    def channel() -> ast.Channel:
        items: list[Any] = [ast.ImportExport("import", policy()), ast.ImportExport("export", policy())]
        if len(tables) > 0 and draw(st.booleans()):
            items.insert(0, ast.TableRef(draw(st.sampled_from(tables))))
        return ast.Channel("ipv4", tuple(items))

    if count("direct", 1):
        out.append(ast.Protocol("direct", None, (ast.Channel("ipv4", None),)))
    if count("kernel", 1):
        items: list[Any] = [channel()]
        if draw(st.booleans()):
            items.append(ast.Option((ast.Word("persist"),)))
        if draw(st.booleans()):
            items.append(ast.Option((ast.Word("scan"), ast.Word("time"), ast.Num(str(draw(st.integers(1, 60)))))))
        out.append(ast.Protocol("kernel", None, tuple(items)))
    for index in range(count("static", 2)):
        prefixes = draw(st.lists(ipv4_prefixes, max_size=3, unique_by=str))
        routes = tuple(draw(_static_route(prefix)) for prefix in prefixes)
        out.append(ast.Protocol("static", f"s{index}_{draw(_SUFFIX)}", (ast.Channel("ipv4", None), *routes)))
    bgp_count = count("bgp", 3)
    local_as = draw(_ASNS)
    template: str | None = None
    if bgp_count > 0 and draw(st.booleans()):
        template = f"tp_{draw(_SUFFIX)}"
        out.append(
            ast.Protocol("bgp", template, (ast.BgpEndpoint("local", asn=ast.Num(str(local_as))),), is_template=True)
        )
    for index in range(bgp_count):
        items = [ast.BgpEndpoint("neighbor", ast.Ip(draw(ipv4_text)), asn=ast.Num(str(draw(_ASNS)))), channel()]
        if template is None:
            items.insert(0, ast.BgpEndpoint("local", ast.Ip(draw(ipv4_text)), asn=ast.Num(str(local_as))))
        if draw(st.booleans()):
            items.append(ast.Option((ast.Word("hold"), ast.Word("time"), ast.Num(str(draw(st.integers(3, 600)))))))
        out.append(ast.Protocol("bgp", f"p{index}_{draw(_SUFFIX)}", tuple(items), from_template=template))
    return out
