"""Live: `birdkit apply` + `birdkit verify` from a peer map on netns nodes (BIRD 2.0.12, 2.17.6, 3.1.8 mixed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from birdkit.apply.applier import Outcome, apply
from birdkit.apply.verify import kernel_routes, verify
from birdkit.cli.main import main
from birdkit.gen.peermap import peermap_from_data

from .conftest import FAST_TIMERS, NetLab

pytestmark = [pytest.mark.live, pytest.mark.slow]

SECRET = "Sw0rdf1sh-never-printed"


def fleet_data(lab: NetLab, cidrs: dict[str, str]) -> dict[str, Any]:
    """A full-mesh peer map over the lab's nodes, with a BGP password from the environment.

    ``policy: open``: with the default policy every node's filters list the whole fleet's pod CIDRs, and these
    tests show that a change to one node's config reloads that node only.
    """
    return {
        "version": 1,
        "defaults": {"asn": 65000, "timers": FAST_TIMERS, "policy": "open"},
        "options": {"password": {"env": "BIRDKIT_TEST_BGP_PASSWORD"}},
        "nodes": [lab.node_data(name, cidr) for name, cidr in cidrs.items()],
    }


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BIRDKIT_TEST_BGP_PASSWORD", SECRET)
    return SECRET


def test_three_nodes_apply_verify_then_changes(netlab: NetLab, password: str) -> None:
    for name, version in (("vm1", "2.0.12"), ("vm2", "2.17.6"), ("vm3", "3.1.8")):
        netlab.add(name, version)
    cidrs = {"vm1": "10.0.1.0/24", "vm2": "10.0.2.0/24", "vm3": "10.0.3.0/24"}
    messages: list[str] = []
    peermap = peermap_from_data(fleet_data(netlab, cidrs))

    first = apply(peermap, start_daemons=True, timeout=10, on_progress=messages.append)
    assert [r.outcome for r in first.results] == [Outcome.APPLIED] * 3, first
    report = verify(peermap, wait=30)
    assert report.ok, report.failures
    # per node: 2 sessions, 2 peer CIDRs in BIRD, 2 in the kernel, 1 own blackhole
    assert len(report.rows) == 3 * 7
    assert {(row.node, row.kind, row.subject) for row in report.rows if row.kind == "blackhole"} == {
        (name, "blackhole", cidr) for name, cidr in cidrs.items()
    }

    again = apply(peermap, timeout=10, on_progress=messages.append)
    assert [r.outcome for r in again.results] == [Outcome.UNCHANGED] * 3

    # change vm2's pod CIDR: only vm2's config changes; vm1 and vm3 are not reloaded
    untouched = {name: netlab.last_reconfiguration(name) for name in ("vm1", "vm3")}
    cidrs["vm2"] = "10.0.22.0/24"
    peermap = peermap_from_data(fleet_data(netlab, cidrs))
    changed = apply(peermap, timeout=10, on_progress=messages.append)
    assert {r.node: r.outcome for r in changed.results} == {
        "vm1": Outcome.UNCHANGED, "vm2": Outcome.APPLIED, "vm3": Outcome.UNCHANGED
    }
    assert not any(netlab.reconfigured_since(name, at) for name, at in untouched.items())
    assert verify(peermap, wait=30).ok
    vm1_kernel = {route.prefix for route in kernel_routes(netlab.transport("vm1"))}
    assert "10.0.22.0/24" in vm1_kernel and "10.0.2.0/24" not in vm1_kernel

    # add a node: every node gets a session to it, vm4's own BIRD is started
    netlab.add("vm4", "3.1.8")
    cidrs["vm4"] = "10.0.4.0/24"
    peermap = peermap_from_data(fleet_data(netlab, cidrs))
    grown = apply(peermap, start_daemons=True, timeout=10, on_progress=messages.append)
    assert [r.outcome for r in grown.results] == [Outcome.APPLIED] * 4, grown
    report = verify(peermap, wait=30)
    assert report.ok, report.failures
    assert len(report.rows) == 4 * (3 + 3 + 3 + 1)

    assert messages and not [m for m in messages if password in m]
    for result in (first, again, changed, grown):
        assert password not in json.dumps(result.to_json())
    config = Path(netlab.transport("vm1").layout.config_path).read_text()
    assert f'password "{password}"' in config


def test_cli_dry_run_json_and_verify_table(
    netlab: NetLab, password: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, version in (("vm1", "2.17.6"), ("vm2", "3.1.8")):
        netlab.add(name, version)
    cidrs = {"vm1": "10.0.1.0/24", "vm2": "10.0.2.0/24"}
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet_data(netlab, cidrs)))

    assert main(["apply", str(path), "--dry-run", "--start"]) == 0
    out, err = capsys.readouterr()
    assert "would install" in out and password not in out + err
    assert main(["apply", str(path), "--start", "--timeout", "10", "--json"]) == 0
    out, err = capsys.readouterr()
    applied = json.loads(out)
    assert applied["counts"] == {"applied": 2} and password not in out + err

    data = fleet_data(netlab, cidrs)
    data["defaults"]["timers"] = {**FAST_TIMERS, "hold": 9}
    path.write_text(yaml.safe_dump(data))
    assert main(["apply", str(path), "--dry-run", "--json"]) == 0
    out, err = capsys.readouterr()
    nodes = json.loads(out)["nodes"]
    assert [node["outcome"] for node in nodes] == ["would-change", "would-change"]
    diff = nodes[0]["diff"]
    assert "-    hold time 6;" in diff and "+    hold time 9;" in diff
    assert 'password "***"' in diff and password not in out + err

    path.write_text(yaml.safe_dump(fleet_data(netlab, cidrs)))
    assert main(["verify", str(path), "--wait", "30"]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    header, rows = lines[0], lines[1:-1]
    assert header.split() == ["NODE", "CHECK", "SUBJECT", "RESULT", "DETAIL"]
    assert len(rows) == 2 * 4
    result_column = header.index("RESULT")
    assert all(row[result_column:].startswith("ok ") for row in rows)
    assert lines[-1].startswith("8 check(s), 0 failed")

    netlab.fabric.teardown()
    assert main(["verify", str(path), "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["ok"] is False and {check["kind"] for check in failed["checks"]} == {"reachable"}
