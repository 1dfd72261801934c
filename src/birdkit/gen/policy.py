"""Routing policy: the peer map's ``policy`` sections, their validation, the compiler into BIRD filters, and the
Python model of those filters that ``birdkit gen --explain`` prints and the tests check against real BIRD.

A ``policy`` section sits in ``defaults``, in a node, in ``defaults.policy.peers.NAME`` / ``node.policy.peers.NAME``
(one peer group: a fleet node or an extra peer by name) and in an extra peer. ``policy: open`` is short for
``{mode: open}``: ``import all; export all;`` as the walkthrough writes. Everything else is ``safe``:

* to fleet nodes: the node's own pod CIDRs (route reflectors also reflect the others'); nothing from ``direct``,
  ``device`` or ``kernel``;
* from fleet nodes: a pod CIDR (or a more-specific) only from its owner (the session's peer; behind a route
  reflector, what the reflector reflects, which it took from the owner's session), never the node's own,
  nothing longer than ``max_length``, no default route unless ``allow_default``;
* to extra peers: ``pods: own`` (default), ``fleet`` or ``aggregate`` plus the node's ``announce`` CIDRs;
* from extra peers: only the ``accept`` list, never a fleet pod CIDR.

User rules (``import:``/``export:``, ``{cidr, match, action, set}``) run after the safety rejections and before
the built-in defaults; the first that matches decides.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs

from birdkit.errors import PeermapError, did_you_mean
from birdkit.gen.topology import Neighbor, PeerGroup, peer_groups, protocol_name

if TYPE_CHECKING:
    from birdkit.gen.peermap import IPNetwork, Node, Path_, Peermap

Mode = Literal["safe", "open"]
Match = Literal["equal", "in", "not-equal", "not-in"]
Verdict = Literal["accept", "reject"]
PodsExport = Literal["own", "fleet", "aggregate", "none"]
LimitAction = Literal["warn", "block", "restart", "disable"]
NextHop = Literal["self", "keep"]
AnnounceFrom = Literal["all", "reflectors"]
Source = Literal["static", "bgp", "direct", "device", "kernel"]

MODES: tuple[Mode, ...] = ("safe", "open")
MATCHES: tuple[Match, ...] = ("equal", "in", "not-equal", "not-in")
VERDICTS: tuple[Verdict, ...] = ("accept", "reject")
PODS_EXPORTS: tuple[PodsExport, ...] = ("own", "fleet", "aggregate", "none")
LIMIT_ACTIONS: tuple[LimitAction, ...] = ("warn", "block", "restart", "disable")
NEXT_HOPS: tuple[NextHop, ...] = ("self", "keep")
ANNOUNCE_FROM: tuple[AnnounceFrom, ...] = ("all", "reflectors")
#: the longest prefix accepted when ``max_length`` does not say (IPv4, IPv6)
DEFAULT_MAX_LENGTH = {4: 28, 6: 124}
#: names of the static protocols that originate ``announce`` and ``aggregates`` CIDRs, per family
ANNOUNCE_PROTOCOL = "announce{family}"
#: names of the ``define`` prefix sets of the fleet's pod CIDRs, exact and or longer, per family
FLEET_PODS = "FLEET_PODS_V{family}"
FLEET_POD_SPACE = "FLEET_POD_SPACE_V{family}"

SESSION_KEYS = (
    "mode", "pods", "accept", "max_length", "allow_default", "import", "export", "import_limit", "keep_filtered",
    "ttl_security", "graceful_restart", "passive", "next_hop", "add_paths", "allow_local_as", "source_address",
)  # fmt: skip
NODE_KEYS = (*SESSION_KEYS, "communities", "large_communities", "announce", "aggregates", "peers")
SET_KEYS = ("communities", "large_communities", "local_pref", "med", "prepend")
RULE_KEYS = ("cidr", "match", "action", "set")
ANNOUNCE_KEYS = ("cidr", "from", "communities", "large_communities")
LIMIT_KEYS = ("limit", "action")

Community = tuple[int, int]
LargeCommunity = tuple[int, int, int]


# ----------------------------------------------------------------------------------------------- model


@attrs.frozen
class SetActions:
    """Attributes a matching ``accept`` rule sets on the route."""

    communities: tuple[Community, ...] = ()
    large_communities: tuple[LargeCommunity, ...] = ()
    local_pref: int | None = None
    med: int | None = None
    #: how many times the node's AS is prepended to the AS path
    prepend: int = 0

    def __bool__(self) -> bool:
        return bool(self.communities or self.large_communities or self.prepend) or (
            self.local_pref is not None or self.med is not None
        )

    def merged(self, other: SetActions) -> SetActions:
        """These actions and then ``other``'s (communities added, scalars overridden)."""
        return SetActions(
            self.communities + other.communities,
            self.large_communities + other.large_communities,
            other.local_pref if other.local_pref is not None else self.local_pref,
            other.med if other.med is not None else self.med,
            self.prepend + other.prepend,
        )


@attrs.frozen
class Rule:
    """One BGPFilter-style rule: ``match`` compares the route's prefix with ``cidr``; ``action`` decides."""

    cidr: IPNetwork
    match: Match
    action: Verdict
    set: SetActions = SetActions()
    #: where the rule is written, e.g. ``("nodes", 0, "policy", "import", 1)``
    path: Path_ = ()

    @property
    def where(self) -> str:
        """The rule's place in the peer map, e.g. ``nodes[0].policy.import[1]``."""
        from birdkit.gen.peermap import render_path

        return render_path(self.path)


@attrs.frozen
class ImportLimit:
    """``import limit N action A;``: what BIRD does when a peer sends more than ``limit`` routes."""

    limit: int
    action: LimitAction = "warn"


@attrs.frozen
class Announcement:
    """An extra CIDR a node announces to its extra peers (service ranges), or communities for a pod CIDR."""

    cidr: IPNetwork
    origin: AnnounceFrom = "all"
    communities: tuple[Community, ...] = ()
    large_communities: tuple[LargeCommunity, ...] = ()
    path: Path_ = ()


