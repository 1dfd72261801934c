"""Verification of a node's routing state: BGP sessions Established, pod CIDRs in BIRD and the kernel, blackholes.

What each node should see (:class:`NodeExpectation`) comes from the peer map; what it does see comes from
``birdc show protocols all``, ``birdc show route`` and ``ip -j route``, read through its transport.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs

from birdkit.apply.transport import Transport, birdc
from birdkit.errors import BirdkitError, VerifyError

if TYPE_CHECKING:
    from birdkit.gen.peermap import Peermap
    from birdkit.show.models import Protocol, Route

#: check kinds, in the order rows are printed
CHECKS = ("session", "bird-route", "kernel-route", "blackhole")


@attrs.frozen
class PeerExpectation:
    """A BGP neighbor of a node: its name and the address the session goes to."""

    name: str
    address: str


@attrs.frozen
class NodeExpectation:
    """What a converged node shows: sessions to ``peers``, ``remote_cidrs`` learned, ``own_cidrs`` blackholed."""

    node: str
    own_cidrs: tuple[str, ...] = ()
    peers: tuple[PeerExpectation, ...] = ()
    remote_cidrs: tuple[str, ...] = ()


@attrs.frozen
class CheckRow:
    """One check on one node: ``kind`` (see :data:`CHECKS`), what it is about, whether it holds, and why."""

    node: str
    kind: str
    subject: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return attrs.asdict(self)


@attrs.frozen
class VerifyReport:
    """Every check row of every node; ``ok`` when all hold."""

    rows: tuple[CheckRow, ...]
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[CheckRow, ...]:
        return tuple(row for row in self.rows if not row.ok)

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return {"ok": self.ok, "elapsed": round(self.elapsed, 3), "checks": [row.to_json() for row in self.rows]}


@attrs.frozen
class KernelRoute:
    """A route of the node's kernel table that BIRD installed (``proto bird``)."""

    prefix: str
    kind: str
    gateway: str | None = None


@attrs.frozen
class Observation:
    """What a node shows right now: BIRD's protocols and routes, and its kernel routes from BIRD."""

    protocols: tuple[Protocol, ...]
    routes: tuple[Route, ...]
    kernel: tuple[KernelRoute, ...]


def _network(text: str) -> str:
    return str(ipaddress.ip_network(text, strict=False))


def _birdc_text(transport: Transport, command: str) -> str:
    result = birdc(transport, command)
    if not result.ok:
        raise VerifyError(
            f"{transport.node}: `birdc {command}` failed: {result.output}",
            hint="is BIRD running there? `birdkit apply` checks and reports it",
        )
    return result.stdout


def kernel_routes(transport: Transport) -> tuple[KernelRoute, ...]:
    """Routes with ``proto bird`` in the node's kernel table (IPv4 and IPv6), read with ``ip -j``."""
    found: list[KernelRoute] = []
    for family in ("-4", "-6"):
        result = transport.run(["ip", "-j", family, "route", "show", "proto", "bird"])
        if not result.ok:
            raise VerifyError(f"{transport.node}: `ip route` failed: {result.output}")
        entries: list[dict[str, Any]] = json.loads(result.stdout or "[]")
        for entry in entries:
            found.append(KernelRoute(_network(entry["dst"]), entry.get("type", "unicast"), entry.get("gateway")))
    return tuple(found)


def observe(transport: Transport) -> Observation:
    """Read the node's protocols, BIRD routes and kernel routes once."""
    from birdkit.show.parse import parse_protocols
    from birdkit.show.stream import iter_routes

    protocols = parse_protocols(_birdc_text(transport, "show protocols all"))
    routes = tuple(iter_routes(_birdc_text(transport, "show route").splitlines()))
    return Observation(tuple(protocols), routes, kernel_routes(transport))


def _session_row(node: str, peer: PeerExpectation, protocols: Iterable[Protocol]) -> CheckRow:
    matching = [p for p in protocols if p.bgp is not None and p.bgp.neighbor_address == peer.address]
    if not matching:
        return CheckRow(node, "session", peer.name, False, f"no BGP protocol with neighbor {peer.address}")
    protocol = matching[0]
    assert protocol.bgp is not None
    state = protocol.bgp.state
    detail = f"{protocol.name} {state}"
    if protocol.bgp.last_error:
        detail += f" ({protocol.bgp.last_error})"
    return CheckRow(node, "session", peer.name, state == "Established", detail)


def _bird_route_row(node: str, cidr: str, routes: Iterable[Route]) -> CheckRow:
    best = [r for r in routes if r.primary and _network(r.prefix) == cidr]
    if not best:
        return CheckRow(node, "bird-route", cidr, False, "no best route in BIRD")
    route = best[0]
    gateways = ", ".join(hop.gateway for hop in route.next_hops if hop.gateway) or route.dest
    detail = f"{route.dest} via {gateways} [{route.protocol}]"
    return CheckRow(node, "bird-route", cidr, route.dest == "unicast", detail)


