"""Live: a BIRD peer exports routes with varied attributes; what birdkit parses must equal what the config says.

Two nodes in network namespaces run the same BIRD version, each of the matrix (1.6.8 with its configs in BIRD
1.x's language). ``exporter`` has static
routes (blackhole, unreachable, multipath) and exports them over eBGP through a filter that prepends and
sets communities, large and extended communities, MED and origin. ``receiver`` imports them, sets a
local preference and turns tagged routes into blackhole/unreachable routes. The config text and the
expected routes are both written from the EXPORTS table below; the parsed routes (over the socket with
``birdkit.Bird`` and from ``birdc`` text with ``parse_routes``) must equal the expectations.
"""

from __future__ import annotations

import json
import time

import attrs
import pytest

from birdkit import Bird, iter_routes, parse_routes
from birdkit.cli.main import main
from birdkit.lab.netns import Fabric, list_netns
from birdkit.runtime import ALL_VERSIONS, BirdMatrix, BirdRuntime, Daemon
from birdkit.show.models import AsPathSegment, BgpAttributes, Community, ExtCommunity, LargeCommunity, NextHop, Route

pytestmark = pytest.mark.live

EXPORTER_AS, RECEIVER_AS = 65001, 65002
EXPORTER_IP, RECEIVER_IP = "198.18.0.1", "198.18.0.2"
BLACKHOLE_TAG, UNREACHABLE_TAG = (65535, 666), (65001, 999)
RECEIVER_LOCAL_PREF = 200


@attrs.frozen
class Export:
    """One static route of the exporter and what its export filter does to it."""

    prefix: str
    static: str = "blackhole"
    prepends: int = 0
    communities: tuple[tuple[int, int], ...] = ()
    large: tuple[tuple[int, int, int], ...] = ()
    ext: tuple[tuple[str, int, int], ...] = ()
    med: int | None = None
    incomplete: bool = False


EXPORTS = (
    Export("10.1.0.0/24", prepends=2),
    Export("10.2.0.0/24", communities=((65001, 100), (65001, 200))),
    Export("10.3.0.0/24", large=((65001, 1, 2), (65001, 3, 4))),
    Export("10.4.0.0/24", med=50, incomplete=True, ext=(("rt", 65001, 7),)),
    Export("10.5.0.0/24", prepends=1, communities=((65001, 5),), large=((65001, 5, 5),), med=7),
    Export("203.0.113.0/24", communities=(BLACKHOLE_TAG,)),
    Export("203.0.113.128/25", static="unreachable", communities=(UNREACHABLE_TAG,)),
)
# the exporter's multipath static (next hops on its underlay, with weights)
MULTIPATH_PREFIX = "10.50.0.0/16"
MULTIPATH = (("198.18.0.2", 3), ("198.18.0.3", 1))


def _channel(version: BirdRuntime, options: str) -> str:
    """A BGP protocol's IPv4 channel; BIRD 1.x has none: the options stand in the protocol itself."""
    return f"  {options}" if version.major == 1 else f"  ipv4 {{ {options} }};"


