"""The lab's model without root: default topology, version assignment, state file, probes, CLI errors."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.cli.lab import render_matrix
from birdkit.errors import ConfigError, PeermapError, RuntimeMissingError, UsageError
from birdkit.gen.peermap import parse_peermap
from birdkit.lab import netns
from birdkit.lab import walkthrough as lab
from birdkit.runtime import BirdMatrix, BirdRuntime

STEPS = Path(__file__).resolve().parents[1] / "fixtures" / "lab" / "walkthrough" / "steps.sh"
FAKE_MATRIX = BirdMatrix({
    "2.0.12": BirdRuntime("2.0.12"),
    "2.17.6": BirdRuntime("2.17.6", Path("/nonexistent/trixie-bird2")),
    "3.1.8": BirdRuntime("3.1.8", Path("/nonexistent/trixie-bird3")),
})


def _nodes(
    count: int = 2, versions: tuple[str, ...] = ("2.0.12",), backend: lab.Backend = "netns"
) -> list[lab.LabNode]:
    peermap = lab.default_peermap(count)
    return lab.lab_nodes(peermap, "bkl", lab.assign_versions(peermap, FAKE_MATRIX, versions), backend)


def test_default_lab_is_the_walkthroughs_two_nodes() -> None:
    vm1, vm2 = _nodes()
    assert (vm1.name, vm1.address, vm1.prefixlen, vm1.router_id) == ("vm1", "198.18.0.1", 24, "198.18.0.1")
    assert (vm2.name, vm2.address, vm2.prefixlen, vm2.router_id) == ("vm2", "198.18.0.2", 24, "198.18.0.2")
    assert (vm1.pod_cidr, vm1.pod_ip, vm1.unused_ip) == ("10.0.1.0/24", "10.0.1.10", "10.0.1.11")
    assert (vm2.pod_cidr, vm2.pod_ip, vm2.unused_ip) == ("10.0.2.0/24", "10.0.2.10", "10.0.2.11")
    assert (vm1.host_veth, vm1.pod_veth) == ("veth_vm1", "veth_vm1_pod")
    assert (vm1.netns, vm1.pod_netns) == ("bkl-vm1", "bkl-vm1_pod")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=60))
def test_nodes_n_gives_vm1_to_vmn_with_their_own_pod_cidr(count: int) -> None:
    nodes = _nodes(count)
    assert [node.name for node in nodes] == [f"vm{k}" for k in range(1, count + 1)]
    for k, node in enumerate(nodes, start=1):
        assert node.address == f"198.18.0.{k}"
        assert node.pod_cidr == f"10.0.{k}.0/24"
        assert node.pod_ip == f"10.0.{k}.10"
        assert not node.netns.startswith("bkt")
        assert len(node.pod_veth) <= 15


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True), min_size=1, max_size=20, unique=True))
def test_pod_veth_names_fit_linux_and_never_clash(names: list[str]) -> None:
    pairs = [netns.pod_veth_names(name) for name in names]
    every_end = [end for pair in pairs for end in pair]
    assert all(len(end) <= 15 for end in every_end)
    assert len(set(every_end)) == len(every_end)


def test_long_node_names_keep_a_readable_tail() -> None:
    assert netns.pod_veth_names("vm1") == ("veth_vm1", "veth_vm1_pod")
    host, pod = netns.pod_veth_names("worker-node-1")
    assert host.startswith("vh") and pod.startswith("vp") and host[8:] == pod[8:] == "_worker"


def test_too_many_nodes_for_the_underlay_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match=r"1 to 6 nodes on 198\.18\.0\.0/29"):
        lab.default_peermap(7, "198.18.0.0/29")


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=12),
       st.lists(st.sampled_from(["2.0.12", "2.17.6", "3.1.8", "3", "2.17"]), min_size=1, max_size=4))
def test_bird_versions_go_round_robin(count: int, versions: list[str]) -> None:
    resolved = {"2.0.12": "2.0.12", "2.17.6": "2.17.6", "3.1.8": "3.1.8", "3": "3.1.8", "2.17": "2.17.6"}
    assigned = lab.assign_versions(lab.default_peermap(count), FAKE_MATRIX, versions)
    assert assigned == [resolved[versions[i % len(versions)]] for i in range(count)]


def test_missing_bird_version_names_what_is_there() -> None:
    with pytest.raises(RuntimeMissingError, match=r"BIRD 1\.6 is not available \(have: 2\.0\.12, 2\.17\.6, 3\.1\.8\)"):
        lab.assign_versions(lab.default_peermap(2), FAKE_MATRIX, ["1.6"])


def test_peermap_nodes_must_share_one_underlay() -> None:
    peermap = parse_peermap(
        "version: 1\noptions: {multihop: 2}\nnodes:\n"
        "  - {name: a, address: 198.18.0.1/24, pod_cidrs: [10.1.0.0/24]}\n"
        "  - {name: b, address: 198.18.1.1/24, pod_cidrs: [10.2.0.0/24]}\n"
    )
    with pytest.raises(PeermapError, match="one underlay, but the nodes are on 2 subnets"):
        lab.underlay_of(peermap)


def test_a_pod_cidr_too_small_for_the_pod_is_located() -> None:
    peermap = parse_peermap(
        "version: 1\nnodes:\n  - {name: a, address: 198.18.0.1/24, pod_cidrs: [10.1.0.0/29]}\n", "small.yaml"
    )
    with pytest.raises(PeermapError) as caught:
        lab.lab_nodes(peermap, "bkl", ["2.0.12"], "netns")
    assert str(caught.value).startswith("small.yaml:3:")
    assert "10.1.0.0/29 is too small" in str(caught.value)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=8), st.sampled_from(["netns", "multipass"]),
       st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8))
def test_state_file_round_trips(count: int, backend: lab.Backend, suffix: str) -> None:
    state = lab.LabState(f"bkl{suffix}", backend, "198.18.0.0/24", _nodes(count, ("2.0.12", "3.1.8"), backend),
                         None, count)
    assert lab.LabState.from_json(json.loads(json.dumps(state.to_json()))) == state


def test_forward_rules_are_the_walkthroughs(tmp_path: Path) -> None:
    vm1 = _nodes(backend="multipass")[0]
    assert vm1.interface == "ens3"
    walkthrough = [shlex.split(line)[1:] for line in STEPS.read_text().splitlines()
                   if "FORWARD" in line and "veth_vm1" in line]
    assert lab.forward_rules(vm1) == walkthrough


@pytest.mark.parametrize(
    ("errno_name", "elapsed", "verdict", "passed"),
    [
        ("EINVAL", 0.001, "unreachable", True),       # Linux's answer for a blackhole route
        ("EHOSTUNREACH", 0.2, "unreachable", True),
        ("ECONNREFUSED", 0.01, "refused", True),
        ("EINVAL", 1.5, "unreachable", False),        # too slow to count as "at once"
        ("ETIMEDOUT", 5.0, "timeout", False),
        ("OK", 0.01, "connected", False),
    ],
)
def test_blackhole_verdicts(errno_name: str, elapsed: float, verdict: str, passed: bool) -> None:
    probe = lab.BlackholeProbe("vm1", "10.0.1.11", 80, errno_name, "", elapsed, "blackhole 10.0.1.0/24")
    assert (probe.verdict, probe.passed) == (verdict, passed)


def test_ping_matrix_marks_failures_and_the_diagonal() -> None:
    state = lab.LabState("bkl", "netns", "198.18.0.0/24", _nodes(3))
    results = [
        lab.PingResult(s.name, t.name, t.pod_ip, not (s.name == "vm3" and t.name == "vm1"))
        for s in state.nodes for t in state.nodes if s is not t
    ]
    lines = render_matrix(state, results).splitlines()
    assert lines[0].split() == ["FROM", "\\", "TO", "VM1", "10.0.1.10", "VM2", "10.0.2.10", "VM3", "10.0.3.10"]
    assert [line.split() for line in lines[1:]] == [
        ["vm1_pod", "-", "ok", "ok"], ["vm2_pod", "ok", "-", "ok"], ["vm3_pod", "FAIL", "ok", "-"],
    ]


def test_up_refuses_when_a_lab_is_already_up(tmp_path: Path) -> None:
    state = lab.LabState("bkl", "netns", "198.18.0.0/24", _nodes())
    lab.save_state(tmp_path, state)
    with pytest.raises(ConfigError, match="a lab is already up") as caught:
        lab.up(directory=tmp_path)
    assert caught.value.hint == "remove it with `birdkit lab down`"


def test_down_after_a_crash_before_anything_was_built(tmp_path: Path) -> None:
    directory = tmp_path / "lab"
    nodes = [attrs.evolve(node, bird_dir=str(tmp_path / f"nodes/bkl-{node.name}")) for node in _nodes()]
    lab.save_state(directory, lab.LabState("bkl", "netns", "198.18.0.0/24", nodes))
    Path(nodes[0].bird_dir).mkdir(parents=True)
    done = lab.down(directory, log=lambda message: None)
    assert done == [f"removed {nodes[0].bird_dir}", f"removed {directory}"]
    assert list(tmp_path.rglob("*")) == []


def test_down_without_a_lab_does_nothing(tmp_path: Path) -> None:
    assert lab.down(tmp_path / "lab", log=lambda message: None) == []


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "birdkit.cli.main", "lab", *args], capture_output=True, text=True, check=False,
        env={"BIRDKIT_STATE": str(tmp_path), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_cli_status_without_a_lab_says_how_to_start_one(tmp_path: Path) -> None:
    completed = _cli(tmp_path, "status")
    assert completed.returncode == 1
    assert completed.stderr == f"no lab is up (nothing in {tmp_path / 'lab'})\nhint: start one with `birdkit lab up`\n"


def test_cli_rejects_a_bad_node_count_as_usage(tmp_path: Path) -> None:
    completed = _cli(tmp_path, "up", "--nodes", "0")
    assert completed.returncode == 2
    assert "a lab has 1 to 250 nodes, not 0" in completed.stderr


@pytest.mark.parametrize(("name", "message"), [
    ("bkt1", "names starting with 'bkt' belong to the test fixtures"),
    ("Lab-1", "a lab name is a lowercase letter, then up to 11 letters/digits"),
])
def test_cli_rejects_lab_names_that_are_not_ours(tmp_path: Path, name: str, message: str) -> None:
    completed = _cli(tmp_path, "up", "--name", name)
    assert completed.returncode == 2
    assert message in completed.stderr


def test_cli_nodes_and_peermap_do_not_mix(tmp_path: Path) -> None:
    peermap = tmp_path / "p.yaml"
    peermap.write_text("version: 1\nnodes:\n  - {name: a, address: 198.18.0.1/24}\n")
    completed = _cli(tmp_path, "up", str(peermap), "--nodes", "3")
    assert completed.returncode == 2
    assert "--nodes builds the default lab" in completed.stderr
    assert not (tmp_path / "lab").exists()


def test_cli_help_teaches_with_examples(tmp_path: Path) -> None:
    completed = _cli(tmp_path, "--help")
    assert completed.returncode == 0
    for example in ("birdkit lab up", "birdkit lab ping", "birdkit lab blackhole", "birdkit lab down",
                    "--nodes 8 --bird 2.0.12,3.1.8", "198.20.0.0/24"):
        assert example in completed.stdout
