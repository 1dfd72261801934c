"""Strategies for the config grammar: every AST node family, with trivia, as birdkit's parser reads them.

What these draw parses and prints back unchanged (``parse(format(ast)) == ast``), but real BIRD may refuse
it: symbols are used without definitions and types are mixed freely. They are for testing parsers,
formatters and AST walkers; :mod:`birdkit.testing.accepted` draws configs BIRD accepts.

The families (``literals()``, ``expressions()``, ``filter_statements()``, ``filters()``, ``functions()``,
``static_routes()``, ``channels()``, ``protocols()``, ``top_level()``) together build every AST node class.
Names are drawn as ``<kind>_<suffix>`` (``f_ab1``, ``p0_x``): no BIRD keyword has that shape.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from hypothesis import strategies as st

from birdkit.config import ast

# ---------------------------------------------------------------- names, numbers, addresses

_SUFFIX = st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True)


@cache
def names(kind: str = "v") -> st.SearchStrategy[str]:
    """Plain names of one kind, e.g. ``v_ab1``."""
    return _SUFFIX.map(lambda suffix: f"{kind}_{suffix}")


quoted_names = st.from_regex(r"q_[a-z0-9]{1,4}[-.:][a-z0-9]{1,4}", fullmatch=True)
small_ints = st.integers(min_value=0, max_value=65535)
asns = st.integers(min_value=1, max_value=4_294_967_294)
ipv4_text = st.tuples(*[st.integers(1, 254)] * 4).map(lambda parts: ".".join(map(str, parts)))
ipv6_text = st.tuples(st.integers(1, 0xFFFF), st.integers(0, 0xFFFF), st.integers(1, 0xFFFF)).map(
    lambda parts: f"2001:db8:{parts[0]:x}:{parts[1]:x}::{parts[2]:x}"
)


def _v4_prefix(length: int, seed: int) -> ast.Prefix:
    value = (seed << (32 - length)) & 0xFFFFFFFF if length else 0
    return ast.Prefix(".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0)), length)


def _v6_prefix(length: int, seed: int) -> ast.Prefix:
    groups = [0x2001, 0xDB8, seed & 0xFFFF, (seed >> 16) & 0xFFFF]
    value = 0
    for group in groups:
        value = (value << 16) | group
    value = (value << 64) & ~((1 << (128 - length)) - 1) if length < 128 else value << 64
    words = [(value >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    text = ":".join(f"{w:x}" for w in words[:4]) + "::"
    return ast.Prefix(text if any(words[:4]) else "::", length)


ipv4_prefixes = st.builds(_v4_prefix, st.integers(8, 32), st.integers(0, 2**24))
ipv6_prefixes = st.builds(_v6_prefix, st.integers(32, 64), st.integers(0, 2**32 - 1))
nums = st.one_of(
    small_ints.map(lambda n: ast.Num(str(n))),
    st.integers(0, 2**32 - 1).map(lambda n: ast.Num(hex(n))),
)
strings = st.from_regex(r"[A-Za-z0-9 _.,:/*-]{0,12}", fullmatch=True).map(ast.Str)
comment_texts = st.one_of(
    st.from_regex(r"# ?[A-Za-z0-9 _.,:;/*{}()'\"#-]{0,30}", fullmatch=True).map(str.rstrip),
    st.from_regex(r"/\* [A-Za-z0-9 _.,:;{}#-]{0,20} \*/", fullmatch=True),
)
comments = comment_texts.map(ast.Comment)


# ---------------------------------------------------------------- trivia


@cache
def with_trivia(statement: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``statement`` with random comments before it, a trailing comment and a blank line above."""

    def attach(node: Any, before: tuple[ast.Comment, ...], trailing: ast.Comment | None, blank: bool) -> Any:
        return _evolve(node, comments_before=before, trailing_comment=trailing, blank_line_before=blank)

    return st.builds(
        attach,
        statement,
        st.lists(comments, max_size=2).map(tuple),
        st.none() | comments,
        st.booleans(),
    )