@attrs.frozen
class PolicySpec:
    """One ``policy`` section as written; ``None`` and empty fields inherit from the wider section."""

    mode: Mode | None = None
    pods: PodsExport | None = None
    accept: tuple[IPNetwork, ...] | None = None
    max_length: Mapping[int, int] = attrs.field(factory=dict)
    allow_default: bool | None = None
    import_rules: tuple[Rule, ...] = ()
    export_rules: tuple[Rule, ...] = ()
    import_limit: ImportLimit | None = None
    keep_filtered: bool | None = None
    ttl_security: bool | None = None
    graceful_restart: bool | None = None
    passive: bool | None = None
    next_hop: NextHop | None = None
    add_paths: bool | None = None
    allow_local_as: int | None = None
    source_address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    communities: tuple[Community, ...] = ()
    large_communities: tuple[LargeCommunity, ...] = ()
    announce: tuple[Announcement, ...] = ()
    aggregates: tuple[IPNetwork, ...] = ()
    peers: Mapping[str, PolicySpec] = attrs.field(factory=dict)
    #: schema path of the section, for errors found after loading
    path: Path_ = ()


#: scalar fields a narrower section overrides
_SCALARS = (
    "mode", "pods", "accept", "allow_default", "import_limit", "keep_filtered", "ttl_security", "graceful_restart",
    "passive", "next_hop", "add_paths", "allow_local_as", "source_address",
)  # fmt: skip


@attrs.frozen
class SessionPolicy:
    """The policy of one session: its sections merged, the narrowest winning."""

    mode: Mode = "safe"
    pods: PodsExport = "own"
    accept: tuple[IPNetwork, ...] = ()
    max_length: Mapping[int, int] = attrs.field(factory=lambda: dict(DEFAULT_MAX_LENGTH))
    allow_default: bool = False
    import_rules: tuple[Rule, ...] = ()
    export_rules: tuple[Rule, ...] = ()
    import_limit: ImportLimit | None = None
    keep_filtered: bool = False
    ttl_security: bool = False
    graceful_restart: bool = False
    passive: bool = False
    next_hop: NextHop | None = None
    add_paths: bool = False
    allow_local_as: int | None = None
    source_address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None


def merge(sections: Sequence[PolicySpec]) -> SessionPolicy:
    """``sections`` from the widest (defaults) to the narrowest (the extra peer) as one :class:`SessionPolicy`.

    Scalars: the narrowest that says wins. Rules: the narrowest section's first, so a peer's own rules decide
    before the fleet's."""
    values: dict[str, Any] = {}
    max_length = dict(DEFAULT_MAX_LENGTH)
    for section in sections:
        values.update({name: getattr(section, name) for name in _SCALARS if getattr(section, name) is not None})
        max_length.update(section.max_length)
    narrow_first = list(reversed(sections))
    return SessionPolicy(
        **values,
        max_length=max_length,
        import_rules=tuple(rule for section in narrow_first for rule in section.import_rules),
        export_rules=tuple(rule for section in narrow_first for rule in section.export_rules),
    )


# ----------------------------------------------------------------------------------------------- routes and filters


@attrs.frozen
class Route:
    """What a filter looks at: the prefix, which protocol made it, and the BGP originator id when set."""

    net: IPNetwork
    source: Source = "bgp"
    originator_id: ipaddress.IPv4Address | None = None


_SOURCE_SYMBOLS: Mapping[Source, str] = {
    "static": "RTS_STATIC", "bgp": "RTS_BGP", "direct": "RTS_DEVICE", "device": "RTS_DEVICE", "kernel": "RTS_INHERIT",
}  # fmt: skip


@attrs.frozen
class NetIn:
    """The route's prefix is one of ``nets`` (``or_longer``: or inside one of them)."""

    nets: tuple[IPNetwork, ...]
    or_longer: bool = False
    #: the ``define`` that names this prefix set in the config (the fleet's pod CIDRs)
    symbol: str | None = None

    def holds(self, route: Route) -> bool:
        if self.or_longer:
            return any(route.net.version == net.version and route.net.subnet_of(net) for net in self.nets)  # type: ignore[arg-type]
        return route.net in self.nets

    def bird(self, negated: bool = False) -> str:
        if self.symbol is not None:
            return f"net {'!~' if negated else '~'} {self.symbol}"
        if len(self.nets) == 1 and not self.or_longer:
            return f"net {'!=' if negated else '='} {self.nets[0]}"
        return f"net {'!~' if negated else '~'} {self.prefix_set()}"

    def prefix_set(self) -> str:
        """The BIRD prefix set: ``[10.0.1.0/24+, 10.0.2.0/24+]``. Prefixes of one length that together fill a
        wider one are written as that one with a length range (``10.0.2.0/23{24,32}`` for ``10.0.2.0/24+`` and
        ``10.0.3.0/24+``), so a fleet of 500 /24 pod CIDRs in a /16 is a few patterns, not 500."""
        return _prefix_set(self.nets, self.or_longer)

    def words(self) -> str:
        listed = "a fleet pod CIDR" if self.symbol is not None else ", ".join(map(str, self.nets))
        return f"{listed} or longer" if self.or_longer else listed


@functools.cache
def _prefix_set(nets: tuple[IPNetwork, ...], or_longer: bool) -> str:
    """See :meth:`NetIn.prefix_set` (cached: every node of a fleet writes the same fleet sets)."""
    patterns = []
    for length in sorted({net.prefixlen for net in nets}):
        same = [net for net in nets if net.prefixlen == length]
        top = same[0].max_prefixlen if or_longer else length
        for wide in ipaddress.collapse_addresses(same):  # type: ignore[type-var]
            if wide.prefixlen == length:
                patterns.append(f"{wide}+" if or_longer else str(wide))
            else:
                patterns.append(f"{wide}{{{length},{top}}}")
    return f"[{', '.join(patterns)}]"


