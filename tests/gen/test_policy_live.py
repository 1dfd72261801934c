"""Live: the generated policy on real BIRD in namespaces: three fleet nodes, a top-of-rack router and a rogue peer.

n1 (BIRD 2.0.12), n2 (2.17.6) and n3 (3.1.8) form a full mesh; each also peers over eBGP with ``tor1`` (a BIRD
with a default route and two other prefixes) and with ``rogue`` (a BIRD that announces other nodes' pod CIDRs,
a more-specific, a default route and an unlisted prefix). n3 runs a tampered config: it announces n1's and n2's
pod space and a default route to the fleet as if it owned them. The policy must keep the top-of-rack table to
exactly the fleet's pod CIDRs (tagged with the policy's communities), filter every hijack on every other node
(visible with ``import keep filtered``), keep pods reachable, and block n1's top-of-rack session at its import
limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from birdkit import parse_routes
from birdkit.gen.peermap import peermap_from_data
from birdkit.gen.render import generate
from birdkit.lab.netns import Fabric, in_netns
from birdkit.runtime import BirdMatrix, Daemon
from birdkit.show.models import Community, LargeCommunity
from birdkit.show.parse import parse_protocols

pytestmark = [pytest.mark.live, pytest.mark.slow]

NODES = {"n1": ("198.18.0.1", "10.0.1.0/24", "2.0.12"), "n2": ("198.18.0.2", "10.0.2.0/24", "2.17.6"),
         "n3": ("198.18.0.3", "10.0.3.0/24", "3.1.8")}  # fmt: skip
PODS = {"n1": "10.0.1.10", "n2": "10.0.2.200", "n3": "10.0.3.10"}
TOR, TOR_AS = "198.18.0.254", 64512
ROGUE, ROGUE_AS = "198.18.0.66", 64666
TOR_ROUTES = ("0.0.0.0/0", "192.0.2.0/24", "198.51.100.0/24")
ROGUE_ROUTES = ("10.0.2.0/24", "10.0.1.0/25", "0.0.0.0/0", "10.0.3.0/24", "192.0.2.0/24")
#: what the tampered n3 announces to the fleet besides its own pod CIDR
N3_HIJACKS = ("10.0.1.0/25", "10.0.2.0/24", "0.0.0.0/0")


def peermap_data() -> dict[str, Any]:
    extra = [{"name": "tor1", "address": TOR, "asn": TOR_AS}, {"name": "rogue", "address": ROGUE, "asn": ROGUE_AS}]
    nodes: list[dict[str, Any]] = [
        {"name": name, "address": f"{address}/24", "pod_cidrs": [cidr], "extra_peers": extra}
        for name, (address, cidr, _) in NODES.items()
    ]
    nodes[0]["policy"] = {
        "large_communities": ["65000:1:1"],
        "peers": {"tor1": {"accept": list(TOR_ROUTES), "import_limit": {"limit": 2, "action": "block"}}},
    }
    policy = {
        "keep_filtered": True,
        "communities": ["65000:100"],
        "peers": {"tor1": {"pods": "fleet", "accept": ["0.0.0.0/0"]}},
    }
    return {"version": 1, "defaults": {"asn": 65000, "policy": policy}, "nodes": nodes}


def router_config(router_id: str, asn: int, routes: tuple[str, ...]) -> str:
    """A plain BIRD outside the fleet: static routes out to every node, everything in."""
    sessions = "".join(
        f"protocol bgp {name} {{\n    local {router_id} as {asn};\n    neighbor {address} as 65000;\n"
        "    ipv4 {\n        import all;\n        export where source = RTS_STATIC;\n    };\n}\n"
        for name, (address, _, _) in NODES.items()
    )
    statics = "".join(f"    route {route} blackhole;\n" for route in routes)
    return f"router id {router_id};\nprotocol device {{}}\nprotocol static {{\n    ipv4;\n{statics}}}\n{sessions}"


def tampered(config: str) -> str:
    """n3's config with its fleet export filters swapped for 'every static route', plus hijacking statics."""
    for peer in ("n1", "n2"):
        config = config.replace(f"export filter export_{peer}_ipv4;", "export where source = RTS_STATIC;")
    statics = "".join(f"    route {route} blackhole;\n" for route in N3_HIJACKS)
    return config + f"\nprotocol static hijack {{\n    ipv4;\n{statics}}}\n"


