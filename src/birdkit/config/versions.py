"""Target BIRD versions and the syntax each accepts: version strings, and gates applied after parsing."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

import attrs

from birdkit.config import ast
from birdkit.config.keywords import ALL_KEYWORDS, reserved_names
from birdkit.config.keywords import words as _words
from birdkit.errors import BirdSyntaxError, ConfigError

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

#: first words of the top-level statements that have no rule of their own
TOP_LEVEL_WORDS = _words("router log debug timeformat mrtdump hostname graceful watchdog threads cli mpls eval thread")

_HEX_WORD = re.compile(r"[0-9a-fA-F]+\Z")

_SWITCH_WORDS = frozenset({"on", "off", "yes", "no"})


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


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = _FIELDS[node_type] = tuple(field.name for field in attrs.fields(node_type) if field.name != "span")
    return fields


def walk(node: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every AST node below ``node`` (included) with its ancestors, depth first in source order."""
    node_class, comment_class = ast.Node, ast.Comment
    stack: list[tuple[Any, tuple[Any, ...]]] = [(node, ancestors)]
    while stack:
        current, above = stack.pop()
        yield current, above
        children: list[Any] = []
        for name in _FIELDS.get(type(current)) or _child_fields(type(current)):
            value = getattr(current, name)
            if isinstance(value, tuple):
                children += [
                    item for item in value if isinstance(item, node_class) and item.__class__ is not comment_class
                ]
            elif isinstance(value, node_class) and value.__class__ is not comment_class:
                children.append(value)
        if children:
            inner = (*above, current)
            stack += [(child, inner) for child in reversed(children)]


def check_version_gates(root: Any, version: Version, text: str) -> None:
    """Raise BirdSyntaxError for the first construct ``version`` of BIRD does not accept."""
    _Gates(version, text.splitlines()).run(root)


def _names_attribute(expr: Any, attributes: set[str]) -> bool:
    return isinstance(expr, ast.Symbol) and expr.name in attributes


_UNSET = object()

#: the ``visit_<NodeType>`` function of :class:`_Gates` for each node type (None: nothing to check)
_VISITORS: dict[type, Any] = {}


