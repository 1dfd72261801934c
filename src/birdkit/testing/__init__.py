"""Hypothesis strategies and oracles for property-testing BIRD tooling (``pip install birdkit[testing]``).

    from hypothesis import given
    from birdkit.testing import assert_bird_accepts, peermaps

    @given(peermaps(topology="route-reflectors", ipv6=False))
    def test_my_template(peermap):
        assert_bird_accepts(my_template.render(peermap), version="2.0.12")

Every strategy here is deterministic under hypothesis's seed and draws only what BIRD accepts (configs)
or prints (birdc replies, with the models birdkit parses them to). :mod:`birdkit.testing.syntax` has the
grammar-level strategies birdkit's own round-trip tests use; those draw shapes BIRD may refuse.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError("birdkit.testing needs hypothesis: pip install 'birdkit[testing]'") from error

from birdkit.testing.accepted import PROTOCOL_TYPES, configs, expressions, filters
from birdkit.testing.birdc import (
    NET_KINDS,
    ProtocolOutput,
    RouteOutput,
    StatusOutput,
    protocol_outputs,
    render_protocols,
    render_routes,
    render_status,
    route_outputs,
    routes,
    status_outputs,
)
from birdkit.testing.checks import assert_bird_accepts, assert_round_trip, assert_same_routes
from birdkit.testing.peermaps import TOPOLOGIES, peermaps

__all__ = [
    "NET_KINDS",
    "PROTOCOL_TYPES",
    "TOPOLOGIES",
    "ProtocolOutput",
    "RouteOutput",
    "StatusOutput",
    "assert_bird_accepts",
    "assert_round_trip",
    "assert_same_routes",
    "configs",
    "expressions",
    "filters",
    "peermaps",
    "protocol_outputs",
    "render_protocols",
    "render_routes",
    "render_status",
    "route_outputs",
    "routes",
    "status_outputs",
]
