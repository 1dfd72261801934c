"""BIRD 1.x outputs from the corpus (next hop on the route line, a blank network column for a further route,
1007-/1008-/1012- reply codes, HH:MM times): both parsers read the same routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_routes

pytestmark = pytest.mark.corpus

BIRD1_OUTPUTS = ["birdwatcher__routes_bird1_ipv4.txt"]
#: pybird's transcripts indent after a reply code with spaces ("1008-   Type: ..."): the reference parser
#: reads them, the stream parser does not yet
REFERENCE_ONLY = ["pybird__commands-show_route_all.txt", "pybird__commands-show_route_table_T_PS1_all_protocol_PS1.txt"]


@pytest.mark.parametrize("name", BIRD1_OUTPUTS)
def test_bird1_route_outputs(corpus_dir: Path, name: str) -> None:
    text = (corpus_dir / "outputs" / name).read_text()
    routes = parse_routes(text)
    assert routes
    assert list(iter_routes(text.splitlines())) == routes
    assert all(route.next_hops for route in routes if route.dest == "unicast")
    assert not any(" via " in route.prefix for route in routes)


@pytest.mark.parametrize("name", REFERENCE_ONLY)
def test_bird1_transcripts_indented_with_spaces(corpus_dir: Path, name: str) -> None:
    routes = parse_routes((corpus_dir / "outputs" / name).read_text())
    assert routes and all(route.source for route in routes)
    assert all(route.next_hops for route in routes if route.dest == "unicast")