def exporter_config(version: BirdRuntime) -> str:
    statics = [f"  route {export.prefix} {export.static};" for export in EXPORTS]
    hops = " ".join(f"via {gateway} weight {weight}" for gateway, weight in MULTIPATH)
    statics.append(f"  route {MULTIPATH_PREFIX} {'multipath ' if version.major == 1 else ''}{hops};")
    rules = []
    for export in EXPORTS:
        actions = ["bgp_path.prepend(65001);"] * export.prepends
        actions += [f"bgp_community.add(({a},{b}));" for a, b in export.communities]
        actions += [f"bgp_large_community.add(({a},{b},{c}));" for a, b, c in export.large]
        actions += [f"bgp_ext_community.add(({k}, {a}, {b}));" for k, a, b in export.ext]
        actions += [f"bgp_med = {export.med};"] if export.med is not None else []
        actions += ["bgp_origin = ORIGIN_INCOMPLETE;"] if export.incomplete else []
        if actions:
            rules.append(f"  if net = {export.prefix} then {{ {' '.join(actions)} }}")
    newline = "\n"
    return f"""router id {EXPORTER_IP};
protocol device {{}}
protocol static sinks {{
{"" if version.major == 1 else "  ipv4;"}
{newline.join(statics)}
}}
filter to_receiver {{
  if net = {MULTIPATH_PREFIX} then reject;
  bgp_origin = ORIGIN_IGP;
{newline.join(rules)}
  accept;
}}
protocol bgp downstream {{
  local {EXPORTER_IP} as {EXPORTER_AS};
  neighbor {RECEIVER_IP} as {RECEIVER_AS};
{_channel(version, "import none; export filter to_receiver; next hop self;")}
}}
"""


def receiver_config(version: BirdRuntime) -> str:
    return f"""router id {RECEIVER_IP};
protocol device {{}}
filter from_exporter {{
  bgp_local_pref = {RECEIVER_LOCAL_PREF};
  if {BLACKHOLE_TAG} ~ bgp_community then dest = RTD_BLACKHOLE;
  if {UNREACHABLE_TAG} ~ bgp_community then dest = RTD_UNREACHABLE;
  accept;
}}
protocol bgp upstream {{
  local {RECEIVER_IP} as {RECEIVER_AS};
  neighbor {EXPORTER_IP} as {EXPORTER_AS};
{_channel(version, "import filter from_exporter; export none;")}
}}
"""


def _comparable(route: Route) -> Route:
    """The route without what the config does not decide: its age and the version's internal attributes."""
    hops = tuple(sorted(route.next_hops, key=lambda hop: hop.gateway or ""))
    return attrs.evolve(route, since="", other_attributes=(), next_hops=hops)


def _table(version: BirdRuntime) -> str | None:
    """The table a route names: 1.x's one table goes unnamed."""
    return None if version.major == 1 else "master4"


def _source(version: BirdRuntime, source: str) -> str:
    """A route's source: 1.x's `Type:` line names the cast too."""
    return f"{source} unicast" if version.major == 1 else source


def expected_received(version: BirdRuntime) -> dict[str, Route]:
    """What the receiver must hold, from EXPORTS and the two configs (route line format: reference §5.6)."""
    routes = {}
    for export in EXPORTS:
        dest = {BLACKHOLE_TAG: "blackhole", UNREACHABLE_TAG: "unreachable"}.get(
            next((tag for tag in export.communities if tag in (BLACKHOLE_TAG, UNREACHABLE_TAG)), (0, 0)),
            "unicast",
        )
        sink = dest != "unicast"
        origin_char = "?" if export.incomplete else "i"
        routes[export.prefix] = Route(
            prefix=export.prefix,
            dest=dest,
            protocol="upstream",
            since="",
            table=_table(version),
            # BIRD prints `from` when the route's source differs from its gateway; a sink has no gateway
            from_address=EXPORTER_IP if sink else None,
            primary=True,
            preference=100,
            info=f"(100) [AS{EXPORTER_AS}{origin_char}]",
            next_hops=() if sink else (NextHop(gateway=EXPORTER_IP, interface="eth0"),),
            source=_source(version, "BGP"),
            scope=None if version.major == 3 else "univ",
            bgp=BgpAttributes(
                origin="Incomplete" if export.incomplete else "IGP",
                as_path=(AsPathSegment("sequence", (EXPORTER_AS,) * (1 + export.prepends)),),
                next_hop=(EXPORTER_IP,),
                med=export.med,
                local_pref=RECEIVER_LOCAL_PREF,
                communities=tuple(Community(a, b) for a, b in export.communities) or None,
                large_communities=tuple(LargeCommunity(a, b, c) for a, b, c in export.large) or None,
                ext_communities=tuple(ExtCommunity(k, str(a), str(b)) for k, a, b in export.ext) or None,
            ),
        )
    return routes


