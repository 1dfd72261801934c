"""Command-level tests of the transports: multipass (a fake `multipass` on PATH), ssh argv, local files.

No VM can run here, so multipass is tested against tests/fixtures/fake_multipass.py, which records
argv, keeps the VM's files in a directory and answers like BIRD 2.0.12 (captured real replies).
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import birdkit
from birdkit.apply.applier import NodePlan, Outcome, apply_plans, transports_for
from birdkit.apply.transport import LocalTransport, MultipassTransport, NetnsTransport, SshTransport
from birdkit.apply.verify import NodeExpectation
from birdkit.errors import BirdkitError, TransportError
from birdkit.gen.peermap import peermap_from_data
from birdkit.runtime import BirdRuntime

from .conftest import FIXTURES

FAKE_MULTIPASS = FIXTURES.parent / "fake_multipass.py"

CONFIG = "/etc/bird/bird.conf"
OLD = "router id 198.18.0.1;\nprotocol device {\n}\n"
NEW = OLD + "# revision 2\n"


def with_session(extra: str) -> str:
    """NEW plus a session to vm2 carrying ``extra`` (one statement)."""
    return NEW + (
        "protocol bgp vm2 {\n  local 198.18.0.1 as 65000;\n  neighbor 198.18.0.2 as 65000;\n"
        f"  {extra}\n  ipv4 {{\n    import all;\n    export all;\n  }};\n}}\n"
    )


@pytest.fixture
def fake_vm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH gets a fake `multipass`; returns the VM's root directory (with /etc/bird/bird.conf = OLD)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "multipass"
    script.write_text(f"#!{sys.executable}\n" + FAKE_MULTIPASS.read_text())
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    root = tmp_path / "vms" / "vm1"
    for directory in ("etc/bird", "tmp", "fake-bird"):
        (root / directory).mkdir(parents=True)
    (root / "etc/bird/bird.conf").write_text(OLD)
    (root / "fake-bird/running.conf").write_text(OLD)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_MULTIPASS_DIR", str(tmp_path))
    monkeypatch.setenv("FAKE_MULTIPASS_LOG", str(root.parent / "argv.jsonl"))
    monkeypatch.setenv("FAKE_MULTIPASS_REPLIES", str(FIXTURES / "captured"))
    return root


def recorded(root: Path) -> list[list[str]]:
    return [json.loads(line) for line in (root.parent / "argv.jsonl").read_text().splitlines()]


def multipass_plan(config: str) -> NodePlan:
    return NodePlan("vm1", config, MultipassTransport("vm1"), NodeExpectation("vm1", ("10.0.1.0/24",)))


def test_multipass_put_and_get_file(fake_vm: Path) -> None:
    transport = MultipassTransport("vm1")
    transport.put_file("/etc/bird/new.conf", b"hello\n", 0o640)
    assert (fake_vm / "etc/bird/new.conf").read_bytes() == b"hello\n"
    assert stat.S_IMODE((fake_vm / "etc/bird/new.conf").stat().st_mode) == 0o640
    assert transport.get_file("/etc/bird/new.conf") == b"hello\n"
    assert transport.get_file("/etc/bird/missing.conf") is None
    calls = recorded(fake_vm)
    transfers = [c for c in calls if c[0] == "transfer"]
    assert len(transfers) == 1 and transfers[0][2].startswith("vm1:/tmp/birdkit-upload-")
    assert all(c[:4] == ["exec", "vm1", "--", "sudo"] for c in calls if c[0] != "transfer")
    final_move = [c for c in calls if c[4:6] == ["mv", "-f"]][-1]
    assert final_move[-1] == "/etc/bird/new.conf"
    assert sorted(p.name for p in (fake_vm / "etc/bird").iterdir()) == ["bird.conf", "new.conf"]


def test_multipass_apply_reloads_with_timer_and_confirms(fake_vm: Path) -> None:
    report = apply_plans([multipass_plan(NEW)], timeout=10, on_progress=lambda _: None)
    assert report.result("vm1").outcome is Outcome.APPLIED, report
    assert (fake_vm / "etc/bird/bird.conf").read_text() == NEW
    assert (fake_vm / "etc/bird/bird.conf.birdkit-backup").read_text() == OLD
    birdc = [" ".join(c[c.index("-s") + 2:]) for c in recorded(fake_vm) if c[4:5] == ["birdc"]]
    reloads = [command for command in birdc if command.startswith("configure")]
    assert reloads == ["configure timeout 10", "configure confirm"]
    checks = [c[4:] for c in recorded(fake_vm) if c[4:6] == ["bird", "-p"]]
    assert checks == [["bird", "-p", "-c", f"{CONFIG}.birdkit-new"]]


def test_multipass_unchanged_is_not_reloaded(fake_vm: Path) -> None:
    report = apply_plans([multipass_plan(OLD)], timeout=10, on_progress=lambda _: None)
    assert report.result("vm1").outcome is Outcome.UNCHANGED
    assert not [c for c in recorded(fake_vm) if "configure" in c]


def test_multipass_without_timer_falls_back_and_restores_backup(
    fake_vm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MULTIPASS_NO_TIMER", "1")
    broken = NEW.replace("# revision 2", "# neighbor as 65099")
    report = apply_plans([multipass_plan(broken)], timeout=4, on_progress=lambda _: None)
    result = report.result("vm1")
    assert result.outcome is Outcome.ROLLED_BACK, result
    assert "backup restored and reconfigured" in result.message
    assert [(row.kind, row.subject) for row in result.failed_checks] == [("session", "vm2")]
    assert (fake_vm / "etc/bird/bird.conf").read_text() == OLD
    assert (fake_vm / "fake-bird/running.conf").read_text() == OLD
    birdc = [" ".join(c[c.index("-s") + 2:]) for c in recorded(fake_vm) if c[4:5] == ["birdc"]]
    assert [command for command in birdc if command.startswith("configure")] == [
        "configure timeout 4", "configure", "configure"
    ]


def test_multipass_rejected_by_bird_on_vm_installs_nothing(fake_vm: Path) -> None:
    report = apply_plans([multipass_plan(with_session("hold time 2;"))], timeout=10, on_progress=lambda _: None)
    assert report.result("vm1").outcome is Outcome.REJECTED
    assert (fake_vm / "etc/bird/bird.conf").read_text() == OLD
    assert sorted(p.name for p in (fake_vm / "etc/bird").iterdir()) == ["bird.conf"]


def test_multipass_dry_run_shows_a_diff_without_touching_the_vm(fake_vm: Path) -> None:
    config = with_session('password "hunter2-secret";')
    report = apply_plans([multipass_plan(config)], dry_run=True, on_progress=lambda _: None)
    result = report.result("vm1")
    assert result.outcome is Outcome.WOULD_CHANGE
    assert "+# revision 2" in result.diff and '+  password "***";' in result.diff
    assert "hunter2-secret" not in json.dumps(report.to_json())
    assert not [c for c in recorded(fake_vm) if c[4:5] in (["mv"], ["dd"], ["sysctl"]) or c[0] == "transfer"]


def test_ssh_argv_uses_batch_mode_known_hosts_and_quotes_only_the_remote_side() -> None:
    transport = SshTransport("vm1", "vm1.example.net", "ubuntu", 2222, "/keys/id", "/keys/known_hosts")
    argv = transport.ssh_argv(["cat", "/etc/bird/bird.conf"])
    assert argv[0] == "ssh" and argv[-3:] == ["--", "vm1.example.net", "sudo -n cat /etc/bird/bird.conf"]
    assert "BatchMode=yes" in argv and "StrictHostKeyChecking=yes" in argv
    assert "UserKnownHostsFile=/keys/known_hosts" in argv
    assert argv[argv.index("-p") + 1] == "2222" and argv[argv.index("-l") + 1] == "ubuntu"
    as_root = SshTransport("vm1", "h", "root")
    assert as_root.ssh_argv(["true"])[-1] == "true"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=1, max_codepoint=0xD7FF), max_size=12), min_size=1, max_size=5))
def test_ssh_remote_command_splits_back_into_the_same_argv(remote: list[str]) -> None:
    command = SshTransport("vm1", "h", "ubuntu").ssh_argv(remote)[-1]
    assert shlex.split(command) == ["sudo", "-n", *remote]


def test_ssh_failure_raises_transport_error(tmp_path: Path) -> None:
    fake_ssh = tmp_path / "ssh"
    fake_ssh.write_text("#!/bin/sh\necho 'Host key verification failed.' >&2\nexit 255\n")
    fake_ssh.chmod(0o755)
    transport = SshTransport("vm1", "h", ssh_command=(str(fake_ssh),))
    with pytest.raises(TransportError, match="Host key verification failed"):
        transport.run(["true"])


def test_local_put_file_is_atomic_and_keeps_mode(tmp_path: Path) -> None:
    transport = LocalTransport(sudo=False)
    target = tmp_path / "bird.conf"
    target.write_text("old")
    transport.put_file(str(target), b"new", 0o600)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["bird.conf"]
    assert transport.get_file(str(tmp_path / "missing")) is None
    with pytest.raises(TransportError, match="cannot write"):
        transport.put_file(str(tmp_path / "no-such-dir" / "x"), b"", 0o600)
    assert transport.run(["printf", "%s|", "a b", "$HOME"]).stdout == "a b|$HOME|"


def test_peer_map_transport_settings_pick_the_transport() -> None:
    nodes = [
        {"name": "a", "address": "198.18.0.1/24", "transport": "multipass", "host": "vm-a"},
        {"name": "b", "address": "198.18.0.2/24", "transport": "ssh", "host": "b.example.net", "user": "ops",
         "port": 2200},
        {"name": "c", "address": "198.18.0.3/24", "transport": "local"},
        {"name": "d", "address": "198.18.0.4/24", "transport": "multipass"},
    ]
    peermap = peermap_from_data({"version": 1, "nodes": nodes})
    found = transports_for(peermap, ["a", "b", "c", "d"])
    multipass_a, multipass_d = found["a"], found["d"]
    assert isinstance(multipass_a, MultipassTransport) and isinstance(multipass_d, MultipassTransport)
    assert (multipass_a.instance, multipass_d.instance) == ("vm-a", "d")  # default: the node name
    ssh = found["b"]
    assert isinstance(ssh, SshTransport) and (ssh.host, ssh.user, ssh.port) == ("b.example.net", "ops", 2200)
    assert isinstance(found["c"], LocalTransport)
    override = LocalTransport("a")
    assert transports_for(peermap, ["a"], {"a": override}) == {"a": override}


def test_public_apply_rejects_an_unknown_node_before_anything_runs() -> None:
    peermap = peermap_from_data({"version": 1, "nodes": [{"name": "a", "address": "198.18.0.1/24"}]})
    with pytest.raises(BirdkitError, match="unknown node"):
        birdkit.apply_peermap(peermap, nodes=["zz"])


def test_a_config_that_does_not_parse_locally_never_reaches_the_vm(fake_vm: Path) -> None:
    broken = 'router id 198.18.0.1;\nprotocol bgp vm2 {\n  password "hunter2-secret";\n  neighbor 198.18.0.2 as ;\n}\n'
    report = apply_plans([multipass_plan(broken)], timeout=10, on_progress=lambda _: None)
    result = report.result("vm1")
    assert result.outcome is Outcome.REJECTED
    assert result.message.startswith("local parse failed: vm1.conf:4:")
    assert "hunter2-secret" not in result.message
    assert not (fake_vm.parent / "argv.jsonl").exists()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_multipass_files_round_trip_any_bytes(fake_vm: Path, data: bytes) -> None:
    transport = MultipassTransport("vm1")
    transport.put_file("/etc/bird/blob", data, 0o600)
    assert (fake_vm / "etc/bird/blob").read_bytes() == data
    assert transport.get_file("/etc/bird/blob") == data


def test_a_lint_error_stops_before_the_vm_is_touched(fake_vm: Path) -> None:
    twice = NEW + "protocol static pods {\n  ipv4;\n}\nprotocol static pods {\n  ipv4;\n}\n"
    result = apply_plans([multipass_plan(twice)], timeout=10, on_progress=lambda _: None).result("vm1")
    assert result.outcome is Outcome.REJECTED
    assert "lint found errors" in result.message and "duplicate-protocol" in result.message
    assert not (fake_vm.parent / "argv.jsonl").exists()


def test_only_netns_transports_start_a_bird_of_their_own(tmp_path: Path) -> None:
    system_birds = [LocalTransport("a"), MultipassTransport("b"), SshTransport("c", "c.example.net")]
    for transport in system_birds:
        assert not transport.starts_own_bird
        with pytest.raises(TransportError, match="only on netns nodes"):
            transport.start_bird()
    assert NetnsTransport("d", "ns-d", tmp_path, BirdRuntime("2.0.12")).starts_own_bird

