"""The walkthrough lab: nodes, pods, forwarding rules, BIRD, convergence, ping and blackhole probes, teardown.

``up`` rebuilds the seed walkthrough (two nodes ``vm1``/``vm2``, pods ``10.0.1.10``/``10.0.2.10``, BGP
between the nodes, a blackhole per pod CIDR) on network namespaces (or multipass VMs, see
:mod:`birdkit.lab.multipass`). Everything it creates is recorded in a state directory *before* it is
created, so ``down`` removes it all after a crash or a half-finished ``up``, and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from birdkit.apply.transport import Result, Transport, netns_state_dir, transport_for
from birdkit.errors import ApplyError, BirdkitError, ConfigError, RuntimeMissingError, UsageError, VerifyError
from birdkit.files import MAX_STATE_BYTES, read_json, write_atomically
from birdkit.gen.peermap import Peermap, load_peermap, peermap_from_data
from birdkit.gen.peermap import Transport as NodeTransport
from birdkit.lab.netns import DEFAULT_UNDERLAY, damaged_state, lab_made, netns_name_ok, pod_veth_names
from birdkit.runtime import BirdMatrix, BirdRuntime

if TYPE_CHECKING:
    from birdkit.apply.verify import NodeExpectation

Backend = Literal["netns", "multipass"]

DEFAULT_ASN = 65000
#: namespace names of the lab start with this (``bkt`` belongs to the test fixtures)
DEFAULT_NAME = "bkl"
#: the walkthrough's pod is host .10 of its node's pod CIDR, and it probes the unused .11
POD_HOST = 10
UNUSED_HOST = 11
#: the underlay interface of a netns node (netns.py) and of a walkthrough VM
NETNS_INTERFACE = "eth0"
MULTIPASS_INTERFACE = "ens3"
#: TCP port of the blackhole probe (nothing listens there; the route decides first)
PROBE_PORT = 80

_STATE_FILE = "lab.json"
_FABRIC_DIR = "fabric"

# Runs inside a node: connect to ADDRESS:PORT, print errno and elapsed seconds as JSON.
_PROBE = """
import errno, json, socket, sys, time
address, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
start = time.monotonic()
code = 0
try:
    socket.create_connection((address, port), timeout=timeout).close()
except socket.timeout:
    code = errno.ETIMEDOUT
except OSError as error:
    code = error.errno or 0
print(json.dumps({"errno": code, "elapsed": time.monotonic() - start}))
"""


def state_dir() -> Path:
    """Where the lab keeps its state: ``$BIRDKIT_STATE/lab``, by default ``/run/birdkit/lab``."""
    return Path(os.environ.get("BIRDKIT_STATE", "/run/birdkit")) / "lab"


# ----------------------------------------------------------------------------------------------- model


@attrs.frozen
class LabNode:
    """One node of the lab as built: its namespaces (or VM), addresses, pod and BIRD."""

    name: str
    netns: str
    pod_netns: str
    address: str
    prefixlen: int
    router_id: str
    pod_cidr: str
    pod_ip: str
    bird_version: str
    #: host path of the directory holding this node's bird.conf, socket and pid file (netns backend)
    bird_dir: str = ""
    interface: str = NETNS_INTERFACE

    @property
    def host_veth(self) -> str:
        return pod_veth_names(self.name)[0]

    @property
    def pod_veth(self) -> str:
        return pod_veth_names(self.name)[1]

    @property
    def unused_ip(self) -> str:
        """An address in the node's own pod CIDR that no pod has: the walkthrough's ``.11``."""
        return str(ipaddress.ip_network(self.pod_cidr).network_address + UNUSED_HOST)


@attrs.define
class LabState:
    """What a lab is made of, as saved in ``lab.json``; written before anything it names is created."""

    name: str
    backend: Backend
    underlay: str
    nodes: list[LabNode] = attrs.field(factory=list)
    #: where the peer map came from: a file, or the default lab with ``node_count`` nodes
    peermap_path: str | None = None
    node_count: int | None = None
    phase: str = "building"
    started: float = attrs.field(factory=time.time)

    def node(self, name: str) -> LabNode:
        """The node called ``name``."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise ConfigError(f"the lab has no node {name!r}", hint=f"nodes: {', '.join(self.node_names())}")

    def node_names(self) -> list[str]:
        return [node.name for node in self.nodes]

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``lab.json``."""
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabState:
        """Read back :meth:`to_json`."""
        nodes = [LabNode(**node) for node in data.pop("nodes")]
        return cls(nodes=nodes, **data)


def save_state(directory: Path, state: LabState) -> None:
    """Write ``lab.json`` atomically (a crash leaves the old or the new file)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_atomically(directory / _STATE_FILE, json.dumps(state.to_json(), indent=2))


