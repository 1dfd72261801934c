"""The config formatter: AST to canonical BIRD text, one printer function per node class.

Canonical layout
----------------
* 4 spaces of indentation per block level; one statement per line; a newline ends the file.
* Blocks open on the header line and close on a line of their own: ``protocol bgp vm2 {`` ... ``}``.
  An empty block prints as ``{}`` (``protocol device {}``).
* Protocol-level blocks end in ``};`` as BIRD requires: channels (``ipv4 { ... };``, or ``ipv4;`` with no
  block), static-route attribute blocks, inline filters (``import filter { ... };``) and option blocks
  (``interface "eth*" { ... };``). Top-level ``protocol``, ``template``, ``filter``, ``function`` and table
  blocks end in ``}``; a table without options ends in ``;`` (``ipv4 table pods;``).
* Trivia is printed where the AST keeps it: ``comments_before`` verbatim on their own lines at the
  statement's indentation, then the statement, then ``trailing_comment`` after two spaces. A statement with
  ``blank_line_before`` gets one empty line above it (and above its comments); runs of blank lines become
  one. Comments after a block's last statement (``comments_end``) close the block.
* Expressions: one space around binary operators, none inside parentheses, ``, `` between arguments and
  set items, ``a..b`` ranges, ``(a, b)`` pairs, ``[= * 65000 ? =]`` path masks. Parentheses that the tree
  keeps (``Paren``) are printed; where a tree's grouping needs parentheses that it does not keep, they are
  added, so the text always means what the tree means.
* Filter statements: ``if c then stmt;`` on one line when the branch is a single statement, ``if c then {``
  ... ``} else {`` ... ``}`` with blocks; ``case x {`` with each arm's labels on a line (``1, 2..5:``,
  ``else:``) and its statements one level deeper.
* BGP endpoints print in a fixed order: ``neighbor ADDRESS[%IFACE] port N as ASN FLAGS... EXTRA...;``.
* Options birdkit has no node for print word by word: one space between words, none before ``,``, none
  around ``%``, ``/`` and ``..``, none after a leading ``-`` or ``!``.

Formatting is idempotent, and ``parse_config(format_config(ast)) == ast`` for every tree the parser makes.
A node class without a printer raises :class:`TypeError`, never prints something approximate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from birdkit.config import ast
from birdkit.config.literals import quote_string
from birdkit.stack import deep_stack

INDENT = "    "

_N = TypeVar("_N", bound=ast.Node)

#: node class -> function printing it; statements print to lines, everything else to a string
STATEMENT_PRINTERS: dict[type[ast.Node], Callable[[Any, str], list[str]]] = {}
INLINE_PRINTERS: dict[type[ast.Node], Callable[[Any], str]] = {}


def _statement(cls: type[_N]) -> Callable[[Callable[[_N, str], list[str]]], Callable[[_N, str], list[str]]]:
    def register(function: Callable[[_N, str], list[str]]) -> Callable[[_N, str], list[str]]:
        STATEMENT_PRINTERS[cls] = function
        return function

    return register


def _inline(cls: type[_N]) -> Callable[[Callable[[_N], str]], Callable[[_N], str]]:
    def register(function: Callable[[_N], str]) -> Callable[[_N], str]:
        INLINE_PRINTERS[cls] = function
        return function

    return register


@deep_stack
def format_config(config: ast.Config) -> str:
    """The canonical text of ``config`` (see the module docstring for the layout)."""
    lines = _statements(config.statements, "")
    lines += [comment.text for comment in config.comments_end]
    return "\n".join(lines) + "\n" if lines else ""


def format_node(node: ast.Node, indent: str = "") -> str:
    """The canonical text of any node: statements as lines (no final newline), other nodes inline."""
    if type(node) in STATEMENT_PRINTERS:
        return "\n".join(statement_lines(node, indent))
    return expr(node)


def expr(node: ast.Node) -> str:
    """An expression, literal, option word or other inline node as text."""
    printer = INLINE_PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"format_config has no printer for {type(node).__name__} (an inline node)")
    return printer(node)


def statement_lines(node: ast.Node, indent: str) -> list[str]:
    """A statement with its trivia: blank line, comments before, the statement, trailing comment."""
    printer = STATEMENT_PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"format_config has no printer for {type(node).__name__} (a statement)")
    assert isinstance(node, ast.Statement)
    lines = [""] if node.blank_line_before else []
    lines += [indent + comment.text for comment in node.comments_before]
    body = printer(node, indent)
    if node.trailing_comment is not None:
        body[-1] = f"{body[-1]}  {node.trailing_comment.text}"
    return lines + body


def _statements(items: tuple[ast.Statement, ...] | None, indent: str) -> list[str]:
    lines: list[str] = []
    for item in items or ():
        lines += statement_lines(item, indent)
    return lines


def _block(
    head: str,
    items: tuple[ast.Statement, ...] | None,
    comments_end: tuple[ast.Comment, ...],
    indent: str,
    close: str = "}",
) -> list[str]:
    """``head {``, the items one level deeper, the closing comments, ``close`` (``}`` or ``};``)."""
    opener = f"{indent}{head} {{" if head else f"{indent}{{"
    inner = _statements(items, indent + INDENT) + [indent + INDENT + c.text for c in comments_end]
    if not inner:
        return [opener + close]
    return [opener, *inner, indent + close]


def _name(name: str) -> str:
    return f"'{name}'" if ast.needs_quotes(name) else name


def _join(items: tuple[ast.Node, ...] | list[ast.Node], separator: str = ", ") -> str:
    return separator.join(expr(item) for item in items)


# ---------------------------------------------------------------- top level


@_statement(ast.Include)
def _include(node: ast.Include, indent: str) -> list[str]:
    return [f'{indent}include "{node.path}";']


@_statement(ast.Define)
def _define(node: ast.Define, indent: str) -> list[str]:
    return [f"{indent}define {_name(node.name)} = {expr(node.value)};"]


@_statement(ast.RouterId)
def _router_id(node: ast.RouterId, indent: str) -> list[str]:
    return [f"{indent}router id {expr(node.value)};"]


@_statement(ast.AttributeDecl)
def _attribute_decl(node: ast.AttributeDecl, indent: str) -> list[str]:
    if node.bgp_code is not None:
        return [f"{indent}attribute bgp {node.bgp_code} {node.type.name} {_name(node.name)};"]
    return [f"{indent}attribute {node.type.name} {_name(node.name)};"]


@_statement(ast.Table)
def _table(node: ast.Table, indent: str) -> list[str]:
    head = f"{node.net_type} table {_name(node.name)}" + (" sorted" if node.sorted else "")
    if node.options is None:
        return [f"{indent}{head};"]
    return _block(head, node.options, node.comments_end, indent)


@_statement(ast.Protocol)
def _protocol(node: ast.Protocol, indent: str) -> list[str]:
    head = f"{'template' if node.is_template else 'protocol'} {node.proto_type}"
    if node.name is not None:
        head += f" {_name(node.name)}"
    if node.from_template is not None:
        head += f" from {_name(node.from_template)}"
    return _block(head, node.items, node.comments_end, indent)


@_statement(ast.FilterDef)
def _filter_def(node: ast.FilterDef, indent: str) -> list[str]:
    return _definition(f"filter {_name(node.name)}", node.local_vars, node.body, indent)


@_statement(ast.FunctionDef)
def _function_def(node: ast.FunctionDef, indent: str) -> list[str]:
    head = f"function {_name(node.name)}({'; '.join(expr(p) for p in node.params)})"
    if node.return_type is not None:
        head += f" -> {expr(node.return_type)}"
    return _definition(head, node.local_vars, node.body, indent)


def _definition(head: str, local_vars: tuple[ast.VarDecl, ...], body: ast.Block, indent: str) -> list[str]:
    """A filter or function: old-style declarations go one level deeper between the head and the body."""
    if not local_vars:
        return _inline_branch(f"{indent}{head} ", body, indent)
    lines = [indent + head, *_statements(local_vars, indent + INDENT)]
    return lines + statement_lines(body, indent)


@_inline(ast.Param)
def _param(node: ast.Param) -> str:
    return f"{expr(node.type)} {_name(node.name)}"


@_inline(ast.TypeRef)
def _type_ref(node: ast.TypeRef) -> str:
    return node.name


# ---------------------------------------------------------------- generic options


@_statement(ast.Option)
def _option(node: ast.Option, indent: str) -> list[str]:
    words = option_words(node.words)
    if node.block is None:
        return [f"{indent}{words};"]
    return _block(words, node.block.items, node.block.comments_end, indent, close="};")


@_inline(ast.OptionBlock)
def _option_block(node: ast.OptionBlock) -> str:
    return "\n".join(_block("", node.items, node.comments_end, "", close="};"))


def option_words(words: tuple[ast.Node, ...]) -> str:
    """Option words joined by the spacing rules of the module docstring."""
    pieces: list[str] = []
    glue = True
    for word in words:
        punct = word.text if isinstance(word, ast.Punct) else None
        if not glue and punct not in _GLUE_BEFORE:
            pieces.append(" ")
        pieces.append(expr(word))
        glue = punct in _GLUE_AFTER
    return "".join(pieces)


_GLUE_BEFORE = frozenset({",", "%", "/", ".."})
_GLUE_AFTER = frozenset({"%", "/", "..", "-", "!"})


@_inline(ast.Word)
def _word(node: ast.Word) -> str:
    return node.text


@_inline(ast.Punct)
def _punct(node: ast.Punct) -> str:
    return node.text


@_inline(ast.Braced)
def _braced(node: ast.Braced) -> str:
    return f"{{ {option_words(node.words)} }}"


# ---------------------------------------------------------------- protocols and channels


@_statement(ast.Channel)
def _channel(node: ast.Channel, indent: str) -> list[str]:
    if node.items is None:
        return [f"{indent}{node.net_type};"]
    return _block(node.net_type, node.items, node.comments_end, indent, close="};")


@_statement(ast.ImportExport)
def _import_export(node: ast.ImportExport, indent: str) -> list[str]:
    head = node.direction
    if node.prefilter is not None:
        head += f" in {expr(node.prefilter)}"
    return _policy_statement(f"{indent}{head} ", node.policy, indent)


@_statement(ast.ProtocolFilter)
def _protocol_filter(node: ast.ProtocolFilter, indent: str) -> list[str]:
    return _policy_statement(indent, node.policy, indent)


def _policy_statement(head: str, policy: ast.Policy, indent: str) -> list[str]:
    if isinstance(policy, ast.PolicyFilterBody):
        lines = _inline_branch(f"{head}filter ", policy.body, indent)
        lines[-1] += ";"
        return lines
    return [f"{head}{expr(policy)};"]


@_inline(ast.PolicyAll)
def _policy_all(node: ast.PolicyAll) -> str:
    return "all"


@_inline(ast.PolicyNone)
def _policy_none(node: ast.PolicyNone) -> str:
    return "none"


@_inline(ast.PolicyFilterName)
def _policy_filter_name(node: ast.PolicyFilterName) -> str:
    return f"filter {_name(node.name)}"


@_inline(ast.PolicyFilterBody)
def _policy_filter_body(node: ast.PolicyFilterBody) -> str:
    return "filter " + "\n".join(statement_lines(node.body, "")).lstrip()


@_inline(ast.PolicyWhere)
def _policy_where(node: ast.PolicyWhere) -> str:
    return f"where {expr(node.condition)}"


@_statement(ast.TableRef)
def _table_ref(node: ast.TableRef, indent: str) -> list[str]:
    return [f"{indent}{'peer table' if node.peer else 'table'} {_name(node.name)};"]


@_statement(ast.AggregateOn)
def _aggregate_on(node: ast.AggregateOn, indent: str) -> list[str]:
    return [f"{indent}aggregate on {', '.join(expr(key) for key in node.keys)};"]


@_statement(ast.MergeBy)
def _merge_by(node: ast.MergeBy, indent: str) -> list[str]:
    lines = _inline_branch(f"{indent}merge by ", node.body, indent)
    lines[-1] += ";"
    return lines


@_statement(ast.BgpEndpoint)
def _bgp_endpoint(node: ast.BgpEndpoint, indent: str) -> list[str]:
    parts = [node.role]
    if node.address is not None:
        address = expr(node.address)
        if node.iface is not None:
            address += f"%{_name(node.iface)}"
        parts.append(f"range {address}" if node.is_range else address)
    if node.port is not None:
        parts.append(f"port {expr(node.port)}")
    if node.asn is not None:
        parts.append(f"as {expr(node.asn)}")
    parts += node.flags
    if node.extra:
        parts.append(option_words(node.extra))
    return [f"{indent}{' '.join(parts)};"]


# ---------------------------------------------------------------- static routes


@_statement(ast.StaticRoute)
def _static_route(node: ast.StaticRoute, indent: str) -> list[str]:
    parts = ["route", expr(node.net)]
    if node.mpls_label is not None:
        parts.append(f"mpls {expr(node.mpls_label)}")
    if node.kind == "via":
        parts += [expr(hop) for hop in node.next_hops]
    elif node.kind == "recursive":
        assert node.recursive_to is not None
        parts.append(f"recursive {expr(node.recursive_to)}")
        if node.recursive_labels:
            parts.append("mpls " + "/".join(expr(label) for label in node.recursive_labels))
    elif node.kind != "none":
        parts.append(node.kind)
    head = " ".join(parts)
    if node.attributes is None:
        return [f"{indent}{head};"]
    lines = _inline_branch(f"{indent}{head} ", node.attributes, indent)
    lines[-1] += ";"
    return lines


@_inline(ast.NextHop)
def _next_hop(node: ast.NextHop) -> str:
    gateway = expr(node.gateway)
    if node.iface is not None:
        gateway += f"%{_name(node.iface)}"
    return f"via {gateway}" + (f" {option_words(node.options)}" if node.options else "")


@_inline(ast.RoaNet)
def _roa_net(node: ast.RoaNet) -> str:
    return f"{expr(node.prefix)} max {node.max_length} as {expr(node.asn)}"


@_inline(ast.VpnNet)
def _vpn_net(node: ast.VpnNet) -> str:
    return f"{expr(node.rd)} {expr(node.prefix)}"


@_inline(ast.SadrNet)
def _sadr_net(node: ast.SadrNet) -> str:
    return f"{expr(node.dst)} from {expr(node.src)}"


@_inline(ast.FlowNet)
def _flow_net(node: ast.FlowNet) -> str:
    items = " ".join(f"{option_words(item.words)};" for item in node.items)
    return f"{node.family} {{ {items} }}" if items else f"{node.family} {{ }}"


@_inline(ast.AspaNet)
def _aspa_net(node: ast.AspaNet) -> str:
    return f"aspa {expr(node.asn)}" + (f" {option_words(node.words)}" if node.words else "")


# ---------------------------------------------------------------- filter statements


def _inline_branch(prefix: str, branch: ast.Statement, indent: str) -> list[str]:
    """``prefix`` followed by ``branch`` on the same line (``if c then accept;``, ``... then {``).

    A branch with comments or a blank line before it goes on the next lines, one level deeper, so a
    comment can never swallow the text after it.
    """
    if branch.comments_before or branch.blank_line_before:
        return [prefix.rstrip(), *statement_lines(branch, indent + INDENT)]
    lines = statement_lines(branch, indent)
    return [prefix + lines[0][len(indent) :], *lines[1:]]


@_statement(ast.Block)
def _block_stmt(node: ast.Block, indent: str) -> list[str]:
    return _block("", node.statements, node.comments_end, indent)


@_statement(ast.VarDecl)
def _var_decl(node: ast.VarDecl, indent: str) -> list[str]:
    value = f" = {expr(node.value)}" if node.value is not None else ""
    return [f"{indent}{expr(node.type)} {_name(node.name)}{value};"]


@_statement(ast.Assign)
def _assign(node: ast.Assign, indent: str) -> list[str]:
    return [f"{indent}{_name(node.target)} = {expr(node.value)};"]


@_statement(ast.If)
def _if(node: ast.If, indent: str) -> list[str]:
    lines = _inline_branch(f"{indent}if {expr(node.condition)} then ", node.then_branch, indent)
    if node.else_branch is None:
        return lines
    then_is_block = isinstance(node.then_branch, ast.Block) and node.then_branch.trailing_comment is None
    if then_is_block and lines[-1] == indent + "}":
        else_lines = _inline_branch(f"{indent}}} else ", node.else_branch, indent)
        return lines[:-1] + else_lines
    return lines + _inline_branch(f"{indent}else ", node.else_branch, indent)


@_statement(ast.Case)
def _case(node: ast.Case, indent: str) -> list[str]:
    return _block(f"case {expr(node.subject)}", node.arms, node.comments_end, indent)


@_statement(ast.CaseArm)
def _case_arm(node: ast.CaseArm, indent: str) -> list[str]:
    text = _join(node.labels)
    # "2001:db8::22:" would lex as one longer address; the space keeps the colon a separate token
    labels = "else:" if not node.labels else f"{text} :" if ":" in text.rsplit(",", 1)[-1] else f"{text}:"
    return [indent + labels, *_statements(node.statements, indent + INDENT)]


@_statement(ast.For)
def _for(node: ast.For, indent: str) -> list[str]:
    var = f"{expr(node.var_type)} {_name(node.var)}" if node.var_type is not None else _name(node.var)
    return _inline_branch(f"{indent}for {var} in {expr(node.iterable)} do ", node.body, indent)


def _with_args(keyword: str, args: tuple[ast.Expr, ...], indent: str) -> list[str]:
    return [f"{indent}{keyword} {_join(args)};" if args else f"{indent}{keyword};"]


@_statement(ast.Accept)
def _accept(node: ast.Accept, indent: str) -> list[str]:
    return _with_args("accept", node.args, indent)


@_statement(ast.Reject)
def _reject(node: ast.Reject, indent: str) -> list[str]:
    return _with_args("reject", node.args, indent)


@_statement(ast.ErrorStmt)
def _error_stmt(node: ast.ErrorStmt, indent: str) -> list[str]:
    return _with_args("error", node.args, indent)


@_statement(ast.Quitbird)
def _quitbird(node: ast.Quitbird, indent: str) -> list[str]:
    return _with_args("quitbird", node.args, indent)


@_statement(ast.Return)
def _return(node: ast.Return, indent: str) -> list[str]:
    return [f"{indent}return {expr(node.value)};"]


@_statement(ast.Print)
def _print(node: ast.Print, indent: str) -> list[str]:
    return _with_args("print" if node.newline else "printn", node.args, indent)


@_statement(ast.ExprStmt)
def _expr_stmt(node: ast.ExprStmt, indent: str) -> list[str]:
    return [f"{indent}{expr(node.expr)};"]


# ---------------------------------------------------------------- expressions

#: binding strength of each binary operator (BIRD's bison precedence, weakest first)
_PRECEDENCE = {
    "&&": 1, "||": 1,
    "=": 2, "!=": 2, "<": 2, "<=": 2, ">": 2, ">=": 2, "~": 2, "!~": 2,
    "&": 3, "|": 3,
    "+": 4, "-": 4, "++": 4,
    "*": 5, "/": 5,
}  # fmt: skip
_NON_ASSOCIATIVE = 2
_NOT = 6
_ATOM = 7


def _strength(node: ast.Node) -> int:
    if isinstance(node, ast.Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, ast.Not):
        return _NOT
    if isinstance(node, ast.Range):
        return 0
    return _ATOM


def _operand(node: ast.Node, minimum: int) -> str:
    """``node`` as text, parenthesised when it binds weaker than ``minimum``."""
    text = expr(node)
    return f"({text})" if _strength(node) < minimum else text


@_inline(ast.Binary)
def _binary(node: ast.Binary) -> str:
    strength = _PRECEDENCE[node.op]
    left_minimum = strength + 1 if strength == _NON_ASSOCIATIVE else strength
    return f"{_operand(node.left, left_minimum)} {node.op} {_operand(node.right, strength + 1)}"


@_inline(ast.Not)
def _not(node: ast.Not) -> str:
    return f"!{_operand(node.operand, _NOT)}"


@_inline(ast.Paren)
def _paren(node: ast.Paren) -> str:
    return f"({expr(node.expr)})"


@_inline(ast.Call)
def _call(node: ast.Call) -> str:
    return f"{_name(node.name)}({_join(node.args)})"


@_inline(ast.MethodCall)
def _method_call(node: ast.MethodCall) -> str:
    target = _operand(node.target, _ATOM)
    if node.args is None:
        return f"{target}.{_name(node.name)}"
    return f"{target}.{_name(node.name)}({_join(node.args)})"


@_inline(ast.Symbol)
def _symbol(node: ast.Symbol) -> str:
    return _name(node.name)


@_inline(ast.Num)
def _num(node: ast.Num) -> str:
    return node.text


@_inline(ast.Bool)
def _bool(node: ast.Bool) -> str:
    return "true" if node.value else "false"


@_inline(ast.Str)
def _str(node: ast.Str) -> str:
    return quote_string(node.value)


@_inline(ast.Ip)
def _ip(node: ast.Ip) -> str:
    return node.text


@_inline(ast.Prefix)
def _prefix(node: ast.Prefix) -> str:
    return f"{node.ip}/{node.length}"


@_inline(ast.PrefixPattern)
def _prefix_pattern(node: ast.PrefixPattern) -> str:
    if node.op == "{}":
        return f"{expr(node.prefix)}{{{node.low},{node.high}}}"
    return f"{expr(node.prefix)}{node.op}"


@_inline(ast.Rd)
def _rd(node: ast.Rd) -> str:
    return node.text


@_inline(ast.ByteString)
def _byte_string(node: ast.ByteString) -> str:
    return node.text


@_inline(ast.Mac)
def _mac(node: ast.Mac) -> str:
    return node.text


@_inline(ast.EmptyList)
def _empty_list(node: ast.EmptyList) -> str:
    return node.text


@_inline(ast.Wildcard)
def _wildcard(node: ast.Wildcard) -> str:
    return "*"


@_inline(ast.Range)
def _range(node: ast.Range) -> str:
    return f"{expr(node.low)}..{expr(node.high)}"


@_inline(ast.Pair)
def _pair(node: ast.Pair) -> str:
    return f"({expr(node.first)}, {expr(node.second)})"


@_inline(ast.LargeCommunity)
def _large_community(node: ast.LargeCommunity) -> str:
    return f"({expr(node.first)}, {expr(node.second)}, {expr(node.third)})"


@_inline(ast.ExtCommunity)
def _ext_community(node: ast.ExtCommunity) -> str:
    kind = f"unknown {expr(node.subtype)}" if node.subtype is not None else node.kind
    return f"({kind}, {expr(node.key)}, {expr(node.value)})"


@_inline(ast.SetLit)
def _set_lit(node: ast.SetLit) -> str:
    return f"[{_join(node.items)}]"


@_inline(ast.MaskAny)
def _mask_any(node: ast.MaskAny) -> str:
    return "*"


@_inline(ast.MaskOne)
def _mask_one(node: ast.MaskOne) -> str:
    return "?"


@_inline(ast.MaskPlus)
def _mask_plus(node: ast.MaskPlus) -> str:
    return "+"


@_inline(ast.PathMask)
def _path_mask(node: ast.PathMask) -> str:
    text = ""
    for item in node.items:
        piece = expr(item)
        text += piece if isinstance(item, ast.MaskPlus) and text else f" {piece}"
    return f"[={text} =]"


@_inline(ast.Comment)
def _comment(node: ast.Comment) -> str:
    return node.text


@_inline(ast.Config)
def _config(node: ast.Config) -> str:
    return format_config(node)