class _Gates:
    def __init__(self, version: Version, lines: list[str]) -> None:
        self.version = version
        self.lines = lines
        self.custom_attributes: set[str] = set()

    def run(self, root: Any) -> None:
        # attribute declarations are top-level statements only (grammar rule top_stmt)
        for node in getattr(root, "statements", None) or ():
            if isinstance(node, ast.AttributeDecl):
                self.custom_attributes.add(node.name)
        visitors = _VISITORS
        for node, ancestors in walk(root):
            node_type = type(node)
            visitor = visitors.get(node_type, _UNSET)
            if visitor is _UNSET:
                visitor = visitors[node_type] = getattr(_Gates, f"visit_{node_type.__name__}", None)
            if visitor is not None:
                visitor(self, node, ancestors)

    def fail(self, node: Any, message: str, hint: str | None = None) -> None:
        span = node.span
        line = self.lines[span.line - 1] if span and 0 < span.line <= len(self.lines) else None
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
        hex_limit = 20 if supports(self.version, (2, 19, 0), (3, 3, 0)) else 32
        if len(name) >= hex_limit and _HEX_WORD.match(name) and self.version >= (2, 0, 9):
            self.fail(
                node,
                f"'{name[:12]}...' is read as a byte string, not a name",
                hint=f"BIRD lexes {hex_limit} or more hex digits as a byte string; add a non-hex letter",
            )
        if name in ("in",) or (name in reserved_names(self.version) and not keywords_usable_as_names(self.version)):
            self.fail(
                node,
                f"'{name}' is a keyword in BIRD {format_version(self.version)}: it cannot name this {what}",
                hint="rename it (keywords may be names only in BIRD 2.14+ and 3.2.1+)",
            )

    # ------------------------------------------------ definitions and names

    def visit_Define(self, node: ast.Define, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "constant")
        if isinstance(node.value, ast.Mac) and self.version >= (3, 3, 0):
            self.fail(node, "BIRD 3.3 cannot define a MAC constant (it fails in value copy)")

    def visit_FilterDef(self, node: ast.FilterDef, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "filter")

    def visit_FunctionDef(self, node: ast.FunctionDef, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "function")
        if node.return_type is not None:
            self.need(node.return_type, supports(self.version, (2, 14, 0)), "a '-> type' return type", "2.14")

    def visit_Protocol(self, node: ast.Protocol, ancestors: tuple[Any, ...]) -> None:
        if node.name is not None:
            self.name(node, node.name, "protocol")
        kind = node.proto_type.split()[0] if node.proto_type else ""
        if kind == "perf":
            self.need(node, self.version < (3, 0, 0), "protocol perf", "2.x (3.x does not build it)")
        if kind in ("l3vpn", "aggregator", "bmp"):
            self.need(node, supports(self.version, (2, 14, 0)), f"protocol {kind}", "2.14")

    def visit_Table(self, node: ast.Table, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "table")
        if node.net_type == "aspa":
            self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")
        if node.options is not None:
            self.need(node, supports(self.version, (2, 0, 9)), "a table option block", "2.0.9")
            for option in node.options:
                if isinstance(option, ast.Option) and option.name in ("min settle time", "max settle time"):
                    self.need(option, self.version < (3, 0, 0), f"'{option.name}'", "2.x (3.x removed it)")

    def visit_Param(self, node: ast.Param, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "parameter")

    def visit_VarDecl(self, node: ast.VarDecl, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "variable")
        if ancestors and isinstance(ancestors[-1], ast.Block):
            self.need(node, supports(self.version, (2, 0, 11)), "a declaration inside a block", "2.0.11")

    def visit_AttributeDecl(self, node: ast.AttributeDecl, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.name, "attribute")
        if node.bgp_code is not None:
            self.need(node, supports(self.version, (2, 14, 0)), "'attribute bgp'", "2.14")

    def visit_For(self, node: ast.For, ancestors: tuple[Any, ...]) -> None:
        self.name(node, node.var, "variable")
        self.need(node, supports(self.version, (2, 0, 11)), "a 'for' loop", "2.0.11")

    def visit_TypeRef(self, node: ast.TypeRef, ancestors: tuple[Any, ...]) -> None:
        base = node.name.split()[0]
        if base == "bytestring":
            self.need(node, supports(self.version, (2, 14, 0)), "the bytestring type", "2.14")
        elif base == "enum":
            self.need(node, supports(self.version, (2, 16, 0)), "enum types", "2.16")
        elif base == "mac":
            self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "the mac type", "2.19 or 3.3")
        elif base in ("quad", "bgpmask"):
            self.need(node, supports(self.version, (2, 0, 8)), f"the {base} type", "2.0.8")

    def visit_ExprStmt(self, node: ast.ExprStmt, ancestors: tuple[Any, ...]) -> None:
        if ancestors and isinstance(ancestors[-1], ast.Config):
            name = node.expr.name if isinstance(node.expr, ast.Call) else ""
            if not name.startswith("bt_"):
                self.fail(node, f"unknown top-level statement '{name}(...)'", hint="only bt_* test calls stand here")

    def visit_CaseArm(self, node: ast.CaseArm, ancestors: tuple[Any, ...]) -> None:
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

    def visit_Ip(self, node: ast.Ip, ancestors: tuple[Any, ...]) -> None:
        try:
            ipaddress.ip_address(node.text)
        except ValueError:
            self.fail(node, f"invalid {'IPv4' if node.is_v4 else 'IPv6'} address {node.text}")

    def visit_Prefix(self, node: ast.Prefix, ancestors: tuple[Any, ...]) -> None:
        if ancestors and isinstance(ancestors[-1], (ast.Option, ast.Braced, ast.NextHop, ast.AspaNet)):
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

    def visit_Num(self, node: ast.Num, ancestors: tuple[Any, ...]) -> None:
        if node.value > MAX_NUMBER:
            self.fail(node, "number out of range", hint="numbers are unsigned 32-bit (at most 4294967295)")

    def visit_Symbol(self, node: ast.Symbol, ancestors: tuple[Any, ...]) -> None:
        self.check_reference(node, node.name)

    def visit_Assign(self, node: ast.Assign, ancestors: tuple[Any, ...]) -> None:
        self.check_reference(node, node.target)

    def check_reference(self, node: Any, name: str) -> None:
        if len(name) > MAX_SYMBOL_LENGTH:
            self.fail(node, f"symbol too long (at most {MAX_SYMBOL_LENGTH} characters)")
        if name == "scope":
            self.need(node, self.version < (3, 0, 0), "the 'scope' route attribute", "2.x (3.x removed it)")
        if name == "weight":
            self.need(node, supports(self.version, (2, 0, 8)), "the 'weight' route attribute", "2.0.8")

    def visit_ByteString(self, node: ast.ByteString, ancestors: tuple[Any, ...]) -> None:
        self.need(node, supports(self.version, (2, 14, 0)), "byte strings", "2.14")
        if not node.text.startswith("hex:") and len(node.text.replace(":", "")) < 32:
            self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "a byte string under 16 bytes", "2.19")

    def visit_Mac(self, node: ast.Mac, ancestors: tuple[Any, ...]) -> None:
        self.need(node, supports(self.version, (2, 19, 0), (3, 3, 0)), "MAC address literals", "2.19 or 3.3")

    def visit_MaskPlus(self, node: ast.MaskPlus, ancestors: tuple[Any, ...]) -> None:
        self.need(node, supports(self.version, (2, 0, 8)), "'+' in a path mask", "2.0.8")

    def visit_SetLit(self, node: ast.SetLit, ancestors: tuple[Any, ...]) -> None:
        if not node.items:
            self.need(node, supports(self.version, (2, 0, 11)), "the empty set '[]'", "2.0.11")

    def visit_Binary(self, node: ast.Binary, ancestors: tuple[Any, ...]) -> None:
        if node.op == "++":
            self.need(node, supports(self.version, (2, 18, 0), (3, 2, 0)), "the '++' operator", "2.18 or 3.2")
        elif node.op in ("&", "|"):
            self.need(node, supports(self.version, None), f"the bitwise '{node.op}' operator", "3.0")

    def visit_Call(self, node: ast.Call, ancestors: tuple[Any, ...]) -> None:
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

    def visit_MethodCall(self, node: ast.MethodCall, ancestors: tuple[Any, ...]) -> None:
        if supports(self.version, (2, 14, 0)):
            return
        if node.name not in _OLD_METHODS:
            self.need(node, False, f"the method '.{node.name}'", "2.14")
        if (node.name in _STATEMENT_METHODS and node.args is not None) or node.name == "empty":
            as_statement = bool(ancestors) and isinstance(ancestors[-1], ast.ExprStmt)
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

    def visit_ImportExport(self, node: ast.ImportExport, ancestors: tuple[Any, ...]) -> None:
        parent = ancestors[-1] if ancestors else None
        if isinstance(parent, ast.Protocol) and parent.proto_type and parent.proto_type != "pipe":
            self.fail(
                node,
                f"'{node.direction}' belongs in a channel block in BIRD 2 and 3",
                hint=f"write it inside the channel, e.g. ipv4 {{ {node.direction} all; }};",
            )
        if node.prefilter is not None:
            self.need(node, supports(self.version, None), "'export in PREFIX'", "3.0")

    def visit_Channel(self, node: ast.Channel, ancestors: tuple[Any, ...]) -> None:
        if node.net_type == "aspa":
            self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")

    def visit_AspaNet(self, node: ast.AspaNet, ancestors: tuple[Any, ...]) -> None:
        self.need(node, supports(self.version, (2, 16, 0), (3, 1, 0)), "ASPA", "2.16 or 3.1")

    def visit_FlowNet(self, node: ast.FlowNet, ancestors: tuple[Any, ...]) -> None:
        for item in node.items:
            masked = any(isinstance(word, ast.Punct) and word.text == "/" for word in item.words)
            if masked and not item.name.startswith("tcp flags"):
                self.fail(item, f"'{item.name}' takes no value/mask pairs (only 'tcp flags' does)")

    def visit_NextHop(self, node: ast.NextHop, ancestors: tuple[Any, ...]) -> None:
        if any(isinstance(word, ast.Word) and word.text == "dev" for word in node.options):
            self.need(node, supports(self.version, (2, 15, 0)), "'via ADDRESS dev \"IFACE\"'", "2.15")

    def visit_BgpEndpoint(self, node: ast.BgpEndpoint, ancestors: tuple[Any, ...]) -> None:
        words = [word.text for word in node.extra if isinstance(word, ast.Word)]
        if words[:1] == ["role"]:
            self.need(node, supports(self.version, (2, 0, 11)), "BGP roles", "2.0.11")
        if "onlink" in node.flags:
            self.need(node, supports(self.version, (2, 18, 0), (3, 2, 0)), "'neighbor ... onlink'", "2.18")

    def visit_Option(self, node: ast.Option, ancestors: tuple[Any, ...]) -> None:
        name = node.name
        head = node.words[0] if node.words else None
        parent = ancestors[-1] if ancestors else None
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
        in_flow = any(isinstance(ancestor, ast.FlowNet) for ancestor in ancestors)
        for word in node.words[1:]:
            if isinstance(word, ast.Word) and word.text in ("true", "false") and not in_flow:
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
