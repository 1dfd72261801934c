"""The project's own fixtures (captured from BIRD 2.0.12, 2.17.6 and 3.1.8 by tests/fixtures/show/capture.py)
parse to what the capture configs say. Expected values are written from those configs, not from parser output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from birdkit.errors import BirdError
from birdkit.show.models import (
    AsPathSegment,
    Community,
    ExtCommunity,
    LargeCommunity,
    Limit,
    NextHop,
    Route,
)
from birdkit.show.parse import parse_interfaces, parse_protocols, parse_route_count, parse_routes, parse_status
from birdkit.show.stream import iter_routes

from .transcripts import split_commands

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "show"
VERSIONS = ["2.0.12", "2.17.6", "3.1.8"]
EXPORTER, REFLECTOR, CLIENT = "198.18.0.1", "198.18.0.2", "198.18.0.3"

RouteParser = Callable[[str], list[Route]]
ROUTE_PARSERS: dict[str, RouteParser] = {
    "reference": parse_routes,
    "stream": lambda text: list(iter_routes(text.splitlines())),
}


def reply(version: str, node: str, command: str) -> str:
    """The raw socket reply of ``command`` on ``node`` in the version's transcript."""
    for candidate, text in split_commands((FIXTURES / version / f"{node}.txt").read_text()):
        if candidate == command:
            return text
    raise KeyError(command)


def by_prefix(routes: list[Route]) -> dict[str, Route]:
    assert len({route.prefix for route in routes}) == len(routes)
    return {route.prefix: route for route in routes}


def _check_exported_attributes(route: Route) -> None:
    """What the exporter's filter `to_rr` sets, per prefix."""
    bgp = route.bgp
    assert bgp is not None
    assert bgp.next_hop == (EXPORTER,)
    assert bgp.local_pref == 150
    prefix = route.prefix
    assert bgp.as_path == (AsPathSegment("sequence", (65001, 65001, 65001) if prefix == "10.1.0.0/24" else (65001,)),)
    assert bgp.origin == ("Incomplete" if prefix == "10.4.0.0/24" else "IGP")
    assert route.info == ("(100) [AS65001?]" if prefix == "10.4.0.0/24" else "(100) [AS65001i]")
    expected_communities = {
        "10.2.0.0/24": (Community(65001, 100), Community(65001, 200)),
        "10.5.0.0/24": tuple(Community(65001, n) for n in range(1000, 1080)),
    }
    assert bgp.communities == expected_communities.get(prefix)
    assert bgp.med == (50 if prefix == "10.2.0.0/24" else None)
    assert bgp.large_communities == (
        (LargeCommunity(65001, 1, 2), LargeCommunity(65001, 3, 4)) if prefix == "10.3.0.0/24" else None
    )
    assert bgp.ext_communities == (
        (ExtCommunity("rt", "65001", "7"), ExtCommunity("ro", "65001", "8")) if prefix == "10.4.0.0/24" else None
    )
    assert bgp.originator_id is None and bgp.cluster_list is None