def load_state(directory: Path) -> LabState | None:
    """The saved lab, or ``None`` when no lab is up. A state file that is not what :func:`save_state` writes
    (unreadable, not JSON, other fields, a BIRD directory other than ``.../nodes/<netns>``) raises
    :class:`FileError`."""
    path = directory / _STATE_FILE
    if not path.exists() and not path.is_symlink():
        return None
    data = read_json(path, limit=MAX_STATE_BYTES, what="lab state file")
    try:
        state = LabState.from_json(dict(data))
    except (KeyError, TypeError, ValueError) as error:
        raise damaged_state(path, f"not a lab state ({type(error).__name__}: {error})") from None
    _check_state(path, state)
    return state


def _check_state(path: Path, state: LabState) -> None:
    """Refuse a state whose values are not what :func:`save_state` writes: ``down`` removes what it names."""
    if state.backend not in ("netns", "multipass") or not isinstance(state.underlay, str):
        raise damaged_state(path, f"backend {state.backend!r}, underlay {state.underlay!r}")
    for node in state.nodes:
        wrong = [field.name for field in attrs.fields(attrs.resolve_types(LabNode))
                 if not isinstance(getattr(node, field.name), field.type)]  # type: ignore[arg-type]
        if wrong:
            raise damaged_state(path, f"node {node.name!r}: {', '.join(wrong)} of the wrong type")
        # a multipass node is a VM: it has no namespace on this host
        node_netns_ok = netns_name_ok(node.netns) or (state.backend == "multipass" and not node.netns)
        if not node_netns_ok or not netns_name_ok(node.pod_netns):
            raise damaged_state(path, f"node {node.name!r}: namespace names {node.netns!r}, {node.pod_netns!r}")
        if node.bird_dir and not (lab_made(node.bird_dir, "nodes") and Path(node.bird_dir).name == node.netns):
            raise damaged_state(path, f"node {node.name!r}: {node.bird_dir!r} is not a directory the lab makes")


def require_state(directory: Path) -> LabState:
    """The saved lab; a clear error when there is none."""
    state = load_state(directory)
    if state is None:
        raise ConfigError(f"no lab is up (nothing in {directory})", hint="start one with `birdkit lab up`")
    return state


# ----------------------------------------------------------------------------------------------- peer map


def default_peermap(node_count: int = 2, underlay: str = DEFAULT_UNDERLAY) -> Peermap:
    """The walkthrough's peer map: ``vm1``..``vmN`` at underlay hosts .1...N with pod CIDRs 10.0.N.0/24."""
    network = ipaddress.IPv4Network(underlay)
    if not 1 <= node_count <= min(254, network.num_addresses - 2):
        raise UsageError(
            f"--nodes {node_count}: a lab has 1 to {min(254, network.num_addresses - 2)} nodes on {underlay}"
        )
    nodes = [
        {
            "name": f"vm{index}",
            "address": f"{network.network_address + index}/{network.prefixlen}",
            "pod_cidrs": [f"10.0.{index}.0/24"],
        }
        for index in range(1, node_count + 1)
    ]
    document = {"version": 1, "defaults": {"asn": DEFAULT_ASN, "log": "stderr"}, "nodes": nodes}
    return peermap_from_data(document, source="<lab defaults>")


