"""The typed, frozen syntax tree of a BIRD 2/3 configuration (the public result of ``parse_config``).

Conventions
-----------
* Every node is an ``attrs`` frozen class deriving from :class:`Node`; its ``span`` (file, line, column) is
  excluded from equality, hashing and repr, so ``parse(format(ast)) == ast`` can hold.
* Class ``Foo`` corresponds to grammar rule ``foo`` in ``grammars/bird.lark`` where practical.
* Names and words are kept as written (``'my-peer'`` is stored as ``my-peer``, the quotes are the
  formatter's business: :func:`needs_quotes`).
* Numbers, IP addresses, route distinguishers and byte strings keep their source ``text`` so hex stays hex.

Trivia (the tomlkit way)
------------------------
Every statement-like node (a :class:`Statement`: top-level statements, protocol/channel/block items and
filter statements) carries ``comments_before`` (whole-line comments above it, verbatim, ``#`` or ``/* */``
included), ``trailing_comment`` (a comment on the line where the statement ends) and ``blank_line_before``
(at least one empty line separated it from what came before). Comments after the last statement of a block
are in the block's ``comments_end``; comments at the end of the file are in ``Config.comments_end``.
A comment written between the tokens of one statement is attached to ``comments_before`` of the innermost
statement holding it. Trivia takes part in equality; spans do not.

Node families
-------------
* file: :class:`Config` (ordered ``statements``).
* top-level statements: :class:`Include`, :class:`Define`, :class:`RouterId`, :class:`AttributeDecl`,
  :class:`Table`, :class:`Protocol` (``protocol``/``template``), :class:`FilterDef`, :class:`FunctionDef`,
  :class:`ExprStmt` (only BIRD's ``bt_*(...)`` test-harness calls), and :class:`Option` for everything else
  (``log``, ``debug``, ``timeformat``, ``mrtdump``, ``hostname``, ``graceful restart wait``,
  ``router id from``, ``watchdog``, ``threads``, ``cli``, ``mpls domain``, ...).
* protocol items: :class:`Channel`, :class:`ImportExport`, :class:`TableRef`, :class:`StaticRoute`,
  :class:`BgpEndpoint` (``local`` / ``neighbor``), the aggregator's :class:`AggregateOn` and :class:`MergeBy`,
  MRT's :class:`ProtocolFilter`,
  :class:`Include` and the generic :class:`Option`.
  Unknown-but-valid options are never dropped: they become an :class:`Option` whose ``words`` list every
  token (``Word`` for bare words, literals for values, ``Punct`` for ``, % - / = ..`` and such, ``Braced``
  for ``{ a, b }`` flag sets, ``SetLit`` for ``[ ... ]``) and whose
  optional ``block`` holds nested items (``interface "eth*" { cost 10; };``).
* import/export policies: :class:`PolicyAll`, :class:`PolicyNone`, :class:`PolicyFilterName`,
  :class:`PolicyFilterBody`, :class:`PolicyWhere`.
* static routes: :class:`StaticRoute` with a net (:class:`Prefix`, :class:`RoaNet`, :class:`VpnNet`,
  :class:`SadrNet`, :class:`FlowNet`, :class:`AspaNet`), a ``kind`` and :class:`NextHop` list, and an
  optional attribute :class:`Block`.
* filters and functions: :class:`FilterDef`, :class:`FunctionDef`, :class:`Param`, :class:`TypeRef`,
  :class:`Block`.
* filter statements: :class:`VarDecl`, :class:`Assign`, :class:`If`, :class:`Case` (:class:`CaseArm`),
  :class:`For`, :class:`Accept`, :class:`Reject`, :class:`ErrorStmt`, :class:`Quitbird`, :class:`Return`,
  :class:`Print`,
  :class:`ExprStmt` (function or method call used as a statement), and :class:`Block`.
* expressions: :class:`Binary`, :class:`Not`, :class:`Paren`, :class:`Call`, :class:`MethodCall`,
  :class:`Symbol`, :class:`Range`, :class:`Wildcard`.
* net literals usable in expressions too: :class:`VpnNet`, :class:`RoaNet`, :class:`SadrNet`,
  :class:`FlowNet` (``p = flow4 { dst 10.0.0.0/8; };``).
* literals: :class:`Num`, :class:`Bool`, :class:`Str`, :class:`Ip`, :class:`Prefix`,
  :class:`PrefixPattern`, :class:`Rd`, :class:`ByteString`, :class:`Mac`, :class:`Pair`,
  :class:`LargeCommunity`, :class:`ExtCommunity`, :class:`SetLit`, :class:`PathMask`
  (with :class:`MaskAny`, :class:`MaskOne`, :class:`MaskPlus`), :class:`EmptyList`.

Changes are additive; renamed names would be listed here.
"""