@attrs.frozen
class LongerThan:
    """The route's prefix length is more than ``length``."""

    length: int

    def holds(self, route: Route) -> bool:
        return route.net.prefixlen > self.length

    def bird(self, negated: bool = False) -> str:
        return f"net.len {'<=' if negated else '>'} {self.length}"

    def words(self) -> str:
        return f"longer than /{self.length}"


@attrs.frozen
class SourceIs:
    """The route came from one of these protocols (static blackholes, BGP)."""

    sources: tuple[Source, ...]

    def holds(self, route: Route) -> bool:
        return route.source in self.sources

    def bird(self, negated: bool = False) -> str:
        symbols = [_SOURCE_SYMBOLS[source] for source in self.sources]
        if len(symbols) == 1:
            return f"source {'!=' if negated else '='} {symbols[0]}"
        return f"source {'!~' if negated else '~'} [{', '.join(symbols)}]"

    def words(self) -> str:
        return "from " + " or ".join("BGP" if s == "bgp" else f"protocol {s}" for s in self.sources)


@attrs.frozen
class MadeByPeer:
    """Behind a route reflector: the route has no originator id (the reflector made it) or the peer's own."""

    router_id: ipaddress.IPv4Address

    def holds(self, route: Route) -> bool:
        return route.originator_id in (None, self.router_id)

    def bird(self, negated: bool = False) -> str:
        return f"(!defined(bgp_originator_id) || bgp_originator_id = {self.router_id})"

    def words(self) -> str:
        return f"made by the peer itself (no originator id, or {self.router_id})"


@attrs.frozen
class Reflected:
    """The route carries an originator id: a reflector passed on another node's route."""

    def holds(self, route: Route) -> bool:
        return route.originator_id is not None

    def bird(self, negated: bool = False) -> str:
        return "defined(bgp_originator_id)"

    def words(self) -> str:
        return "reflected (it has an originator id)"


Test = NetIn | LongerThan | SourceIs | MadeByPeer | Reflected


@attrs.frozen
class Condition:
    """A test, possibly negated."""

    test: Test
    negated: bool = False

    def holds(self, route: Route) -> bool:
        return self.test.holds(route) != self.negated

    def bird(self) -> str:
        return self.test.bird(self.negated)

    def words(self) -> str:
        return f"not {self.test.words()}" if self.negated else self.test.words()


@attrs.frozen
class Clause:
    """``if ALL CONDITIONS then { SET; VERDICT; }``; no conditions: the final verdict."""

    conditions: tuple[Condition, ...]
    verdict: Verdict
    reason: str
    sets: SetActions = SetActions()

    def holds(self, route: Route) -> bool:
        return all(condition.holds(route) for condition in self.conditions)

    def bird_lines(self, asn: int) -> list[str]:
        """The clause as canonical BIRD lines (indented by the filter)."""
        actions = [*_set_lines(self.sets, asn), f"{self.verdict};"]
        if not self.conditions:
            return actions
        test = " && ".join(condition.bird() for condition in self.conditions)
        if len(actions) == 1:
            return [f"if {test} then {actions[0]}"]
        return [f"if {test} then {{", *(f"    {line}" for line in actions), "}"]

    def words(self) -> str:
        when = " and ".join(condition.words() for condition in self.conditions) or "anything else"
        return f"{self.verdict} {when}: {self.reason}"


def _set_lines(sets: SetActions, asn: int) -> list[str]:
    lines = [f"bgp_community.add(({a}, {b}));" for a, b in sets.communities]
    lines += [f"bgp_large_community.add(({a}, {b}, {c}));" for a, b, c in sets.large_communities]
    if sets.local_pref is not None:
        lines.append(f"bgp_local_pref = {sets.local_pref};")
    if sets.med is not None:
        lines.append(f"bgp_med = {sets.med};")
    lines += [f"bgp_path.prepend({asn});"] * sets.prepend
    return lines


@attrs.frozen
class Decision:
    """What a filter does with a route, and which clause decided."""

    accepted: bool
    clause: int
    reason: str
    sets: SetActions = SetActions()


@attrs.frozen
class Filter:
    """One named BIRD filter: a comment line, its clauses in order (the last one has no conditions)."""

    name: str
    comment: str
    clauses: tuple[Clause, ...]
    asn: int

    def decide(self, route: Route) -> Decision:
        """The Python model of the filter: the first clause whose conditions hold decides."""
        for index, clause in enumerate(self.clauses):
            if clause.holds(route):
                return Decision(clause.verdict == "accept", index, clause.reason, clause.sets)
        raise AssertionError(f"filter {self.name} has no final clause")

    def lines(self) -> list[str]:
        """The filter body, one canonical BIRD line each."""
        return [line for clause in self.clauses for line in clause.bird_lines(self.asn)]


@attrs.frozen
class ChannelPolicy:
    """What one channel of one session says: ``import``/``export`` (``all`` or ``filter NAME``) and options."""

    family: int
    import_filter: Filter | None
    export_filter: Filter | None
    lines: tuple[str, ...] = ()

    @property
    def import_policy(self) -> str:
        return f"filter {self.import_filter.name}" if self.import_filter else "all"

    @property
    def export_policy(self) -> str:
        return f"filter {self.export_filter.name}" if self.export_filter else "all"


@attrs.frozen
class CompiledSession:
    """One BGP session's compiled policy: session lines and a :class:`ChannelPolicy` per family."""

    neighbor: Neighbor
    policy: SessionPolicy
    lines: tuple[str, ...]
    channels: Mapping[str, ChannelPolicy]


@attrs.frozen
class NodePolicy:
    """A node's compiled policy: the filters (in config order), sessions by protocol name, and the static
    routes (per family) that originate its announcements and aggregates."""

    filters: tuple[Filter, ...]
    sessions: Mapping[str, CompiledSession]
    originated: Mapping[int, tuple[IPNetwork, ...]]
    #: ``define NAME = [...];`` lines the filters refer to: (name, prefix set)
    defines: tuple[tuple[str, NetIn], ...] = ()


