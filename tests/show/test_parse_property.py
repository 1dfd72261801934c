"""Property: every drawn ``show route [all]`` reply parses, with both parsers, to the routes it was drawn from."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_routes
from birdkit.testing import RouteOutput, route_outputs


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route_outputs())
def test_rendered_routes_parse_back_equal(output: RouteOutput) -> None:
    assert parse_routes(output.text) == list(output.routes)
    assert list(iter_routes(output.text.splitlines())) == list(output.routes)