from __future__ import annotations

import typing
from typing import Any

import attrs

from birdkit.config.literals import is_symbol, number
from birdkit.span import Span


def needs_quotes(name: str) -> bool:
    """True when ``name`` must be written as ``'name'`` (it has characters a plain symbol cannot have)."""
    return not is_symbol(name)


@attrs.frozen(repr=False)
class Node:
    """Base of every AST node: only the source span, which never takes part in equality."""

    # the same field as birdkit.span.span_field(), spelled out so mypy's attrs plugin sees kw_only
    span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __repr__(self) -> str:
        # one repr for every node (as attrs writes it, spans left out), instead of one generated per class:
        # generating 74 of them was a quarter of the import time, which every birdkit command pays
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}" for field in attrs.fields(type(self)) if field.repr
        )
        return f"{type(self).__name__}({shown})"


@attrs.frozen(repr=False)
class Comment(Node):
    """A comment, verbatim: ``# text`` or ``/* text */``."""

    text: str


@attrs.frozen(repr=False)
class Statement(Node):
    """A node that stands on its own line(s) and therefore carries trivia."""

    comments_before: tuple[Comment, ...] = attrs.field(default=(), kw_only=True)
    trailing_comment: Comment | None = attrs.field(default=None, kw_only=True)
    blank_line_before: bool = attrs.field(default=False, kw_only=True)


# ---------------------------------------------------------------- literals and expressions


@attrs.frozen(repr=False)
class Num(Node):
    """An unsigned integer literal; ``text`` keeps the spelling (``42`` or ``0x2a``)."""

    text: str

    @property
    def value(self) -> int:
        """The integer value, as BIRD reads the text (see :func:`birdkit.config.literals.number`)."""
        return number(self.text)


@attrs.frozen(repr=False)
class Bool(Node):
    """``true`` or ``false``."""

    value: bool


@attrs.frozen(repr=False)
class Str(Node):
    """A double-quoted string; ``value`` is the text between the quotes (BIRD has no escapes)."""

    value: str


@attrs.frozen(repr=False)
class Ip(Node):
    """An IPv4 or IPv6 address, as written."""

    text: str

    @property
    def is_v4(self) -> bool:
        """True for an IPv4 address."""
        return ":" not in self.text


@attrs.frozen(repr=False)
class Prefix(Node):
    """``ip/length``."""

    ip: str
    length: int

    def __str__(self) -> str:
        return f"{self.ip}/{self.length}"


@attrs.frozen(repr=False)
class PrefixPattern(Node):
    """A prefix-set element: ``p+`` (``op="+"``), ``p-`` (``op="-"``) or ``p{low,high}`` (``op="{}"``)."""

    prefix: Prefix
    op: str
    low: int | None = None
    high: int | None = None


@attrs.frozen(repr=False)
class Rd(Node):
    """A route distinguisher such as ``65000:1`` or ``192.0.2.1:5``, as written."""

    text: str


@attrs.frozen(repr=False)
class ByteString(Node):
    """A byte string: ``hex:01:02`` or a long run of hex pairs, as written."""

    text: str


@attrs.frozen(repr=False)
class Mac(Node):
    """A MAC address literal (2.19 / 3.3+), as written."""

    text: str


