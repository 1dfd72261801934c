"""Target BIRD versions and the syntax each accepts: version strings, and gates applied after parsing."""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Any

import attrs

from birdkit.config import ast
from birdkit.config.keywords import ALL_KEYWORDS, reserved_names
from birdkit.config.keywords import words as _words
from birdkit.config.protocol_words import COMMON_WORDS, PROTOCOL_WORDS
from birdkit.config.symbols import ROUTE_ATTRIBUTES
from birdkit.config.versions_options import ATTRIBUTE_SINCE, option_gate
from birdkit.errors import BirdSyntaxError, ConfigError, did_you_mean

Version = tuple[int, int, int]

#: the newest BIRD release birdkit knows; the default target
NEWEST: Version = (3, 3, 2)

_VERSION = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+~][\w.]*)?\Z")

MAX_SYMBOL_LENGTH = 64
MAX_NUMBER = 0xFFFFFFFF

#: methods BIRD 2.0.x knows (fixed keyword accessors); 2.14 made methods generic
_OLD_METHODS = _words(
    "is_v4 is_v6 type ip rd len maxlen asn src dst mask first last last_nonaggregated data data1 data2 min max "
    "empty prepend add delete filter"
)
_STATEMENT_METHODS = _words("empty prepend add delete filter")
#: the methods BIRD 2.14 and later define (read from 2.17.6's and 3.1.8's sources, the same in both)
_METHODS = _words(
    "add asn data data1 data2 delete dst empty filter first ip is_v4 last last_nonaggregated len mask max maxlen "
    "min prepend rd src type"
)

#: first words of the top-level statements that have no rule of their own
TOP_LEVEL_WORDS = _words("router log debug timeformat mrtdump hostname graceful watchdog threads cli mpls eval thread")

_HEX_WORD = re.compile(r"[0-9a-fA-F]+\Z")

_SWITCH_WORDS = frozenset({"on", "off", "yes", "no"})
#: the protocol types of BIRD's default build, the one Debian packages (2.x builds perf but no bmp, 3.x the
#: reverse): every type with words of its own except evpn, which came with 2.19 and 3.3, after the packaged releases
PROTOCOL_TYPES = frozenset(PROTOCOL_WORDS) - {"evpn"}
#: what may follow 'import' or 'export' when no policy does: limit, keep filtered, table, target (L3VPN), settle
_DIRECTION_OPTIONS = _words("limit keep table target settle")


def parse_target(target: str | None) -> Version:
    """``"2.0.12"``, ``"2.14"``, ``"3"``, ``"v3.1.8"`` or None (newest) as a comparable version tuple.

    Missing parts count as 0 (``"2.14"`` is 2.14.0, ``"3"`` is 3.0.0).
    """
    if target is None:
        return NEWEST
    match = _VERSION.match(target.strip())
    if match is None or int(match.group(1)) not in (2, 3):
        raise ConfigError(
            f"unknown BIRD version {target!r}",
            hint="use a version BIRD prints, such as 2.0.12, 2.17.6 or 3.1.8, or a short form like 2.14 or 3",
        )
    major, minor, patch = (int(part) if part else 0 for part in match.groups())
    return (major, minor, patch)


def format_version(version: Version) -> str:
    """``(2, 0, 12)`` as ``2.0.12``."""
    return ".".join(str(part) for part in version)


def supports(version: Version, since_2: Version | None, since_3: Version | None = (3, 0, 0)) -> bool:
    """True when ``version`` is at least ``since_2`` on the 2.x line or ``since_3`` on the 3.x line."""
    if version[0] >= 3:
        return since_3 is not None and version >= since_3
    return since_2 is not None and version >= since_2


def keywords_usable_as_names(version: Version) -> bool:
    """2.14 to 2.x, and 3.2.1+, let definitions reuse keywords as names."""
    return (2, 14, 0) <= version < (3, 0, 0) or version >= (3, 2, 1)


def braces_open_scopes(version: Version) -> bool:
    """2.0.11 and later open a scope at each ``{`` of a filter block: their parser stack holds one more entry per
    open brace, so they take about 2000 nested blocks where 2.0.7 takes 2500 (measured with ``bird -p``)."""
    return supports(version, (2, 0, 11))


