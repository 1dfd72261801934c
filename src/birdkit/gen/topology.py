"""Who peers with whom (full mesh, route reflectors, explicit pairs), reachability, and BIRD-safe protocol names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from birdkit.gen.peermap import ExtraPeer, IPAddress, Node, Path_, Peermap, Secret

# Words BIRD 2.0.12 ... 3.x reserve (keywords of every version; see the reference's keyword inventories).
# A protocol must not be named with one of them: 2.0.x and 3.0/3.1 reject it outright.
_KEYWORD_TEXT = """
    accept action add address administrative advertise aes128 af after aggregate aggregator aigp algorithm
    all allocator allow always ao append area as as4 asn aspa aspa_check aspa_check_downstream
    aspa_check_upstream aspa_providers attribute attributes auth authentication autonomous aware babel
    babel_metric base bcast bfd bgp bgp_aggregator bgp_aigp bgp_atomic_aggr bgp_cluster_list bgp_community
    bgp_ext_community bgp_large_community bgp_local_pref bgp_med bgp_next_hop bgp_origin bgp_originator_id
    bgp_otc bgp_path bgp_pmsi_tunnel bgpmask bgppath bind bird blackhole blake2b256 blake2b512 blake2s128
    blake2s256 block bmp bool bridge broadcast bt_assert bt_check_assign bt_test_same bt_test_suite buffer
    bug by bytestring capabilities case cease change channels check checksum circuit class cli client clist
    cluster cmac code collision commands communities confederation config configuration configure confirm
    connect connection contains cork cost cost2 count cryptographic current custom customer data data1
    data2 dead debug decay deconfigured default define defined delay delete demand deprecated description
    dest deterministic dev device digest digits direct disable disabled discovery distinguisher dnssl do
    domain dont_fragment double down dport drop dscp dst dump dynamic ead ebgp ec echo eclist ecmp eligible
    else empty enable encapsulation enforce enhanced entries enum error es eth eval events evpn exit exp
    expire export exported express extended external false fatal filename filter filtered filtering filters
    first first_fragment fixed flags flow4 flow6 flush for forget format fragment free from from_hex
    function garbage gateway gc generate generation generic global graceful group gw gw_mpls gw_mpls_stack
    header hello help hidden high hit hmac hold hop horizon hostname ibgp icmp id idle if ifindex ifname
    ignore igp igp_metric imet import in infinity info instance int interface interfaces internal interpret
    interval ip ipv4 ipv4_mc ipv4_mpls ipv6 ipv6_mc ipv6_mpls ipv6_sadr is_fragment is_v4 is_v6 iso
    kbr_source keep keepalive kernel key keyed keys krt_advmss krt_congctl krt_cwnd krt_fastopen_no_cookie
    krt_feature_allfrag krt_feature_ecn krt_hoplimit krt_initcwnd krt_initrwnd krt_lock_advmss
    krt_lock_congctl krt_lock_cwnd krt_lock_fastopen_no_cookie krt_lock_hoplimit krt_lock_initcwnd
    krt_lock_initrwnd krt_lock_mtu krt_lock_quickack krt_lock_reordering krt_lock_rto_min krt_lock_rtt
    krt_lock_rttvar krt_lock_ssthresh krt_lock_sstresh krt_lock_window krt_metric krt_mtu krt_prefsrc
    krt_quickack krt_realm krt_reordering krt_rto_min krt_rtt krt_rttvar krt_scope krt_source krt_ssthresh
    krt_sstresh krt_window l3vpn label large last last_fragment last_nonaggregated latency lc lclist learn
    len length lifetime limit linger link lived lladdr local log long low lsa lsadb lsid mac managed
    mandatory mask match max maxlen md5 med medium member memory merge messages meticulous metric min
    missing mode monitoring mpls mpls_class mpls_label mpls_policy mrt mrtdump ms mtu mult multicast
    multihop multiplier name native nbma neighbor neighbors net net_evpn_type net_type netlink netmask
    networks next ng no noexport nonbroadcast none normal ns nssa of off offset older on onlink only option
    originate ospf ospf_metric1 ospf_metric2 ospf_router_id ospf_tag other out packets pair partial passive
    password passwords path paths pd pe peer perf period permissive persist ping pipe plaintext
    pointomultipoint pointopoint poison policy poll port post_policy pre_policy preexport prefer preference
    preferred prefix prepend pri primary print printn priority private prohibit propagate proto protocol
    protocols provider providers ptmp ptp public quad quit ra ra_lifetime ra_preference radv randomize
    range ranges rd rdnss reachable real receive recursive recv refresh reject rejected reload remote
    repeat require reset resources restart restrict retrans retransmit retry return reverse rfc1583compat
    rfc5838 rib rip rip_metric rip_tag ro roa roa4 roa6 roa_check role roles route router routes rpki rr rs
    rs_client rs_server rt rtd rts rtt rx rxcost s sadr scan scheduling scope sec secondary secret security
    self send sensitive sessions set setkey sets settle sha1 sha256 sha384 sha512 short show shutdown
    simple single size skip sockets soft solicited sorted source split sport src ssh stability stacks stale
    start startup state states static station stats status stderr strict string stub stubnet summary
    suppression symbols syslog system table tables tag target tcp template then thread threads threshold
    tick time timeformat timeout timer timers timestamps to topology trace transit translator transmit
    transport trie trigger true ttl tunnel tx type udp udp6 undo unicast unknown unreachable unset update
    us user v2 v3 valid validate value version via vid virtual vlan vni vpn vpn4 vpn4_mc vpn4_mpls vpn6
    vpn6_mc vpn6_mpls vrf vxlan wait wakeup warn warning watchdog weight where wired wireless yes zero