# ----------------------------------------------------------------------------------------------- compiler


def compile_node(peermap: Peermap, node: Node, groups: Sequence[PeerGroup], families: Sequence[int]) -> NodePolicy:
    """Compile ``node``'s sessions (``groups`` from :func:`~birdkit.gen.topology.peer_groups`) into filters."""
    fleet = _Fleet(peermap, node)
    filters: list[Filter] = []
    sessions: dict[str, CompiledSession] = {}
    for group in groups:
        for neighbor in group.neighbors:
            policy = merge(session_sections(peermap, node, neighbor))
            channels = {}
            for family in families:
                import_filter = export_filter = None
                if policy.mode == "safe":
                    import_filter = fleet.import_filter(neighbor, policy, family)
                    export_filter = fleet.export_filter(neighbor, policy, family)
                    filters += [import_filter, export_filter]
                channels[f"ipv{family}"] = ChannelPolicy(
                    family, import_filter, export_filter, tuple(fleet.channel_lines(neighbor, policy))
                )
            lines = tuple(fleet.session_lines(neighbor, policy))
            sessions[neighbor.protocol] = CompiledSession(neighbor, policy, lines, channels)
    originated = {family: fleet.originated(family) for family in families}
    defines = tuple(fleet.defines(families)) if filters else ()
    return NodePolicy(tuple(filters), sessions, {f: nets for f, nets in originated.items() if nets}, defines)


def originated(peermap: Peermap, node: Node) -> tuple[IPNetwork, ...]:
    """The CIDRs ``node`` originates besides its pod CIDRs (announcements, aggregates), every family."""
    fleet = _Fleet(peermap, node)
    return tuple(net for family in (4, 6) for net in fleet.originated(family))


def session_sections(peermap: Peermap, node: Node, neighbor: Neighbor) -> list[PolicySpec]:
    """The ``policy`` sections that apply to ``node``'s session with ``neighbor``, widest first."""
    defaults, own = peermap.defaults.policy, node.policy
    sections = [defaults, defaults.peers.get(neighbor.name), own, own.peers.get(neighbor.name)]
    if neighbor.external:
        sections.append(next(p.policy for p in node.extra_peers if p.name == neighbor.name))
    return [section for section in sections if section is not None]


def node_sections(peermap: Peermap, node: Node) -> tuple[PolicySpec, PolicySpec]:
    """The two sections that say what a node announces: ``defaults.policy`` and the node's own."""
    return peermap.defaults.policy, node.policy