def read_peermap(path: str | None, node_count: int | None, underlay: str) -> Peermap:
    """The user's peer map, or the walkthrough's when ``path`` is ``None``."""
    if path is None:
        return default_peermap(node_count or 2, underlay)
    if node_count is not None:
        raise UsageError("--nodes builds the default lab; it cannot be combined with a PEERMAP")
    return load_peermap(path)


def assign_versions(peermap: Peermap, matrix: BirdMatrix, versions: Sequence[str]) -> list[str]:
    """The BIRD version of each node: ``versions`` round robin, else each node's ``bird_version``."""
    wanted = [versions[index % len(versions)] if versions else node.bird_version
              for index, node in enumerate(peermap.nodes)]
    return [matrix.get(version).version for version in wanted]


def lab_nodes(peermap: Peermap, name: str, versions: Sequence[str], backend: Backend) -> list[LabNode]:
    """The lab's view of each peer-map node; the first IPv4 pod CIDR gets the pod."""
    nodes = []
    for position, (node, version) in enumerate(zip(peermap.nodes, versions, strict=True)):
        cidrs = [cidr for cidr in node.pod_cidrs if cidr.version == 4]
        if not cidrs or node.address.version != 4:
            raise peermap.error(
                ("nodes", position), "a lab node needs an IPv4 address and an IPv4 pod CIDR",
                "the lab's pods are IPv4, as in the walkthrough",
            )
        cidr = cidrs[0]
        if cidr.num_addresses < 16:
            raise peermap.error(
                ("nodes", position, "pod_cidrs"), f"{cidr} is too small for the lab's pod (.{POD_HOST})",
                "give the node a pod CIDR of /28 or wider",
            )
        netns = f"{name}-{node.name}" if backend == "netns" else ""
        nodes.append(
            LabNode(
                name=node.name,
                netns=netns,
                pod_netns=f"{netns}_pod" if backend == "netns" else f"{node.name}_pod",
                address=str(node.address.ip),
                prefixlen=node.address.network.prefixlen,
                router_id=str(node.router_id),
                pod_cidr=str(cidr),
                pod_ip=str(cidr.network_address + POD_HOST),
                bird_version=version,
                interface=NETNS_INTERFACE if backend == "netns" else node.interface or MULTIPASS_INTERFACE,
            )
        )
    return nodes


def lab_peermap(peermap: Peermap, nodes: Sequence[LabNode], backend: Backend) -> Peermap:
    """``peermap`` with each node's transport and BIRD version set to the lab's."""
    updated = []
    for node, lab_node in zip(peermap.nodes, nodes, strict=True):
        vm = node.transport.host if node.transport.kind == "multipass" else node.name
        transport = _transport_settings(backend, lab_node, vm)
        updated.append(attrs.evolve(node, transport=transport, bird_version=lab_node.bird_version))
    return attrs.evolve(peermap, nodes=tuple(updated))


def state_peermap(state: LabState) -> Peermap:
    """The peer map the lab was built from, with the lab's transports and BIRD versions."""
    peermap = read_peermap(state.peermap_path, state.node_count, state.underlay)
    return lab_peermap(peermap, state.nodes, state.backend)


def underlay_of(peermap: Peermap) -> str:
    """The one IPv4 subnet all nodes sit on (the lab joins them with a single bridge)."""
    networks = {node.address.network for node in peermap.nodes}
    if len(networks) != 1:
        raise peermap.error(
            ("nodes",), f"the lab puts every node on one underlay, but the nodes are on {len(networks)} subnets",
            "give every node an address in the same subnet, e.g. 198.18.0.N/24",
        )
    return str(networks.pop())


# ----------------------------------------------------------------------------------------------- node access