def check_version_gates(root: Any, version: Version, text: str) -> None:
    """Raise BirdSyntaxError for the first construct ``version`` of BIRD does not accept."""
    _Gates(version, text).run(root)


#: the ``target`` that takes whatever some supported BIRD accepts (the default of fmt and lint)
ANY_TARGET = "any"
#: versions whose gates together let through what any supported release accepts: the newest 3.x and 2.x,
#: and the oldest (before 2.0.8/2.0.9 six hex pairs were an IPv6 address and a flow label took a mask)
_UNION = ((3, 3, 2), (2, 19, 2), (2, 0, 7))


def gate_versions(target: str | None) -> tuple[Version, ...]:
    """The versions a config is gated against: ``target``'s (see :func:`parse_target`), or for ``"any"`` a set
    whose union is every supported release."""
    if target is not None and target.strip().lower() == ANY_TARGET:
        return _UNION
    return (parse_target(target),)


def check_gates(root: Any, versions: tuple[Version, ...], text: str) -> None:
    """Raise the error of the first of ``versions`` when none of them accepts ``root``."""
    first: BirdSyntaxError | None = None
    for version in versions:
        try:
            check_version_gates(root, version, text)
        except BirdSyntaxError as error:
            first = first or error
        else:
            return
    assert first is not None
    raise first


def _since_text(since_2: Version | None, since_3: Version | None) -> str:
    """How an error names the releases from ``since_2`` on 2.x and ``since_3`` on 3.x."""
    if since_2 is None:
        return format_version(since_3) if since_3 else "a BIRD that has it (no release does)"
    if since_3 is None:
        return f"{format_version(since_2)} to 2.x (3.x dropped it)"
    return (
        format_version(since_2) if since_3 == (3, 0, 0) else f"{format_version(since_2)} or {format_version(since_3)}"
    )


def _names_attribute(expr: Any, attributes: set[str]) -> bool:
    return isinstance(expr, ast.Symbol) and expr.name in attributes


#: dotted quads ``ipaddress`` surely accepts (no leading zeros, parts up to 255); anything else is asked to it
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")


class _Steps(dict[type, tuple[Any, tuple[str, ...]]]):
    """For each node type: its ``_Gates.visit_<Type>`` (or None) and its child fields, last field first."""

    def __missing__(self, node_type: type) -> tuple[Any, tuple[str, ...]]:
        fields = ast.node_fields(node_type) if attrs.has(node_type) and issubclass(node_type, ast.Node) else ()
        if node_type is ast.FlowNet:
            fields = ()  # visit_FlowNet walks its items itself
        step = self[node_type] = (getattr(_Gates, f"visit_{node_type.__name__}", None), fields[::-1])
        return step


_STEPS = _Steps()