"""
_KEYWORDS = frozenset(_KEYWORD_TEXT.split())
# Names BIRD gives unnamed protocols (device1, kernel2 ...), enum-like constants (RTS_BGP), and words that are
# long runs of hex digits, which BIRD lexes as byte strings.
_CLASHING = re.compile(r"(device|direct|kernel|static|bgp|bfd)\d+\Z|[A-Z][A-Z0-9]*_[A-Z0-9_]*\Z|[0-9a-fA-F]{16,}\Z")
_NOT_SYMBOL = re.compile(r"[^A-Za-z0-9_]")


def protocol_name(name: str) -> str:
    """A BIRD protocol name for peer ``name``: valid and unreserved on BIRD 2.0.12 through 3.x.

    Characters other than letters, digits and ``_`` become ``_``; a name that would start with a digit, is a
    keyword in any supported version (``peer``, ``bgp``) or would clash with BIRD's own names gets ``bgp_``
    in front. ``vm1`` stays ``vm1``.
    """
    symbol = _NOT_SYMBOL.sub("_", name)
    if symbol[:1].isdigit() or symbol in _KEYWORDS or _CLASHING.match(symbol):
        symbol = f"bgp_{symbol}"
    return symbol


@attrs.frozen(slots=True)
class Neighbor:
    """One BGP neighbor as a node sees it: its protocol name, address, AS and session options."""

    protocol: str
    name: str
    address: IPAddress
    asn: int
    description: str | None = None
    #: ``None``: a direct session; ``0``: multihop with BIRD's default TTL; else the TTL
    multihop: int | None = None
    password: Secret | None = attrs.field(default=None, repr=False)
    #: ``True`` for a top-of-rack or other router outside the fleet
    external: bool = False


@attrs.frozen(slots=True)
class PeerGroup:
    """Neighbors that share their role: route-reflector clients get ``rr client``."""

    neighbors: Sequence[Neighbor]
    rr_client: bool = False


def fleet_neighbors(peermap: Peermap) -> list[Neighbor]:
    """Every node as its peers see it, in node order."""
    options = peermap.options
    return [
        Neighbor(protocol_name(node.name), node.name, node.address.ip, node.asn, node.description,
                 options.multihop, options.password)
        for node in peermap.nodes
    ]


def extra_neighbor(peer: ExtraPeer, peermap: Peermap) -> Neighbor:
    """A node's extra peer (e.g. a top-of-rack router) as a :class:`Neighbor`; its own password only."""
    multihop = peer.multihop if peer.multihop is not None else peermap.options.multihop
    return Neighbor(protocol_name(peer.name), peer.name, peer.address, peer.asn, peer.description, multihop,
                    peer.password, external=True)


def peer_groups(peermap: Peermap) -> dict[str, list[PeerGroup]]:
    """Node name -> the groups of neighbors its config peers with (fleet sessions, then extra peers)."""
    everyone = fleet_neighbors(peermap)
    topology = peermap.topology
    groups: dict[str, list[PeerGroup]] = {}
    if topology.kind == "full-mesh":
        for index, node in enumerate(peermap.nodes):
            groups[node.name] = [PeerGroup(everyone[:index] + everyone[index + 1:])]
    elif topology.kind == "route-reflectors":
        reflectors = set(topology.route_reflectors)
        rr_neighbors = [n for n in everyone if n.name in reflectors]
        clients = [n for n in everyone if n.name not in reflectors]
        for node in peermap.nodes:
            if node.name in reflectors:
                others = [n for n in rr_neighbors if n.name != node.name]
                groups[node.name] = [PeerGroup(others), PeerGroup(clients, rr_client=True)]
            else:
                groups[node.name] = [PeerGroup(rr_neighbors)]
    else:
        by_name = {n.name: n for n in everyone}
        partners: dict[str, list[Neighbor]] = {node.name: [] for node in peermap.nodes}
        for first, second in topology.peers:
            partners[first].append(by_name[second])
            partners[second].append(by_name[first])
        groups = {name: [PeerGroup(found)] for name, found in partners.items()}
    for node in peermap.nodes:
        if node.extra_peers:
            extras = [extra_neighbor(peer, peermap) for peer in node.extra_peers]
            groups[node.name] = [*groups[node.name], PeerGroup(extras)]
    return {name: [group for group in found if group.neighbors] for name, found in groups.items()}