def node_transport(state: LabState, node: LabNode, matrix: BirdMatrix | None = None) -> Transport:
    """The applier's transport to ``node``: its namespace and own BIRD, or its multipass VM."""

    def runtime(version: str) -> BirdRuntime:
        return (matrix or BirdMatrix.discover()).get(version)

    return transport_for(node.name, _transport_settings(state.backend, node), node.bird_version, runtime)


def _transport_settings(backend: Backend, node: LabNode, vm: str | None = None) -> NodeTransport:
    """How the applier reaches a lab node: its namespace, or its multipass VM (``vm``, else the node's name)."""
    return NodeTransport("netns", netns=node.netns) if backend == "netns" else NodeTransport("multipass", host=vm)


def in_pod(transport: Transport, pod_netns: str, argv: Sequence[str], timeout: float = 10) -> Result:
    """Run ``argv`` in a pod namespace on its node (``ip netns exec POD ...``, as in the walkthrough)."""
    return transport.run(["ip", "netns", "exec", pod_netns, *argv], timeout=timeout)


def forward_rules(node: LabNode) -> list[list[str]]:
    """The walkthrough's iptables FORWARD rules between the underlay interface and the pod's veth."""
    return [
        ["iptables", "--append", "FORWARD", "--in-interface", node.interface, "--out-interface", node.host_veth,
         "--jump", "ACCEPT"],
        ["iptables", "--append", "FORWARD", "--in-interface", node.host_veth, "--out-interface", node.interface,
         "--jump", "ACCEPT"],
    ]


# ----------------------------------------------------------------------------------------------- status


@attrs.frozen
class NodeStatus:
    """One row of ``lab status``: a node's BGP sessions, BIRD's routes and the routes BIRD put in its kernel."""

    node: str
    bird_version: str
    router_id: str
    pod_cidr: str
    pod_ip: str
    sessions_up: int
    sessions: int
    bird_routes: int
    kernel_routes: tuple[str, ...]
    #: the applier's verify checks that do not hold yet, as ``kind subject: detail``
    failing: tuple[str, ...]

    @property
    def converged(self) -> bool:
        """Every verify check holds: sessions Established, peers' CIDRs in BIRD and kernel, own blackhole."""
        return not self.failing

    @property
    def learned(self) -> tuple[str, ...]:
        """The other nodes' pod CIDRs the kernel routes via BGP."""
        return tuple(route.split()[0] for route in self.kernel_routes if " via " in route)


def node_status(node: LabNode, transport: Transport, expectation: NodeExpectation) -> NodeStatus:
    """Observe ``node`` once through its transport and check it as ``birdkit verify`` does."""
    from birdkit.apply.verify import check_observation, observe

    base = (node.name, node.bird_version, node.router_id, node.pod_cidr, node.pod_ip)
    try:
        seen = observe(transport)
    except BirdkitError as error:
        return NodeStatus(*base, 0, 0, 0, (), (f"reachable {node.name}: {error.message}",))
    rows = check_observation(expectation, seen)
    bgp = [protocol for protocol in seen.protocols if protocol.bgp is not None]
    return NodeStatus(
        *base,
        sessions_up=sum(1 for protocol in bgp if protocol.bgp is not None and protocol.bgp.state == "Established"),
        sessions=len(bgp),
        bird_routes=len(seen.routes),
        kernel_routes=tuple(
            f"{route.prefix} via {route.gateway}" if route.gateway else f"{route.prefix} {route.kind}"
            for route in seen.kernel
        ),
        failing=tuple(f"{row.kind} {row.subject}: {row.detail}" for row in rows if not row.ok),
    )


def lab_status(state: LabState, matrix: BirdMatrix | None = None) -> list[NodeStatus]:
    """The status of every node, asked in parallel."""
    from birdkit.apply.verify import expectations

    wanted = expectations(state_peermap(state))
    matrix = _matrix_for(state, matrix)
    return _parallel(lambda node: node_status(node, node_transport(state, node, matrix), wanted[node.name]),
                     state.nodes)