@pytest.mark.parametrize("parser", ROUTE_PARSERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_reflector_routes_equal_the_export_filter(version: str, parser: str) -> None:
    routes = by_prefix(ROUTE_PARSERS[parser](reply(version, "rr", "show route all")))
    assert sorted(routes) == [f"10.{n}.0.0/24" for n in range(1, 6)]
    for route in routes.values():
        assert (route.dest, route.protocol, route.table, route.primary, route.preference) == (
            "unicast", "exporter", "master4", True, 100,
        )
        assert route.from_address is None
        assert route.next_hops == (NextHop(EXPORTER, "eth0"),)
        assert (route.source, route.scope) == ("BGP", "univ" if version.startswith("2.") else None)
        _check_exported_attributes(route)


@pytest.mark.parametrize("parser", ROUTE_PARSERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_client_routes_are_reflected_and_unresolved(version: str, parser: str) -> None:
    routes = by_prefix(ROUTE_PARSERS[parser](reply(version, "cli", "show route all")))
    assert len(routes) == 5
    for route in routes.values():
        # iBGP next hop 198.18.0.1 is not in the client's table: BIRD shows the route unreachable
        assert (route.dest, route.protocol, route.from_address, route.next_hops) == (
            "unreachable", "reflector", REFLECTOR, ()
        )
        _check_exported_attributes(route)


@pytest.mark.parametrize("parser", ROUTE_PARSERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_exporter_statics_sinks_multipath_and_tables(version: str, parser: str) -> None:
    routes = ROUTE_PARSERS[parser](reply(version, "exp", "show route all"))
    kinds = {route.prefix: (route.table, route.dest, route.protocol) for route in routes}
    assert kinds == {
        "10.1.0.0/24": ("master4", "blackhole", "sinks"),
        "10.2.0.0/24": ("master4", "unreachable", "sinks"),
        "10.3.0.0/24": ("master4", "prohibited", "sinks"),
        "10.4.0.0/24": ("master4", "blackhole", "sinks"),
        "10.5.0.0/24": ("master4", "blackhole", "sinks"),
        "10.50.0.0/16": ("master4", "unicast", "sinks"),
        "10.60.0.0/16": ("master4", "unicast", "sinks"),
        "2001:db8:1::/48": ("master6", "unreachable", "sinks6"),
        "2001:db8:2::/48": ("master6", "blackhole", "sinks6"),
    }
    hops = {route.prefix: route.next_hops for route in routes if route.next_hops}
    assert hops == {
        "10.50.0.0/16": (NextHop(REFLECTOR, "eth0", weight=3), NextHop(CLIENT, "eth0", weight=1)),
        "10.60.0.0/16": (NextHop(None, "eth0"),),
    }
    assert all(route.preference == 200 and route.bgp is None and route.source == "static" for route in routes)


@pytest.mark.parametrize("version", VERSIONS)
def test_plain_birdc_text_equals_the_socket_reply(version: str) -> None:
    plain = (FIXTURES / version / "rr-route-all.birdc.txt").read_text()
    socket_reply = reply(version, "rr", "show route all")
    assert parse_routes(plain) == parse_routes(socket_reply)
    assert list(iter_routes(plain.splitlines())) == parse_routes(socket_reply)


@pytest.mark.parametrize("version", VERSIONS)
def test_protocols_all(version: str) -> None:
    protocols = {protocol.name: protocol for protocol in parse_protocols(reply(version, "rr", "show protocols all"))}
    assert sorted(protocols) == ["device1", "downstream", "exporter"]
    exporter = protocols["exporter"]
    assert (exporter.proto, exporter.table, exporter.state, exporter.info) == ("BGP", None, "up", "Established")
    assert exporter.bgp is not None
    assert exporter.bgp.state == "Established"
    assert (exporter.bgp.neighbor_address, exporter.bgp.neighbor_as, exporter.bgp.local_as) == (EXPORTER, 65001, 65002)
    assert exporter.bgp.neighbor_id == EXPORTER
    assert exporter.bgp.session[0] == "external"
    assert "Route refresh" in exporter.bgp.local_capabilities
    assert "Multiprotocol / AF announced: ipv4" in exporter.bgp.neighbor_capabilities
    assert exporter.bgp.hold_timer is not None and exporter.bgp.hold_timer.endswith("/240")
    [channel] = exporter.channels
    assert (channel.name, channel.state, channel.table, channel.preference) == ("ipv4", "UP", "master4", 100)
    assert channel.limits == (Limit("Import limit", 100, action="warn"),)
    assert channel.routes is not None and channel.routes.imported == 5
    assert channel.stats is not None
    assert len(channel.stats.columns) == (5 if version.startswith("2.") else 7)
    assert channel.stats.value("Import updates", "accepted") == 5
    assert (channel.import_state is None) == version.startswith("2.")
    downstream = protocols["downstream"]
    assert downstream.bgp is not None and downstream.bgp.session[0] == "internal"
    assert downstream.channels[0].routes is not None and downstream.channels[0].routes.exported == 5
    assert protocols["device1"].channels == ()


@pytest.mark.parametrize("version", VERSIONS)
def test_short_protocols_and_plain_text(version: str) -> None:
    short = parse_protocols(reply(version, "rr", "show protocols"))
    assert [(p.name, p.proto, p.state) for p in short] == [
        ("device1", "Device", "up"), ("exporter", "BGP", "up"), ("downstream", "BGP", "up")
    ]
    plain = parse_protocols((FIXTURES / version / "rr-protocols-all.birdc.txt").read_text())
    assert [(p.name, p.bgp.neighbor_address if p.bgp else None) for p in plain] == [
        ("device1", None), ("exporter", EXPORTER), ("downstream", CLIENT)
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_status_count_interfaces_and_errors(version: str) -> None:
    status = parse_status(reply(version, "rr", "show status"))
    assert (status.version, status.router_id, status.message) == (version, REFLECTOR, "Daemon is up and running")
    count = parse_route_count(reply(version, "rr", "show route count"))
    # 2.x also counts the empty default IPv6 table; 3.x lists only tables that exist with a channel
    empty_master6 = [("master6", 0, 0, 0)] if version.startswith("2.") else []
    assert [(t.table, t.routes, t.total_routes, t.networks) for t in count.tables] == [
        ("master4", 5, 5, 5), *empty_master6
    ]
    exporter_count = parse_route_count(reply(version, "exp", "show route count"))
    assert [(t.table, t.routes) for t in exporter_count.tables] == [("master4", 7), ("master6", 2)]
    assert exporter_count.total is not None and exporter_count.total.routes == 9
    assert exporter_count.total.tables == 2
    interfaces = {interface.name: interface for interface in parse_interfaces(reply(version, "rr", "show interfaces"))}
    assert interfaces["lo"].up and "Loopback" in interfaces["lo"].flags and interfaces["lo"].mtu == 65536
    eth0 = interfaces["eth0"]
    assert eth0.up and eth0.mtu == 1500
    assert (eth0.addresses[0].prefix, eth0.addresses[0].scope, eth0.addresses[0].preferred) == (
        f"{REFLECTOR}/24", "univ", True
    )
    assert eth0.addresses[-1].scope == "link"
    with pytest.raises(BirdError) as raised:
        parse_routes(reply(version, "rr", "show route 192.0.2.0/24"))
    assert (raised.value.code, raised.value.text) == (8001, "Network not found")


@pytest.mark.parametrize("version", VERSIONS)
def test_pipe_block(version: str) -> None:
    [pipe] = parse_protocols(reply(version, "exp", "show protocols all copy"))
    assert (pipe.name, pipe.proto, pipe.info) == ("copy", "Pipe", "master4 <=> copied")
    [channel] = pipe.channels
    assert (channel.name, channel.table, channel.input_filter, channel.output_filter) == (
        "main", "master4", "REJECT", "ACCEPT"
    )
    assert ("Peer table", "copied") in channel.details
    # the seven statics of master4 are exported into `copied`
    assert channel.routes is not None and (channel.routes.imported, channel.routes.exported) == (0, 7)
    assert channel.stats is not None and channel.stats.value("Export updates", "accepted") == 7
