"""Network namespaces for real BIRD: node namespaces on a bridged underlay, pod namespaces, guaranteed teardown.

Everything a :class:`Fabric` creates is written to a JSON state file before it is created, so
:func:`teardown_state` can remove it from another process after a crash or an interrupted run.
Nothing is created in the root namespace: veth pairs are made directly inside their namespaces.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
import zlib
from pathlib import Path
from types import TracebackType

import attrs

from birdkit.errors import FileError, RuntimeMissingError
from birdkit.files import MAX_STATE_BYTES, read_json, write_atomically
from birdkit.runtime import BirdRuntime, Daemon

#: the underlay of a fabric and of the lab: inside 198.18.0.0/15, the benchmarking range
DEFAULT_UNDERLAY = "198.18.0.0/24"
UNDERLAY_INTERFACE = "eth0"


def ip(*args: str, netns: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``ip [-n NETNS] ARGS``; a failure raises with iproute2's own message."""
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    return run(argv, check=check)


def run(argv: list[str], *, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run a host command, capturing output; a failure raises with the command and its stderr."""
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and completed.returncode != 0:
        raise RuntimeMissingError(f"`{' '.join(argv)}` failed: {completed.stderr.strip() or completed.stdout.strip()}")
    return completed


def in_netns(
    netns: str, argv: list[str], *, check: bool = True, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` inside network namespace ``netns``."""
    return run(["ip", "netns", "exec", netns, *argv], check=check, timeout=timeout)


def list_netns() -> list[str]:
    """Names of every network namespace on the host."""
    completed = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in completed.stdout.splitlines() if line.strip()]


#: Linux interface names are at most 15 characters
MAX_INTERFACE_NAME = 15


def pod_veth_names(node_name: str) -> tuple[str, str]:
    """The walkthrough's veth pair for a node's pod: (``veth_<node>`` on the node, ``veth_<node>_pod`` in the pod).

    Where those would be longer than Linux allows, both ends get a short digest of the node name first
    (``vh1c9e4a_worker``, ``vp1c9e4a_worker``), so they stay distinct, from each other and from other nodes.
    """
    host, pod = f"veth_{node_name}", f"veth_{node_name}_pod"
    if len(pod) <= MAX_INTERFACE_NAME:
        return host, pod
    digest = f"{zlib.crc32(node_name.encode()) & 0xFFFFFF:06x}"
    return f"vh{digest}_{node_name}"[:MAX_INTERFACE_NAME], f"vp{digest}_{node_name}"[:MAX_INTERFACE_NAME]


@attrs.frozen
class NodeNs:
    """A node: a namespace with ``eth0`` on the underlay at ``address``."""

    name: str
    netns: str
    address: str
    prefixlen: int
    interface: str = UNDERLAY_INTERFACE


@attrs.frozen
class PodNs:
    """A pod as in the walkthrough: a namespace with one veth, a /32 address, a default route via itself."""

    name: str
    netns: str
    node: str
    address: str
    host_interface: str
    pod_interface: str


