"""The multipass backend at the command level (no VMs run here): cloud-init files and the walkthrough's commands."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from birdkit.lab import walkthrough as lab
from birdkit.lab.multipass import cloud_init

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lab"
WALKTHROUGH = FIXTURES / "walkthrough"
FAKE = Path(__file__).resolve().parents[1] / "fixtures" / "fake_multipass.py"


def _multipass_nodes(underlay: str) -> list[lab.LabNode]:
    peermap = lab.default_peermap(2, underlay)
    return lab.lab_nodes(peermap, "", ["2.0.7", "2.0.7"], "multipass")


@pytest.mark.parametrize("name", ["vm1", "vm2"])
def test_cloud_init_is_the_walkthroughs_on_its_underlay(name: str) -> None:
    node = next(node for node in _multipass_nodes("198.20.0.0/24") if node.name == name)
    assert cloud_init(node) == (WALKTHROUGH / f"{name}-cloud-init.yaml").read_text()


def test_default_underlay_maps_198_20_to_198_18() -> None:
    vm1, vm2 = _multipass_nodes(lab.DEFAULT_UNDERLAY)
    for node, address in ((vm1, "198.18.0.1/24"), (vm2, "198.18.0.2/24")):
        document = yaml.safe_load(cloud_init(node))
        assert document["runcmd"] == ["netplan apply"]
        netplan = yaml.safe_load(document["write_files"][0]["content"])
        assert netplan == {"network": {"ethernets": {"ens3": {"addresses": [address]}}}}


def walkthrough_steps() -> list[list[str]]:
    """steps.sh as argv lists; lines typed in `multipass shell VM` become `multipass exec VM -- LINE`."""
    steps: list[list[str]] = []
    shell: str | None = None
    for line in (WALKTHROUGH / "steps.sh").read_text().splitlines():
        if line.startswith("# shell: "):
            shell = line.removeprefix("# shell: ")
        elif line == "# end shell":
            shell = None
        elif line and not line.startswith("#"):
            words = shlex.split(line)
            steps.append(["multipass", "exec", shell, "--", *words] if shell else words)
    return steps


def _normalized(argv: list[str]) -> list[str]:
    """Cloud-init files compare by name (the walkthrough keeps them in ~); `delete` as the lab purges it."""
    if argv[:2] == ["multipass", "launch"]:
        index = argv.index("--cloud-init") + 1
        return [*argv[:index], Path(argv[index]).name, *argv[index + 1:]]
    if argv[:2] == ["multipass", "delete"] and "--purge" not in argv:
        return ["multipass", "delete", "--purge", *argv[2:]]
    return argv


def _is_subsequence(wanted: list[list[str]], seen: list[list[str]]) -> list[str] | None:
    """``None`` when every wanted argv appears in ``seen`` in order, else the first one missing."""
    position = 0
    for argv in wanted:
        while position < len(seen) and seen[position] != argv:
            position += 1
        if position == len(seen):
            return argv
        position += 1
    return None


def test_walkthrough_steps_parse_into_commands() -> None:
    steps = walkthrough_steps()
    assert steps[0] == ["multipass", "launch", "--cloud-init", "~/vm1-cloud-init.yaml", "--name", "vm1",
                        "--mem", "2048M", "20.04"]
    assert ["multipass", "exec", "vm2", "--", "sudo", "ip", "netns", "add", "vm2_pod"] in steps
    assert steps[-1] == ["multipass", "purge"]


@pytest.fixture
def fake_multipass(tmp_path: Path) -> dict[str, str]:
    """PATH with a recording ``multipass`` first, and a private lab state directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "multipass"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    wrapper.chmod(0o755)
    (tmp_path / "fake").mkdir()
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_MULTIPASS_DIR": str(tmp_path / "fake"),
        "FAKE_MULTIPASS_LOG": str(tmp_path / "fake" / "calls.jsonl"),
        "FAKE_MULTIPASS_REPLIES": str(FIXTURES / "multipass"),
        "BIRDKIT_STATE": str(tmp_path / "state"),
        "NO_COLOR": "1",
    }


def _lab(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "birdkit.cli.main", "lab", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_multipass_lab_runs_the_walkthroughs_commands_in_order(fake_multipass: dict[str, str], tmp_path: Path) -> None:
    up = _lab(fake_multipass, "up", "--backend", "multipass", "--underlay", "198.20.0.0/24")
    assert up.returncode == 0, up.stderr
    rows = {line.split()[0]: line.split() for line in up.stdout.splitlines() if line.startswith("vm")}
    assert rows["vm1"] == ["vm1", "2", "198.20.0.1", "10.0.1.0/24", "10.0.1.10", "1/1", "Established", "10.0.2.0/24"]
    assert rows["vm2"] == ["vm2", "2", "198.20.0.2", "10.0.2.0/24", "10.0.2.10", "1/1", "Established", "10.0.1.0/24"]
    assert "multipass exec vm1 -- sudo birdc show route" in up.stdout

    ping = _lab(fake_multipass, "ping", "--json")
    assert ping.returncode == 0, ping.stderr
    blackhole = _lab(fake_multipass, "blackhole", "--json")
    assert blackhole.returncode == 0, blackhole.stderr
    assert {p["verdict"] for p in json.loads(blackhole.stdout)["probes"]} == {"unreachable"}
    down = _lab(fake_multipass, "down")
    assert down.returncode == 0, down.stderr

    fake = tmp_path / "fake"
    calls = [["multipass", *json.loads(line)] for line in (fake / "calls.jsonl").read_text().splitlines()]
    recorded = [_normalized(argv) for argv in calls]
    wanted = [_normalized(argv) for argv in walkthrough_steps() if argv != ["multipass", "purge"]]
    assert _is_subsequence(wanted, recorded) is None
    # pods ping each other the walkthrough's way, inside the pod namespace on the VM
    assert ["multipass", "exec", "vm1", "--", "sudo", "ip", "netns", "exec", "vm1_pod",
            "ping", "-c1", "-W1", "10.0.2.10"] in recorded
    # the generated config went to the VM's /etc/bird/bird.conf through the applier
    installed = (fake / "vms" / "vm1" / "etc" / "bird" / "bird.conf").read_text()
    assert "neighbor 198.20.0.2 as 65000;" in installed
    assert "route 10.0.1.0/24 blackhole;" in installed
    for name in ("vm1", "vm2"):
        launched = (fake / "launched" / f"{name}-cloud-init.yaml").read_text()
        assert launched == (WALKTHROUGH / f"{name}-cloud-init.yaml").read_text()
    touched = {argv[2] for argv in calls if argv[1] == "exec"} | {argv[-1] for argv in calls
                                                                if argv[1] in ("stop", "delete")}
    assert touched == {"vm1", "vm2"}
    assert ["multipass", "purge"] not in calls
    assert not (tmp_path / "state" / "lab").exists()


def test_multipass_backend_refuses_local_bird_versions(fake_multipass: dict[str, str], tmp_path: Path) -> None:
    up = _lab(fake_multipass, "up", "--backend", "multipass", "--bird", "3.1.8")
    assert up.returncode == 1
    assert "--bird picks local BIRD versions for the netns backend" in up.stderr
    assert not (tmp_path / "fake" / "calls.jsonl").exists()