class _Fleet:
    """The facts one node's filters are made of: who owns which pod CIDR, who reflects, what is announced."""

    def __init__(self, peermap: Peermap, node: Node) -> None:
        self.peermap, self.node = peermap, node
        self.by_name = {other.name: other for other in peermap.nodes}
        topology = peermap.topology
        self.reflectors = set(topology.route_reflectors) if topology.kind == "route-reflectors" else set()
        wide, own = node_sections(peermap, node)
        self.communities = wide.communities + own.communities
        self.large_communities = wide.large_communities + own.large_communities
        is_reflector = node.name in self.reflectors
        self.announced = [
            a for a in wide.announce + own.announce if a.origin == "all" or is_reflector
        ]
        self.aggregates = own.aggregates or wide.aggregates
        self.all_pods = {
            family: tuple(cidr for owner in peermap.nodes for cidr in self.pods(owner, family)) for family in (4, 6)
        }
        self.other_pods = {
            family: tuple(cidr for cidr in pods if cidr not in node.pod_cidrs) for family, pods in self.all_pods.items()
        }

    def pods(self, owner: Node, family: int) -> tuple[IPNetwork, ...]:
        return tuple(cidr for cidr in owner.pod_cidrs if cidr.version == family)

    def fleet_pods(self, family: int) -> tuple[IPNetwork, ...]:
        return self.all_pods[family]

    def fleet_set(self, family: int, or_longer: bool) -> Condition:
        """The fleet's pod CIDRs (or longer), by the name of their ``define``: written once per config, so a
        session's filter stays as short in a 500-node fleet as in a 3-node one."""
        name = (FLEET_POD_SPACE if or_longer else FLEET_PODS).format(family=family)
        return Condition(NetIn(self.fleet_pods(family), or_longer, name))

    def defines(self, families: Sequence[int]) -> list[tuple[str, NetIn]]:
        """The ``define`` lines the filters use: per family with pod CIDRs, exact and or longer."""
        return [
            ((FLEET_POD_SPACE if or_longer else FLEET_PODS).format(family=family),
             NetIn(self.fleet_pods(family), or_longer))
            for family in families if self.fleet_pods(family) for or_longer in (False, True)
        ]

    def originated(self, family: int) -> tuple[IPNetwork, ...]:
        """Announced CIDRs that are not pod CIDRs, and aggregates: routes of the ``announce`` static protocol."""
        own = set(self.pods(self.node, family))
        found = [a.cidr for a in self.announced if a.cidr.version == family and a.cidr not in own]
        found += [cidr for cidr in self.aggregates if cidr.version == family and cidr not in found]
        return tuple(found)

    def own_routes(self, family: int) -> list[Clause]:
        """Accept the node's own pod CIDRs (static blackholes), each with its communities."""
        tags = SetActions(self.communities, self.large_communities)
        per_cidr = {a.cidr: a for a in self.announced}
        clauses = []
        plain = []
        for cidr in self.pods(self.node, family):
            extra = per_cidr.get(cidr)
            if extra is not None and (extra.communities or extra.large_communities):
                sets = tags.merged(SetActions(extra.communities, extra.large_communities))
                clauses.append(_clause([_static(), _net(cidr)], "accept", f"our pod CIDR {cidr}", sets))
            else:
                plain.append(cidr)
        if plain:
            clauses.append(_clause([_static(), _net(*plain)], "accept", "our pod CIDRs", tags))
        return clauses

    # --- filters

    def import_filter(self, neighbor: Neighbor, policy: SessionPolicy, family: int) -> Filter:
        max_length = policy.max_length[family]
        default = _default_route(family)
        fleet_pods = self.fleet_pods(family)
        clauses = [_clause([_longer(max_length)], "reject", f"longer than the maximum length /{max_length}")]
        if neighbor.external:
            if fleet_pods:
                clauses.append(_clause([self.fleet_set(family, or_longer=True)], "reject",
                                       "a fleet pod CIDR: only its owner announces it"))
            if not (policy.allow_default or default in policy.accept):
                clauses.append(_clause([_net(default)], "reject", "the default route is not allowed"))
            clauses += [_rule_clause(rule) for rule in policy.import_rules if rule.cidr.version == family]
            accepted = _of(policy.accept, family)
            if accepted:
                clauses.append(_clause([_net(*accepted)], "accept", "on the accept list"))
            clauses.append(_clause([], "reject", "not on the accept list"))
            comment = f"From {neighbor.name} (eBGP, IPv{family}): only the accept list, never a fleet pod CIDR."
        else:
            own = self.pods(self.node, family)
            if not policy.allow_default:
                clauses.append(_clause([_net(default)], "reject", "the default route is not allowed"))
            if own:
                clauses.append(_clause([_net(*own, or_longer=True)], "reject", "our own pod CIDR announced back"))
            clauses += [_rule_clause(rule) for rule in policy.import_rules if rule.cidr.version == family]
            clauses += self.owner_clauses(neighbor, family)
            clauses.append(_clause([], "reject", "not a pod CIDR from its owner"))
            comment = f"From {neighbor.name} (fleet, IPv{family}): a pod CIDR only from the node that owns it."
        name = f"import_{neighbor.protocol}_ipv{family}"
        return Filter(name, comment, tuple(clauses), self.node.asn)

    def owner_clauses(self, neighbor: Neighbor, family: int) -> list[Clause]:
        """Accept each pod CIDR only from its owner: the session's peer; behind a reflector, also what the
        reflector reflects, which it accepted from the owner's own session (the same filters run there)."""
        peer = self.by_name[neighbor.name]
        peer_pods = self.pods(peer, family)
        if not self.fleet_pods(family):
            return []
        if neighbor.name in self.reflectors:
            clauses = [
                _clause([_net(*peer_pods, or_longer=True), Condition(MadeByPeer(peer.router_id))], "accept",
                        f"owned by {peer.name}, the peer"),
                _clause([_net(*peer_pods, or_longer=True)], "reject", f"owned by {peer.name}, made by another node"),
            ] if peer_pods else []
            clauses.append(_clause([self.fleet_set(family, or_longer=True), Condition(Reflected())], "accept",
                                   f"reflected by {peer.name}, which accepts a pod CIDR only from its owner"))
            return clauses
        clauses = [_clause([_net(*peer_pods, or_longer=True)], "accept", f"owned by {peer.name}, the peer")
                   ] if peer_pods else []
        clauses.append(_clause([self.fleet_set(family, or_longer=True)], "reject",
                               f"owned by another node, not by {peer.name}"))
        return clauses

    def export_filter(self, neighbor: Neighbor, policy: SessionPolicy, family: int) -> Filter:
        clauses = [_clause([Condition(SourceIs(("static", "bgp")), negated=True)], "reject",
                           "never routes of protocol direct, device or kernel")]
        clauses += [_rule_clause(rule) for rule in policy.export_rules if rule.cidr.version == family]
        others = self.other_pods[family]
        bgp = Condition(SourceIs(("bgp",)))
        if neighbor.external:
            if policy.pods in ("own", "fleet"):
                clauses += self.own_routes(family)
            if policy.pods == "fleet" and others:
                clauses.append(_clause([bgp, self.fleet_set(family, or_longer=False)], "accept",
                                       "the other nodes' pod CIDRs"))
            aggregates = _of(self.aggregates, family)
            if policy.pods == "aggregate" and aggregates:
                tags = SetActions(self.communities, self.large_communities)
                clauses.append(_clause([_static(), _net(*aggregates)], "accept", "the pod aggregates", tags))
            for announced in self.announced:
                if announced.cidr.version == family and announced.cidr not in self.node.pod_cidrs:
                    sets = SetActions(announced.communities, announced.large_communities)
                    clauses.append(_clause([_static(), _net(announced.cidr)], "accept",
                                           f"announced {announced.cidr}", sets))
            what = {"own": "our pod CIDRs", "fleet": "the fleet's pod CIDRs", "aggregate": "the pod aggregates",
                    "none": "no pod CIDRs"}[policy.pods]
            comment = f"To {neighbor.name} (eBGP, IPv{family}): {what} and announced CIDRs, nothing else."
        else:
            clauses += self.own_routes(family)
            if self.node.name in self.reflectors and others:
                clauses.append(_clause([bgp, self.fleet_set(family, or_longer=True)], "accept",
                                       "reflect the other nodes' pod CIDRs"))
            reflects = " and reflected ones" if self.node.name in self.reflectors else ""
            comment = f"To {neighbor.name} (fleet, IPv{family}): our pod CIDRs{reflects}, nothing else."
        clauses.append(_clause([], "reject", "nothing else is exported"))
        return Filter(f"export_{neighbor.protocol}_ipv{family}", comment, tuple(clauses), self.node.asn)

    # --- options

    def session_lines(self, neighbor: Neighbor, policy: SessionPolicy) -> Iterable[str]:
        if policy.source_address is not None:
            yield f"source address {policy.source_address};"
        if policy.ttl_security:
            yield "ttl security on;"
        if policy.graceful_restart and not self.peermap.options.graceful_restart:
            yield "graceful restart on;"
        if policy.passive and (neighbor.external or self.node.address.ip.packed > neighbor.address.packed):
            yield "passive on;"
        if policy.allow_local_as is not None:
            yield f"allow local as {policy.allow_local_as};" if policy.allow_local_as else "allow local as;"

    def channel_lines(self, neighbor: Neighbor, policy: SessionPolicy) -> Iterable[str]:
        if policy.import_limit is not None:
            yield f"import limit {policy.import_limit.limit} action {policy.import_limit.action};"
        if policy.keep_filtered:
            yield "import keep filtered on;"
        if policy.next_hop is not None and self.node.name in self.reflectors and not neighbor.external:
            yield f"next hop {policy.next_hop};"
        if policy.add_paths:
            yield "add paths on;"