@attrs.frozen(repr=False)
class Symbol(Node):
    """A name used in an expression: variable, constant, route attribute, enum constant, table, ..."""

    name: str


@attrs.frozen(repr=False)
class Wildcard(Node):
    """``*`` inside a pair, community or set pattern."""


@attrs.frozen(repr=False)
class Range(Node):
    """``low..high`` inside a set, pair pattern or path mask."""

    low: Expr
    high: Expr


@attrs.frozen(repr=False)
class Pair(Node):
    """``(a, b)``: a pair / standard community, or a pattern of one when an element is a Wildcard/Range."""

    first: Expr
    second: Expr


@attrs.frozen(repr=False)
class LargeCommunity(Node):
    """``(a, b, c)``."""

    first: Expr
    second: Expr
    third: Expr


@attrs.frozen(repr=False)
class ExtCommunity(Node):
    """``(rt, a, b)``; ``kind`` is ``rt``, ``ro``, ``generic`` or ``unknown`` (then ``subtype`` is set)."""

    kind: str
    key: Expr
    value: Expr
    subtype: Expr | None = None


@attrs.frozen(repr=False)
class SetLit(Node):
    """``[ item, ... ]``: an int/pair/ec/lc/prefix/enum set; ``[]`` is the empty set."""

    items: tuple[Expr, ...]


@attrs.frozen(repr=False)
class MaskAny(Node):
    """``*`` in a path mask: any number of ASNs."""


@attrs.frozen(repr=False)
class MaskOne(Node):
    """``?`` in a path mask: exactly one ASN."""


@attrs.frozen(repr=False)
class MaskPlus(Node):
    """``+`` after a path-mask item: one or more of the previous item (2.0.8+)."""


@attrs.frozen(repr=False)
class PathMask(Node):
    """``[= item ... =]``; items are expressions, Range, SetLit, MaskAny, MaskOne, MaskPlus."""

    items: tuple[Expr, ...]


@attrs.frozen(repr=False)
class EmptyList(Node):
    """``+empty+``, ``-empty-``, ``--empty--`` or ``---empty---``, as written."""

    text: str


@attrs.frozen(repr=False)
class Paren(Node):
    """``( expr )`` kept as written, so grouping survives a round trip."""

    expr: Expr


@attrs.frozen(repr=False)
class Binary(Node):
    """``left op right``; ``op`` is one of ``&& || = != < <= > >= ~ !~ & | + - ++ * /``."""

    op: str
    left: Expr
    right: Expr


@attrs.frozen(repr=False)
class Not(Node):
    """``! operand``."""

    operand: Expr


@attrs.frozen(repr=False)
class Call(Node):
    """``name(args)``: a user function or a built-in (``defined``, ``prepend``, ``roa_check``, ...)."""

    name: str
    args: tuple[Expr, ...]


@attrs.frozen(repr=False)
class MethodCall(Node):
    """``target.name`` (``args is None``) or ``target.name(args)``."""

    target: Expr
    name: str
    args: tuple[Expr, ...] | None = None


# ---------------------------------------------------------------- generic options


@attrs.frozen(repr=False)
class Word(Node):
    """A bare word inside a generic option, verbatim (``hold``, ``time``, ``'odd-name'`` with its quotes)."""

    text: str


@attrs.frozen(repr=False)
class Punct(Node):
    """Punctuation inside a generic option: ``,`` ``%`` ``-`` ``/`` ``=`` ``..`` ``<`` and such."""

    text: str


@attrs.frozen(repr=False)
class Braced(Node):
    """``{ word, ... }`` inside an option: a flag set such as ``debug { states, routes }``."""

    words: tuple[OptionWord, ...]


OptionWord = (
    Word
    | Punct
    | Num
    | Str
    | Ip
    | Prefix
    | Rd
    | ByteString
    | Mac
    | Bool
    | Braced
    | SetLit
    | Pair
    | LargeCommunity
    | ExtCommunity
)