def wait_converged(
    state: LabState, timeout: float, matrix: BirdMatrix | None = None
) -> tuple[list[NodeStatus], float]:
    """Poll :func:`lab_status` until every node converged; returns the last status and the seconds taken."""
    start = time.monotonic()
    while True:
        statuses = lab_status(state, matrix)
        elapsed = time.monotonic() - start
        if all(status.converged for status in statuses):
            return statuses, elapsed
        if elapsed > timeout:
            failing = [f"{status.node}: {status.failing[0]}" for status in statuses if status.failing]
            raise VerifyError(
                f"the lab did not converge within {timeout:g} s; first failing checks:\n  " + "\n  ".join(failing),
                hint="look at `birdkit lab status`; each node's BIRD log is beside its bird.conf",
            )
        time.sleep(0.5)


def _matrix_for(state: LabState, matrix: BirdMatrix | None) -> BirdMatrix | None:
    if state.backend == "multipass":
        return matrix
    return matrix or BirdMatrix.discover()


def _parallel(function: Callable[[LabNode], Any], nodes: Sequence[LabNode]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=min(8, max(1, len(nodes)))) as pool:
        return list(pool.map(function, nodes))


# ----------------------------------------------------------------------------------------------- ping, blackhole


@attrs.frozen
class PingResult:
    """One pod pinging another pod (``ping -c1 -W1``)."""

    source: str
    target: str
    address: str
    ok: bool


def ping_matrix(state: LabState, matrix: BirdMatrix | None = None) -> list[PingResult]:
    """Every pod pings every other pod, in parallel; addresses are the lab's own pod IPs only."""
    matrix = _matrix_for(state, matrix)
    pairs = [(source, target) for source in state.nodes for target in state.nodes if source is not target]

    def ping(pair: tuple[LabNode, LabNode]) -> PingResult:
        source, target = pair
        result = in_pod(node_transport(state, source, matrix), source.pod_netns,
                        ["ping", "-c1", "-W1", target.pod_ip])
        return PingResult(source.name, target.name, target.pod_ip, result.ok)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(ping, pairs))


@attrs.frozen
class BlackholeProbe:
    """A TCP connection from a node to an unused address in its own pod CIDR, and how it failed."""

    node: str
    address: str
    port: int
    errno_name: str
    message: str
    elapsed: float
    route: str

    @property
    def verdict(self) -> str:
        """``unreachable`` or ``refused`` when it failed at once, ``timeout``/``connected`` otherwise."""
        if self.errno_name in ("EINVAL", "EHOSTUNREACH", "ENETUNREACH"):
            return "unreachable"
        if self.errno_name == "ECONNREFUSED":
            return "refused"
        return {"ETIMEDOUT": "timeout", "OK": "connected"}.get(self.errno_name, self.errno_name)

    @property
    def passed(self) -> bool:
        """It failed fast (under 1 s) because of the route, not by timing out."""
        return self.verdict in ("unreachable", "refused") and self.elapsed < 1.0


def blackhole_probe(
    state: LabState, node: LabNode, matrix: BirdMatrix | None = None, timeout: float = 5
) -> BlackholeProbe:
    """Connect from ``node`` to an unused address of its pod CIDR, as the walkthrough's last ``curl`` does."""
    transport = node_transport(state, node, matrix)
    python = sys.executable if state.backend == "netns" else "python3"
    address = node.unused_ip
    result = transport.run([python, "-c", _PROBE, address, str(PROBE_PORT), str(timeout)], timeout=timeout + 10)
    if not result.ok:
        raise VerifyError(f"{node.name}: the probe did not run: {result.output}")
    outcome = json.loads(result.stdout)
    code = int(outcome["errno"])
    return BlackholeProbe(
        node=node.name,
        address=address,
        port=PROBE_PORT,
        errno_name=errno.errorcode.get(code, str(code)) if code else "OK",
        message=os.strerror(code) if code else "connected",
        elapsed=float(outcome["elapsed"]),
        route=covering_route(transport, address),
    )