def _of(nets: Iterable[IPNetwork], family: int) -> tuple[IPNetwork, ...]:
    return tuple(net for net in nets if net.version == family)


def _default_route(family: int) -> IPNetwork:
    return ipaddress.ip_network("0.0.0.0/0" if family == 4 else "::/0")


def _net(*nets: IPNetwork, or_longer: bool = False) -> Condition:
    return Condition(NetIn(tuple(nets), or_longer))


def _longer(length: int) -> Condition:
    return Condition(LongerThan(length))


def _static() -> Condition:
    return Condition(SourceIs(("static",)))


def _clause(conditions: list[Condition], verdict: Verdict, reason: str, sets: SetActions = SetActions()) -> Clause:
    return Clause(tuple(conditions), verdict, reason, sets)


def _rule_clause(rule: Rule) -> Clause:
    test = NetIn((rule.cidr,), or_longer=rule.match in ("in", "not-in"))
    negated = rule.match.startswith("not-")
    return Clause((Condition(test, negated),), rule.action, f"rule {rule.where}", rule.set)


# ----------------------------------------------------------------------------------------------- explain


def explain(peermap: Peermap, node_name: str) -> str:
    """In words, per session and family: what the node exports and accepts, and which rule decides."""
    node = peermap.node(node_name)
    compiled = compile_node(peermap, node, peer_groups(peermap)[node.name], peermap.families())
    lines = [f"{node.name} (AS {node.asn}, router id {node.router_id})"]
    for session in compiled.sessions.values():
        neighbor = session.neighbor
        kind = "eBGP extra peer" if neighbor.external else "fleet node"
        lines.append(f"\nsession {neighbor.protocol}: {neighbor.name} at {neighbor.address}, AS {neighbor.asn} "
                     f"({kind})")
        lines += [f"  {line.rstrip(';')}" for line in session.lines]
        for channel_name, channel in session.channels.items():
            lines += [f"  {channel_name}: {line.rstrip(';')}" for line in channel.lines]
            for direction, found in (("exports", channel.export_filter), ("accepts", channel.import_filter)):
                if found is None:
                    lines.append(f"  {channel_name} {direction} everything (policy: open)")
                    continue
                lines.append(f"  {channel_name} {direction} (filter {found.name}), first match decides:")
                lines += [f"    {index + 1}. {clause.words()}" for index, clause in enumerate(found.clauses)]
    for family, nets in compiled.originated.items():
        lines.append(f"\noriginates for IPv{family} (protocol {ANNOUNCE_PROTOCOL.format(family=family)}): "
                     + ", ".join(map(str, nets)))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------- validation


class Checks(Protocol):
    """The peer-map validator's typed readers this module uses (see ``birdkit.gen.peermap``)."""

    def fail(self, path: Path_, message: str, hint: str | None = None) -> PeermapError: ...
    def mapping(self, value: Any, path: Path_, allowed: Sequence[str]) -> Mapping[str, Any]: ...
    def sequence(self, value: Any, path: Path_) -> Sequence[Any]: ...
    def boolean(self, value: Any, path: Path_) -> bool: ...
    def integer(self, value: Any, path: Path_, low: int, high: int) -> int: ...
    def network(self, value: Any, path: Path_) -> IPNetwork: ...
    def address(self, value: Any, path: Path_) -> ipaddress.IPv4Address | ipaddress.IPv6Address: ...
    def asn(self, value: Any, path: Path_) -> int: ...
    def name(self, value: Any, path: Path_) -> str: ...


def parse_policy(checks: Checks, value: Any, path: Path_, node_level: bool) -> PolicySpec:
    """Validate one ``policy`` section; ``node_level`` allows the keys of ``defaults`` and nodes."""
    if value in MODES:
        return PolicySpec(mode=value, path=path)
    if isinstance(value, str):
        raise checks.fail(path, f"{value!r} is not a policy", "write `policy: open`, `policy: safe` or a mapping")
    data = checks.mapping(value, path, NODE_KEYS if node_level else SESSION_KEYS)
    read = _Reader(checks, data, path)
    import_rules = _rules(checks, data.get("import"), (*path, "import"))
    export_rules = _rules(checks, data.get("export"), (*path, "export"))
    peers_path = (*path, "peers")
    raw_peers = data.get("peers") or {}
    if not isinstance(raw_peers, Mapping):
        raise checks.fail(peers_path, "expected a mapping of peer names to policy sections")
    peers = {
        checks.name(name, (*peers_path, str(name), _KEY)): parse_policy(checks, raw, (*peers_path, str(name)), False)
        for name, raw in raw_peers.items()
    }
    max_length_data = checks.mapping(data.get("max_length") or {}, (*path, "max_length"), ("ipv4", "ipv6"))
    limit = data.get("import_limit")
    return PolicySpec(
        mode=read.choice("mode", MODES),
        pods=read.choice("pods", PODS_EXPORTS),
        accept=read.networks("accept") if "accept" in data else None,
        max_length={
            int(key[3:]): checks.integer(length, (*path, "max_length", key), 0, 32 if key == "ipv4" else 128)
            for key, length in max_length_data.items()
        },
        allow_default=read.flag("allow_default"),
        import_rules=import_rules,
        export_rules=export_rules,
        import_limit=None if limit is None else _import_limit(checks, limit, (*path, "import_limit")),
        keep_filtered=read.flag("keep_filtered"),
        ttl_security=read.flag("ttl_security"),
        graceful_restart=read.flag("graceful_restart"),
        passive=read.flag("passive"),
        next_hop=read.choice("next_hop", NEXT_HOPS),
        add_paths=read.flag("add_paths"),
        allow_local_as=_allow_local_as(checks, data.get("allow_local_as"), (*path, "allow_local_as")),
        source_address=None if "source_address" not in data else checks.address(
            data["source_address"], (*path, "source_address")),
        communities=_communities(checks, data.get("communities"), (*path, "communities")),
        large_communities=_large_communities(checks, data.get("large_communities"), (*path, "large_communities")),
        announce=tuple(_announcement(checks, raw, (*path, "announce", index))
                       for index, raw in enumerate(checks.sequence(data.get("announce"), (*path, "announce")))),
        aggregates=read.networks("aggregates"),
        peers=peers,
        path=path,
    )


