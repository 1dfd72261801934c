"""The AST builder: one method per grammar rule turns the parser's matched children into typed AST nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from birdkit.config import ast, engine
from birdkit.config.keywords import words
from birdkit.config.literals import number
from birdkit.config.trivia import with_blank_lines
from birdkit.errors import BirdSyntaxError
from birdkit.span import Span

if TYPE_CHECKING:
    from birdkit.config.engine import Token


def _unquote(token: Token | str) -> str:
    text = str(token)
    return text[1:-1] if text[:1] in ("'", '"') else text


class _Labels:
    def __init__(self, labels: tuple[ast.Expr, ...], span: Span | None) -> None:
        self.labels = labels
        self.span = span


class _Items:
    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items


def _statements(children: Iterable[Any]) -> tuple[Any, ...]:
    return tuple([child for child in children if child is not None])


#: grammar rules that only group words; each becomes the words as written
_KEYWORD_RULES = words(
    "net_kw proto_kw proto_variant channel_mod direction endpoint_kw endpoint_flag_kw flow_kw route_sink type_kw "
    "print_kw net_type proto_type channel_type"
)

_EC_KINDS = frozenset({"rt", "ro", "generic"})

_POLICY_TYPES = (ast.PolicyAll, ast.PolicyNone, ast.PolicyFilterName, ast.PolicyFilterBody, ast.PolicyWhere)

_Pos = engine.Pos


def _words_as_written(builder: AstBuilder, meta: _Pos, children: list[Any]) -> str:
    return " ".join(str(child) for child in children if child is not None)


def _punct(text: str) -> Callable[[AstBuilder, _Pos, list[Any]], ast.Punct]:
    """The builder of a rule that keeps one punctuation mark as an option word."""

    def build(builder: AstBuilder, meta: _Pos, children: list[Any]) -> ast.Punct:
        return ast.Punct(text, span=meta)

    return build


def _binary(operator: str) -> Callable[[AstBuilder, _Pos, list[Any]], ast.Binary]:
    """The builder of a rule for one binary operator whose token the grammar drops."""

    def build(builder: AstBuilder, meta: _Pos, children: list[Any]) -> ast.Binary:
        left, right = children
        return ast.Binary(operator, left, right, span=meta)

    return build


class AstBuilder:
    """Builds AST nodes from the private Lark tree (one method per grammar rule); every node gets a span."""

    #: rules whose value is the text of their words alone (the engine computes them once per statement shape)
    TEXT_RULES = _KEYWORD_RULES

    def __init__(self, path: str | None, lines: list[str]) -> None:
        self.path = path
        self.lines = lines

    def _items(self, children: Iterable[Any]) -> tuple[Any, ...]:
        return with_blank_lines(_statements(children), self.lines)

    def _token_span(self, token: Token) -> Span:
        return Span(self.path, token.line or 1, token.column or 1, token.end_line, token.end_column)

    def _error(self, message: str, span: Span | None, hint: str | None = None) -> BirdSyntaxError:
        line = self.lines[span.line - 1] if span and 0 < span.line <= len(self.lines) else None
        return BirdSyntaxError(message, span=span, source_line=line, hint=hint)

    # ------------------------------------------------ rules that only group words (TEXT_RULES)

    net_kw = proto_kw = proto_variant = channel_mod = direction = endpoint_kw = endpoint_flag_kw = _words_as_written
    flow_kw = route_sink = type_kw = print_kw = net_type = proto_type = channel_type = _words_as_written

    # ------------------------------------------------ one punctuation mark kept as an option word

    punct_minus = _punct("-")
    punct_eq = _punct("=")
    punct_lt = _punct("<")
    punct_gt = _punct(">")
    punct_slash = _punct("/")
    punct_percent = _punct("%")
    punct_comma = _punct(",")
    punct_range = _punct("..")
    punct_not = _punct("!")
    punct_plus = _punct("+")
    punct_star = _punct("*")

    # ------------------------------------------------ a binary operator the grammar writes as a literal (dropped)

    binary_eq = _binary("=")
    binary_lt = _binary("<")
    binary_gt = _binary(">")
    binary_minus = _binary("-")
    binary_plus = _binary("+")
    binary_star = _binary("*")
    binary_slash = _binary("/")

    # ------------------------------------------------ top level

    def config(self, meta: _Pos, children: list[Any]) -> ast.Config:
        return ast.Config(self._items(children), span=meta)

    def proto_body(self, meta: _Pos, children: list[Any]) -> ast.Protocol:
        return ast.Protocol("", None, self._items(children), span=meta)

    def channel_body(self, meta: _Pos, children: list[Any]) -> ast.Channel:
        return ast.Channel("", self._items(children), span=meta)

    def block_body(self, meta: _Pos, children: list[Any]) -> ast.OptionBlock:
        return ast.OptionBlock(self._items(children), span=meta)

    def fstmt_body(self, meta: _Pos, children: list[Any]) -> ast.Block:
        return ast.Block(self._items(children), span=meta)

    def empty(self, meta: _Pos, children: list[Any]) -> None:
        return None

    def include(self, meta: _Pos, children: list[Any]) -> ast.Include:
        span = meta
        if span is not None and self.lines[span.line - 1][: span.column - 1].strip():
            raise self._error("'include' must start a line", span, hint='put include "file"; on a line of its own')
        return ast.Include(_unquote(children[0]), span=span)

    def define(self, meta: _Pos, children: list[Any]) -> ast.Define:
        return ast.Define(_unquote(children[0]), children[1], span=meta)

    def router_id(self, meta: _Pos, children: list[Any]) -> ast.RouterId:
        return ast.RouterId(children[0], span=meta)

    def router_id_from(self, meta: _Pos, children: list[Any]) -> ast.Option:
        words = (ast.Word("router"), ast.Word("id"), ast.Word("from"), *children)
        return ast.Option(words, span=meta)

    def attribute_decl(self, meta: _Pos, children: list[Any]) -> ast.AttributeDecl:
        return ast.AttributeDecl(children[0], _unquote(children[1]), span=meta)

    def attribute_bgp(self, meta: _Pos, children: list[Any]) -> ast.AttributeDecl:
        code, name = children
        return ast.AttributeDecl(ast.TypeRef("bytestring"), _unquote(name), bgp_code=number(str(code)), span=meta)

    def table(self, meta: _Pos, children: list[Any]) -> ast.Table:
        net_type, name, is_sorted, block = children
        return ast.Table(
            net_type,
            _unquote(name),
            sorted=is_sorted is not None,
            options=block.items if block is not None else None,
            span=meta,
        )

    def table_block(self, meta: _Pos, children: list[Any]) -> _Items:
        return _Items(self._items(children))

    def top_call(self, meta: _Pos, children: list[Any]) -> ast.ExprStmt:
        name, args = children
        span = meta
        return ast.ExprStmt(ast.Call(str(name), args or (), span=span), span=span)

    def top_option(self, meta: _Pos, children: list[Any]) -> ast.Option:
        head, *rest = children
        lead = (
            [ast.Word(word) for word in head.split()]
            if type(head) is str  # a keyword rule's text, not a token
            else [ast.Word(str(head), span=self._token_span(head))]
        )
        return self._option(lead, rest, meta)

    def _option(self, lead: list[Any], rest: list[Any], meta: _Pos) -> ast.Option:
        block = rest.pop() if rest and isinstance(rest[-1], ast.OptionBlock) else None
        return ast.Option((*lead, *rest), block, span=meta)

    # ------------------------------------------------ generic options

    def option_block(self, meta: _Pos, children: list[Any]) -> ast.OptionBlock:
        return ast.OptionBlock(self._items(children), span=meta)

    def option(self, meta: _Pos, children: list[Any]) -> ast.Option:
        return self._option([], list(children), meta)

    def word(self, meta: _Pos, children: list[Any]) -> ast.Word:
        return ast.Word(str(children[0]), span=meta)

    def punct(self, meta: _Pos, children: list[Any]) -> ast.Punct:
        return ast.Punct(str(children[0]), span=meta)

    def braced(self, meta: _Pos, children: list[Any]) -> ast.Braced:
        return ast.Braced(tuple(children), span=meta)

    # ------------------------------------------------ protocols

    def protocol(self, meta: _Pos, children: list[Any]) -> ast.Protocol:
        keyword, proto_type, name, from_template, *items = children
        return ast.Protocol(
            proto_type,
            _unquote(name) if name is not None else None,
            self._items(items),
            from_template=from_template,
            is_template=str(keyword) == "template",
            span=meta,
        )

    def proto_from(self, meta: _Pos, children: list[Any]) -> str:
        return _unquote(children[0])

    def proto_option(self, meta: _Pos, children: list[Any]) -> ast.Option:
        head, *rest = children
        return self._option([ast.Word(str(head), span=self._token_span(head))], rest, meta)

    def route_option(self, meta: _Pos, children: list[Any]) -> ast.Option:
        head, *rest = children
        return self._option([ast.Word("route"), ast.Word(str(head), span=self._token_span(head))], rest, meta)

    def merge_option(self, meta: _Pos, children: list[Any]) -> ast.Option:
        head, *rest = children
        return self._option([ast.Word("merge"), ast.Word(str(head), span=self._token_span(head))], rest, meta)

    def aggregate_on(self, meta: _Pos, children: list[Any]) -> ast.AggregateOn:
        return ast.AggregateOn(tuple(children), span=meta)

    def merge_by(self, meta: _Pos, children: list[Any]) -> ast.MergeBy:
        return ast.MergeBy(children[0], span=meta)

    def table_glob(self, meta: _Pos, children: list[Any]) -> ast.Option:
        return ast.Option((ast.Word("table"), ast.Str(_unquote(children[0]))), span=meta)

    def channel(self, meta: _Pos, children: list[Any]) -> ast.Channel:
        return ast.Channel(children[0], None, span=meta)

    def channel_with_block(self, meta: _Pos, children: list[Any]) -> ast.Channel:
        return ast.Channel(children[0], self._items(children[1:]), span=meta)

    def import_export(self, meta: _Pos, children: list[Any]) -> ast.Statement:
        direction, *rest = children
        if len(rest) == 1 and isinstance(rest[0], _POLICY_TYPES):
            return ast.ImportExport(str(direction), rest[0], span=meta)
        if len(rest) == 2 and isinstance(rest[1], _POLICY_TYPES):
            return ast.ImportExport(str(direction), rest[1], prefilter=rest[0], span=meta)
        return self._option([ast.Word(direction)], rest, meta)

    def protocol_filter(self, meta: _Pos, children: list[Any]) -> ast.ProtocolFilter:
        return ast.ProtocolFilter(children[0], span=meta)

    def policy_all(self, meta: _Pos, children: list[Any]) -> ast.PolicyAll:
        return ast.PolicyAll(span=meta)

    def policy_none(self, meta: _Pos, children: list[Any]) -> ast.PolicyNone:
        return ast.PolicyNone(span=meta)

    def policy_filter_name(self, meta: _Pos, children: list[Any]) -> ast.PolicyFilterName:
        return ast.PolicyFilterName(_unquote(children[0]), span=meta)

    def policy_filter_body(self, meta: _Pos, children: list[Any]) -> ast.PolicyFilterBody:
        return ast.PolicyFilterBody(children[0], span=meta)

    def policy_where(self, meta: _Pos, children: list[Any]) -> ast.PolicyWhere:
        return ast.PolicyWhere(children[0], span=meta)

    def table_ref(self, meta: _Pos, children: list[Any]) -> ast.TableRef:
        return ast.TableRef(_unquote(children[0]), span=meta)

    def peer_table_ref(self, meta: _Pos, children: list[Any]) -> ast.TableRef:
        return ast.TableRef(_unquote(children[0]), peer=True, span=meta)

    def bgp_endpoint(self, meta: _Pos, children: list[Any]) -> ast.BgpEndpoint:
        role, address, *rest = children
        extra: tuple[Any, ...] = ()
        if rest and (rest[-1] is None or (isinstance(rest[-1], tuple) and rest[-1][:1] == ("extra",))):
            tail = rest.pop()
            extra = tail[1] if tail is not None else ()
        fields: dict[str, Any] = {"flags": ()}
        if address is not None:
            kind, value, iface = address
            fields["address"] = value
            fields["iface"] = iface
            fields["is_range"] = kind == "range"
        for key, value in rest:
            if key == "flag":
                fields["flags"] = (*fields["flags"], value)
            else:
                fields[key] = value
        return ast.BgpEndpoint(str(role), extra=extra, span=meta, **fields)

    def endpoint_address(self, meta: _Pos, children: list[Any]) -> tuple[str, Any, str | None]:
        address, iface = children
        return ("address", ast.Ip(str(address), span=self._token_span(address)), _unquote(iface) if iface else None)

    def endpoint_range(self, meta: _Pos, children: list[Any]) -> tuple[str, Any, None]:
        return ("range", children[0], None)

    def endpoint_port(self, meta: _Pos, children: list[Any]) -> tuple[str, Any]:
        return ("port", children[0])

    def endpoint_as(self, meta: _Pos, children: list[Any]) -> tuple[str, Any]:
        return ("asn", children[0])

    def endpoint_flag(self, meta: _Pos, children: list[Any]) -> tuple[str, str]:
        return ("flag", str(children[0]))

    def endpoint_extra(self, meta: _Pos, children: list[Any]) -> tuple[str, tuple[Any, ...]]:
        head, *rest = children
        return ("extra", (ast.Word(str(head), span=self._token_span(head)), *rest))

    # ------------------------------------------------ static routes

    def static_route(self, meta: _Pos, children: list[Any]) -> ast.StaticRoute:
        net, mpls, dest, block = children
        kind, payload = dest
        labels: tuple[ast.Expr, ...] = ()
        if kind == "recursive_mpls":
            kind, (payload, labels) = "recursive", payload
        return ast.StaticRoute(
            net,
            kind,
            next_hops=payload if kind == "via" else (),
            recursive_to=payload if kind == "recursive" else None,
            mpls_label=mpls,
            attributes=block,
            recursive_labels=labels,
            span=meta,
        )

    def aspa_route(self, meta: _Pos, children: list[Any]) -> ast.StaticRoute:
        asn, *words = children
        net = ast.AspaNet(asn, tuple(words), span=meta)
        return ast.StaticRoute(net, "none", span=meta)

    def roa_net(self, meta: _Pos, children: list[Any]) -> ast.RoaNet:
        prefix, max_length, asn = children
        return ast.RoaNet(prefix, number(str(max_length)), asn, span=meta)

    def vpn_net(self, meta: _Pos, children: list[Any]) -> ast.VpnNet:
        rd, prefix = children
        return ast.VpnNet(ast.Rd(str(rd), span=self._token_span(rd)), prefix, span=meta)

    def sadr_net(self, meta: _Pos, children: list[Any]) -> ast.SadrNet:
        return ast.SadrNet(children[0], children[1], span=meta)

    def flow_net(self, meta: _Pos, children: list[Any]) -> ast.FlowNet:
        family, *items = children
        return ast.FlowNet(str(family), self._items(items), span=meta)

    def route_mpls(self, meta: _Pos, children: list[Any]) -> ast.Num:
        return ast.Num(str(children[0]), span=meta)

    def dest_via(self, meta: _Pos, children: list[Any]) -> tuple[str, tuple[ast.NextHop, ...]]:
        return ("via", tuple(children))

    def dest_sink(self, meta: _Pos, children: list[Any]) -> tuple[str, None]:
        return (str(children[0]), None)

    def dest_recursive(self, meta: _Pos, children: list[Any]) -> tuple[str, Any]:
        return ("recursive", children[0])

    def dest_recursive_mpls(self, meta: _Pos, children: list[Any]) -> tuple[str, Any]:
        gateway, *tokens = children
        labels = tuple(ast.Num(str(token), span=self._token_span(token)) for token in tokens)
        return ("recursive_mpls", (gateway, labels))

    def dest_none(self, meta: _Pos, children: list[Any]) -> tuple[str, None]:
        return ("none", None)

    def next_hop(self, meta: _Pos, children: list[Any]) -> ast.NextHop:
        address, iface, *options = children
        gateway = ast.Ip(str(address), span=self._token_span(address))
        return ast.NextHop(gateway, _unquote(iface) if iface is not None else None, tuple(options), span=meta)

    def next_hop_symbol(self, meta: _Pos, children: list[Any]) -> ast.NextHop:
        name, *options = children
        gateway = ast.Symbol(str(name), span=self._token_span(name))
        return ast.NextHop(gateway, None, tuple(options), span=meta)

    def next_hop_device(self, meta: _Pos, children: list[Any]) -> ast.NextHop:
        device, *options = children
        gateway = ast.Str(_unquote(device), span=self._token_span(device))
        return ast.NextHop(gateway, None, tuple(options), span=meta)

    # ------------------------------------------------ filters and functions

    def filter_def(self, meta: _Pos, children: list[Any]) -> ast.FilterDef:
        name, *local_vars, body = children
        return ast.FilterDef(_unquote(name), tuple(local_vars), body, span=meta)

    def function_def(self, meta: _Pos, children: list[Any]) -> ast.FunctionDef:
        name, params, return_type, *local_vars, body = children
        return ast.FunctionDef(_unquote(name), params or (), return_type, tuple(local_vars), body, span=meta)

    def params(self, meta: _Pos, children: list[Any]) -> tuple[ast.Param, ...]:
        return tuple(children)

    def param(self, meta: _Pos, children: list[Any]) -> ast.Param:
        return ast.Param(children[0], _unquote(children[1]), span=meta)

    def return_type(self, meta: _Pos, children: list[Any]) -> ast.TypeRef:
        return children[0]  # type: ignore[no-any-return]

    def var_decl_old(self, meta: _Pos, children: list[Any]) -> ast.VarDecl:
        return ast.VarDecl(children[0], _unquote(children[1]), span=meta)

    def type(self, meta: _Pos, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(str(children[0]), span=meta)

    def type_set(self, meta: _Pos, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(f"{children[0]} set", span=meta)

    def type_enum(self, meta: _Pos, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(f"enum {children[0]}", span=meta)

    def type_enum_set(self, meta: _Pos, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(f"enum {children[0]} set", span=meta)

    def block(self, meta: _Pos, children: list[Any]) -> ast.Block:
        return ast.Block(self._items(children), span=meta)

    def var_decl(self, meta: _Pos, children: list[Any]) -> ast.VarDecl:
        var_type, name, value = children
        return ast.VarDecl(var_type, _unquote(name), value, span=meta)

    def assign(self, meta: _Pos, children: list[Any]) -> ast.Assign:
        return ast.Assign(_unquote(children[0]), children[1], span=meta)

    def if_stmt(self, meta: _Pos, children: list[Any]) -> ast.If:
        condition, then_branch, else_branch = children
        return ast.If(condition, then_branch, else_branch, span=meta)

    def for_stmt(self, meta: _Pos, children: list[Any]) -> ast.For:
        var_type, var, iterable, body = children
        return ast.For(var_type, _unquote(var), iterable, body, span=meta)

    def accept_stmt(self, meta: _Pos, children: list[Any]) -> ast.Accept:
        return ast.Accept(children[0] or (), span=meta)

    def reject_stmt(self, meta: _Pos, children: list[Any]) -> ast.Reject:
        return ast.Reject(children[0] or (), span=meta)

    def error_stmt(self, meta: _Pos, children: list[Any]) -> ast.ErrorStmt:
        return ast.ErrorStmt(children[0] or (), span=meta)

    def quitbird_stmt(self, meta: _Pos, children: list[Any]) -> ast.Quitbird:
        return ast.Quitbird(children[0] or (), span=meta)

    def return_stmt(self, meta: _Pos, children: list[Any]) -> ast.Return:
        return ast.Return(children[0], span=meta)

    def print_stmt(self, meta: _Pos, children: list[Any]) -> ast.Print:
        keyword, args = children
        return ast.Print(args or (), newline=str(keyword) == "print", span=meta)

    def expr_stmt(self, meta: _Pos, children: list[Any]) -> ast.ExprStmt:
        expr = children[0]
        span = meta
        if not isinstance(expr, (ast.Call, ast.MethodCall)):
            raise self._error(
                "expected a statement, found an expression",
                span,
                hint="only function and method calls can stand alone; did you mean an assignment 'x = ...;'?",
            )
        return ast.ExprStmt(expr, span=span)

    def case_stmt(self, meta: _Pos, children: list[Any]) -> ast.Case:
        subject, *items = children
        arms: list[ast.CaseArm] = []
        labels: _Labels | None = None
        body: list[ast.Statement] = []
        for item in items:
            if isinstance(item, _Labels):
                if labels is not None:
                    arms.append(self._arm(labels, body))
                labels, body = item, []
            elif labels is None:
                raise self._error("expected a case label before this statement", item.span)
            else:
                body.append(item)
        if labels is not None:
            arms.append(self._arm(labels, body))
        return ast.Case(subject, self._items(arms), span=meta)

    def _arm(self, labels: _Labels, body: list[ast.Statement]) -> ast.CaseArm:
        start = labels.span
        end = body[-1].span if body and body[-1].span is not None else start
        span = None
        if start is not None and end is not None:
            span = Span(self.path, start.line, start.column, end.end_line, end.end_column)
        return ast.CaseArm(labels.labels, self._items(body), span=span)

    def case_labels(self, meta: _Pos, children: list[Any]) -> _Labels:
        return _Labels(tuple(children), meta)

    def case_else(self, meta: _Pos, children: list[Any]) -> _Labels:
        return _Labels((), self._token_span(children[0]))

    def args(self, meta: _Pos, children: list[Any]) -> tuple[Any, ...]:
        return tuple(children)

    # ------------------------------------------------ expressions

    def binary(self, meta: _Pos, children: list[Any]) -> ast.Binary:
        left, operator, right = children
        return ast.Binary(str(operator), left, right, span=meta)

    def not_(self, meta: _Pos, children: list[Any]) -> ast.Not:
        return ast.Not(children[0], span=meta)

    def attribute(self, meta: _Pos, children: list[Any]) -> ast.MethodCall:
        return ast.MethodCall(children[0], _unquote(children[1]), None, span=meta)

    def method_call(self, meta: _Pos, children: list[Any]) -> ast.MethodCall:
        target, name, args = children
        return ast.MethodCall(target, _unquote(name), args or (), span=meta)

    def num(self, meta: _Pos, children: list[Any]) -> ast.Num:
        return ast.Num(str(children[0]), span=meta)

    def true(self, meta: _Pos, children: list[Any]) -> ast.Bool:
        return ast.Bool(True, span=meta)

    def false(self, meta: _Pos, children: list[Any]) -> ast.Bool:
        return ast.Bool(False, span=meta)

    def string(self, meta: _Pos, children: list[Any]) -> ast.Str:
        return ast.Str(_unquote(children[0]), span=meta)

    def ip(self, meta: _Pos, children: list[Any]) -> ast.Ip:
        return ast.Ip(str(children[0]), span=meta)

    def rd(self, meta: _Pos, children: list[Any]) -> ast.Rd:
        return ast.Rd(str(children[0]), span=meta)

    def bytestring(self, meta: _Pos, children: list[Any]) -> ast.ByteString:
        return ast.ByteString(str(children[0]), span=meta)

    def mac(self, meta: _Pos, children: list[Any]) -> ast.Mac:
        return ast.Mac(str(children[0]), span=meta)

    def empty_list(self, meta: _Pos, children: list[Any]) -> ast.EmptyList:
        return ast.EmptyList("".join(str(child) for child in children), span=meta)

    def symbol(self, meta: _Pos, children: list[Any]) -> ast.Symbol:
        return ast.Symbol(_unquote(children[0]), span=meta)

    def call(self, meta: _Pos, children: list[Any]) -> ast.Call:
        name, args = children
        return ast.Call(_unquote(name), args or (), span=meta)

    def paren(self, meta: _Pos, children: list[Any]) -> ast.Paren:
        return ast.Paren(children[0], span=meta)

    def pair(self, meta: _Pos, children: list[Any]) -> ast.Pair:
        return ast.Pair(children[0], children[1], span=meta)

    def triple(self, meta: _Pos, children: list[Any]) -> ast.LargeCommunity | ast.ExtCommunity:
        first, second, third = children
        if isinstance(first, ast.Symbol) and first.name in _EC_KINDS:
            return ast.ExtCommunity(first.name, second, third, span=meta)
        return ast.LargeCommunity(first, second, third, span=meta)

    def ec_unknown(self, meta: _Pos, children: list[Any]) -> ast.ExtCommunity:
        subtype, key, value = children
        return ast.ExtCommunity("unknown", key, value, subtype, span=meta)

    def set_lit(self, meta: _Pos, children: list[Any]) -> ast.SetLit:
        return ast.SetLit(_statements(children), span=meta)

    def range(self, meta: _Pos, children: list[Any]) -> ast.Range:
        return ast.Range(children[0], children[1], span=meta)

    def wildcard(self, meta: _Pos, children: list[Any]) -> ast.Wildcard:
        return ast.Wildcard(span=meta)

    def prefix(self, meta: _Pos, children: list[Any]) -> ast.Prefix:
        address, length = children
        return ast.Prefix(address.text, number(str(length)), span=meta)

    def word_prefix(self, meta: _Pos, children: list[Any]) -> ast.Prefix:
        address, length = children
        return ast.Prefix(str(address), number(str(length)), span=meta)

    def pattern_plus(self, meta: _Pos, children: list[Any]) -> ast.PrefixPattern:
        return ast.PrefixPattern(children[0], "+", span=meta)

    def pattern_minus(self, meta: _Pos, children: list[Any]) -> ast.PrefixPattern:
        return ast.PrefixPattern(children[0], "-", span=meta)

    def pattern_range(self, meta: _Pos, children: list[Any]) -> ast.PrefixPattern:
        prefix, low, high = children
        return ast.PrefixPattern(prefix, "{}", number(str(low)), number(str(high)), span=meta)

    def path_mask(self, meta: _Pos, children: list[Any]) -> ast.PathMask:
        return ast.PathMask(tuple(children), span=meta)

    def mask_any(self, meta: _Pos, children: list[Any]) -> ast.MaskAny:
        return ast.MaskAny(span=meta)

    def mask_one(self, meta: _Pos, children: list[Any]) -> ast.MaskOne:
        return ast.MaskOne(span=meta)

    def mask_plus(self, meta: _Pos, children: list[Any]) -> ast.MaskPlus:
        return ast.MaskPlus(span=meta)

    def mask_range(self, meta: _Pos, children: list[Any]) -> ast.Range:
        low, high = children
        return ast.Range(
            ast.Num(str(low), span=self._token_span(low)),
            ast.Num(str(high), span=self._token_span(high)),
            span=meta,
        )