def _kernel_row(node: str, cidr: str, kernel: Iterable[KernelRoute]) -> CheckRow:
    found = [k for k in kernel if k.prefix == cidr]
    if not found:
        return CheckRow(node, "kernel-route", cidr, False, "not in the kernel table (proto bird)")
    route = found[0]
    return CheckRow(node, "kernel-route", cidr, route.kind == "unicast", f"{route.kind} via {route.gateway or '-'}")


def _blackhole_row(node: str, cidr: str, kernel: Iterable[KernelRoute]) -> CheckRow:
    kinds = [k.kind for k in kernel if k.prefix == cidr]
    if "blackhole" in kinds:
        return CheckRow(node, "blackhole", cidr, True, "blackhole proto bird")
    return CheckRow(node, "blackhole", cidr, False, f"kernel has {kinds[0]}" if kinds else "no blackhole route")


def check_observation(expectation: NodeExpectation, seen: Observation) -> list[CheckRow]:
    """The check rows for one node: sessions, then peers' CIDRs in BIRD and kernel, then own blackholes."""
    node = expectation.node
    rows = [_session_row(node, peer, seen.protocols) for peer in expectation.peers]
    peer_cidrs = [_network(cidr) for cidr in expectation.remote_cidrs]
    rows += [_bird_route_row(node, cidr, seen.routes) for cidr in peer_cidrs]
    rows += [_kernel_row(node, cidr, seen.kernel) for cidr in peer_cidrs]
    rows += [_blackhole_row(node, _network(cidr), seen.kernel) for cidr in expectation.own_cidrs]
    return rows


def check_node(transport: Transport, expectation: NodeExpectation) -> list[CheckRow]:
    """Observe one node and check it; a node that cannot be read gives one failing row saying why."""
    try:
        seen = observe(transport)
    except BirdkitError as error:
        return [CheckRow(expectation.node, "reachable", expectation.node, False, error.message)]
    return check_observation(expectation, seen)


def verify_nodes(
    targets: Sequence[tuple[Transport, NodeExpectation]],
    *,
    wait: float = 0.0,
    interval: float = 1.0,
    jobs: int = 8,
    on_round: Callable[[VerifyReport], None] | None = None,
) -> VerifyReport:
    """Check every node in parallel; with ``wait``, poll until all checks hold or ``wait`` seconds pass."""
    started = time.monotonic()
    deadline = started + wait
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(targets) or 1))) as pool:
        while True:
            per_node = list(pool.map(lambda target: check_node(*target), targets))
            report = VerifyReport(tuple(row for rows in per_node for row in rows), time.monotonic() - started)
            if on_round is not None:
                on_round(report)
            if report.ok or time.monotonic() + interval > deadline:
                return report
            time.sleep(interval)


def expectations(peermap: Peermap) -> dict[str, NodeExpectation]:
    """Node name -> what it should see: a session per configured neighbor, the pod CIDRs it should learn
    (every other node's with a full mesh or route reflectors, its partners' with explicit pairs)."""
    from birdkit.gen.topology import peer_groups

    groups = peer_groups(peermap)
    cidrs = {node.name: tuple(str(cidr) for cidr in node.pod_cidrs) for node in peermap.nodes}
    result: dict[str, NodeExpectation] = {}
    for node in peermap.nodes:
        neighbors = [neighbor for group in groups.get(node.name, []) for neighbor in group.neighbors]
        peers = tuple(PeerExpectation(n.name, str(n.address)) for n in neighbors)
        if peermap.topology.kind == "peers":
            learned = [n.name for n in neighbors if not n.external]
        else:
            learned = [other.name for other in peermap.nodes if other.name != node.name]
        remote = tuple(cidr for name in learned for cidr in cidrs[name])
        result[node.name] = NodeExpectation(node.name, cidrs[node.name], peers, remote)
    return result


def verify(
    peermap: Peermap,
    *,
    nodes: Sequence[str] | None = None,
    wait: float = 0.0,
    transports: Mapping[str, Transport] | None = None,
    jobs: int = 8,
) -> VerifyReport:
    """Verify the fleet of ``peermap`` (or only ``nodes``); ``transports`` overrides how nodes are reached."""
    from birdkit.apply.applier import transports_for

    if not 0 <= wait < math.inf:
        raise BirdkitError(f"wait must be zero or a positive number of seconds, not {wait!r}")
    names = peermap.select(nodes)
    wanted = expectations(peermap)
    reach = transports_for(peermap, names, transports)
    return verify_nodes([(reach[name], wanted[name]) for name in names], wait=wait, jobs=jobs)