# the peer map's marker for "the key itself" in a path (see birdkit.gen.peermap)
_KEY = "\0key"


class _Reader:
    """Optional scalar keys of one section."""

    def __init__(self, checks: Checks, data: Mapping[str, Any], path: Path_) -> None:
        self.checks, self.data, self.path = checks, data, path

    def flag(self, key: str) -> bool | None:
        return None if key not in self.data else self.checks.boolean(self.data[key], (*self.path, key))

    def choice(self, key: str, choices: Sequence[Any]) -> Any:
        if key not in self.data:
            return None
        value = self.data[key]
        if value not in choices:
            raise self.checks.fail((*self.path, key), f"{value!r} is not one of {', '.join(map(str, choices))}",
                                   did_you_mean(str(value), map(str, choices)))
        return value

    def networks(self, key: str) -> tuple[IPNetwork, ...]:
        where = (*self.path, key)
        return tuple(self.checks.network(item, (*where, index))
                     for index, item in enumerate(self.checks.sequence(self.data.get(key), where)))


def _rules(checks: Checks, value: Any, path: Path_) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for index, raw in enumerate(checks.sequence(value, path)):
        where = (*path, index)
        data = checks.mapping(raw, where, RULE_KEYS)
        for required in ("cidr", "match", "action"):
            if required not in data:
                raise checks.fail(where, f"missing `{required}`", "a rule is {cidr: 10.0.0.0/8, match: in, "
                                  "action: reject}")
        reader = _Reader(checks, data, where)
        sets = _set_actions(checks, data.get("set"), (*where, "set"))
        action = reader.choice("action", VERDICTS)
        if sets and action == "reject":
            raise checks.fail((*where, "set"), "`set` needs `action: accept`", "a rejected route keeps nothing")
        rule = Rule(checks.network(data["cidr"], (*where, "cidr")), reader.choice("match", MATCHES), action, sets,
                    where)
        _check_reachable_rule(checks, rule, rules, where)
        rules.append(rule)
    return tuple(rules)


def _check_reachable_rule(checks: Checks, rule: Rule, earlier: Sequence[Rule], where: Path_) -> None:
    """A rule that no route can reach is an error: it says something the config would not do."""
    if rule.match == "not-in" and rule.cidr.prefixlen == 0:
        raise checks.fail(where, f"not-in {rule.cidr} can never match: every route is inside it",
                          "remove the rule, or use `match: in`")
    for position, first in enumerate(earlier):
        if first.cidr.version != rule.cidr.version:
            continue
        covered = (
            (first.match == "in" and rule.match in ("in", "equal") and rule.cidr.subnet_of(first.cidr))  # type: ignore[arg-type]
            or (first.match == "equal" and rule.match == "equal" and rule.cidr == first.cidr)
        )
        if covered:
            raise checks.fail(where, f"this rule can never match: rule [{position}] ({first.match} {first.cidr}) "
                              "decides every route it would see", "remove it or move it before that rule")


def _set_actions(checks: Checks, value: Any, path: Path_) -> SetActions:
    if value is None:
        return SetActions()
    data = checks.mapping(value, path, SET_KEYS)
    return SetActions(
        communities=_communities(checks, data.get("communities"), (*path, "communities")),
        large_communities=_large_communities(checks, data.get("large_communities"), (*path, "large_communities")),
        local_pref=None if "local_pref" not in data else checks.integer(
            data["local_pref"], (*path, "local_pref"), 0, 4294967295),
        med=None if "med" not in data else checks.integer(data["med"], (*path, "med"), 0, 4294967295),
        prepend=0 if "prepend" not in data else checks.integer(data["prepend"], (*path, "prepend"), 1, 16),
    )


def _parts(checks: Checks, value: Any, path: Path_, count: int, high: int, example: str) -> tuple[int, ...]:
    parts: Sequence[Any] = value.split(":") if isinstance(value, str) else value if isinstance(value, list) else ()
    numbers = []
    for part in parts:
        if isinstance(part, str) and part.isdigit():
            part = int(part)
        if isinstance(part, bool) or not isinstance(part, int) or not 0 <= part <= high:
            break
        numbers.append(part)
    if len(numbers) != count or len(parts) != count:
        raise checks.fail(path, f"{value!r} is not a {'large ' if count == 3 else ''}community",
                          f"write it like {example}, each part from 0 to {high}")
    return tuple(numbers)


def _communities(checks: Checks, value: Any, path: Path_) -> tuple[Community, ...]:
    return tuple(
        (lambda parts: (parts[0], parts[1]))(_parts(checks, item, (*path, index), 2, 65535, "'65000:100'"))
        for index, item in enumerate(checks.sequence(value, path))
    )


def _large_communities(checks: Checks, value: Any, path: Path_) -> tuple[LargeCommunity, ...]:
    return tuple(
        (lambda parts: (parts[0], parts[1], parts[2]))(
            _parts(checks, item, (*path, index), 3, 4294967295, "'65000:1:2'"))
        for index, item in enumerate(checks.sequence(value, path))
    )


