"""Who peers with whom (full mesh, route reflectors, explicit pairs), reachability, and BIRD-safe protocol names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import attrs

from birdkit.config.keywords import ALL_KEYWORDS

if TYPE_CHECKING:
    from birdkit.gen.peermap import ExtraPeer, IPAddress, Node, Path_, Peermap, Secret

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
    if symbol[:1].isdigit() or symbol in ALL_KEYWORDS or _CLASHING.match(symbol):
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


def sessions(peermap: Peermap) -> Iterator[tuple[str, str]]:
    """Every fleet session once, as a pair of node names (extra peers not included); generated, since a full
    mesh of n nodes has n(n-1)/2 of them."""
    topology = peermap.topology
    names = [node.name for node in peermap.nodes]
    if topology.kind == "full-mesh":
        yield from ((a, b) for index, a in enumerate(names) for b in names[index + 1:])
    elif topology.kind == "route-reflectors":
        reflectors = list(topology.route_reflectors)
        yield from ((a, b) for index, a in enumerate(reflectors) for b in reflectors[index + 1:])
        yield from ((rr, name) for rr in reflectors for name in names if name not in reflectors)
    else:
        yield from topology.peers


def check_sessions(peermap: Peermap) -> None:
    """Raise a located PeermapError when protocol names clash, a route reflector's client is in another AS,
    or a neighbor is neither on the node's subnet nor allowed to be reached by multihop."""
    index = peermap.node_index()
    _check_protocol_names(peermap)
    if peermap.topology.kind == "route-reflectors":
        _check_reflector_asns(peermap)
    nodes = peermap.nodes
    multihop = peermap.options.multihop is not None
    one_subnet = peermap.topology.kind == "full-mesh" and len({n.address.network for n in nodes}) == 1
    pairs: Iterable[tuple[str, str]] = () if one_subnet else sessions(peermap)
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