class _Gates:
    def __init__(self, version: Version, text: str) -> None:
        self.version = version
        self.text = text  # split into lines only to quote the line of an error
        self.custom_attributes: set[str] = set()
        #: `define`d constants of this file, by name
        self.constants: dict[str, Any] = {}
        self.in_flow = False
        self.hex_limit = 20 if supports(version, (2, 19, 0), (3, 3, 0)) else 32
        #: keywords the target refuses as names (none where keywords may be names)
        self.refused_names = frozenset() if keywords_usable_as_names(version) else reserved_names(version)
        #: the protocol type the walk is in, and the gate scopes of each option block met so far
        self.kind = ""
        self.block_scopes: dict[int, tuple[str, ...]] = {}

    def run(self, root: Any) -> None:
        # attribute declarations are top-level statements only (grammar rule top_stmt)
        for node in getattr(root, "statements", None) or ():
            if isinstance(node, ast.AttributeDecl):
                self.custom_attributes.add(node.name)
            elif isinstance(node, ast.Define):
                self.constants[node.name] = node.value
        self.visit_tree(root, None)

    def visit_tree(self, root: Any, parent: Any) -> None:
        """Visit ``root`` and every node below it, depth first in source order, each with its parent."""
        steps = _STEPS
        stack = [(root, parent)]
        pop, push = stack.pop, stack.append
        while stack:
            node, parent = pop()
            visitor, fields = steps[node.__class__]
            if visitor is not None:
                visitor(self, node, parent)
            for name in fields:
                value = getattr(node, name)
                if value.__class__ is tuple:
                    for item in reversed(value):
                        push((item, node))
                elif value is not None:
                    push((value, node))

    def fail(self, node: Any, message: str, hint: str | None = None) -> None:
        span = node.span
        lines = self.text.splitlines()
        line = lines[span.line - 1] if span and 0 < span.line <= len(lines) else None
        raise BirdSyntaxError(message, span=span, source_line=line, hint=hint)

    def need(self, node: Any, ok: bool, feature: str, since: str) -> None:
        if not ok:
            self.fail(
                node,
                f"{feature} needs BIRD {since}; the target is {format_version(self.version)}",
                hint="check against a newer BIRD with --target, or rewrite this for the target version",
            )

    def name(self, node: Any, name: str, what: str) -> None:
        if len(name) > MAX_SYMBOL_LENGTH:
            self.fail(node, f"symbol too long: {what} names have at most {MAX_SYMBOL_LENGTH} characters")
        if len(name) >= self.hex_limit and _HEX_WORD.match(name) and self.version >= (2, 0, 9):
            self.fail(
                node,
                f"'{name[:12]}...' is read as a byte string, not a name",
                hint=f"BIRD lexes {self.hex_limit} or more hex digits as a byte string; add a non-hex letter",
            )
        if name == "in" or name in self.refused_names:
            self.fail(
                node,
                f"'{name}' is a keyword in BIRD {format_version(self.version)}: it cannot name this {what}",
                hint="rename it (keywords may be names only in BIRD 2.14+ and 3.2.1+)",
            )

    # ------------------------------------------------ definitions and names

    def visit_Define(self, node: ast.Define, parent: Any) -> None:
        self.name(node, node.name, "constant")
        if isinstance(node.value, ast.Mac) and self.version >= (3, 3, 0):
            self.fail(node, "BIRD 3.3 cannot define a MAC constant (it fails in value copy)")
        # measured on 3.1.8 (tests/fixtures/versions/bytestring.conf); 3.2 and 3.3 are not in the matrix
        if isinstance(node.value, ast.ByteString) and (3, 0, 0) <= self.version < (3, 2, 0):
            self.fail(node, "BIRD 3.0/3.1 cannot define a byte string constant (it fails in value copy)")

    def visit_FilterDef(self, node: ast.FilterDef, parent: Any) -> None:
        self.name(node, node.name, "filter")

    def visit_FunctionDef(self, node: ast.FunctionDef, parent: Any) -> None:
        self.name(node, node.name, "function")
        if node.return_type is not None:
            self.need(node.return_type, supports(self.version, (2, 14, 0)), "a '-> type' return type", "2.14")

    def visit_Protocol(self, node: ast.Protocol, parent: Any) -> None:
        if node.name is not None:
            self.name(node, node.name, "protocol")
        kind = self.kind = node.kind
        if kind and kind not in PROTOCOL_TYPES:  # an included fragment's pseudo-protocol has no type
            hint = did_you_mean(kind, sorted(PROTOCOL_TYPES), listing="protocol types")
            self.fail(node, f"unknown protocol type '{kind}'", hint=hint)
        if kind == "bmp":
            self.need(node, supports(self.version, None), "protocol bmp", "3.0 (BIRD 2 packages do not build it)")
        if kind == "perf":
            self.need(node, self.version < (3, 0, 0), "protocol perf", "2.x (3.x does not build it)")
        if kind in ("l3vpn", "aggregator"):
            self.need(node, supports(self.version, (2, 14, 0)), f"protocol {kind}", "2.14")

    def visit_Table(self, node: ast.Table, parent: Any) -> None:
        self.name(node, node.name, "table")
        if node.net_type == "aspa":
            self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")
        if node.options is not None:
            self.need(node, supports(self.version, (2, 0, 9)), "a table option block", "2.0.9")
            for option in node.options:
                if isinstance(option, ast.Option) and option.name in ("min settle time", "max settle time"):
                    self.need(option, self.version < (3, 0, 0), f"'{option.name}'", "2.x (3.x removed it)")

    def visit_Param(self, node: ast.Param, parent: Any) -> None:
        self.name(node, node.name, "parameter")

    def visit_Block(self, node: ast.Block, parent: Any) -> None:
        # before 2.0.11 braces belonged to `then`/`else` and bodies only (filter/config.Y: `block`)
        if isinstance(parent, (ast.Block, ast.CaseArm)):
            self.need(node, supports(self.version, (2, 0, 11)), "a block '{ ... }' as a statement", "2.0.11")

    def visit_Quitbird(self, node: ast.Quitbird, parent: Any) -> None:
        self.need(node, self.version < (2, 0, 8), "'quitbird'", "2.0.7 or older (2.0.8 removed it)")

    def visit_VarDecl(self, node: ast.VarDecl, parent: Any) -> None:
        self.name(node, node.name, "variable")
        if isinstance(parent, (ast.Block, ast.CaseArm)):
            self.need(node, supports(self.version, (2, 0, 11)), "a declaration inside a block", "2.0.11")

    def visit_AttributeDecl(self, node: ast.AttributeDecl, parent: Any) -> None:
        self.name(node, node.name, "attribute")
        if node.bgp_code is not None:
            self.need(node, supports(self.version, (2, 14, 0)), "'attribute bgp'", "2.14")

    def visit_For(self, node: ast.For, parent: Any) -> None:
        self.name(node, node.var, "variable")
        self.need(node, supports(self.version, (2, 0, 11)), "a 'for' loop", "2.0.11")

    def visit_TypeRef(self, node: ast.TypeRef, parent: Any) -> None:
        base = node.name.split()[0]
        if base == "bytestring":
            self.need(node, supports(self.version, (2, 14, 0)), "the bytestring type", "2.14")
        elif base == "enum":
            self.need(node, supports(self.version, (2, 16, 0)), "enum types", "2.16")
        elif base == "mac":
            self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "the mac type", "2.19 or 3.3")
        elif base == "route":
            self.need(node, supports(self.version, (2, 14, 0)), "the route type", "2.14")
        elif base in ("quad", "bgpmask"):
            self.need(node, supports(self.version, (2, 0, 8)), f"the {base} type", "2.0.8")

    def visit_ExprStmt(self, node: ast.ExprStmt, parent: Any) -> None:
        if isinstance(parent, ast.Config):
            name = node.expr.name if isinstance(node.expr, ast.Call) else ""
            if not name.startswith("bt_"):
                self.fail(node, f"unknown top-level statement '{name}(...)'", hint="only bt_* test calls stand here")

    def visit_Case(self, node: ast.Case, parent: Any) -> None:
        # 2.0.7's `bird -p` folds a `case` on a constant while parsing and crashes (segfault) when an arm is
        # chosen; 2.0.8 reworked that code (measured on 2.0.7 and 2.0.12, tests/config/test_parser_regressions.py)
        if self.version >= (2, 0, 8):
            return
        value = self.constant_int(node.subject)
        if value is not None and any(self.picks(arm, value) for arm in node.arms):
            self.fail(
                node.subject,
                "BIRD 2.0.7 crashes on a 'case' over a constant that picks an arm (bird -p ends in a segfault)",
                hint="switch on a route value, or write the chosen arm's statements directly",
            )

    def constant_int(self, expr: Any, depth: int = 0) -> int | None:
        """The value of an integer expression BIRD folds while parsing, or None when it is not one."""
        if isinstance(expr, ast.Num):
            return expr.value
        if isinstance(expr, ast.Paren):
            return self.constant_int(expr.expr, depth)
        if isinstance(expr, ast.Symbol) and expr.name in self.constants and depth < 64:
            return self.constant_int(self.constants[expr.name], depth + 1)
        if isinstance(expr, ast.Binary) and expr.op in ("+", "-", "*"):
            left, right = self.constant_int(expr.left, depth), self.constant_int(expr.right, depth)
            if left is not None and right is not None:
                return {"+": left + right, "-": left - right, "*": left * right}[expr.op]
        return None

    def picks(self, arm: ast.CaseArm, value: int) -> bool:
        """Whether ``arm`` (``else:`` when it has no labels) is chosen for ``value``."""
        if not arm.labels:
            return True
        for label in arm.labels:
            low, high = (label.low, label.high) if isinstance(label, ast.Range) else (label, label)
            first, last = self.constant_int(low), self.constant_int(high)
            if first is not None and last is not None and first <= value <= last:
                return True
        return False

    def visit_CaseArm(self, node: ast.CaseArm, parent: Any) -> None:
        for label in node.labels:
            ends = (label.low, label.high) if isinstance(label, ast.Range) else (label,)
            if any(isinstance(end, ast.Rd) for end in ends):
                self.need(label, supports(self.version, (2, 16, 0)), "a route distinguisher as a case label", "2.16")
        # BIRD 3.x reads an arm as `labels: cmd`: one statement, not a declaration (measured on 3.1.8; the
        # 3.2 and 3.3 sources have the same rule, not applied to those targets yet)
        if not (3, 0, 0) <= self.version < (3, 2, 0):
            return
        if not node.statements:
            self.fail(
                node,
                "BIRD 3.0/3.1 need exactly one statement after a case label; this arm is empty",
                hint="list the labels together instead (`1, 2: ...`), or give this arm a statement",
            )
        elif len(node.statements) > 1:
            self.fail(
                node.statements[1],
                "BIRD 3.0/3.1 accept only one statement after a case label",
                hint="wrap the arm's statements in { ... }",
            )
        elif isinstance(node.statements[0], ast.VarDecl):
            self.fail(
                node.statements[0],
                "BIRD 3.0/3.1 accept no declaration directly after a case label",
                hint="wrap the arm's statements in { ... }",
            )

    def visit_Ip(self, node: ast.Ip, parent: Any) -> None:
        if _PLAIN_IPV4.match(node.text):
            return
        try:
            ipaddress.ip_address(node.text)
        except ValueError:
            self.fail(node, f"invalid {'IPv4' if node.is_v4 else 'IPv6'} address {node.text}")

    def visit_Prefix(self, node: ast.Prefix, parent: Any) -> None:
        if isinstance(parent, (ast.Option, ast.Braced, ast.NextHop, ast.AspaNet)):
            return
        try:
            network = ipaddress.ip_network(f"{node.ip}/{node.length}", strict=False)
        except ValueError:
            self.fail(node, f"invalid prefix {node.ip}/{node.length}")
            return
        if str(network.network_address) != str(ipaddress.ip_address(node.ip)):
            family = "IPv4" if network.version == 4 else "IPv6"
            self.fail(
                node,
                f"invalid {family} prefix {node.ip}/{node.length}, maybe you wanted {network}",
                hint="the host bits of a prefix must be zero",
            )

    # ------------------------------------------------ expressions

    def visit_Num(self, node: ast.Num, parent: Any) -> None:
        if node.value > MAX_NUMBER:
            self.fail(node, "number out of range", hint="numbers are unsigned 32-bit (at most 4294967295)")

    def visit_Symbol(self, node: ast.Symbol, parent: Any) -> None:
        self.check_reference(node, node.name)

    def visit_Assign(self, node: ast.Assign, parent: Any) -> None:
        self.check_reference(node, node.target)

    def check_reference(self, node: Any, name: str) -> None:
        if len(name) > MAX_SYMBOL_LENGTH:
            self.fail(node, f"symbol too long (at most {MAX_SYMBOL_LENGTH} characters)")
        if name == "scope":
            self.need(node, self.version < (3, 0, 0), "the 'scope' route attribute", "2.x (3.x removed it)")
        if name == "weight":
            self.need(node, supports(self.version, (2, 0, 8)), "the 'weight' route attribute", "2.0.8")
        since = ATTRIBUTE_SINCE.get(name)
        if since is not None and name not in self.custom_attributes:
            self.need(node, supports(self.version, *since), f"the '{name}' route attribute", _since_text(*since))

    def visit_ByteString(self, node: ast.ByteString, parent: Any) -> None:
        self.need(node, supports(self.version, (2, 14, 0)), "byte strings", "2.14")
        if not node.text.startswith("hex:") and len(node.text.replace(":", "")) < 32:
            self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "a byte string under 16 bytes", "2.19")

    def visit_Mac(self, node: ast.Mac, parent: Any) -> None:
        if self.version < (2, 0, 8):
            return  # BIRD before 2.0.8 reads six hex pairs as an IPv6 address and fills the missing groups
        self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "MAC address literals", "2.19 or 3.3")

    def visit_MaskPlus(self, node: ast.MaskPlus, parent: Any) -> None:
        self.need(node, supports(self.version, (2, 0, 8)), "'+' in a path mask", "2.0.8")

    def visit_SetLit(self, node: ast.SetLit, parent: Any) -> None:
        if not node.items:
            self.need(node, supports(self.version, (2, 0, 11)), "the empty set '[]'", "2.0.11")

    def visit_Binary(self, node: ast.Binary, parent: Any) -> None:
        if node.op == "++":
            self.need(node, supports(self.version, (2, 18, 0), (3, 2, 0)), "the '++' operator", "2.18 or 3.2")
        elif node.op in ("&", "|"):
            self.need(node, supports(self.version, None), f"the bitwise '{node.op}' operator", "3.0")

    def visit_Call(self, node: ast.Call, parent: Any) -> None:
        if len(node.name) > MAX_SYMBOL_LENGTH:
            self.fail(node, f"symbol too long (at most {MAX_SYMBOL_LENGTH} characters)")
        if node.name == "from_hex":
            self.need(node, supports(self.version, (2, 14, 0)), "from_hex()", "2.14")
        elif node.name.startswith("aspa_check"):
            self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")
        elif node.name == "append":
            self.need(node, supports(self.version, (2, 18, 0), (3, 2, 0)), "append()", "2.18 or 3.2")
        elif node.name == "unset" and node.args and _names_attribute(node.args[0], self.custom_attributes):
            self.need(node, supports(self.version, (2, 14, 0)), "unset() of a custom attribute", "2.14")

    def visit_MethodCall(self, node: ast.MethodCall, parent: Any) -> None:
        since_2_14 = supports(self.version, (2, 14, 0))
        known = _METHODS if since_2_14 else _OLD_METHODS
        # a route variable's attributes read like methods: r.bgp_path
        attribute = node.args is None and (node.name in ROUTE_ATTRIBUTES or node.name in self.custom_attributes)
        if node.name not in known and not attribute:
            hint = did_you_mean(node.name, sorted(known), listing="methods", prefix=".")
            self.fail(node, f"unknown method '.{node.name}'", hint=hint)
        if since_2_14:
            return
        if node.name in ("min", "max"):
            self.need(node, self.version >= (2, 0, 9), f"the method '.{node.name}'", "2.0.9")
        if (node.name in _STATEMENT_METHODS and node.args is not None) or node.name == "empty":
            as_statement = isinstance(parent, ast.ExprStmt)
            on_attribute = isinstance(node.target, ast.Symbol) and (
                node.target.name.startswith("bgp_") or node.target.name in self.custom_attributes
            )
            self.need(
                node,
                as_statement and on_attribute,
                f"'.{node.name}(...)' outside a statement on a route attribute",
                "2.14",
            )

    # ------------------------------------------------ protocols and options

    def visit_ImportExport(self, node: ast.ImportExport, parent: Any) -> None:
        # a pipe and an aggregator hold their one channel's items directly
        if isinstance(parent, ast.Protocol) and parent.proto_type not in ("", "pipe", "aggregator"):
            self.fail(
                node,
                f"'{node.direction}' belongs in a channel block in BIRD 2 and 3",
                hint=f"write it inside the channel, e.g. ipv4 {{ {node.direction} all; }};",
            )
        if node.prefilter is not None:
            self.need(node, supports(self.version, None), "'export in PREFIX'", "3.0")

    def visit_ProtocolFilter(self, node: ast.ProtocolFilter, parent: Any) -> None:
        if not isinstance(parent, ast.Protocol) or parent.kind != "mrt":
            self.fail(node, "only an MRT protocol takes a filter of its own", hint="filters belong in a channel")

    def visit_Channel(self, node: ast.Channel, parent: Any) -> None:
        if node.net_type == "aspa":
            self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")

    def visit_StaticRoute(self, node: ast.StaticRoute, parent: Any) -> None:
        # an included fragment's pseudo-protocol has no type
        if isinstance(parent, ast.Protocol) and parent.kind not in ("", "static"):
            self.fail(node, f"a 'route' belongs in a static protocol, not in protocol {parent.kind}")

    def visit_AspaNet(self, node: ast.AspaNet, parent: Any) -> None:
        self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")

    def visit_FlowNet(self, node: ast.FlowNet, parent: Any) -> None:
        for item in node.items:
            masked = any(isinstance(word, ast.Punct) and word.text == "/" for word in item.words)
            # BIRD before 2.0.9 also matched the flow label by value/mask
            bitmask = item.name.startswith("tcp flags") or (item.name.startswith("label") and self.version < (2, 0, 9))
            if masked and not bitmask:
                self.fail(item, f"'{item.name}' takes no value/mask pairs (only 'tcp flags' does)")
            if item.name.startswith("label") and not masked and self.version < (2, 0, 9):
                self.fail(item, "BIRD before 2.0.9 matches a flow label only as value/mask", hint="write label N/MASK")
        # the walk leaves a flow net's items to this visitor: true/false in an option below it is a plain word
        in_flow, self.in_flow = self.in_flow, True
        for item in node.items:
            self.visit_tree(item, node)
        self.in_flow = in_flow

    def visit_NextHop(self, node: ast.NextHop, parent: Any) -> None:
        if any(isinstance(word, ast.Word) and word.text == "dev" for word in node.options):
            self.need(node, supports(self.version, (2, 15, 0)), "'via ADDRESS dev \"IFACE\"'", "2.15")

    def visit_BgpEndpoint(self, node: ast.BgpEndpoint, parent: Any) -> None:
        words = [word.text for word in node.extra if isinstance(word, ast.Word)]
        if words[:1] == ["address"]:
            self.need(node, supports(self.version, (2, 15, 0)), "RPKI 'local address'", "2.15")
        if words[:1] == ["role"]:
            self.need(node, supports(self.version, (2, 0, 11)), "BGP roles", "2.0.11")
        if "onlink" in node.flags:
            self.need(node, supports(self.version, (2, 18, 0), (3, 2, 0)), "'neighbor ... onlink'", "2.18")

    def direction_option(self, node: ast.Option, direction: str) -> None:
        """``import``/``export`` without a policy: only ``limit``, ``keep filtered``, ``table`` ... may follow."""
        second = node.words[1] if len(node.words) > 1 else None
        if isinstance(second, ast.Word) and second.text in _DIRECTION_OPTIONS:
            return
        shown = second.text if isinstance(second, (ast.Word, ast.Punct)) else "this"
        self.fail(
            second if second is not None and second.span is not None else node,
            f"unexpected '{shown}' after '{direction}'",
            hint=f"a policy is all, none, filter NAME, filter {{ ... }} or where CONDITION: {direction} all;",
        )

    def scopes(self, parent: Any) -> tuple[str, ...]:
        """The gate scopes (see :class:`~birdkit.config.versions_options.OptionGate`) of an option in ``parent``."""
        if isinstance(parent, ast.OptionBlock):
            return self.block_scopes.get(id(parent), ())
        if isinstance(parent, ast.Config):
            return ("top",)
        if isinstance(parent, ast.Table):
            return ("table",)
        if isinstance(parent, ast.Channel):
            return ("channel", self.kind, f"{self.kind} channel")
        if isinstance(parent, ast.Protocol):
            return ("protocol", self.kind)
        return ()

    def option_gate(self, node: ast.Option, parent: Any) -> tuple[str, ...]:
        """Check the option against its release gate; return its gate scopes."""
        scopes = self.scopes(parent)
        if node.block is not None:
            head = node.words[0] if node.words else None
            cli = isinstance(parent, ast.Config) and isinstance(head, ast.Word) and head.text == "cli"
            self.block_scopes[id(node.block)] = ("cli",) if cli else tuple(s for s in scopes if s != "protocol")
        forms = frozenset(
            form
            for form, present in (
                ("block", node.block is not None),
                ("flags", any(isinstance(word, ast.Braced) for word in node.words)),
            )
            if present
        )
        gate = option_gate(scopes, node.name, forms)
        if gate is not None:
            self.need(
                node,
                supports(self.version, gate.since_2, gate.since_3),
                f"'{gate.words}'",
                _since_text(gate.since_2, gate.since_3),
            )
        return scopes

    def protocol_word(self, node: ast.Option, head: str) -> None:
        """An option in a protocol starts with a word of that protocol's grammar or of the common one."""
        own = PROTOCOL_WORDS.get(self.kind)
        if own is None or head in own or head in COMMON_WORDS:
            return
        owners = sorted(kind for kind, kind_words in PROTOCOL_WORDS.items() if head in kind_words)
        hint = f"'{head}' is an option of protocol {', '.join(owners)}" if owners else None
        self.fail(node, f"'{head}' is not an option of protocol {self.kind}", hint=hint)

    def visit_Option(self, node: ast.Option, parent: Any) -> None:
        scopes = self.option_gate(node, parent)
        name = node.name
        head = node.words[0] if node.words else None
        if isinstance(head, ast.Word) and not head.text.startswith("'"):
            if isinstance(parent, ast.Config) and head.text not in TOP_LEVEL_WORDS:
                hint = None
                if head.text.lower() == "router":
                    hint = "keywords are lowercase: write 'router id'"
                elif head.text.lower() in ALL_KEYWORDS or head.text.lower() in TOP_LEVEL_WORDS:
                    hint = f"keywords are lowercase: write {head.text.lower()!r}"
                self.fail(node, f"unknown top-level statement '{head.text}'", hint=hint)
            if head.text not in ALL_KEYWORDS and head.text not in TOP_LEVEL_WORDS:
                hint = "keywords are lowercase" if head.text.lower() in ALL_KEYWORDS else None
                self.fail(node, f"unknown option '{head.text}'", hint=hint)
            if self.kind in scopes:
                self.protocol_word(node, head.text)
        if isinstance(head, (ast.Num, ast.Str)) and not self.in_flow:
            what = "a number" if isinstance(head, ast.Num) else "a string"
            self.fail(node, f"an option starts with a keyword, not {what}", hint="is the option's name missing?")
        for first, second in itertools.pairwise(node.words):
            # no option of BIRD repeats a keyword
            repeated = isinstance(first, ast.Word) and isinstance(second, ast.Word) and first.text == second.text
            if repeated and isinstance(second, ast.Word) and second.text in ALL_KEYWORDS:
                self.fail(second, f"'{second.text}' twice", hint=f"remove the second '{second.text}'")
        if isinstance(head, ast.Word) and head.text in ("import", "export") and not isinstance(parent, ast.Config):
            self.direction_option(node, head.text)
        for word in node.words[1:]:
            if isinstance(word, ast.Word) and word.text in ("true", "false") and not self.in_flow:
                self.need(word, supports(self.version, (2, 18, 0), (3, 2, 0)), "true/false as a switch", "2.18")
        if name.startswith("learn all"):
            self.need(node, supports(self.version, (2, 14, 0)), "'learn all'", "2.14")
        elif name.startswith("threads") and isinstance(parent, ast.Config):
            self.need(node, supports(self.version, (2, 14, 0)), "'threads'", "2.14")
        elif name.startswith("log udp"):
            self.need(node, supports(self.version, (2, 15, 0)), "'log udp'", "2.15")
        elif name.startswith("debug channels"):
            self.need(node, supports(self.version, (2, 0, 8)), "'debug channels'", "2.0.8")
        elif name.startswith("debug tables"):
            self.need(node, supports(self.version, (2, 15, 0)), "'debug tables'", "2.15")
        elif name.startswith("debug latency") and len(node.words) > 2:
            word = node.words[2]
            if isinstance(word, ast.Word) and word.text in _SWITCH_WORDS:
                self.need(node, self.version < (3, 0, 0), "'debug latency on|off'", "2.x (3.x takes a flag set)")
        elif name.startswith("mpls domain"):
            self.need(node, supports(self.version, (2, 14, 0)), "'mpls domain'", "2.14")
        elif name.startswith("cli") and isinstance(parent, ast.Config):
            self.need(node, supports(self.version, (2, 16, 0)), "'cli'", "2.16")
        elif name == "type tunnel":
            self.need(node, supports(self.version, (2, 14, 0)), "babel 'type tunnel'", "2.14")
        elif name.startswith("require roles"):
            self.need(node, supports(self.version, (2, 0, 11)), "BGP roles", "2.0.11")
        elif name.startswith("thread group") or name.startswith("filter stacks"):
            self.need(node, supports(self.version, None), f"'{name}'", "3.x")