def wait_for(what: str, check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(1)


def by_protocol(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for route in parse_routes(text):
        found.setdefault(route.protocol, set()).add(route.prefix)
    return found


def established(daemon: Daemon) -> set[str]:
    protocols = parse_protocols(daemon.birdc("show protocols"))
    return {p.name for p in protocols if p.proto == "BGP" and p.info.startswith("Established")}


def test_policy_on_a_live_fleet_with_top_of_rack_and_rogue_peers(bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    configs = generate(peermap_from_data(peermap_data()))
    configs["n3"] = tampered(configs["n3"])
    daemons: dict[str, Daemon] = {}
    for name, (address, _, version) in NODES.items():
        node = fabric.add_node(name, address)
        fabric.add_pod(node, PODS[name])
        daemons[name] = fabric.start_bird(bird_matrix.get(version), node, configs[name])
    tor_ns = fabric.add_node("tor1", TOR)
    tor = fabric.start_bird(bird_matrix.get("2.17.6"), tor_ns, router_config(TOR, TOR_AS, TOR_ROUTES))
    rogue_ns = fabric.add_node("rogue", ROGUE)
    rogue = fabric.start_bird(bird_matrix.get("3.1.8"), rogue_ns, router_config(ROGUE, ROGUE_AS, ROGUE_ROUTES))

    everyone = {**daemons, "tor1": tor, "rogue": rogue}
    wait_for("every session Established", lambda: all(
        len(established(daemon)) == (3 if name in ("tor1", "rogue") else 4) for name, daemon in everyone.items()
    ))
    fleet_pods = {cidr for _, cidr, _ in NODES.values()}

    def tor_fleet_routes() -> set[str]:
        return {r.prefix for r in parse_routes(tor.birdc("show route all")) if r.protocol in NODES}

    wait_for("the fleet's pod CIDRs at the top of rack", lambda: tor_fleet_routes() >= fleet_pods)
    time.sleep(2)  # anything that should not arrive has had its chance too

    # the top-of-rack table: exactly the fleet's pod CIDRs, nothing of the underlay, no /32s, tagged by policy
    tor_routes = [r for r in parse_routes(tor.birdc("show route all")) if r.protocol in NODES]
    assert {r.prefix for r in tor_routes} == fleet_pods
    assert not [r for r in tor_routes if r.prefix.startswith("198.18.") or r.prefix.endswith("/32")]
    for route in (r for r in tor_routes if r.prefix != NODES["n3"][1]):  # the tampered n3 tags nothing
        assert route.bgp is not None and Community(65000, 100) in (route.bgp.communities or ()), route
    from_n1 = [r for r in tor_routes if r.protocol == "n1" and r.prefix == "10.0.1.0/24"]
    assert from_n1 and from_n1[0].bgp and LargeCommunity(65000, 1, 1) in (from_n1[0].bgp.large_communities or ())

    # hijacks are filtered on every other node, and kept for `show route filtered`
    for name in ("n1", "n2"):
        filtered = by_protocol(daemons[name].birdc("show route filtered"))
        assert filtered.get("n3") == set(N3_HIJACKS), (name, filtered)
        assert filtered.get("rogue") == set(ROGUE_ROUTES), (name, filtered)
        accepted = by_protocol(daemons[name].birdc("show route"))
        assert accepted.get("n3") == {"10.0.3.0/24"}, (name, accepted)
        assert "rogue" not in accepted
    assert by_protocol(daemons["n3"].birdc("show route filtered")).get("rogue") == set(ROGUE_ROUTES)
    assert "0.0.0.0/0" in by_protocol(daemons["n2"].birdc("show route")).get("tor1", set())

    # the kernel routes pod traffic to the owners
    for name in ("n1", "n2"):
        kernel = in_netns(fabric.nodes[name].netns, ["ip", "route"]).stdout
        assert "10.0.1.0/25" not in kernel and "default" not in kernel.replace("default via 198.18.0.254", ""), kernel
        other = "n2" if name == "n1" else "n1"
        assert f"{NODES[other][1]} via {NODES[other][0]} " in kernel, kernel

    # pods still reach each other, through the hijacked space too
    for source, target in (("n1", "n2"), ("n2", "n1")):
        pod_ns = fabric.pods[f"{source}_pod"].netns
        ping = in_netns(pod_ns, ["ping", "-c", "2", "-W", "2", PODS[target]], check=False)
        assert ping.returncode == 0, (source, target, ping.stdout)

    # n1 accepts three routes from tor1 but its import limit is two: BIRD blocks the rest and says so
    tor_session = parse_protocols(daemons["n1"].birdc("show protocols all tor1"))[0]
    limits = [limit for channel in tor_session.channels for limit in channel.limits if limit.kind == "Import limit"]
    assert [(limit.value, limit.hit, limit.action) for limit in limits] == [(2, True, "block")], tor_session
    assert len(by_protocol(daemons["n1"].birdc("show route")).get("tor1", set())) == 2

