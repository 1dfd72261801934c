"""Fixtures for the applier's tests: a netns fleet built from a peer map, and state directories cleaned up."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.bird_clock import last_reconfiguration, same_reconfiguration

from birdkit.apply.transport import NetnsTransport, birdc, netns_state_dir
from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apply"
#: BGP timers that converge in about a second and recover from errors fast
FAST_TIMERS = {"hold": 6, "keepalive": 2, "connect_retry": 1}


@attrs.define
class NetLab:
    """Node namespaces on the fabric plus the peer-map data that points at them."""

    fabric: Fabric
    matrix: BirdMatrix
    versions: dict[str, str] = attrs.field(factory=dict)
    state_dirs: list[Path] = attrs.field(factory=list)

    def add(self, name: str, version: str) -> str:
        """A node namespace for ``name``; returns its underlay address."""
        node = self.fabric.add_node(name)
        self.versions[name] = version
        state_dir = netns_state_dir(self.matrix.get(version), node.netns)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dirs.append(state_dir)
        return node.address

    def node_data(self, name: str, pod_cidr: str, **extra: Any) -> dict[str, Any]:
        """The peer-map entry of node ``name`` (netns transport, its BIRD version)."""
        node = self.fabric.nodes[name]
        return {
            "name": name, "address": f"{node.address}/{node.prefixlen}", "pod_cidrs": [pod_cidr],
            "transport": "netns", "netns": node.netns, "bird_version": self.versions[name], **extra,
        }

    def transport(self, name: str) -> NetnsTransport:
        """How the applier reaches ``name`` (the same state dir the peer map leads to)."""
        runtime = self.matrix.get(self.versions[name])
        netns = self.fabric.nodes[name].netns
        return NetnsTransport(name, netns, netns_state_dir(runtime, netns), runtime)

    def birdc(self, name: str, command: str) -> str:
        """birdc output of node ``name`` (an assertion error names the failure)."""
        result = birdc(self.transport(name), command)
        assert result.ok, f"{name}: birdc {command}: {result.output}"
        return result.stdout

    def last_reconfiguration(self, name: str) -> float:
        """When node ``name`` was last (re)configured, in seconds; compare two reads with :meth:`reconfigured_since`."""
        return last_reconfiguration(self.birdc(name, "show status"))

    def reconfigured_since(self, name: str, before: float) -> bool:
        """Whether node ``name`` was reconfigured after ``before`` (a :meth:`last_reconfiguration` value)."""
        return not same_reconfiguration(self.last_reconfiguration(name), before)

    def established(self, name: str) -> set[str]:
        """Names of the node's BGP protocols in state Established (read from `show protocols`)."""
        rows = self.birdc(name, "show protocols").splitlines()
        return {row.split()[0] for row in rows if " BGP " in row and "Established" in row}

    def pid(self, name: str) -> int:
        """The pid of the node's BIRD, from its pid file."""
        pid_path = self.transport(name).layout.pid_path
        assert pid_path is not None
        return int(Path(pid_path).read_text().strip())


@pytest.fixture
def netlab(fabric: Fabric, bird_matrix: BirdMatrix) -> Iterator[NetLab]:
    """An empty :class:`NetLab`; namespaces, daemons and state dirs are removed afterwards."""
    lab = NetLab(fabric, bird_matrix)
    try:
        yield lab
    finally:
        fabric.teardown()
        for state_dir in lab.state_dirs:
            shutil.rmtree(state_dir, ignore_errors=True)
