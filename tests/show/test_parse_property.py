"""Property: a Route rendered in BIRD's 2.x or 3.x line format parses back to an equal Route (both parsers)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdkit.show.models import Route
from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_routes

from .strategies import render_listing, route_listing

VERSIONS = st.sampled_from([2, 3])


@st.composite
def rendered(draw: st.DrawFn) -> tuple[list[Route], str]:
    version = draw(VERSIONS)
    routes = draw(route_listing(version, all_attributes=draw(st.booleans())))
    return routes, render_listing(routes, version, framed=draw(st.booleans()))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rendered())
def test_rendered_routes_parse_back_equal(case: tuple[list[Route], str]) -> None:
    routes, text = case
    assert parse_routes(text) == routes
    assert list(iter_routes(text.splitlines())) == routes
