"""The checks `bird -p` makes after parsing: symbols defined before use, protocol sanity rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from birdkit.config import ast
from birdkit.config.symbols import Fact, Since214, Undefined, asn_value, is_ebgp, scan
from birdkit.config.versions import Version, supports
from birdkit.errors import BirdSyntaxError, ConfigError
from birdkit.span import Span

#: the words that may follow ``local``/``neighbor`` (and its address) in each protocol; BGP's is ``role``
_ENDPOINT_WORDS = {"bfd": frozenset({"dev", "local", "multihop"}), "rpki": frozenset({"address"})}
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
        self.tables: dict[str, ast.Table] = {}
        #: the families of the tables declared so far (a channel of one needs no table of its own)
        self.table_families: set[str] = set()
        self.protocols: dict[str, ast.Protocol] = {}
        self.defines: dict[str, ast.Define] = {}
        self.protocol_names: Iterator[str] = iter(())

    # ------------------------------------------------ reporting

    def fail(self, span: Span | None, message: str, hint: str | None = None, *, syntax: bool = True) -> None:
        lines = self.sources.get(span.path if span else None, [])
        line = lines[span.line - 1] if span and 0 < span.line <= len(lines) else None
        error_type = BirdSyntaxError if syntax else ConfigError
        raise error_type(message, span=span, source_line=line, hint=hint)

    def problem(self, fact: Fact) -> None:
        """Raise the error BIRD gives for ``fact`` (a construct the target accepts raises nothing)."""
        if isinstance(fact, Undefined):
            self.undefined(fact)
        elif supports(self.version, (2, 14, 0)):
            self.since_2_14(fact)

    def undefined(self, fact: Undefined) -> None:
        if fact.kind == "template":
            self.fail(fact.span, f"unknown template '{fact.name}'", hint="define the template above")
        if fact.is_keyword:
            self.fail(
                fact.span,
                f"'{fact.name}' is a keyword, not a {fact.kind} here",
                hint=f"is the ';' before '{fact.name}' missing?",
            )
        hint = "BIRD reads the config in one pass: define it above its first use"
        if fact.enum_spelling is not None:
            hint = f"enum constants are uppercase: {fact.enum_spelling}"
        elif fact.near_keyword is not None:
            hint = f"did you mean '{fact.near_keyword}'? (or define '{fact.name}' above its first use)"
        self.fail(fact.span, f"unknown {fact.kind} '{fact.name}'", hint=hint)

    def since_2_14(self, fact: Since214) -> None:
        if fact.what == "untyped-for":
            self.fail(fact.span, "a 'for' loop variable needs its type since BIRD 2.14", hint="for int a in ...")
        self.fail(
            fact.span,
            f"argument 1 of '{fact.method}' must be a community, not a route distinguisher",
            hint="write a pair such as (65000, 1)",
        )

    # ------------------------------------------------ top level

    def run(self, config: ast.Config) -> None:
        self.protocol_names = iter([name for name, _ in config.named_protocols()])
        problems: dict[int, list[Fact]] = {}
        for fact in scan(config).problems:
            problems.setdefault(fact.statement, []).append(fact)
        for index, statement in enumerate(config.statements):
            for fact in problems.get(index, ()):
                self.problem(fact)
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
        if isinstance(node, ast.Define):
            self.defines[node.name] = node
        elif isinstance(node, ast.Table):
            self.tables[node.name] = node
            self.table_families.add(_table_family(node.net_type))
        elif isinstance(node, ast.Protocol):
            self.protocol(node)

    def protocol(self, node: ast.Protocol) -> None:
        if node.from_template is not None and node.proto_type.startswith("ospf") and not node.is_template:
            self.fail(node.span, "inheriting configuration for OSPF is not supported", syntax=False)
        self.option_values(node)
        self.endpoint_words(node)
        self.aggregate_keys(node)
        items = self.effective_items(node)
        if not node.is_template:
            self.protocol_rules(node, items)
        self.protocols[next(self.protocol_names)] = node

    def endpoint_words(self, node: ast.Protocol) -> None:
        allowed = _ENDPOINT_WORDS.get(node.proto_type, {"role"})
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

    def aggregate_keys(self, node: ast.Protocol) -> None:
        for item in node.items:
            if isinstance(item, ast.AggregateOn) and not any(
                isinstance(key, ast.Symbol) and key.name == "net" for key in item.keys
            ):
                self.fail(item.span, "'NET' must be present", hint="aggregate on net, ...", syntax=False)

    # ------------------------------------------------ protocol rules

    def effective_items(self, node: ast.Protocol) -> list[Any]:
        chain: list[ast.Protocol] = [node]
        while chain[-1].from_template in self.protocols and len(chain) < 16:
            chain.append(self.protocols[chain[-1].from_template or ""])
        return [item for proto in reversed(chain) for item in proto.items]

    def protocol_rules(self, node: ast.Protocol, items: list[Any]) -> None:
        kind = node.kind
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
        self.channel_tables(channels)
        for route in routes:
            self.route_destination(route)
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

    def channel_tables(self, channels: list[ast.Channel]) -> None:
        """A channel of a family BIRD makes no table for must name one (here or in its template), unless a table
        of that family is declared above: BIRD takes the first one as the family's default."""
        with_table = self.table_families.union(
            _table_family(channel.net_type) for channel in channels if channel.table is not None
        )
        for channel in channels:
            family = _table_family(channel.net_type)
            if family in with_table or family not in _NO_DEFAULT_TABLE:
                continue
            self.fail(
                channel.span,
                f"routing table not specified for the {channel.net_type} channel",
                hint=f"BIRD makes only master4 and master6: declare '{channel.net_type} table NAME;' above",
                syntax=False,
            )

    def route_destination(self, route: ast.StaticRoute) -> None:
        """Routes to IP, VPN and SADR nets need a destination; ROA and flow routes take none."""
        takes_destination = isinstance(route.net, (ast.Prefix, ast.VpnNet, ast.SadrNet))
        if takes_destination == (route.kind != "none"):
            return
        hint = (
            "add a destination: via ADDRESS, blackhole, unreachable or prohibit"
            if takes_destination
            else "ROA and flow routes take no destination: remove it"
        )
        self.fail(route.span, "unexpected or missing next hop or route type", hint=hint, syntax=False)

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
        if table is None:
            return False
        options = [item for item in table.options or () if isinstance(item, ast.Option)]
        return table.sorted or any(item.name.startswith("sorted") and not _switched_off(item, 1) for item in options)

    def is_ebgp(self, endpoints: list[ast.BgpEndpoint], options: dict[str, ast.Option]) -> bool:
        local = neighbor = None
        flags: set[str] = set()
        for item in endpoints:
            if item.role == "local" and item.asn is not None:
                local = asn_value(item.asn, self.defines)
            if item.role == "neighbor":
                flags.update(item.flags)
                if item.asn is not None:
                    neighbor = asn_value(item.asn, self.defines)
        return is_ebgp(local, neighbor, flags, options)

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


#: the table families BIRD makes no table for (it makes master4 and master6 only)
_NO_DEFAULT_TABLE = frozenset({"vpn4", "vpn6", "roa4", "roa6", "flow4", "flow6", "aspa", "ipv6 sadr"})


def _table_family(net_type: str) -> str:
    """The family of table a channel or table of ``net_type`` uses: ``vpn4 mpls`` uses vpn4, ``ipv6 sadr`` its own."""
    return net_type if net_type.endswith("sadr") else net_type.split()[0]


def _switched_off(option: ast.Option, index: int) -> bool:
    word = option.words[index] if len(option.words) > index else None
    if isinstance(word, ast.Word):
        return word.text in _SWITCH_OFF
    return isinstance(word, ast.Num) and word.value == 0
