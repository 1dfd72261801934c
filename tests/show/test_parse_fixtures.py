"""The project's own fixtures (captured from every BIRD of the matrix, 1.6.8 to 3.1.8, by
tests/fixtures/show/capture.py) parse to what the capture configs say. Expected values are written from those
configs, not from parser output; where BIRD 1.x prints less or otherwise, the test says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from birdkit.errors import BirdError
from birdkit.runtime import ALL_VERSIONS, OUTPUT_ONLY_VERSIONS, TARGET_VERSIONS
from birdkit.show.models import (
    AsPathSegment,
    Community,
    ExtCommunity,
    LargeCommunity,
    Limit,
    NextHop,
    Protocol,
    Route,
    Status,
)
from birdkit.show.parse import parse_interfaces, parse_protocols, parse_route_count, parse_routes, parse_status
from birdkit.show.stream import iter_routes

from .transcripts import split_commands

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "show"
VERSIONS = ALL_VERSIONS
#: plain birdc text of the reflector, one file per command
PLAIN_COMMANDS = ["show status", "show protocols", "show protocols all", "show route", "show route all",
                  "show route count", "show interfaces"]  # fmt: skip
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


def bird1(version: str) -> bool:
    """BIRD 1.x: one IPv4 table whose name routes and counts leave out, no channels, a cast in `Type:`."""
    return version in OUTPUT_ONLY_VERSIONS


def plain(version: str, node: str, command: str) -> str:
    return (FIXTURES / version / f"{node}-{command.removeprefix('show ').replace(' ', '-')}.birdc.txt").read_text()


def by_prefix(routes: list[Route]) -> dict[str, Route]:
    assert len({route.prefix for route in routes}) == len(routes)
    return {route.prefix: route for route in routes}


def _check_exported_attributes(route: Route, igp_metric: str = "") -> None:
    """What the exporter's filter `to_rr` sets, per prefix (``igp_metric``: what follows the preference)."""
    bgp = route.bgp
    assert bgp is not None
    assert bgp.next_hop == (EXPORTER,)
    assert bgp.local_pref == 150
    prefix = route.prefix
    assert bgp.as_path == (AsPathSegment("sequence", (65001, 65001, 65001) if prefix == "10.1.0.0/24" else (65001,)),)
    assert bgp.origin == ("Incomplete" if prefix == "10.4.0.0/24" else "IGP")
    assert route.info == f"(100{igp_metric}) [AS65001{'?' if prefix == '10.4.0.0/24' else 'i'}]"
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
            "unicast", "exporter", None if bird1(version) else "master4", True, 100,
        )
        assert route.from_address is None
        assert route.next_hops == (NextHop(EXPORTER, "eth0"),)
        # 1.x's `Type:` line names the cast too: `BGP unicast univ`
        assert (route.source, route.scope) == (
            "BGP unicast" if bird1(version) else "BGP", None if version.startswith("3.") else "univ"
        )
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
        # 1.x shows the IGP metric of an unresolved next hop as `/-`
        _check_exported_attributes(route, "/-" if bird1(version) else "")