def covering_route(transport: Transport, address: str) -> str:
    """The most specific kernel route on the node that covers ``address``, e.g. ``blackhole 10.0.1.0/24``."""
    result = transport.run(["ip", "-j", "route", "show", "match", address], timeout=10)
    routes: list[dict[str, Any]] = json.loads(result.stdout or "[]") if result.ok else []
    if not routes:
        return "no route"
    best = max(routes, key=lambda route: ipaddress.ip_network(_dst(route)).prefixlen)
    via = f" via {best['gateway']}" if "gateway" in best else f" dev {best['dev']}" if "dev" in best else ""
    proto = f" proto {best['protocol']}" if "protocol" in best else ""
    return f"{best.get('type', 'unicast')} {_dst(best)}{via}{proto}"


def _dst(route: dict[str, Any]) -> str:
    return "0.0.0.0/0" if route["dst"] == "default" else str(route["dst"])


def blackhole_probes(state: LabState, matrix: BirdMatrix | None = None) -> list[BlackholeProbe]:
    """:func:`blackhole_probe` on every node."""
    matrix = _matrix_for(state, matrix)
    return _parallel(lambda node: blackhole_probe(state, node, matrix), state.nodes)


# ----------------------------------------------------------------------------------------------- up (netns)


def _silent(message: str) -> None:
    """The progress callback when the caller gave none."""


def up(
    peermap_path: str | None = None,
    *,
    backend: Backend = "netns",
    node_count: int | None = None,
    versions: Sequence[str] = (),
    underlay: str | None = None,
    name: str = DEFAULT_NAME,
    directory: Path | None = None,
    timeout: float = 90,
    log: Callable[[str], None] = _silent,
) -> tuple[LabState, list[NodeStatus], float]:
    """Build the lab, start BIRD with generated configs, wait until it converges.

    Returns the saved state, every node's status and the seconds BGP took to converge.
    """
    directory = directory or state_dir()
    if load_state(directory) is not None or (directory / _FABRIC_DIR).exists():
        raise ConfigError(f"a lab is already up (state in {directory})", hint="remove it with `birdkit lab down`")
    if peermap_path is not None and underlay is not None:
        raise UsageError("--underlay sets up the default lab; a PEERMAP brings its own addresses")
    peermap = read_peermap(peermap_path, node_count, underlay or DEFAULT_UNDERLAY)
    source = str(Path(peermap_path).resolve()) if peermap_path else None
    if backend == "multipass":
        from birdkit.lab.multipass import multipass_up

        return multipass_up(peermap, versions, directory, timeout, log, source, node_count)

    if os.geteuid() != 0:
        raise RuntimeMissingError("the netns lab needs root (network namespaces)", hint="run it with sudo")
    matrix = BirdMatrix.discover()
    nodes = lab_nodes(peermap, name, assign_versions(peermap, matrix, versions), "netns")
    nodes = [
        attrs.evolve(node, bird_dir=str(netns_state_dir(matrix.get(node.bird_version), node.netns)))
        for node in nodes
    ]
    state = LabState(name, "netns", underlay_of(peermap), nodes, source, node_count)
    _refuse_existing(state)
    save_state(directory, state)
    peermap = lab_peermap(peermap, nodes, "netns")
    build_netns(state, directory, log)
    start_birds(state, peermap, matrix, log)
    log(f"waiting for BGP to converge (up to {timeout:g} s)")
    statuses, elapsed = wait_converged(state, timeout, matrix)
    state.phase = "up"
    save_state(directory, state)
    return state, statuses, elapsed


def _refuse_existing(state: LabState) -> None:
    """Stop before recording names that exist already: ``down`` would otherwise remove another lab's."""
    from birdkit.lab.netns import list_netns

    ours = {f"{state.name}-underlay", *(n.netns for n in state.nodes), *(n.pod_netns for n in state.nodes)}
    taken = sorted(ours & set(list_netns()))
    taken += [node.bird_dir for node in state.nodes if Path(node.bird_dir).exists()]
    if taken:
        raise ConfigError(
            f"the lab {state.name!r} would reuse what already exists: {', '.join(taken)}",
            hint="another lab runs under this name: pick another with --name, or `birdkit lab down` it first",
        )