def sessions(peermap: Peermap) -> list[tuple[str, str]]:
    """Every fleet session once, as a pair of node names (extra peers not included)."""
    topology = peermap.topology
    names = [node.name for node in peermap.nodes]
    if topology.kind == "full-mesh":
        return [(a, b) for index, a in enumerate(names) for b in names[index + 1:]]
    if topology.kind == "route-reflectors":
        reflectors = list(topology.route_reflectors)
        pairs = [(a, b) for index, a in enumerate(reflectors) for b in reflectors[index + 1:]]
        return pairs + [(rr, name) for rr in reflectors for name in names if name not in reflectors]
    return list(topology.peers)


def check_sessions(peermap: Peermap) -> None:
    """Raise a located PeermapError when protocol names clash, a route reflector's client is in another AS,
    or a neighbor is neither on the node's subnet nor allowed to be reached by multihop."""
    index = peermap.node_index()
    _check_protocol_names(peermap)
    if peermap.topology.kind == "route-reflectors":
        _check_reflector_asns(peermap)
    nodes = peermap.nodes
    multihop = peermap.options.multihop is not None
    if peermap.topology.kind == "full-mesh" and len({n.address.network for n in nodes}) == 1:
        pairs: list[tuple[str, str]] = []
    else:
        pairs = sessions(peermap)
    for first, second in pairs:
        a, b = index[first], index[second]
        _check_reachable(peermap, nodes[a], a, nodes[b].address.ip, ("nodes", b, "address"), multihop)
        _check_reachable(peermap, nodes[b], b, nodes[a].address.ip, ("nodes", a, "address"), multihop)
    for position, node in enumerate(nodes):
        for peer_index, peer in enumerate(node.extra_peers):
            hops = peer.multihop is not None or multihop
            where = ("nodes", position, "extra_peers", peer_index, "address")
            if peer.address.is_link_local:
                _check_link_local(peermap, peer.address, where, hops)
            else:
                _check_reachable(peermap, node, position, peer.address, where, hops)


def _check_link_local(peermap: Peermap, address: IPAddress, path: Path_, multihop: bool) -> None:
    """BIRD reaches a link-local neighbor only through the interface named by its zone id, one hop away."""
    if getattr(address, "scope_id", None) is None:
        raise peermap.error(path, f"link-local {address} needs the interface it is on",
                            f"add a zone id, e.g. {address}%eth0")
    if multihop:
        raise peermap.error(path, f"link-local {address} cannot be reached by multihop",
                            "set `multihop: false` on this peer")


def _check_reachable(
    peermap: Peermap, local: Node, local_index: int, address: IPAddress, path: Path_, multihop: bool
) -> None:
    where = f"nodes[{local_index}] ({local.address.network})"
    if address.version != local.address.version:
        raise peermap.error(path, f"{address} is IPv{address.version} but its peer {where} is not",
                            "sessions run over one address family; give both ends addresses of it")
    if not multihop and address not in local.address.network:
        raise peermap.error(
            path,
            f"{address} is not on the subnet of its peer {where} and multihop is not set",
            "put both on one subnet, or set `options.multihop: true`",
        )


def _check_protocol_names(peermap: Peermap) -> None:
    owners: dict[str, int] = {}
    for position, node in enumerate(peermap.nodes):
        symbol = protocol_name(node.name)
        first = owners.setdefault(symbol, position)
        if first != position:
            raise peermap.error(
                ("nodes", position, "name"),
                f"{node.name!r} and nodes[{first}].name {peermap.nodes[first].name!r} both become "
                f"the BGP protocol name {symbol}",
                "rename one of them",
            )
    for position, node in enumerate(peermap.nodes):
        for peer_index, peer in enumerate(node.extra_peers):
            symbol = protocol_name(peer.name)
            where = ("nodes", position, "extra_peers", peer_index, "name")
            if symbol in owners and owners[symbol] != position:
                raise peermap.error(where, f"{peer.name!r} clashes with node nodes[{owners[symbol]}] "
                                    f"as the BGP protocol name {symbol}", "rename the extra peer")
            clash = [p.name for p in node.extra_peers[:peer_index] if protocol_name(p.name) == symbol]
            if clash:
                raise peermap.error(where, f"{peer.name!r} and {clash[0]!r} both become the BGP protocol "
                                    f"name {symbol}", "rename one of them")


def _check_reflector_asns(peermap: Peermap) -> None:
    index = peermap.node_index()
    first_rr = peermap.topology.route_reflectors[0]
    asn = peermap.nodes[index[first_rr]].asn
    for position, node in enumerate(peermap.nodes):
        if node.asn != asn:
            raise peermap.error(
                ("nodes", position, "asn"),
                f"{node.asn} differs from route reflector {first_rr}'s AS {asn}",
                "route reflection works inside one AS: give every node the same asn",
            )