def _evolve(node: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(node, **changes)


#: the comments closing a block (``comments_end``)
end_comments = st.lists(comments, max_size=1).map(tuple)


@cache
def statement_list(item: st.SearchStrategy[Any], *, min_size: int = 0, max_size: int = 4) -> Any:
    """A tuple of statements, each with trivia (the parser never marks a blank line above the first)."""
    return st.lists(with_trivia(item), min_size=min_size, max_size=max_size).map(_no_leading_blank)


def _no_leading_blank(items: list[Any]) -> tuple[Any, ...]:
    if items and items[0].blank_line_before:
        items[0] = _evolve(items[0], blank_line_before=False)
    return tuple(items)


# ---------------------------------------------------------------- literals and expressions


@cache
def literals() -> st.SearchStrategy[ast.Node]:
    """Every literal node: numbers, bools, strings, addresses, prefixes, RDs, communities, sets, masks."""
    return st.one_of(
        nums,
        st.booleans().map(ast.Bool),
        strings,
        ipv4_text.map(ast.Ip),
        ipv6_text.map(ast.Ip),
        ipv4_prefixes,
        ipv6_prefixes,
        st.tuples(small_ints, small_ints).map(lambda p: ast.Rd(f"{p[0]}:{p[1]}")),
        st.lists(st.integers(0, 255), max_size=4).map(
            lambda bs: ast.ByteString("hex:" + ":".join(f"{b:02x}" for b in bs))
        ),
        st.lists(st.integers(0, 255), min_size=6, max_size=6).map(
            lambda bs: ast.Mac(":".join(f"{b:02x}" for b in [0x62, *bs[1:]]))
        ),
        st.sampled_from(["+empty+", "-empty-", "--empty--", "---empty---"]).map(ast.EmptyList),
        _pairs(nums),
        st.builds(ast.LargeCommunity, nums, nums, nums),
        st.builds(ast.ExtCommunity, st.sampled_from(["rt", "ro", "generic"]), nums, nums),
        st.builds(lambda sub, key, value: ast.ExtCommunity("unknown", key, value, sub), nums, nums, nums),
        set_literals(),
        path_masks(),
    )


def _pairs(element: st.SearchStrategy[Any]) -> st.SearchStrategy[ast.Pair]:
    return st.builds(ast.Pair, element, element)


@cache
def _set_items() -> st.SearchStrategy[Any]:
    wildcard = st.just(ast.Wildcard())
    num_or_range = st.one_of(nums, st.builds(ast.Range, nums, nums))
    return st.one_of(
        num_or_range,
        st.builds(ast.Pair, num_or_range | wildcard, num_or_range | wildcard),
        st.builds(ast.LargeCommunity, nums, num_or_range | wildcard, wildcard),
        names("c").map(ast.Symbol),
    )


@cache
def set_literals() -> st.SearchStrategy[ast.SetLit]:
    """``[..]`` sets: of ints/pairs/ranges, or of prefix patterns (one address family)."""
    patterns = st.one_of(
        ipv4_prefixes,
        st.builds(ast.PrefixPattern, ipv4_prefixes, st.sampled_from(["+", "-"])),
        st.builds(
            lambda p, low, extra: ast.PrefixPattern(p, "{}", low, min(low + extra, 32)),
            ipv4_prefixes,
            st.integers(8, 32),
            st.integers(0, 8),
        ),
    )
    return st.one_of(
        st.lists(_set_items(), max_size=4).map(lambda items: ast.SetLit(tuple(items))),
        st.lists(patterns, min_size=1, max_size=4).map(lambda items: ast.SetLit(tuple(items))),
    )


@cache
def path_masks() -> st.SearchStrategy[ast.PathMask]:
    """``[= ... =]`` with ASNs, ``*``, ``?``, ``+`` after an item, ranges and int sets."""
    item = st.one_of(
        nums,
        st.just(ast.MaskAny()),
        st.just(ast.MaskOne()),
        st.builds(lambda a, b: ast.Range(ast.Num(str(a)), ast.Num(str(b))), small_ints, small_ints),
        names("c").map(ast.Symbol),
    )

    def build(items: list[Any], pluses: list[bool]) -> ast.PathMask:
        out: list[Any] = []
        for node, plus in zip(items, pluses + [False] * len(items), strict=False):
            out.append(node)
            if plus and isinstance(node, (ast.Num, ast.Symbol)):
                out.append(ast.MaskPlus())
        return ast.PathMask(tuple(out))

    return st.builds(build, st.lists(item, max_size=5), st.lists(st.booleans(), max_size=5))


_ATOM_STRENGTH = 7
_PRECEDENCE = {"&&": 1, "||": 1, "=": 2, "!=": 2, "<": 2, "<=": 2, ">": 2, ">=": 2, "~": 2, "!~": 2,
               "&": 3, "|": 3, "+": 4, "-": 4, "++": 4, "*": 5, "/": 5}  # fmt: skip


def _strength(node: Any) -> int:
    if isinstance(node, ast.Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, ast.Not):
        return 6
    return _ATOM_STRENGTH


def _wrap(node: Any, minimum: int) -> Any:
    """``node``, in a Paren when it binds weaker than ``minimum`` (as the parser would keep it)."""
    return ast.Paren(node) if _strength(node) < minimum else node


def binary(op: str, left: Any, right: Any) -> ast.Binary:
    """A Binary node whose operands carry the parentheses BIRD's precedence needs."""
    strength = _PRECEDENCE[op]
    return ast.Binary(op, _wrap(left, strength + 1 if strength == 2 else strength), _wrap(right, strength + 1))


def negate(operand: Any) -> ast.Not:
    """``!operand`` with parentheses where needed."""
    return ast.Not(_wrap(operand, 6))


def method(target: Any, name: str, args: tuple[Any, ...] | None) -> ast.MethodCall:
    """``target.name(args)`` with the target parenthesised unless it is an atom."""
    return ast.MethodCall(_wrap(target, _ATOM_STRENGTH), name, args)


_LEFT_SAFE = (ast.Num, ast.Symbol, ast.Call, ast.MethodCall, ast.Paren, ast.Str, ast.Bool)


@cache
def expressions(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any filter expression: operators of every precedence, calls, methods, parentheses, literals."""
    leaves = st.one_of(literals(), names("v").map(ast.Symbol))

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.builds(
                lambda op, left, right: binary(op, left if isinstance(left, _LEFT_SAFE) else ast.Paren(left), right),
                st.sampled_from(sorted(_PRECEDENCE)),
                children,
                children,
            ),
            st.builds(negate, children),
            st.builds(ast.Paren, children),
            st.builds(ast.Call, names("fn"), st.lists(children, max_size=3).map(tuple)),
            st.builds(
                method,
                children.filter(lambda node: not isinstance(node, (ast.Num, ast.Prefix, ast.Ip))),
                st.sampled_from(["len", "mask", "first", "last", "ip", "filter"]),
                st.none() | st.lists(children, max_size=2).map(tuple),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


# ---------------------------------------------------------------- filter statements, filters, functions

_TYPES = ["int", "bool", "ip", "prefix", "pair", "quad", "ec", "lc", "string", "bgpmask", "bgppath", "clist",
          "eclist", "lclist", "int set", "prefix set", "pair set", "enum rts", "bytestring"]  # fmt: skip
types = st.sampled_from(_TYPES).map(ast.TypeRef)


@cache
def _simple_statements() -> st.SearchStrategy[Any]:
    expr = expressions(4)
    args = st.lists(expr, max_size=2).map(tuple)
    call = st.builds(ast.Call, names("fn"), args)
    return st.one_of(
        st.builds(ast.VarDecl, types, names("v"), st.none() | expr),
        st.builds(ast.Assign, names("v"), expr),
        st.builds(ast.Accept, args),
        st.builds(ast.Reject, args),
        st.builds(ast.ErrorStmt, args),
        st.builds(ast.Return, expr),
        st.builds(ast.Print, args, st.booleans()),
        st.builds(
            ast.ExprStmt,
            call | st.builds(method, names("v").map(ast.Symbol), st.just("add"), _pairs(nums).map(lambda p: (p,))),
        ),
    )


@cache
def filter_statements(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Filter statements of every kind, nested: if/else, case, for, blocks and the simple ones."""
    simple = _simple_statements()
    labels = st.lists(st.one_of(nums, st.builds(ast.Range, nums, nums)), min_size=1, max_size=3).map(tuple)

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        block = st.builds(ast.Block, statement_list(children), end_comments)
        branch = st.one_of(simple, block)
        arms = st.lists(st.builds(ast.CaseArm, labels, statement_list(children, max_size=2)), max_size=3)
        else_arm = st.builds(ast.CaseArm, st.just(()), statement_list(children, max_size=2))
        return st.one_of(
            block,
            st.builds(ast.If, expressions(4), children),
            st.builds(ast.If, expressions(4), branch, children),
            st.builds(
                ast.Case,
                st.one_of(nums, names("v").map(ast.Symbol), st.builds(ast.Paren, expressions(3))),
                st.builds(
                    lambda a, e: tuple(with_trivia_free(x) for x in a) + e,
                    arms,
                    st.lists(else_arm, max_size=1).map(tuple),
                ),
                end_comments,
            ),
            st.builds(ast.For, st.none() | types, names("v"), expressions(3), children),
        )

    return st.recursive(simple, extend, max_leaves=max_leaves)


def with_trivia_free(node: Any) -> Any:
    """``node`` without trivia (for positions whose comments the parser attaches elsewhere)."""
    return _evolve(node, comments_before=(), trailing_comment=None, blank_line_before=False)


@cache
def blocks(max_leaves: int = 6) -> st.SearchStrategy[ast.Block]:
    """A ``{ ... }`` body of filter statements with trivia and closing comments."""
    return st.builds(ast.Block, statement_list(filter_statements(max_leaves)), end_comments)


@cache
def filters() -> st.SearchStrategy[ast.FilterDef]:
    """``filter`` definitions, with or without old-style declarations."""
    old_vars = st.lists(st.builds(ast.VarDecl, types, names("v")), max_size=2).map(tuple)
    return st.builds(ast.FilterDef, names("f"), old_vars, blocks())


@cache
def functions() -> st.SearchStrategy[ast.FunctionDef]:
    """``function`` definitions: parameters, optional return type, optional old-style declarations."""
    params = st.lists(st.builds(ast.Param, types, names("a")), max_size=3).map(tuple)
    old_vars = st.lists(st.builds(ast.VarDecl, types, names("v")), max_size=1).map(tuple)
    return st.builds(ast.FunctionDef, names("fn"), params, st.none() | types, old_vars, blocks())


# ---------------------------------------------------------------- generic options

#: option heads every protocol type takes (check refuses a protocol's option in another protocol)
_OPTION_HEADS = ["description", "disabled", "passive", "graceful", "debug", "interface", "password", "check"]
_FOLLOW_WORDS = ["time", "on", "off", "yes", "no", "all", "states", "routes", "link", "restart", "eth0", "x_y"]


@cache
def option_words() -> st.SearchStrategy[tuple[Any, ...]]:
    """The words after an option's head: values, bare words, ``{ flags }``, and punctuation in safe spots."""
    value = st.one_of(
        st.sampled_from(_FOLLOW_WORDS).map(ast.Word),
        nums,
        strings,
        ipv4_text.map(ast.Ip),
        ipv4_prefixes,
        st.lists(st.sampled_from(["states", "routes", "filters"]).map(ast.Word), min_size=1, max_size=3).map(
            lambda ws: ast.Braced(tuple(_comma_separated(ws)))
        ),
    )
    joined = st.one_of(
        value.map(lambda v: (v,)),
        st.tuples(nums, st.just(ast.Punct("..")), nums),
        st.tuples(nums, st.just(ast.Punct("/")), nums),
        st.tuples(st.just(ast.Punct("-")), st.one_of(strings, ipv4_prefixes)),
        st.tuples(ipv6_text.map(ast.Ip), st.just(ast.Punct("%")), st.just(ast.Word("eth0"))),
    )

    def flatten(groups: list[tuple[Any, ...]], commas: bool) -> tuple[Any, ...]:
        out: list[Any] = []
        for index, group in enumerate(groups):
            if index and commas:
                out.append(ast.Punct(","))
            out.extend(group)
        return tuple(out)

    return st.builds(flatten, st.lists(joined, max_size=4), st.booleans())


def _no_repeated_word(option: ast.Option) -> bool:
    """BIRD has no option that repeats a word (``hold time time;`` is refused)."""
    return not any(isinstance(a, ast.Word) and a == b for a, b in itertools.pairwise(option.words))


def _comma_separated(words: list[Any]) -> list[Any]:
    out: list[Any] = []
    for index, word in enumerate(words):
        if index:
            out.append(ast.Punct(","))
        out.append(word)
    return out


@cache
def options(depth: int = 1) -> st.SearchStrategy[ast.Option]:
    """Generic options, some with a nested ``{ ... };`` block of further options."""
    flat = st.builds(
        lambda head, rest: ast.Option((ast.Word(head), *rest)), st.sampled_from(_OPTION_HEADS), option_words()
    ).filter(_no_repeated_word)
    if depth == 0:
        return flat
    block = st.builds(ast.OptionBlock, statement_list(options(depth - 1), max_size=3), end_comments)
    return st.one_of(flat, st.builds(lambda option, b: _evolve(option, block=b), flat, block))


# ---------------------------------------------------------------- static routes, channels, protocols

_NET_TYPES = ["ipv4", "ipv6", "ipv4 multicast", "ipv6 multicast", "vpn4 mpls", "ipv6 sadr", "roa4", "flow4"]


@cache
def next_hops() -> st.SearchStrategy[ast.NextHop]:
    """One ``via``: an address (maybe ``%iface``) or a device, with options like ``weight 2``, ``mpls 1/2``."""
    hop_options = st.one_of(
        st.just(()),
        st.builds(lambda n: (ast.Word("weight"), ast.Num(str(n))), st.integers(1, 256)),
        st.just((ast.Word("bfd"),)),
        st.builds(
            lambda a, b: (ast.Word("label"), ast.Num(str(a)), ast.Punct("/"), ast.Num(str(b))), small_ints, small_ints
        ),
    )  # `onlink` and `mpls 1/2` are valid BIRD but the parser lexes them as keywords there (reported)
    return st.one_of(
        st.builds(ast.NextHop, ipv4_text.map(ast.Ip), st.none(), hop_options),
        st.builds(ast.NextHop, ipv6_text.map(ast.Ip), st.just("eth0") | quoted_names, hop_options),
        st.builds(ast.NextHop, strings.filter(lambda s: s.value != ""), st.none(), st.just(())),
    )


@cache
def static_routes() -> st.SearchStrategy[ast.StaticRoute]:
    """``route`` statements of every net and destination kind, some with an attribute block."""
    asn = st.one_of(nums, names("c").map(ast.Symbol))
    flow_items = st.lists(
        st.one_of(
            ipv4_prefixes.map(lambda p: ast.Option((ast.Word("dst"), p))),
            nums.map(lambda n: ast.Option((ast.Word("proto"), ast.Punct("="), n))),
        ),
        max_size=2,
    ).map(tuple)
    nets = st.one_of(
        ipv4_prefixes,
        ipv6_prefixes,
        st.builds(ast.RoaNet, ipv4_prefixes, st.integers(8, 32), asn),
        st.builds(ast.VpnNet, st.tuples(small_ints, small_ints).map(lambda p: ast.Rd(f"{p[0]}:{p[1]}")), ipv4_prefixes),
        st.builds(ast.SadrNet, ipv6_prefixes, ipv6_prefixes),
        st.builds(ast.FlowNet, st.sampled_from(["flow4"]), flow_items),
    )
    sink = st.sampled_from(["blackhole", "unreachable", "prohibit", "drop", "reject"])
    attributes = st.none() | st.builds(ast.Block, statement_list(_simple_statements(), max_size=2), st.just(()))
    aspa = st.builds(
        lambda asn_, providers: ast.StaticRoute(
            ast.AspaNet(
                asn_,
                (ast.Word("providers"), *_comma_separated([ast.Num(str(p)) for p in providers]))
                if providers
                else (ast.Word("transit"),),
            ),
            "none",
        ),
        nums,
        st.lists(small_ints, max_size=3),
    )
    return st.one_of(
        st.builds(lambda n, k, a: ast.StaticRoute(n, k, attributes=a), nets, sink, attributes),
        st.builds(
            lambda n, hops, label, a: ast.StaticRoute(n, "via", next_hops=tuple(hops), mpls_label=label, attributes=a),
            ipv4_prefixes,
            st.lists(next_hops(), min_size=1, max_size=2),
            st.none() | nums,
            attributes,
        ),
        st.builds(lambda n, to: ast.StaticRoute(n, "recursive", recursive_to=to), ipv4_prefixes, ipv4_text.map(ast.Ip)),
        st.builds(lambda n: ast.StaticRoute(n, "none"), nets),
        aspa,
    )


@cache
def policies() -> st.SearchStrategy[Any]:
    """``all``, ``none``, ``filter NAME``, ``filter { ... }`` and ``where EXPR``."""
    return st.one_of(
        st.just(ast.PolicyAll()),
        st.just(ast.PolicyNone()),
        names("f").map(ast.PolicyFilterName),
        st.builds(ast.PolicyFilterBody, blocks(4).map(with_trivia_free)),
        st.builds(ast.PolicyWhere, expressions(4)),
    )


@cache
def channel_items() -> st.SearchStrategy[Any]:
    """What a channel block holds: import/export (3.x ``export in``), table references, options."""
    return st.one_of(
        st.builds(ast.ImportExport, st.sampled_from(["import", "export"]), policies()),
        st.builds(lambda p, pre: ast.ImportExport("export", p, prefilter=pre), policies(), ipv4_prefixes),
        st.builds(ast.TableRef, names("t")),
        options(0),
    )


@cache
def channels() -> st.SearchStrategy[ast.Channel]:
    """``ipv4;`` or ``ipv4 { items };`` for every channel type."""
    return st.builds(
        ast.Channel,
        st.sampled_from(_NET_TYPES),
        st.none() | statement_list(channel_items()),
        end_comments,
    ).map(lambda c: c if c.items is not None else _evolve(c, comments_end=()))


@cache
def bgp_endpoints() -> st.SearchStrategy[ast.BgpEndpoint]:
    """``local``/``neighbor`` with address, ``%iface``, ``range``, port, AS, flags and extra words."""
    asn = st.one_of(nums, names("c").map(ast.Symbol), st.builds(ast.Paren, nums))
    flags = st.lists(st.sampled_from(["internal", "external", "onlink"]), max_size=2, unique=True).map(tuple)
    extra = st.sampled_from([(), (ast.Word("dev"), ast.Str("eth0"))])
    return st.one_of(
        st.builds(
            lambda role, addr, iface, port, as_, f, x: ast.BgpEndpoint(
                role, addr, iface if addr is not None else None, port, as_, flags=f, extra=x
            ),
            st.sampled_from(["local", "neighbor"]),
            st.none() | ipv4_text.map(ast.Ip) | ipv6_text.map(ast.Ip),
            st.none() | st.just("eth0"),
            st.none() | nums,
            st.none() | asn,
            flags,
            extra,
        ),
        st.builds(
            lambda p, as_: ast.BgpEndpoint("neighbor", p, is_range=True, asn=as_), ipv4_prefixes, st.none() | asn
        ),
    )


@cache
def protocol_items() -> st.SearchStrategy[Any]:
    """Everything a protocol block holds (``import``/``export`` outside a channel only in pipes and aggregators,
    static routes only in static protocols; the printer and parser do not care which protocol holds the
    aggregator's items)."""
    return st.one_of(
        channels(),
        aggregator_items(),
        bgp_endpoints(),
        options(),
        strings.map(lambda s: ast.Include(s.value.replace(" ", "_") or "x.conf")),
    )


_PROTO_TYPES = ["bgp", "static", "kernel", "device", "direct", "ospf v2", "ospf v3", "rip ng", "pipe", "babel"]


@cache
def protocols() -> st.SearchStrategy[ast.Protocol]:
    """``protocol`` and ``template`` blocks of every type, named or not, ``from`` a template or not."""
    pipe_items = st.one_of(
        st.builds(ast.ImportExport, st.sampled_from(["import", "export"]), policies()),
        st.builds(ast.TableRef, names("t"), st.booleans()),
        options(0),
    )
    # MRT's own filter: any policy but all/none
    mrt_filters = policies().filter(lambda policy: not isinstance(policy, (ast.PolicyAll, ast.PolicyNone)))
    mrt_items = st.one_of(mrt_filters.map(ast.ProtocolFilter), options(0))
    return st.one_of(
        st.builds(
            ast.Protocol,
            st.sampled_from(_PROTO_TYPES),
            st.none() | names("p") | quoted_names,
            statement_list(protocol_items(), max_size=5),
            from_template=st.none() | names("tp"),
            is_template=st.booleans(),
            comments_end=end_comments,
        ),
        st.builds(ast.Protocol, st.just("pipe"), names("p"), statement_list(pipe_items), comments_end=end_comments),
        st.builds(ast.Protocol, st.just("mrt"), names("p"), statement_list(mrt_items), comments_end=end_comments),
        st.builds(
            ast.Protocol,
            st.just("static"),
            names("p"),
            statement_list(st.one_of(static_routes(), protocol_items()), max_size=5),
            comments_end=end_comments,
        ),
    )


@cache
def aggregator_items() -> st.SearchStrategy[ast.AggregateOn | ast.MergeBy]:
    """The aggregator's own items: ``aggregate on`` keys (attribute names or parenthesized terms), ``merge by``."""
    key = st.one_of(names("a").map(ast.Symbol), expressions(3).map(ast.Paren))
    return st.one_of(
        st.lists(key, min_size=1, max_size=3).map(lambda keys: ast.AggregateOn(tuple(keys))),
        blocks(4).map(ast.MergeBy),
    )


_TOP_OPTION_HEADS = ["log", "debug", "timeformat", "mrtdump", "hostname", "watchdog", "threads", "graceful"]


@cache
def top_level() -> st.SearchStrategy[Any]:
    """Every top-level statement kind."""
    return st.one_of(
        strings.map(lambda s: ast.Include(s.value or "x.conf")),
        # BIRD 3.3 (the default target) rejects a bare MAC constant in a define
        st.builds(ast.Define, names("c"), expressions(4).filter(lambda value: not isinstance(value, ast.Mac))),
        st.builds(ast.RouterId, st.one_of(nums, ipv4_text.map(ast.Ip), names("c").map(ast.Symbol))),
        st.builds(
            ast.AttributeDecl, st.sampled_from(["int", "ip", "quad", "bgppath", "clist"]).map(ast.TypeRef), names("a")
        ),
        st.builds(
            lambda code, name: ast.AttributeDecl(ast.TypeRef("bytestring"), name, bgp_code=code),
            st.integers(1, 255),
            names("a"),
        ),
        st.builds(
            ast.Table,
            st.sampled_from(["ipv4", "ipv6", "roa4", "vpn4", "ipv6 sadr"]),
            names("t"),
            st.booleans(),
            st.none() | statement_list(options(0), max_size=2),
        ).map(lambda t: t if t.options is not None else _evolve(t, comments_end=())),
        st.builds(
            lambda head, rest: ast.Option((ast.Word(head), *rest)), st.sampled_from(_TOP_OPTION_HEADS), option_words()
        ).filter(_no_repeated_word),
        protocols(),
        filters(),
        functions(),
    )


@cache
def configs(statement: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[ast.Config]:
    """A Config of top-level statements (or of ``statement``), with trivia and comments at the end."""
    return st.builds(
        ast.Config, statement_list(statement if statement is not None else top_level(), max_size=5), end_comments
    )
