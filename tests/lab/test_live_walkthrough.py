"""The test bed proves itself: the walkthrough's two hand-written configs peer on every BIRD version."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix, Daemon

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "walkthrough"
PAIRS = [
    ("2.0.7", "2.0.7"),
    ("2.0.12", "2.0.12"),
    ("2.17.6", "2.17.6"),
    ("3.1.8", "3.1.8"),
    ("2.0.12", "3.1.8"),
    ("2.0.7", "3.1.8"),
]


def _bgp_state(daemon: Daemon, protocol: str) -> str:
    for line in daemon.birdc("show protocols").splitlines():
        fields = line.split()
        if fields and fields[0] == protocol:
            return fields[-1]
    return "missing"


def _kernel_routes(netns: str) -> str:
    return subprocess.run(["ip", "-n", netns, "route"], capture_output=True, text=True, check=True).stdout


def _wait_established(daemons: dict[str, Daemon], timeout: float = 60) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = {peer: _bgp_state(daemon, peer) for peer, daemon in daemons.items()}
        if all(state == "Established" for state in states.values()):
            break
        time.sleep(0.5)
    return states


@pytest.mark.live
@pytest.mark.parametrize(("vm1_version", "vm2_version"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_walkthrough_pair_peers_and_installs_routes(
    bird_matrix: BirdMatrix, fabric: Fabric, vm1_version: str, vm2_version: str
) -> None:
    vm1 = fabric.add_node("vm1", "198.18.0.1")
    vm2 = fabric.add_node("vm2", "198.18.0.2")
    daemons = {
        # key: the bgp protocol name each node uses for its peer
        "vm2": fabric.start_bird(bird_matrix.get(vm1_version), vm1, (FIXTURES / "vm1.conf").read_text()),
        "vm1": fabric.start_bird(bird_matrix.get(vm2_version), vm2, (FIXTURES / "vm2.conf").read_text()),
    }
    states = _wait_established(daemons)
    assert states == {"vm2": "Established", "vm1": "Established"}

    for node, own, other, gateway in ((vm1, "10.0.1.0/24", "10.0.2.0/24", "198.18.0.2"),
                                      (vm2, "10.0.2.0/24", "10.0.1.0/24", "198.18.0.1")):
        deadline = time.monotonic() + 20
        routes = _kernel_routes(node.netns)
        learned = re.compile(rf"^{re.escape(other)} via {re.escape(gateway)} dev eth0 proto bird\b", re.M)
        while not learned.search(routes) and time.monotonic() < deadline:
            time.sleep(0.5)
            routes = _kernel_routes(node.netns)
        assert learned.search(routes), routes
        assert re.search(rf"^blackhole {re.escape(own)} proto bird\b", routes, re.M), routes