@attrs.frozen(repr=False)
class OptionBlock(Node):
    """``{ items }`` after a generic option (``interface "eth*" { ... };``, ``area 0 { ... };``)."""

    items: tuple[Statement, ...]
    comments_end: tuple[Comment, ...] = ()


@attrs.frozen(repr=False)
class Option(Statement):
    """Any option birdkit has no dedicated node for, kept token by token: ``words ;`` or ``words { ... };``.

    ``name`` gives the leading bare words (``hold time`` for ``hold time 240;``).
    """

    words: tuple[OptionWord, ...]
    block: OptionBlock | None = None

    @property
    def name(self) -> str:
        """The leading bare words joined by one space."""
        lead: list[str] = []
        for word in self.words:
            if not isinstance(word, Word):
                break
            lead.append(word.text)
        return " ".join(lead)


# ---------------------------------------------------------------- filter language


@attrs.frozen(repr=False)
class TypeRef(Node):
    """A filter type as written: ``int``, ``prefix set``, ``enum rts``, ``bgppath``."""

    name: str


@attrs.frozen(repr=False)
class Param(Node):
    """One function parameter: ``type name``."""

    type: TypeRef
    name: str


@attrs.frozen(repr=False)
class Block(Statement):
    """``{ statements }`` (filter/function bodies, then/else blocks, static-route attribute blocks)."""

    statements: tuple[Statement, ...]
    comments_end: tuple[Comment, ...] = ()


@attrs.frozen(repr=False)
class VarDecl(Statement):
    """``type name;`` or ``type name = value;`` (also the old-style declarations before a body)."""

    type: TypeRef
    name: str
    value: Expr | None = None


@attrs.frozen(repr=False)
class Assign(Statement):
    """``target = value;`` for a variable, custom attribute or route attribute."""

    target: str
    value: Expr


@attrs.frozen(repr=False)
class If(Statement):
    """``if cond then then_branch [else else_branch]``; branches are a Block or a single statement."""

    condition: Expr
    then_branch: Statement
    else_branch: Statement | None = None


@attrs.frozen(repr=False)
class CaseArm(Statement):
    """``labels: statements`` inside ``case``; ``labels == ()`` means the ``else:`` arm."""

    labels: tuple[Expr, ...]
    statements: tuple[Statement, ...]


@attrs.frozen(repr=False)
class Case(Statement):
    """``case subject { arms }``."""

    subject: Expr
    arms: tuple[CaseArm, ...]
    comments_end: tuple[Comment, ...] = ()


@attrs.frozen(repr=False)
class For(Statement):
    """``for [type] var in iterable do body`` (2.0.11+; the type is required from 2.14)."""

    var_type: TypeRef | None
    var: str
    iterable: Expr
    body: Statement


@attrs.frozen(repr=False)
class Accept(Statement):
    """``accept [args];``."""

    args: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Reject(Statement):
    """``reject [args];``."""

    args: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class ErrorStmt(Statement):
    """``error [args];``."""

    args: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Quitbird(Statement):
    """``quitbird [args];``: stops the daemon; BIRD 2.0.7 and older only (2.0.8 removed it)."""

    args: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Return(Statement):
    """``return value;``."""

    value: Expr


@attrs.frozen(repr=False)
class Print(Statement):
    """``print args;`` or ``printn args;`` (``newline`` False)."""

    args: tuple[Expr, ...]
    newline: bool = True


@attrs.frozen(repr=False)
class ExprStmt(Statement):
    """A Call or MethodCall used as a statement: ``f(1);``, ``bgp_community.add((1,2));``."""

    expr: Expr


@attrs.frozen(repr=False)
class FilterDef(Statement):
    """``filter name [old-style declarations] { body }``."""

    name: str
    local_vars: tuple[VarDecl, ...]
    body: Block


@attrs.frozen(repr=False)
class FunctionDef(Statement):
    """``function name(params) [-> return_type] [old-style declarations] { body }``."""

    name: str
    params: tuple[Param, ...]
    return_type: TypeRef | None
    local_vars: tuple[VarDecl, ...]
    body: Block


# ---------------------------------------------------------------- protocols, channels, routes


