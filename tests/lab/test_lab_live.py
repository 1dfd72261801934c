"""Live lab tests (root, real BIRD): the walkthrough converges, pods ping, blackholes fail fast, down leaves nothing."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from birdkit.lab import walkthrough as lab
from birdkit.runtime import BirdMatrix

from .conftest import LabEnv, bird_dir_candidates, host_snapshot

pytestmark = pytest.mark.live


def _nothing_left(env: LabEnv) -> None:
    left = env.leftovers()
    assert left == {"namespaces": [], "processes": [], "bird dirs": [], "state": []}


def test_default_lab_converges_pods_ping_blackhole_fails_fast_and_down_leaves_nothing(
    bird_matrix: BirdMatrix, lab_env: LabEnv
) -> None:
    before = host_snapshot()

    up = lab_env.cli("up", "--name", lab_env.name, "--json")
    assert up.returncode == 0, up.stderr
    summary = json.loads(up.stdout)
    # the walkthrough: vm1 and vm2, pods .10 of 10.0.1.0/24 and 10.0.2.0/24, on 198.18.0.1/.2
    nodes = {node["node"]: node for node in summary["nodes"]}
    assert sorted(nodes) == ["vm1", "vm2"]
    assert (nodes["vm1"]["pod_cidr"], nodes["vm1"]["pod_ip"], nodes["vm1"]["router_id"]) == (
        "10.0.1.0/24", "10.0.1.10", "198.18.0.1")
    assert (nodes["vm2"]["pod_cidr"], nodes["vm2"]["pod_ip"], nodes["vm2"]["router_id"]) == (
        "10.0.2.0/24", "10.0.2.10", "198.18.0.2")
    assert nodes["vm1"]["sessions_up"] == nodes["vm1"]["sessions"] == 1
    assert "10.0.2.0/24 via 198.18.0.2" in nodes["vm1"]["kernel_routes"]
    assert "10.0.1.0/24 via 198.18.0.1" in nodes["vm2"]["kernel_routes"]
    print(f"default lab converged in {summary['converged_in']} s")

    ping = lab_env.cli("ping", "--json")
    assert ping.returncode == 0, ping.stdout + ping.stderr
    pings = {(p["from"], p["to"]): (p["address"], p["ok"]) for p in json.loads(ping.stdout)["pings"]}
    assert pings == {("vm1", "vm2"): ("10.0.2.10", True), ("vm2", "vm1"): ("10.0.1.10", True)}

    probe = lab_env.cli("blackhole", "--json")
    assert probe.returncode == 0, probe.stdout + probe.stderr
    for result in json.loads(probe.stdout)["probes"]:
        assert result["verdict"] in ("unreachable", "refused"), result
        assert result["elapsed"] < 1.0, result
        assert result["route"].startswith("blackhole 10.0."), result
    printed = lab_env.cli("blackhole")
    assert "unreachable" in printed.stdout and "ms" in printed.stdout

    table = lab_env.cli("status")
    assert table.returncode == 0, table.stdout + table.stderr
    assert "1/1 Established" in table.stdout

    down = lab_env.cli("down")
    assert down.returncode == 0, down.stderr
    _nothing_left(lab_env)
    assert host_snapshot() == before


def test_human_summary_names_nodes_and_next_commands(
    bird_matrix: BirdMatrix, lab_env: LabEnv, tmp_path: Path
) -> None:
    up = lab_env.cli("up", "--name", lab_env.name, "--bird", "3.1.8")
    try:
        assert up.returncode == 0, up.stderr
        header = up.stdout.splitlines()[2].split()
        assert header[:5] == ["NODE", "BIRD", "ROUTER", "ID", "POD"]
        rows = {line.split()[0]: line.split() for line in up.stdout.splitlines() if line.startswith("vm")}
        assert rows["vm1"] == ["vm1", "3.1.8", "198.18.0.1", "10.0.1.0/24", "10.0.1.10", "1/1", "Established",
                               "10.0.2.0/24"]
        assert rows["vm2"] == ["vm2", "3.1.8", "198.18.0.2", "10.0.2.0/24", "10.0.2.10", "1/1", "Established",
                               "10.0.1.0/24"]
        assert "birdkit lab ping" in up.stdout and "birdkit show routes --socket " in up.stdout

        # a second lab under the same name, from another state directory, must not adopt this one's namespaces
        other = LabEnv(lab_env.name, tmp_path / "other-state")
        clash = other.cli("up", "--name", lab_env.name)
        assert clash.returncode == 1
        assert f"the lab {lab_env.name!r} would reuse what already exists: {lab_env.name}-underlay" in clash.stderr
        assert not other.directory.exists()
        assert lab_env.cli("ping").returncode == 0

        # a node whose BIRD died: status says so and fails
        state = lab.require_state(lab_env.directory)
        vm2 = state.node("vm2")
        os.kill(int((Path(vm2.bird_dir) / "bird.pid").read_text()), signal.SIGKILL)
        status = lab_env.cli("status")
        assert status.returncode == 1
        assert "waiting" in status.stdout
        assert "  vm2: reachable vm2: " in status.stdout
    finally:
        assert lab_env.cli("down").returncode == 0
    _nothing_left(lab_env)


def test_lab_up_on_the_walkthroughs_own_bird_2_0_7(bird_matrix: BirdMatrix, lab_env: LabEnv) -> None:
    up = lab_env.cli("up", "--name", lab_env.name, "--bird", "2.0.7")
    try:
        assert up.returncode == 0, up.stderr
        rows = {line.split()[0]: line.split() for line in up.stdout.splitlines() if line.startswith("vm")}
        assert [rows[vm][1] for vm in ("vm1", "vm2")] == ["2.0.7", "2.0.7"]
        assert all(row[5:7] == ["1/1", "Established"] for row in rows.values())
        assert lab_env.cli("ping").returncode == 0
    finally:
        assert lab_env.cli("down").returncode == 0
    _nothing_left(lab_env)


@pytest.mark.slow
def test_eight_nodes_on_mixed_bird_versions_converge(
    bird_matrix: BirdMatrix, lab_env: LabEnv, record_property: Callable[[str, object], None]
) -> None:
    versions = ("2.0.12", "2.17.6", "3.1.8")
    started = time.monotonic()
    state, statuses, converged_in = lab.up(
        node_count=8, versions=versions, name=lab_env.name, directory=lab_env.directory, log=lambda m: None
    )
    print(f"8-node lab: built and converged in {time.monotonic() - started:.1f} s "
          f"(BGP convergence {converged_in:.1f} s)")
    record_property("convergence_seconds", round(converged_in, 2))
    try:
        assert [node.bird_version for node in state.nodes] == [versions[i % 3] for i in range(8)]
        for status in statuses:
            assert status.sessions_up == status.sessions == 7
            others = {f"10.0.{i}.0/24" for i in range(1, 9)} - {status.pod_cidr}
            assert set(status.learned) == others
        pings = lab.ping_matrix(state)
        assert len(pings) == 56
        assert [p for p in pings if not p.ok] == []
    finally:
        lab.down(lab_env.directory, log=lambda m: None)
    _nothing_left(lab_env)


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("kill_when", ["namespaces", "bird"])
def test_up_killed_halfway_then_down_leaves_nothing(bird_matrix: BirdMatrix, lab_env: LabEnv, kill_when: str) -> None:
    before = host_snapshot()
    fabric_state = lab_env.directory / "fabric" / "fabric.json"

    def halfway() -> bool:
        if kill_when == "namespaces":
            # some node namespaces exist, more are still to come
            return fabric_state.exists() and len(json.loads(fabric_state.read_text() or "{}")
                                                 .get("namespaces", [])) >= 3
        # vm1's BIRD answers on its socket while the other nodes are still being applied
        return any((path / "bird.ctl").exists() for path in bird_dir_candidates(lab_env.name))

    process = lab_env.popen("up", "--nodes", "4", "--name", lab_env.name)
    try:
        assert _wait_for(halfway, 60), "the lab never got halfway"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    left = lab_env.leftovers()
    assert left["namespaces"], "killed too early: nothing was built yet"
    if kill_when == "bird":
        assert left["processes"], "killed before any BIRD ran"

    down = lab_env.cli("down")
    assert down.returncode == 0, down.stderr
    _nothing_left(lab_env)
    assert host_snapshot() == before