def _import_limit(checks: Checks, value: Any, path: Path_) -> ImportLimit:
    if isinstance(value, int) and not isinstance(value, bool):
        return ImportLimit(checks.integer(value, path, 1, 4294967295))
    data = checks.mapping(value, path, LIMIT_KEYS)
    if "limit" not in data:
        raise checks.fail(path, "missing `limit`", "import_limit: {limit: 1000, action: block}")
    action: LimitAction = _Reader(checks, data, path).choice("action", LIMIT_ACTIONS) or "warn"
    return ImportLimit(checks.integer(data["limit"], (*path, "limit"), 1, 4294967295), action)


def _allow_local_as(checks: Checks, value: Any, path: Path_) -> int | None:
    if value is None or value is False:
        return None
    if value is True:
        return 0
    return checks.integer(value, path, 1, 255)


def _announcement(checks: Checks, value: Any, path: Path_) -> Announcement:
    data = checks.mapping(value, path, ANNOUNCE_KEYS)
    if "cidr" not in data:
        raise checks.fail(path, "missing `cidr`", "announce: [{cidr: 10.96.0.0/12, from: reflectors}]")
    return Announcement(
        cidr=checks.network(data["cidr"], (*path, "cidr")),
        origin=_Reader(checks, data, path).choice("from", ANNOUNCE_FROM) or "all",
        communities=_communities(checks, data.get("communities"), (*path, "communities")),
        large_communities=_large_communities(checks, data.get("large_communities"), (*path, "large_communities")),
        path=path,
    )


def check_policies(peermap: Peermap) -> None:
    """Cross-section checks: peer names exist, CIDRs are of a routed family, pod CIDRs fit the maximum length,
    ``next_hop`` has reflectors, and no rule is cut off by the safety rejections before it."""
    families = peermap.families()
    names = [node.name for node in peermap.nodes] + [p.name for node in peermap.nodes for p in node.extra_peers]
    wide = peermap.defaults.policy
    _check_section(peermap, wide, families, names, peermap.nodes)
    for node in peermap.nodes:
        _check_section(peermap, node.policy, families, names, [node])
        for peer in node.extra_peers:
            _check_section(peermap, peer.policy, families, names, [node])
    groups = peer_groups(peermap)
    for node in peermap.nodes:
        for group in groups[node.name]:
            for neighbor in group.neighbors:
                _check_session(peermap, node, neighbor, families)
    reserved = {ANNOUNCE_PROTOCOL.format(family=family) for family in (4, 6)}
    for position, node in enumerate(peermap.nodes):
        if protocol_name(node.name) in reserved:
            raise peermap.error(("nodes", position, "name"), f"{node.name!r} is the name of birdkit's announce "
                                "protocol", "rename the node")


def _check_section(
    peermap: Peermap, section: PolicySpec, families: Sequence[int], names: Sequence[str], nodes: Sequence[Node]
) -> None:
    for name, narrower in section.peers.items():
        if name not in names:
            raise peermap.error((*section.path, "peers", name, _KEY), f"no node or extra peer is called {name!r}",
                                did_you_mean(name, names, listing="peers"))
        _check_section(peermap, narrower, families, names, nodes)

    def routed(cidr: IPNetwork, where: Path_) -> None:
        if cidr.version not in families:
            raise peermap.error(where, f"{cidr} is IPv{cidr.version} but this fleet routes only "
                                f"{' and '.join(f'IPv{f}' for f in families)}",
                                "add IPv6 pod CIDRs or `options.ipv6: true`" if cidr.version == 6 else None)

    for key, rules in (("import", section.import_rules), ("export", section.export_rules)):
        for index, rule in enumerate(rules):
            routed(rule.cidr, (*section.path, key, index, "cidr"))
    for index, cidr in enumerate(section.accept or ()):
        routed(cidr, (*section.path, "accept", index))
    for index, cidr in enumerate(section.aggregates):
        routed(cidr, (*section.path, "aggregates", index))
    for announced in section.announce:
        routed(announced.cidr, (*announced.path, "cidr"))
    if section.next_hop is not None and peermap.topology.kind != "route-reflectors":
        raise peermap.error((*section.path, "next_hop"), "next_hop only applies to route reflectors",
                            "use `topology: {type: route-reflectors, ...}` or remove it")
    for family, length in section.max_length.items():
        for node in nodes:
            for cidr in node.pod_cidrs:
                if cidr.version == family and cidr.prefixlen > length:
                    raise peermap.error((*section.path, "max_length", f"ipv{family}"),
                                        f"/{length} is shorter than {node.name}'s pod CIDR {cidr}",
                                        "pod CIDRs longer than max_length would be rejected everywhere")


def _check_session(peermap: Peermap, node: Node, neighbor: Neighbor, families: Sequence[int]) -> None:
    policy = merge(session_sections(peermap, node, neighbor))
    for rule in policy.import_rules:
        length = policy.max_length[rule.cidr.version]
        if rule.match == "equal" and rule.cidr.prefixlen > length:
            raise peermap.error(
                (*rule.path, "cidr"),
                f"this rule can never match: {rule.cidr} is longer than max_length /{length}, rejected before any rule",
                "raise `max_length` or remove the rule",
            )
    if policy.source_address is not None and policy.source_address.version != neighbor.address.version:
        raise peermap.error(
            _find_path(session_sections(peermap, node, neighbor), "source_address"),
            f"source address {policy.source_address} is IPv{policy.source_address.version} but {neighbor.name} "
            f"is at {neighbor.address}",
        )


def _find_path(sections: Sequence[PolicySpec], key: str) -> Path_:
    for section in reversed(sections):
        if getattr(section, key) is not None:
            return (*section.path, key)
    return ()


__all__ = [
    "Announcement", "ChannelPolicy", "Clause", "CompiledSession", "Condition", "Decision", "Filter", "ImportLimit",
    "NodePolicy", "PolicySpec", "Route", "Rule", "SessionPolicy", "SetActions", "check_policies", "compile_node",
    "explain", "merge", "parse_policy",
]  # fmt: skip