@attrs.frozen(repr=False)
class PolicyAll(Node):
    """``all``."""


@attrs.frozen(repr=False)
class PolicyNone(Node):
    """``none``."""


@attrs.frozen(repr=False)
class PolicyFilterName(Node):
    """``filter NAME``."""

    name: str


@attrs.frozen(repr=False)
class PolicyFilterBody(Node):
    """``filter { ... }`` (inline filter)."""

    body: Block


@attrs.frozen(repr=False)
class PolicyWhere(Node):
    """``where EXPR``."""

    condition: Expr


Policy = PolicyAll | PolicyNone | PolicyFilterName | PolicyFilterBody | PolicyWhere


@attrs.frozen(repr=False)
class ImportExport(Statement):
    """``import POLICY;`` / ``export POLICY;`` and the 3.x ``export in PREFIX POLICY;`` (``prefilter``)."""

    direction: str
    policy: Policy
    prefilter: Expr | None = None


@attrs.frozen(repr=False)
class ProtocolFilter(Statement):
    """MRT's ``filter NAME;``, ``filter { ... };`` or ``where EXPR;``: which routes of the table it dumps."""

    policy: Policy


@attrs.frozen(repr=False)
class TableRef(Statement):
    """``table NAME;`` in a channel (or a pipe), ``peer table NAME;`` with ``peer=True``."""

    name: str
    peer: bool = False


@attrs.frozen(repr=False)
class Channel(Statement):
    """``ipv4;`` or ``ipv4 { items };``; ``net_type`` as written (``ipv4``, ``ipv6 sadr``, ``vpn4 mpls``)."""

    net_type: str
    items: tuple[Statement, ...] | None = None
    comments_end: tuple[Comment, ...] = ()

    def imports(self) -> tuple[ImportExport, ...]:
        """The channel's ``import`` items."""
        return tuple(i for i in self.items or () if isinstance(i, ImportExport) and i.direction == "import")

    def exports(self) -> tuple[ImportExport, ...]:
        """The channel's ``export`` items."""
        return tuple(i for i in self.items or () if isinstance(i, ImportExport) and i.direction == "export")

    @property
    def table(self) -> str | None:
        """The ``table`` the channel is connected to, if one is named."""
        for item in self.items or ():
            if isinstance(item, TableRef) and not item.peer:
                return item.name
        return None


@attrs.frozen(repr=False)
class AggregateOn(Statement):
    """The aggregator's ``aggregate on KEY, ...;``: each key a :class:`Symbol` (attribute) or a :class:`Paren`."""

    keys: tuple[Expr, ...]


@attrs.frozen(repr=False)
class MergeBy(Statement):
    """The aggregator's ``merge by { ... };``: filter code that sees the bucket as ``routes``."""

    body: Block


@attrs.frozen(repr=False)
class BgpEndpoint(Statement):
    """BGP ``local [ip[%iface]] [port N] [as ASN];`` or ``neighbor [range] [ip[%iface]] [port N] [as ASN];``.

    ``role`` is ``local`` or ``neighbor``; ``flags`` holds ``internal``, ``external``, ``onlink``; ``extra``
    keeps any further words (``local role customer``, BFD ``neighbor 192.0.2.1 dev "eth0"``).
    """

    role: str
    address: Expr | None = None
    iface: str | None = None
    port: Expr | None = None
    asn: Expr | None = None
    is_range: bool = False
    flags: tuple[str, ...] = ()
    extra: tuple[OptionWord, ...] = ()


@attrs.frozen(repr=False)
class RoaNet(Node):
    """``prefix max N as ASN`` (ROA route)."""

    prefix: Prefix
    max_length: int
    asn: Expr


@attrs.frozen(repr=False)
class VpnNet(Node):
    """``RD prefix`` (VPN route)."""

    rd: Rd
    prefix: Prefix


@attrs.frozen(repr=False)
class SadrNet(Node):
    """``dst from src`` (source-address dependent route)."""

    dst: Prefix
    src: Prefix