@pytest.mark.parametrize("parser", ROUTE_PARSERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_exporter_statics_sinks_multipath_and_tables(version: str, parser: str) -> None:
    text = reply(version, "exp", "show route all")
    routes = ROUTE_PARSERS[parser](text)
    assert routes == ROUTE_PARSERS[parser](plain(version, "exp", "show route all"))
    kinds = {route.prefix: (route.table, route.dest, route.protocol) for route in routes}
    master4 = None if bird1(version) else "master4"
    ipv6 = {  # 1.x runs IPv6 in a daemon of its own (bird6): the capture has none
        "2001:db8:1::/48": ("master6", "unreachable", "sinks6"),
        "2001:db8:2::/48": ("master6", "blackhole", "sinks6"),
    }
    assert kinds == {
        "10.1.0.0/24": (master4, "blackhole", "sinks"),
        "10.2.0.0/24": (master4, "unreachable", "sinks"),
        "10.3.0.0/24": (master4, "prohibited", "sinks"),
        "10.4.0.0/24": (master4, "blackhole", "sinks"),
        "10.5.0.0/24": (master4, "blackhole", "sinks"),
        "10.50.0.0/16": (master4, "unicast", "sinks"),
        "10.60.0.0/16": (master4, "unicast", "sinks"),
        **({} if bird1(version) else ipv6),
    }
    hops = {route.prefix: route.next_hops for route in routes if route.next_hops}
    # the multipath route: 1.x prints `multipath` where 2.x/3.x print `unicast`, the next hops below alike
    assert (" multipath [" in text) == bird1(version)
    assert hops == {
        "10.50.0.0/16": (NextHop(REFLECTOR, "eth0", weight=3), NextHop(CLIENT, "eth0", weight=1)),
        "10.60.0.0/16": (NextHop(None, "eth0"),),
    }
    sources = {route.source for route in routes}
    assert sources == ({"static unicast", "static-device unicast"} if bird1(version) else {"static"})
    assert all(route.preference == 200 and route.bgp is None for route in routes)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("command", PLAIN_COMMANDS)
def test_plain_birdc_text_equals_the_socket_reply(version: str, command: str) -> None:
    parser = {"show status": parse_status, "show route count": parse_route_count,
              "show interfaces": parse_interfaces}.get(command, parse_routes)  # fmt: skip
    if command.startswith("show protocols"):
        parser = parse_protocols
    text = plain(version, "rr", command)
    assert text.startswith(f"BIRD {version} ready.")
    parsed = parser(reply(version, "rr", command))
    assert parsed and _settled(parser(text)) == _settled(parsed)
    if parser is parse_routes:
        assert list(iter_routes(text.splitlines())) == parsed


def _settled(parsed: Any) -> Any:
    """``parsed`` without what ticks between two captures of the same command: the clock and BGP timers."""
    if isinstance(parsed, Status):
        return attrs.evolve(parsed, server_time=None)
    if isinstance(parsed, list) and parsed and isinstance(parsed[0], Protocol):
        return [
            attrs.evolve(p, bgp=attrs.evolve(p.bgp, hold_timer=None, keepalive_timer=None, send_hold_timer=None))
            if p.bgp
            else p
            for p in parsed
        ]
    return parsed


@pytest.mark.parametrize("version", TARGET_VERSIONS)
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


@pytest.mark.parametrize("version", OUTPUT_ONLY_VERSIONS)
def test_protocols_all_of_bird1(version: str) -> None:
    """1.x has no channels: the table is the protocol's, preference, filters, limits, route counts and change
    stats stay in its details; it prints no local capabilities and no local AS."""
    protocols = {protocol.name: protocol for protocol in parse_protocols(reply(version, "rr", "show protocols all"))}
    assert sorted(protocols) == ["device1", "downstream", "exporter"]
    exporter = protocols["exporter"]
    assert (exporter.proto, exporter.table, exporter.state, exporter.info) == ("BGP", "master", "up", "Established")
    assert exporter.channels == ()
    assert exporter.bgp is not None
    assert (exporter.bgp.state, exporter.bgp.neighbor_address, exporter.bgp.neighbor_as) == (
        "Established", EXPORTER, 65001
    )
    assert (exporter.bgp.neighbor_id, exporter.bgp.local_as) == (EXPORTER, None)
    assert exporter.bgp.session == ("external", "AS4")
    assert exporter.bgp.local_capabilities == () and "refresh" in exporter.bgp.neighbor_capabilities
    assert exporter.bgp.hold_timer is not None and exporter.bgp.hold_timer.endswith("/240")
    details = dict(exporter.details)
    assert (details["Preference"], details["Import limit"], details["Action"]) == ("100", "100", "warn")
    assert details["Routes"] == "5 imported, 0 exported, 5 preferred"
    assert details["Import updates"].split() == ["5", "0", "0", "0", "5"]
    downstream = protocols["downstream"]
    assert downstream.bgp is not None and downstream.bgp.session[0] == "internal"
    assert "route-reflector" in downstream.bgp.session
    assert dict(downstream.details)["Routes"] == "0 imported, 5 exported, 0 preferred"
    [pipe] = parse_protocols(reply(version, "exp", "show protocols all copy"))
    assert (pipe.name, pipe.proto, pipe.table, pipe.info, pipe.channels) == ("copy", "Pipe", "master", "=> copied", ())
    assert dict(pipe.details)["Routes"] == "0 imported, 7 exported"


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
    exporter_count = parse_route_count(reply(version, "exp", "show route count"))
    if bird1(version):  # one table, not named; no total
        assert [(t.table, t.routes, t.total_routes, t.networks) for t in count.tables] == [(None, 5, 5, 5)]
        assert [(t.table, t.routes) for t in exporter_count.tables] == [(None, 7)]
        assert count.total is None and exporter_count.total is None
    else:
        # 2.x also counts the empty default IPv6 table; 3.x lists only tables that exist with a channel
        empty_master6 = [("master6", 0, 0, 0)] if version.startswith("2.") else []
        assert [(t.table, t.routes, t.total_routes, t.networks) for t in count.tables] == [
            ("master4", 5, 5, 5), *empty_master6
        ]
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
    # bird (1.x) is IPv4 only: no link-local IPv6 address
    assert [address.scope for address in eth0.addresses[1:]] == ([] if bird1(version) else ["link"])
    with pytest.raises(BirdError) as raised:
        parse_routes(reply(version, "rr", "show route 192.0.2.0/24"))
    assert (raised.value.code, raised.value.text) == (
        8001, "Network not in table" if bird1(version) else "Network not found"
    )


@pytest.mark.parametrize("version", TARGET_VERSIONS)
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
