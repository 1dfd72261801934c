"""Verification rows from real captured BIRD 2.0.12 replies, expectations from peer maps, password redaction."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.apply.transport import BirdLayout, Result
from birdkit.apply.verify import (
    NodeExpectation,
    Observation,
    PeerExpectation,
    check_observation,
    expectations,
    kernel_routes,
)
from birdkit.gen.peermap import peermap_from_data
from birdkit.redact import Redactor
from birdkit.show.parse import parse_protocols
from birdkit.show.stream import iter_routes

from .conftest import FIXTURES

CAPTURED = FIXTURES / "captured" / "vm1"
# the captured lab: vm1 (198.18.0.1, 10.0.1.0/24) peers with vm2 (198.18.0.2, 10.0.2.0/24)
VM1 = NodeExpectation("vm1", ("10.0.1.0/24",), (PeerExpectation("vm2", "198.18.0.2"),), ("10.0.2.0/24",))


@attrs.define
class CannedIp:
    """A transport that only answers `ip -j route` with the captured kernel table."""

    node: str = "vm1"
    layout: BirdLayout = attrs.field(factory=BirdLayout)

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = 60) -> Result:
        text = (CAPTURED / "kernel-routes.json").read_text() if "-4" in argv else "[]"
        return Result(0, text, "")


def observation(protocols_file: str) -> Observation:
    protocols = parse_protocols((CAPTURED / protocols_file).read_text())
    routes = iter_routes((CAPTURED / "show-route.txt").read_text().splitlines())
    return Observation(tuple(protocols), tuple(routes), kernel_routes(CannedIp()))  # type: ignore[arg-type]


def test_converged_node_passes_every_check() -> None:
    rows = check_observation(VM1, observation("show-protocols-all.txt"))
    assert [(row.kind, row.subject, row.ok) for row in rows] == [
        ("session", "vm2", True),
        ("bird-route", "10.0.2.0/24", True),
        ("kernel-route", "10.0.2.0/24", True),
        ("blackhole", "10.0.1.0/24", True),
    ]
    assert rows[2].detail == "unicast via 198.18.0.2"


def test_session_down_fails_with_state_and_last_error() -> None:
    rows = check_observation(VM1, observation("show-protocols-all-down.txt"))
    session = rows[0]
    assert not session.ok
    assert session.detail == "vm2 Active (Received: Administrative shutdown)"


def test_missing_cidrs_and_unknown_neighbor_fail() -> None:
    wanted = NodeExpectation(
        "vm1", ("10.0.9.0/24",), (PeerExpectation("vm7", "198.18.0.7"),), ("10.0.7.0/24",)
    )
    rows = check_observation(wanted, observation("show-protocols-all.txt"))
    assert [(row.kind, row.ok) for row in rows] == [
        ("session", False), ("bird-route", False), ("kernel-route", False), ("blackhole", False)
    ]
    assert rows[0].detail == "no BGP protocol with neighbor 198.18.0.7"


def node(name: str, index: int) -> dict[str, object]:
    return {"name": name, "address": f"198.18.0.{index}/24", "pod_cidrs": [f"10.0.{index}.0/24"]}


def test_expectations_full_mesh_and_route_reflectors() -> None:
    nodes = [node(f"vm{i}", i) for i in range(1, 5)]
    mesh = expectations(peermap_from_data({"version": 1, "nodes": nodes}))
    assert [p.address for p in mesh["vm2"].peers] == ["198.18.0.1", "198.18.0.3", "198.18.0.4"]
    assert mesh["vm2"].remote_cidrs == ("10.0.1.0/24", "10.0.3.0/24", "10.0.4.0/24")
    assert mesh["vm2"].own_cidrs == ("10.0.2.0/24",)
    reflected = expectations(peermap_from_data(
        {"version": 1, "nodes": nodes, "topology": {"type": "route-reflectors", "route_reflectors": ["vm1"]}}
    ))
    # a client talks only to the reflector but still learns every other node's CIDR
    assert [p.name for p in reflected["vm3"].peers] == ["vm1"]
    assert reflected["vm3"].remote_cidrs == ("10.0.1.0/24", "10.0.2.0/24", "10.0.4.0/24")
    assert [p.name for p in reflected["vm1"].peers] == ["vm2", "vm3", "vm4"]
    pairs = expectations(peermap_from_data(
        {"version": 1, "nodes": nodes, "topology": {"type": "peers", "peers": [["vm1", "vm2"], ["vm2", "vm3"]]}}
    ))
    assert pairs["vm1"].remote_cidrs == ("10.0.2.0/24",) and pairs["vm4"].peers == ()


secrets = st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters='"*'), min_size=4)


@settings(max_examples=200, deadline=None)
@given(secrets, st.text(max_size=30), st.text(max_size=30))
def test_redactor_hides_every_password_and_nothing_else(secret: str, before: str, after: str) -> None:
    config = f'protocol bgp vm2 {{\n  password "{secret}";\n}}\n'
    redact = Redactor.from_configs([config])
    assert redact.secrets == {secret}
    assert secret not in redact(config)
    assert 'password "***"' in redact(config)
    # an excerpt cut inside the password string is masked to the end of its line
    assert redact(f'  password "{secret}') == '  password "***'
    # the secret's text where it is no password stays: masking it would give a weak password away
    other = f"{before} {secret};\n{after}".replace("password", "")
    assert redact(other) == other