@attrs.frozen(repr=False)
class FlowNet(Node):
    """``flow4 { items }`` / ``flow6 { items }``; each item is a generic Option (``dst 10.0.0.0/8;``)."""

    family: str
    items: tuple[Option, ...]


@attrs.frozen(repr=False)
class AspaNet(Node):
    """``aspa ASN`` followed by ``providers A, B`` or ``transit`` (kept as words)."""

    asn: Expr
    words: tuple[OptionWord, ...]


Net = Prefix | RoaNet | VpnNet | SadrNet | FlowNet | AspaNet


@attrs.frozen(repr=False)
class NextHop(Node):
    """One ``via`` of a static route: gateway ``Ip``, device ``Str`` or defined constant ``Symbol``,
    ``%iface``, and options (``weight 2``, ``bfd``, ``onlink``, ``mpls 1/2``, ``dev "eth0"``) kept as words."""

    gateway: Expr
    iface: str | None = None
    options: tuple[OptionWord, ...] = ()


@attrs.frozen(repr=False)
class StaticRoute(Statement):
    """``route NET [mpls N] DEST [{ attrs }];``.

    ``kind`` is ``via`` (``next_hops`` set), ``recursive`` (``recursive_to`` set, and ``recursive_labels`` for
    ``recursive ADDR mpls 100/200``), ``blackhole``, ``drop``, ``unreachable``, ``reject``, ``prohibit``, or
    ``none`` for a route with no destination (ROA/flow/VPN).
    """

    net: Net
    kind: str
    next_hops: tuple[NextHop, ...] = ()
    recursive_to: Expr | None = None
    mpls_label: Expr | None = None
    attributes: Block | None = None
    recursive_labels: tuple[Expr, ...] = ()


@attrs.frozen(repr=False)
class Protocol(Statement):
    """``protocol TYPE [NAME] [from TEMPLATE] { items }`` or the same with ``template``.

    ``proto_type`` is as written (``bgp``, ``ospf v3``, ``rip ng``); ``is_template`` tells the keyword.
    """

    proto_type: str
    name: str | None
    items: tuple[Statement, ...]
    from_template: str | None = None
    is_template: bool = False
    comments_end: tuple[Comment, ...] = ()

    @property
    def kind(self) -> str:
        """The protocol type without its variant: ``ospf`` for ``ospf v3``."""
        return self.proto_type.split()[0] if self.proto_type else ""

    def channels(self) -> tuple[Channel, ...]:
        """The protocol's channel blocks."""
        return tuple(i for i in self.items if isinstance(i, Channel))

    def endpoint(self, role: str) -> BgpEndpoint | None:
        """The last ``local`` or ``neighbor`` item (BGP), if any."""
        found = [i for i in self.items if isinstance(i, BgpEndpoint) and i.role == role]
        return found[-1] if found else None

    def static_routes(self) -> tuple[StaticRoute, ...]:
        """The protocol's ``route`` items (static)."""
        return tuple(i for i in self.items if isinstance(i, StaticRoute))

    def options(self, name: str) -> tuple[Option, ...]:
        """Generic options whose leading words are ``name`` (``p.options("hold time")``)."""
        return tuple(i for i in self.items if isinstance(i, Option) and i.name == name)


# ---------------------------------------------------------------- top level


@attrs.frozen(repr=False)
class Include(Statement):
    """``include "path";`` as written (``load_config`` replaces it with the included statements)."""

    path: str


@attrs.frozen(repr=False)
class Define(Statement):
    """``define NAME = value;``."""

    name: str
    value: Expr


@attrs.frozen(repr=False)
class RouterId(Statement):
    """``router id VALUE;`` (IPv4 address, number or defined constant)."""

    value: Expr


@attrs.frozen(repr=False)
class AttributeDecl(Statement):
    """``attribute TYPE NAME;`` or ``attribute bgp CODE bytestring NAME;`` (``bgp_code`` set)."""

    type: TypeRef
    name: str
    bgp_code: int | None = None


