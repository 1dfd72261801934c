"""Live: generated configs run on real BIRD (mixed versions) in namespaces, peer, and program the kernel."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from birdkit.gen.peermap import Peermap, load_peermap, peermap_from_data
from birdkit.gen.render import generate
from birdkit.lab.netns import Fabric
from birdkit.runtime import VERSIONS, BirdMatrix, Daemon

pytestmark = [pytest.mark.live, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _fleet(names: list[str], topology: dict[str, Any]) -> dict[str, Any]:
    nodes = [
        {"name": name, "address": f"198.18.0.{index}/24", "pod_cidrs": [f"10.0.{index}.0/24"]}
        for index, name in enumerate(names, start=1)
    ]
    return {"version": 1, "defaults": {"asn": 65000}, "nodes": nodes, "topology": topology}


def _bgp_states(daemon: Daemon) -> dict[str, str]:
    states = {}
    for line in daemon.birdc("show protocols").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1] == "BGP":
            states[fields[0]] = fields[-1]
    return states


def _kernel_routes(netns: str) -> str:
    return subprocess.run(["ip", "-n", netns, "route"], capture_output=True, text=True, check=True).stdout


def _run_fleet(bird_matrix: BirdMatrix, fabric: Fabric, peermap: Peermap) -> None:
    configs = generate(peermap)
    daemons: dict[str, Daemon] = {}
    for index, node in enumerate(peermap.nodes):
        namespace = fabric.add_node(node.name, str(node.address.ip))
        runtime = bird_matrix.get(VERSIONS[index % len(VERSIONS)])
        daemons[node.name] = fabric.start_bird(runtime, namespace, configs[node.name])

    expected_sessions = {name: len(re.findall(r"^protocol bgp ", text, re.M)) for name, text in configs.items()}
    deadline = time.monotonic() + 90
    states: dict[str, dict[str, str]] = {}
    while time.monotonic() < deadline:
        states = {name: _bgp_states(daemon) for name, daemon in daemons.items()}
        if all(len(found) == expected_sessions[name] and set(found.values()) == {"Established"}
               for name, found in states.items()):
            break
        time.sleep(1)
    for name, found in states.items():
        assert len(found) == expected_sessions[name], (name, found)
        assert set(found.values()) == {"Established"}, (name, found)

    owners = {str(node.pod_cidrs[0]): str(node.address.ip) for node in peermap.nodes}
    for node in peermap.nodes:
        netns = fabric.nodes[node.name].netns
        wanted = {cidr: via for cidr, via in owners.items() if cidr != str(node.pod_cidrs[0])}
        routes = _kernel_routes(netns)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
            re.search(rf"^{re.escape(cidr)} via {re.escape(via)} .*proto bird", routes, re.M)
            for cidr, via in wanted.items()
        ):
            time.sleep(0.5)
            routes = _kernel_routes(netns)
        for cidr, via in wanted.items():
            learned = rf"^{re.escape(cidr)} via {re.escape(via)} .*proto bird"
            assert re.search(learned, routes, re.M), (node.name, routes)
        assert re.search(rf"^blackhole {re.escape(str(node.pod_cidrs[0]))} proto bird", routes, re.M), routes
        underlay_copy = re.search(rf"^{re.escape(str(node.address.network))} .*proto bird", routes, re.M)
        assert bool(underlay_copy) == (peermap.defaults.kernel.export == "all"), routes


def test_five_node_full_mesh_on_mixed_versions(bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    peermap = peermap_from_data(_fleet([f"vm{i}" for i in range(1, 6)], {"type": "full-mesh"}))
    _run_fleet(bird_matrix, fabric, peermap)


def test_six_node_route_reflector_example_on_mixed_versions(bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    # two reflectors, four clients; timers, graceful restart, ECMP and `export: bgp-and-static` in the kernel
    peermap = load_peermap(EXAMPLES / "route-reflectors.yaml")
    assert (len(peermap.nodes), peermap.topology.route_reflectors) == (6, ("rr1", "rr2"))
    _run_fleet(bird_matrix, fabric, peermap)
