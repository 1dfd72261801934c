"""`birdkit apply` runs the fleet check of `gen --check` first: a config it refuses never reaches a node."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import birdkit
from birdkit.apply import applier
from birdkit.apply.applier import Outcome
from birdkit.apply.precheck import check_fleet
from birdkit.gen import render

WALKTHROUGH = Path(__file__).resolve().parents[2] / "examples" / "walkthrough.yaml"
#: an eBGP session without import or export policy: BIRD refuses it, and so does our lint
UNSAFE_SESSION = """
protocol bgp rogue {
  local as 65000;
  neighbor 198.18.0.9 as 64999;
  ipv4 {
  };
}
"""


class Untouchable:
    """A transport that records every call: a node the applier must not reach."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(self, argv: Sequence[str], **_: object) -> object:
        self.calls.append(" ".join(argv))
        raise AssertionError("the node was touched")

    def __getattr__(self, name: str) -> object:
        self.calls.append(name)
        raise AssertionError(f"the node was touched ({name})")


def test_generated_walkthrough_passes_the_fleet_check() -> None:
    peermap = birdkit.load_peermap(WALKTHROUGH)
    configs = render.generate(peermap)
    warnings: list[str] = []
    assert check_fleet(peermap, configs, {name: f"{name}.conf" for name in configs}, warnings.append) == []


def test_a_config_the_fleet_check_refuses_reaches_no_node(monkeypatch: pytest.MonkeyPatch) -> None:
    peermap = birdkit.load_peermap(WALKTHROUGH)
    good = render.generate(peermap)
    monkeypatch.setattr(render, "generate", lambda _: {**good, "vm2": good["vm2"] + UNSAFE_SESSION})
    transports = {"vm1": Untouchable(), "vm2": Untouchable()}
    report = applier.apply(peermap, transports=transports, on_progress=lambda _: None)  # type: ignore[arg-type]
    assert [result.outcome for result in report.results] == [Outcome.REJECTED, Outcome.REJECTED]
    assert "fleet check failed" in report.result("vm1").message
    assert "vm2/bird.conf" in report.result("vm2").message
    assert transports["vm1"].calls == [] and transports["vm2"].calls == []
    assert not report.ok
