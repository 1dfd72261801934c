"""Fabric teardown leaves nothing behind: no namespace, no veth, no BIRD process, even when a test fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from birdkit.lab.netns import Fabric, leftovers, teardown_state
from birdkit.runtime import BirdMatrix

MINIMAL = "router id 198.18.0.1;\nprotocol device { }\n"


def _bird_pids() -> set[int]:
    completed = subprocess.run(["pgrep", "-x", "bird"], capture_output=True, text=True, check=False)
    return {int(pid) for pid in completed.stdout.split()}


def _all_links() -> str:
    return subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout


@pytest.mark.live
def test_teardown_after_failure_removes_everything(bird_matrix: BirdMatrix, netns_prefix: str) -> None:
    links_before = _all_links()
    prefix = f"{netns_prefix}td"
    with pytest.raises(RuntimeError, match="boom"), Fabric.create(prefix) as fabric:
        node = fabric.add_node("n1")
        fabric.add_pod(node, "10.0.1.10")
        daemon = fabric.start_bird(bird_matrix.get("3.1.8"), node, MINIMAL)
        pid = daemon.pid
        assert pid in _bird_pids()
        raise RuntimeError("boom")
    assert leftovers(prefix) == []
    assert pid not in _bird_pids()
    assert not Path(f"/run/birdkit/fabrics/{prefix}").exists()
    assert _all_links() == links_before


@pytest.mark.live
def test_teardown_from_state_file_after_crash(bird_matrix: BirdMatrix, netns_prefix: str) -> None:
    """Another process can clean up from the state file alone (the owner died without tearing down)."""
    prefix = f"{netns_prefix}cr"
    fabric = Fabric.create(prefix)
    node = fabric.add_node("n1")
    daemon = bird_matrix.get("2.0.12").start(node.netns, MINIMAL)
    fabric.register_pid(daemon.pid, daemon.workdir)
    assert sorted(leftovers(prefix)) == sorted([f"{prefix}-underlay", f"{prefix}-n1"])
    teardown_state(fabric.state_dir)
    assert leftovers(prefix) == []
    assert daemon.process is not None
    daemon.process.wait(timeout=5)  # reap: the kill left only a zombie of this test's own child
    assert daemon.pid not in _bird_pids()
    assert not daemon.workdir.exists()
