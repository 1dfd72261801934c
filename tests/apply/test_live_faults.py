"""Live fault injection on a 3-node netns fleet (BIRD 2.0.12, 2.17.6, 3.1.8): the node keeps its previous config.

Configs come from tests/fixtures/apply/*.conf (fast BGP timers, short error wait) so a broken session
recovers within seconds after the rollback.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from string import Template

import attrs
import pytest

from birdkit.apply.applier import NodePlan, Outcome, apply_plans
from birdkit.apply.transport import NetnsTransport, Transport
from birdkit.apply.verify import NodeExpectation
from birdkit.errors import TransportError

from .conftest import FIXTURES, NetLab

pytestmark = [pytest.mark.live, pytest.mark.slow]

NODE = Template((FIXTURES / "node.conf").read_text())
SESSION = Template((FIXTURES / "session.conf").read_text())
VERSIONS = {"vm1": "2.0.12", "vm2": "2.17.6", "vm3": "3.1.8"}
ASN = 65000


def node_config(lab: NetLab, name: str, *, peer_asns: Mapping[str, int] | None = None, hold: int = 6,
                comment: str = "") -> str:
    """The config of ``name``: a session to every other node (their ASN overridable), its own blackhole."""
    address = lab.fabric.nodes[name].address
    sessions = "".join(
        SESSION.substitute(peer=peer, address=address, asn=ASN, peer_address=node.address,
                           peer_asn=(peer_asns or {}).get(peer, ASN), hold=hold)
        for peer, node in lab.fabric.nodes.items() if peer != name
    )
    text = NODE.substitute(router_id=address, pod_cidr=pod_cidr(name), sessions=sessions)
    return text + (f"# {comment}\n" if comment else "")


def pod_cidr(name: str) -> str:
    return f"10.0.{name.removeprefix('vm')}.0/24"


def plan(lab: NetLab, name: str, config: str, transport: Transport | None = None) -> NodePlan:
    return NodePlan(name, config, transport or lab.transport(name), NodeExpectation(name, (pod_cidr(name),)))


def wait_established(lab: NetLab, names: list[str], timeout: float = 30.0) -> None:
    """Until every node has a session Established to every other node."""
    deadline = time.monotonic() + timeout
    while True:
        missing = {n: {p for p in names if p != n} - lab.established(n) for n in names}
        if not any(missing.values()):
            return
        assert time.monotonic() < deadline, f"sessions not Established: {missing}"
        time.sleep(0.5)


@pytest.fixture
def fleet(netlab: NetLab) -> NetLab:
    """Three converged nodes whose BIRD was started by the applier."""
    for name, version in VERSIONS.items():
        netlab.add(name, version)
    report = apply_plans([plan(netlab, n, node_config(netlab, n)) for n in VERSIONS], timeout=10,
                         start_daemons=True, on_progress=lambda _: None)
    assert [r.outcome for r in report.results] == [Outcome.APPLIED] * 3, report
    wait_established(netlab, list(VERSIONS))
    return netlab


def config_on_node(lab: NetLab, name: str) -> str:
    return Path(lab.transport(name).layout.config_path).read_text()


def test_config_rejected_by_bird_on_the_node_installs_nothing(fleet: NetLab) -> None:
    before_config, before_time = config_on_node(fleet, "vm2"), fleet.last_reconfiguration("vm2")
    rejected = node_config(fleet, "vm2", hold=2)  # BIRD: "Hold time must be in range 3-65535 or zero"
    report = apply_plans([plan(fleet, "vm2", rejected)], timeout=10, on_progress=lambda _: None)
    result = report.result("vm2")
    assert result.outcome is Outcome.REJECTED
    assert "Hold time must be in range" in result.message
    assert config_on_node(fleet, "vm2") == before_config
    assert not fleet.reconfigured_since("vm2", before_time)
    staged = Path(fleet.transport("vm2").layout.config_path + ".birdkit-new")
    assert not staged.exists()
    wait_established(fleet, list(VERSIONS))


def test_wrong_asn_fails_verify_and_is_rolled_back_within_the_timeout(fleet: NetLab) -> None:
    previous_config, previous_time = config_on_node(fleet, "vm1"), fleet.last_reconfiguration("vm1")
    broken = node_config(fleet, "vm1", peer_asns={"vm2": 65099})
    timeout = 8
    steps: list[tuple[float, str]] = []
    report = apply_plans([plan(fleet, "vm1", broken)], timeout=timeout,
                         on_progress=lambda message: steps.append((time.monotonic(), message)))
    result = report.result("vm1")
    assert result.outcome is Outcome.ROLLED_BACK, result
    assert "configure undo" in result.message and "Undo requested" in result.message
    assert [(row.kind, row.subject) for row in result.failed_checks] == [("session", "vm2")]
    # after `configure undo` BIRD runs the previous config again, with that config's load time
    assert config_on_node(fleet, "vm1") == previous_config
    assert not fleet.reconfigured_since("vm1", previous_time)
    reloaded = next(at for at, message in steps if "configure timeout" in message)
    rolled_back = next(at for at, message in steps if "rolling back" in message)
    assert 0 < rolled_back - reloaded < timeout
    assert "Neighbor AS:      65000" in fleet.birdc("vm1", "show protocols all vm2")
    wait_established(fleet, list(VERSIONS))


def test_a_definite_session_error_is_rolled_back_within_ten_seconds_of_bird_reporting_it(fleet: NetLab) -> None:
    broken = node_config(fleet, "vm1", peer_asns={"vm2": 65099})
    steps: list[tuple[float, str]] = []
    report = apply_plans([plan(fleet, "vm1", broken)], timeout=60,
                         on_progress=lambda message: steps.append((time.monotonic(), message)))
    result = report.result("vm1")
    assert result.outcome is Outcome.ROLLED_BACK, result
    assert "Bad peer AS" in result.failed_checks[0].detail
    reloaded = next(at for at, message in steps if "configure timeout" in message)
    rolled_back = next(at for at, message in steps if "rolling back" in message)
    assert rolled_back - reloaded < 10
    wait_established(fleet, list(VERSIONS))


def test_bird_not_running_fails_that_node_only(fleet: NetLab) -> None:
    os.kill(fleet.pid("vm3"), signal.SIGTERM)
    socket = Path(fleet.transport("vm3").layout.socket_path)
    deadline = time.monotonic() + 10
    while (socket.exists() or any("vm3" in fleet.established(n) for n in ("vm1", "vm2"))) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    vm3_config = config_on_node(fleet, "vm3")
    plans = [plan(fleet, n, node_config(fleet, n, comment="second revision")) for n in VERSIONS]
    report = apply_plans(plans, timeout=10, on_progress=lambda _: None)
    assert report.result("vm3").outcome is Outcome.FAILED
    assert "BIRD is not running" in report.result("vm3").message
    assert [report.result(n).outcome for n in ("vm1", "vm2")] == [Outcome.APPLIED, Outcome.APPLIED]
    assert config_on_node(fleet, "vm3") == vm3_config
    fleet.transport("vm3").start_bird()
    wait_established(fleet, list(VERSIONS))


@attrs.define
class DropsMidUpload(NetnsTransport):
    """A netns node whose link dies halfway through writing a file."""

    def put_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        partial = Path(f"{path}.partial")
        partial.write_bytes(data[: len(data) // 2])
        partial.unlink()
        raise TransportError(f"{self.node}: connection lost while writing {path}")


def test_transport_failing_mid_upload_installs_nothing(fleet: NetLab) -> None:
    before_config, before_time = config_on_node(fleet, "vm2"), fleet.last_reconfiguration("vm2")
    real = fleet.transport("vm2")
    flaky = DropsMidUpload(real.node, real.netns, real.state_dir, real.runtime)
    report = apply_plans([plan(fleet, "vm2", node_config(fleet, "vm2", comment="new"), flaky)], timeout=10,
                         on_progress=lambda _: None)
    result = report.result("vm2")
    assert result.outcome is Outcome.FAILED
    assert "connection lost" in result.message
    assert config_on_node(fleet, "vm2") == before_config
    assert not fleet.reconfigured_since("vm2", before_time)
    wait_established(fleet, list(VERSIONS))