def build_netns(state: LabState, directory: Path, log: Callable[[str], None]) -> None:
    """Node namespaces on the underlay, one pod per node, forwarding rules, proxy ARP: the walkthrough's setup."""
    from birdkit.lab.netns import Fabric, in_netns

    fabric = Fabric.create(state.name, underlay=state.underlay, state_dir=directory / _FABRIC_DIR)
    for node in state.nodes:
        log(f"{node.name}: namespace {node.netns} at {node.address}/{node.prefixlen}, "
            f"pod {node.pod_netns} at {node.pod_ip}")
        fabric_node = fabric.add_node(node.name, node.address)
        fabric.add_pod(fabric_node, node.pod_ip)
        # the pod's first ARP answer would otherwise wait up to 0.8 s (proxy_delay), longer than ping -W1
        in_netns(node.netns, ["sysctl", "-q", "-w", f"net.ipv4.neigh.{node.host_veth}.proxy_delay=0"])
        for rule in forward_rules(node):
            in_netns(node.netns, rule)


def start_birds(state: LabState, peermap: Peermap, matrix: BirdMatrix, log: Callable[[str], None]) -> None:
    """Generate every node's bird.conf and apply it with the applier, which starts each node's own BIRD."""
    from birdkit.apply.applier import apply

    transports = {node.name: node_transport(state, node, matrix) for node in state.nodes}
    for node in state.nodes:
        Path(node.bird_dir).mkdir(parents=True, exist_ok=True)
    report = apply(peermap, transports=transports, start_daemons=True, on_progress=log)
    if not report.ok:
        failed = [f"{result.node}: {result.message}" for result in report.results if not result.ok]
        raise ApplyError("applying the lab's configs failed:\n  " + "\n  ".join(failed))


# ----------------------------------------------------------------------------------------------- down


def down(directory: Path | None = None, log: Callable[[str], None] = _silent) -> list[str]:
    """Remove everything the lab recorded: processes, namespaces, BIRD directories, state. Returns what it did."""
    from birdkit.lab.netns import read_fabric_state, teardown_state

    directory = directory or state_dir()
    state = load_state(directory)
    done: list[str] = []
    if state is not None and state.backend == "multipass":
        from birdkit.lab.multipass import multipass_down

        done += multipass_down(state, directory, log)
    fabric_dir = directory / _FABRIC_DIR
    if (fabric_dir / "fabric.json").exists():
        namespaces, _, _ = read_fabric_state(fabric_dir / "fabric.json")
        teardown_state(fabric_dir)
        done.append(f"deleted namespaces {', '.join(namespaces)}")
    shutil.rmtree(fabric_dir, ignore_errors=True)
    for node in state.nodes if state else []:
        if node.bird_dir and Path(node.bird_dir).exists():
            shutil.rmtree(node.bird_dir, ignore_errors=True)
            done.append(f"removed {node.bird_dir}")
        if node.bird_dir:
            _remove_if_empty(Path(node.bird_dir).parent)
    (directory / _STATE_FILE).unlink(missing_ok=True)
    if directory.exists():
        try:
            directory.rmdir()
        except OSError:
            log(f"{directory} is not empty; left in place")
        else:
            done.append(f"removed {directory}")
    return done


def _remove_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):
        directory.rmdir()


def iter_rows(statuses: Sequence[NodeStatus]) -> Iterator[list[object]]:
    """Summary rows: node, BIRD, router id, pod CIDR, pod IP, sessions, pod routes learned."""
    for status in statuses:
        yield [status.node, status.bird_version, status.router_id, status.pod_cidr, status.pod_ip,
               f"{status.sessions_up}/{status.sessions} Established", ", ".join(status.learned) or "-"]
