"""Live: BIRD 1.6.8 (outputs only) answers show route [all], show protocols [all], show status, show route
count and show interfaces; plain birdc text and the raw control socket parse into the same models as 2.x/3.x.

What 1.x does not print: no channels (a protocol's filters, route counts and change stats stay in
``Protocol.details``), no table name in a route count (``TableCount.table`` is ``None``), and the next hop
sits on the route line (both parsers read it as the route's first next hop).
"""

from __future__ import annotations

import re

import attrs
import pytest

from birdkit import Bird
from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix
from birdkit.show.models import Community
from birdkit.show.parse import parse_interfaces, parse_protocols, parse_route_count, parse_routes, parse_status

pytestmark = [pytest.mark.live, pytest.mark.matrix]


def config(gateway: str) -> str:
    return f"""router id 198.18.0.1;
protocol device {{}}
protocol direct {{ interface "eth0"; }}
protocol static sinks {{
  route 10.1.0.0/24 blackhole;
  route 10.2.0.0/24 unreachable;
  route 10.3.0.0/24 via {gateway} {{ bgp_community.add((65001,100)); bgp_path.prepend(65001); }};
}}
"""


def test_bird_1_6_outputs_parse_into_the_common_models(bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    runtime = bird_matrix.get("1.6.8")
    node = fabric.add_node("n1")
    gateway = node.address.rsplit(".", 1)[0] + ".254"
    daemon = fabric.start_bird(runtime, node, config(gateway))
    plain = {command: daemon.birdc(command) for command in ("show route all", "show protocols all", "show status")}
    assert "BIRD 1.6.8 ready." in plain["show status"]
    routes = {route.prefix: route for route in parse_routes(plain["show route all"])}
    assert routes["10.1.0.0/24"].dest == "blackhole" and routes["10.2.0.0/24"].dest == "unreachable"
    via = routes["10.3.0.0/24"]
    assert [(hop.gateway, hop.interface) for hop in via.next_hops] == [(gateway, "eth0")]
    assert via.source == "static unicast"
    assert via.bgp is not None and via.bgp.communities == (Community(65001, 100),)
    protocols = {protocol.name: protocol for protocol in parse_protocols(plain["show protocols all"])}
    assert protocols["sinks"].proto == "Static" and protocols["sinks"].state == "up"
    assert protocols["sinks"].table == "master" and protocols["sinks"].channels == ()
    assert dict(protocols["sinks"].details)["Routes"].startswith("3 imported")
    assert parse_status(plain["show status"]).version == "1.6.8"
    with Bird(daemon.socket_path, timeout=15) as client:
        # both parsers read the same routes (the socket's answer comes a moment later: `since` may tick)
        socket_routes = [attrs.evolve(route, since="") for route in client.routes(all=True)]
        assert socket_routes == [attrs.evolve(route, since="") for route in routes.values()]
        assert client.status().router_id == "198.18.0.1"
        assert [p.name for p in client.protocols()] == list(protocols)
        count = client.route_count()
        assert [(t.table, t.routes) for t in count.tables] == [(None, len(routes))]
        interfaces = {interface.name: interface for interface in client.interfaces()}
    assert interfaces["eth0"].up and interfaces["eth0"].addresses[0].prefix.startswith(node.address)
    assert interfaces["eth0"].addresses[0].preferred  # 1.x calls it Primary
    assert parse_route_count(daemon.birdc("show route count")) == count
    assert parse_interfaces(daemon.birdc("show interfaces")) == list(interfaces.values())


def test_bird_1_6_old_time_formats_parse(bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    """1.x's `old long` (DD-MM-YYYY HH:MM:SS) and `old short` (HH:MM for an event under 20 hours old)."""
    runtime = bird_matrix.get("1.6.8")
    node = fabric.add_node("n1")
    gateway = node.address.rsplit(".", 1)[0] + ".254"
    old_formats = "timeformat route old long;\ntimeformat protocol old short;\n"
    daemon = fabric.start_bird(runtime, node, old_formats + config(gateway))
    routes = parse_routes(daemon.birdc("show route all"))
    assert routes and all(re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d", route.since) for route in routes)
    protocols = parse_protocols(daemon.birdc("show protocols"))
    assert protocols and all(re.fullmatch(r"\d\d:\d\d", protocol.since) for protocol in protocols)
    with Bird(daemon.socket_path, timeout=15) as client:
        assert [route.prefix for route in client.routes(all=True)] == [route.prefix for route in routes]
        assert [protocol.since for protocol in client.protocols()] == [protocol.since for protocol in protocols]