@attrs.frozen(repr=False)
class Table(Statement):
    """``NETTYPE table NAME [sorted] [{ options }]``; ``options`` is None without a block."""

    net_type: str
    name: str
    sorted: bool = False
    options: tuple[Statement, ...] | None = None
    comments_end: tuple[Comment, ...] = ()


#: top-level statements that define a symbol
_NAMED_STATEMENTS = (Define, AttributeDecl, Table, FilterDef, FunctionDef, Protocol)


@attrs.frozen(repr=False)
class Config(Node):
    """A whole configuration file: its statements in order, and the comments after the last one."""

    statements: tuple[Statement, ...]
    comments_end: tuple[Comment, ...] = ()

    def protocols(self) -> tuple[Protocol, ...]:
        """``protocol`` and ``template`` statements."""
        return tuple(s for s in self.statements if isinstance(s, Protocol))

    def protocol(self, name: str) -> Protocol | None:
        """The protocol or template called ``name`` (the name BIRD gives it when it has none)."""
        return next((p for known, p in self.named_protocols() if known == name), None)

    def named_protocols(self) -> tuple[tuple[str, Protocol], ...]:
        """Each protocol and template with its name: the one written, or the one BIRD makes up.

        BIRD names an unnamed one after its type and a counter of that type (``bgp1``, ``bgp2``, ...; a
        template counts too), skipping names already defined above it.
        """
        taken: set[str] = set()
        counters: dict[str, int] = {}
        named: list[tuple[str, Protocol]] = []
        for statement in self.statements:
            if not isinstance(statement, _NAMED_STATEMENTS):
                continue
            if not isinstance(statement, Protocol):
                taken.add(statement.name)
                continue
            name = statement.name
            if name is None:
                counter = counters.get(statement.kind, 0) + 1
                while f"{statement.kind}{counter}" in taken:
                    counter += 1
                counters[statement.kind] = counter
                name = f"{statement.kind}{counter}"
            named.append((name, statement))
            taken.add(name)
        return tuple(named)

    def filters(self) -> tuple[FilterDef, ...]:
        """Filter definitions."""
        return tuple(s for s in self.statements if isinstance(s, FilterDef))

    def functions(self) -> tuple[FunctionDef, ...]:
        """Function definitions."""
        return tuple(s for s in self.statements if isinstance(s, FunctionDef))

    def defines(self) -> tuple[Define, ...]:
        """``define`` statements."""
        return tuple(s for s in self.statements if isinstance(s, Define))

    @property
    def router_id(self) -> RouterId | None:
        """The last ``router id`` statement, if any."""
        found = [s for s in self.statements if isinstance(s, RouterId)]
        return found[-1] if found else None


#: any expression node (defined last: it names classes from every family)
Expr = (
    Num
    | Bool
    | Str
    | Ip
    | Prefix
    | PrefixPattern
    | Rd
    | ByteString
    | Mac
    | Symbol
    | Wildcard
    | Range
    | Pair
    | LargeCommunity
    | ExtCommunity
    | SetLit
    | MaskAny
    | MaskOne
    | MaskPlus
    | PathMask
    | EmptyList
    | Paren
    | Binary
    | Not
    | Call
    | MethodCall
    | FlowNet
    | VpnNet
    | RoaNet
    | SadrNet
)


# ---------------------------------------------------------------- structure


def node_fields(node_type: type) -> tuple[str, ...]:
    """The fields of AST class ``node_type`` that can hold child nodes, in declaration (source) order.

    Read from the field annotations: spans, plain values (str, int, bool) and comment trivia are left out.
    Callers keep the answer per type; it costs a look at the annotations.
    """
    hints = typing.get_type_hints(node_type, globals())
    return tuple(field.name for field in attrs.fields(node_type) if _holds_nodes(hints[field.name]))


def _holds_nodes(hint: Any) -> bool:
    if typing.get_origin(hint) is None and isinstance(hint, type):
        return issubclass(hint, Node) and hint is not Comment
    return any(_holds_nodes(arg) for arg in typing.get_args(hint))