@attrs.define
class Fabric:
    """Node namespaces joined by a bridge namespace, plus pods; a context manager that always tears down."""

    prefix: str
    state_dir: Path
    underlay: ipaddress.IPv4Network
    nodes: dict[str, NodeNs] = attrs.field(factory=dict)
    pods: dict[str, PodNs] = attrs.field(factory=dict)
    daemons: list[Daemon] = attrs.field(factory=list)
    _namespaces: list[str] = attrs.field(factory=list)
    _pids: list[int] = attrs.field(factory=list)
    _paths: list[str] = attrs.field(factory=list)

    @classmethod
    def create(
        cls, prefix: str | None = None, *, underlay: str = DEFAULT_UNDERLAY, state_dir: Path | None = None
    ) -> Fabric:
        """A new fabric whose namespace names start with ``prefix`` (random when omitted)."""
        if os.geteuid() != 0:
            raise RuntimeMissingError("network namespaces need root")
        prefix = prefix or f"bk{uuid.uuid4().hex[:6]}"
        state_dir = state_dir or Path("/run/birdkit/fabrics") / prefix
        state_dir.mkdir(parents=True, exist_ok=True)
        fabric = cls(prefix, state_dir, ipaddress.IPv4Network(underlay))
        fabric._add_namespace(fabric.bridge_netns)
        ip("link", "add", "br0", "type", "bridge", netns=fabric.bridge_netns)
        ip("link", "set", "br0", "up", netns=fabric.bridge_netns)
        return fabric

    @property
    def bridge_netns(self) -> str:
        return f"{self.prefix}-underlay"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "fabric.json"

    def __enter__(self) -> Fabric:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.teardown()

    def _save(self) -> None:
        state = {"prefix": self.prefix, "namespaces": self._namespaces, "pids": self._pids, "paths": self._paths}
        write_atomically(self.state_file, json.dumps(state, indent=2))

    def _add_namespace(self, netns: str) -> None:
        self._namespaces.append(netns)
        self._save()
        ip("netns", "add", netns)
        ip("link", "set", "lo", "up", netns=netns)

    def register_pid(self, pid: int, workdir: Path | None = None) -> None:
        """Record a process started inside the fabric (and its working directory), so teardown removes them."""
        self._pids.append(pid)
        if workdir is not None:
            self._paths.append(str(workdir))
        self._save()

    def add_node(self, name: str, address: str | None = None) -> NodeNs:
        """A node namespace with ``eth0`` on the underlay; ``address`` defaults to the next free host."""
        index = len(self.nodes) + 1
        host = ipaddress.IPv4Address(address) if address else self.underlay.network_address + index
        node = NodeNs(name, f"{self.prefix}-{name}", str(host), self.underlay.prefixlen)
        self._add_namespace(node.netns)
        bridge_port = f"p{index}"
        ip("link", "add", UNDERLAY_INTERFACE, "type", "veth", "peer", "name", bridge_port,
           "netns", self.bridge_netns, netns=node.netns)
        ip("link", "set", bridge_port, "master", "br0", "up", netns=self.bridge_netns)
        ip("addr", "add", f"{host}/{self.underlay.prefixlen}", "dev", UNDERLAY_INTERFACE, netns=node.netns)
        ip("link", "set", UNDERLAY_INTERFACE, "up", netns=node.netns)
        in_netns(node.netns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        self.nodes[name] = node
        return node

    def add_pod(self, node: NodeNs, pod_ip: str) -> PodNs:
        """The walkthrough's pod: veth pair, /32 address, default route out of the pod, /32 route to it, proxy ARP."""
        host_if, pod_if = pod_veth_names(node.name)
        pod = PodNs(f"{node.name}_pod", f"{node.netns}_pod", node.name, pod_ip, host_if, pod_if)
        self._add_namespace(pod.netns)
        ip("link", "add", host_if, "type", "veth", "peer", "name", pod_if, "netns", pod.netns, netns=node.netns)
        ip("link", "set", host_if, "up", netns=node.netns)
        ip("link", "set", pod_if, "up", netns=pod.netns)
        ip("addr", "add", f"{pod_ip}/32", "dev", pod_if, netns=pod.netns)
        ip("route", "add", "default", "dev", pod_if, netns=pod.netns)
        ip("route", "add", f"{pod_ip}/32", "dev", host_if, netns=node.netns)
        in_netns(node.netns, ["sysctl", "-q", "-w", f"net.ipv4.conf.{host_if}.proxy_arp=1"])
        self.pods[pod.name] = pod
        return pod

    def start_bird(self, runtime: BirdRuntime, node: NodeNs, config_text: str) -> Daemon:
        """Start BIRD ``runtime`` inside ``node``; the fabric kills it on teardown."""
        daemon = runtime.start(node.netns, config_text, name=node.name)
        self.register_pid(daemon.pid, daemon.workdir)
        self.daemons.append(daemon)
        return daemon

    def teardown(self) -> None:
        """Stop the daemons, kill every process left in the namespaces, delete the namespaces."""
        for daemon in self.daemons:
            daemon.stop()
        self.daemons.clear()
        teardown_state(self.state_dir)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + 3
    for pid in pids:
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def netns_pids(netns: str) -> list[int]:
    """The processes running inside ``netns``."""
    completed = run(["ip", "netns", "pids", netns], check=False)
    return [int(pid) for pid in completed.stdout.split()]


_NETNS_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


def netns_name_ok(name: object) -> bool:
    """Whether ``name`` can be a namespace the lab made (a file name under /run/netns: no ``/``, no leading ``.``)."""
    return isinstance(name, str) and _NETNS_NAME.match(name) is not None


def lab_made(path: str, parent: str) -> bool:
    """Whether ``path`` can be a directory the lab made in a directory called ``parent`` (BIRD's working
    directories sit in ``.../run/birdkit/``, nodes' in ``.../nodes/``): absolute, with no ``..`` and no symlink on
    the way. A state file naming anything else is damaged, and nothing it names is removed."""
    return (
        os.path.isabs(path)
        and ".." not in Path(path).parts
        and Path(path).parent.name == parent
        and os.path.realpath(path) == os.path.normpath(path)
    )


def damaged_state(path: Path, reason: str) -> FileError:
    """The error for a state file that does not hold what birdkit wrote there: nothing it names is touched."""
    return FileError(
        f"{path} is damaged: {reason}",
        hint=f"nothing was removed; delete the lab's namespaces (ip netns list) and {path} by hand",
    )


def read_fabric_state(state_file: Path) -> tuple[list[str], list[int], list[str]]:
    """The namespaces, processes and directories a fabric's state file records, each checked to be what a
    fabric makes (its own prefix, a real process id, a directory below ``/run/birdkit/``)."""
    state = read_json(state_file, limit=MAX_STATE_BYTES, what="lab state file")
    if not isinstance(state, dict) or not isinstance(state.get("prefix"), str):
        raise damaged_state(state_file, "expected an object with `prefix`, `namespaces`, `pids` and `paths`")
    prefix: str = state["prefix"]
    namespaces, pids, paths = state.get("namespaces"), state.get("pids"), state.get("paths", [])
    if not (isinstance(namespaces, list) and isinstance(pids, list) and isinstance(paths, list)):
        raise damaged_state(state_file, "`namespaces`, `pids` and `paths` must be lists")
    for netns in namespaces:
        if not (netns_name_ok(netns) and netns.startswith(f"{prefix}-")):
            raise damaged_state(state_file, f"namespace {netns!r} is not one of prefix {prefix!r}")
    for pid in pids:
        if type(pid) is not int or pid <= 1:
            raise damaged_state(state_file, f"{pid!r} is not a process id birdkit could have started")
    for path in paths:
        if not (isinstance(path, str) and lab_made(path, "birdkit")):
            raise damaged_state(state_file, f"{path!r} is not a directory the lab makes")
    return namespaces, pids, paths


def teardown_state(state_dir: Path) -> None:
    """Remove what the state file in ``state_dir`` records: processes first, then namespaces."""
    state_file = state_dir / "fabric.json"
    if not state_file.exists():
        return
    namespaces, recorded_pids, paths = read_fabric_state(state_file)
    existing = set(list_netns())
    # one TERM to every process first, so daemons shut down in parallel rather than in turn
    pids = set(recorded_pids)
    for netns in namespaces:
        if netns in existing:
            pids.update(netns_pids(netns))
    _kill(sorted(pids))
    for netns in reversed(namespaces):
        if netns in existing:
            run(["ip", "netns", "delete", netns], check=False)
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    state_file.unlink()
    with contextlib.suppress(OSError):
        state_dir.rmdir()


def leftovers(prefix: str) -> list[str]:
    """Namespaces whose names start with ``prefix`` (what a clean teardown leaves: nothing)."""
    return [name for name in list_netns() if name.startswith(prefix)]