def expected_exporter_table(version: BirdRuntime) -> dict[str, Route]:
    """The exporter's own static routes: sinks without next hops, the multipath route with weights."""
    scope = None if version.major == 3 else "univ"
    routes = {
        export.prefix: Route(
            export.prefix,
            export.static,
            "sinks",
            "",
            table=_table(version),
            primary=True,
            preference=200,
            info="(200)",
            source=_source(version, "static"),
            scope=scope,
        )
        for export in EXPORTS
    }
    hops = tuple(NextHop(gateway=gateway, interface="eth0", weight=weight) for gateway, weight in sorted(MULTIPATH))
    routes[MULTIPATH_PREFIX] = Route(
        MULTIPATH_PREFIX,
        "unicast",
        "sinks",
        "",
        table=_table(version),
        primary=True,
        preference=200,
        info="(200)",
        next_hops=hops,
        source=_source(version, "static"),
        scope=scope,
    )
    return routes


def _wait_for_routes(fabric: Fabric, daemon: Daemon, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with Bird(daemon.socket_path, timeout=10) as bird:
        while time.monotonic() < deadline:
            if len(list(bird.routes(all=False))) >= count:
                return
            time.sleep(0.3)
    # a vanished underlay (e.g. deleted by another test run's namespace sweep) shows as "Neighbor lost"
    underlay = "present" if fabric.bridge_netns in list_netns() else "GONE"
    pytest.fail(
        f"{daemon.name} did not receive {count} routes within {timeout} s (underlay namespace {underlay}):\n"
        f"{daemon.birdc('show protocols all')}"
    )


def _by_prefix(routes: list[Route]) -> dict[str, Route]:
    assert len({route.prefix for route in routes}) == len(routes), "one route per prefix expected"
    return {route.prefix: _comparable(route) for route in routes}


@pytest.mark.slow
@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_parsed_routes_equal_what_the_exporter_config_says(
    version: str, bird_matrix: BirdMatrix, fabric: Fabric, capsys: pytest.CaptureFixture[str]
) -> None:
    bird = bird_matrix.get(version)
    exporter_node, receiver_node = fabric.add_node("exp", EXPORTER_IP), fabric.add_node("rec", RECEIVER_IP)
    exporter = fabric.start_bird(bird, exporter_node, exporter_config(bird))
    receiver = fabric.start_bird(bird, receiver_node, receiver_config(bird))
    _wait_for_routes(fabric, receiver, len(EXPORTS))

    expected = expected_received(bird)
    with Bird(receiver.socket_path) as client:
        assert client.version == bird.version
        over_socket = list(client.routes())
        assert _by_prefix(over_socket) == expected
        assert client.route_count(table=_table(bird) or "master").tables[0].routes == len(EXPORTS)
        sinks = "dest = RTD_BLACKHOLE || dest = RTD_UNREACHABLE"  # 1.x has no RTD_UNICAST
        only_sinks = list(client.routes(where=sinks, primary=True, protocol="upstream"))
        assert sorted(route.prefix for route in only_sinks) == ["203.0.113.0/24", "203.0.113.128/25"]
    birdc_text = receiver.birdc("show route all")
    assert _by_prefix(parse_routes(birdc_text)) == expected
    assert _by_prefix(list(iter_routes(birdc_text.splitlines()))) == expected

    expected_own = expected_exporter_table(bird)
    with Bird(exporter.socket_path) as client:
        assert _by_prefix(list(client.routes())) == expected_own
    assert _by_prefix(parse_routes(exporter.birdc("show route all"))) == expected_own

    capsys.readouterr()
    assert main(["show", "routes", "--socket", str(receiver.socket_path), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(json.loads(line)["prefix"] for line in lines) == sorted(expected)
