"""Policy semantics as a property: the Python model of each compiled filter (the one `--explain` prints) predicts
what real BIRD accepts.

Hypothesis draws a fleet policy (maximum length, default route, BGPFilter-style rules, an extra peer's accept
list and rules) and a batch of prefixes. One BIRD per test holds the node's generated filters; each batch is
one `birdc configure`: the prefixes enter through a static protocol and pass each filter on a pipe into a table
of its own. What each table holds must be what the model says the filter accepts.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdkit import parse_routes
from birdkit.errors import PeermapError
from birdkit.gen.peermap import Peermap, peermap_from_data
from birdkit.gen.policy import NodePolicy, Route, compile_node
from birdkit.gen.topology import peer_groups
from birdkit.lab.netns import Fabric
from birdkit.runtime import VERSIONS, BirdMatrix, Daemon

pytestmark = pytest.mark.live

POD_CIDRS = {"n1": "10.0.1.0/24", "n2": "10.0.2.0/24", "n3": "10.0.3.0/24"}
#: prefixes near the pod CIDRs and elsewhere: what rules, accept lists and announcements are drawn from
POOL = [
    "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/25", "10.0.1.128/25", "10.0.1.7/32",
    "10.0.2.0/24", "10.0.2.0/23", "10.0.2.64/26", "10.0.3.0/24", "10.0.3.0/28", "192.0.2.0/24", "192.0.2.0/25",
    "198.51.100.0/24", "203.0.113.0/24", "203.0.113.16/28", "172.16.0.0/12",
]  # fmt: skip

rules = st.lists(
    st.fixed_dictionaries({
        "cidr": st.sampled_from(POOL),
        "match": st.sampled_from(["equal", "in", "not-equal", "not-in"]),
        "action": st.sampled_from(["accept", "reject"]),
    }),
    max_size=4,
)


@st.composite
def policies(draw: st.DrawFn) -> Peermap:
    """A valid three-node peer map whose n1 has an extra peer, with a drawn policy."""
    policy: dict[str, Any] = {
        "max_length": {"ipv4": draw(st.integers(24, 32))},
        "allow_default": draw(st.booleans()),
        "import": draw(rules),
        "export": draw(rules),
    }
    peer_policy = {
        "pods": draw(st.sampled_from(["own", "fleet"])),
        "accept": draw(st.lists(st.sampled_from(POOL), max_size=3, unique=True)),
        "import": draw(rules),
    }
    nodes = [
        {"name": name, "address": f"198.18.0.{index}/24", "pod_cidrs": [cidr]}
        for index, (name, cidr) in enumerate(POD_CIDRS.items(), start=1)
    ]
    nodes[0]["extra_peers"] = [{"name": "up", "address": "198.18.0.254", "asn": 64512, "policy": peer_policy}]
    data = {"version": 1, "defaults": {"asn": 65000, "policy": policy}, "nodes": nodes}
    try:
        return peermap_from_data(data)
    except PeermapError:
        draw(st.nothing())  # a drawn rule that can never match: not a valid policy
        raise


ADDRESSES = ["10.0.1.77", "10.0.1.200", "10.0.2.200", "10.0.3.3", "192.0.2.9", "203.0.113.20", "8.8.8.8"]


def prefixes(max_length: int) -> st.SearchStrategy[list[str]]:
    """Prefixes from the pool, and around the pod CIDRs at lengths near the policy's maximum length."""
    near = st.builds(
        lambda address, length: str(ipaddress.ip_network(f"{address}/{length}", strict=False)),
        st.sampled_from(ADDRESSES),
        st.one_of(st.integers(max_length - 1, min(max_length + 1, 32)), st.integers(0, 32)),
    )
    return st.lists(st.one_of(st.sampled_from(POOL), near), min_size=1, max_size=30, unique=True)


def _compiled(peermap: Peermap) -> NodePolicy:
    return compile_node(peermap, peermap.node("n1"), peer_groups(peermap)["n1"], (4,))


def _config(compiled: NodePolicy, batch: list[str]) -> str:
    """The filters as generated; the batch in one static protocol; each filter on a pipe into its own table.

    A pipe's export filter sees the static routes as an import filter of a session would (``source`` is
    static, no originator id). Pipes rather than a static protocol per import filter with ``import keep
    filtered``: with those, BIRD 3.1.8 aborts on a quick series of reconfigurations
    (``Assertion '!nacc != !nrej' failed at nest/rt-table.c:1719``).
    """
    lines = ["router id 198.18.0.1;", "protocol device {}"]
    lines += [f"define {name} = {prefixes.prefix_set()};" for name, prefixes in compiled.defines]
    for found in compiled.filters:
        body = "".join(f"    {line}\n" for line in found.lines())
        lines.append(f"filter {found.name} {{\n{body}}}")
        lines.append(f"ipv4 table t_{found.name};")
        lines.append(f"protocol pipe p_{found.name} {{\n    table master4;\n    peer table t_{found.name};\n"
                     f"    export filter {found.name};\n    import none;\n}}")
    routes = "".join(f"    route {prefix} blackhole;\n" for prefix in batch)
    lines.append(f"protocol static drawn {{\n    ipv4;\n{routes}}}")
    return "\n".join(lines) + "\n"


def _prefixes(text: str) -> set[str]:
    return {route.prefix for route in parse_routes(text)}


@pytest.fixture(params=VERSIONS)
def daemon(request: pytest.FixtureRequest, bird_matrix: BirdMatrix, fabric: Fabric) -> Daemon:
    node = fabric.add_node("n1", "198.18.0.1")
    return fabric.start_bird(bird_matrix.get(request.param), node, "router id 198.18.0.1;\nprotocol device {}\n")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_model_predicts_what_real_bird_accepts(daemon: Daemon, data: st.DataObject) -> None:
    peermap = data.draw(policies())
    batch = data.draw(prefixes(peermap.defaults.policy.max_length[4]))
    compiled = _compiled(peermap)
    reply = daemon.reconfigure(_config(compiled, batch))
    assert re.search(r"[Rr]econfigur", reply), reply
    for found in compiled.filters:
        predicted = {p for p in batch if found.decide(Route(ipaddress.ip_network(p), source="static")).accepted}
        held = _prefixes(daemon.birdc(f"show route table t_{found.name}"))
        assert held == predicted, (found.name, found.lines(), sorted(held ^ predicted))
