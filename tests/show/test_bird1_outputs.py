"""BIRD 1.x outputs from the corpus (next hop on the route line, a blank network column for a further route,
1007-/1008-/1012- reply codes, HH:MM and Jun13 times): both parsers read the same routes, and the protocol
tables parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.show.parse import parse_protocols, parse_routes
from birdkit.show.stream import iter_route_json, iter_routes

from .transcripts import check_route_json

pytestmark = pytest.mark.corpus

BIRD1_OUTPUTS = ["birdwatcher__routes_bird1_ipv4.txt"]
#: pybird's transcripts of BIRD 1.3-1.4 sockets, saved with TABs expanded ("1008-   Type: ...", "        BGP.as_path")
#: and trailing blanks stripped (a bare "0000" final line)
PYBIRD_TRANSCRIPTS = [
    "pybird__commands-show_route_all.txt",
    "pybird__commands-show_route_all_protocol_PS1.txt",
    "pybird__commands-show_route_table_T_PS1_all_protocol_PS1.txt",
    "pybird__parse-route-data-all000.txt",
    "pybird__parse-route-data-example.txt",
]


@pytest.mark.parametrize("name", BIRD1_OUTPUTS)
def test_bird1_route_outputs(corpus_dir: Path, name: str) -> None:
    text = (corpus_dir / "outputs" / name).read_text()
    routes = parse_routes(text)
    assert routes
    assert list(iter_routes(text.splitlines())) == routes
    assert all(route.next_hops for route in routes if route.dest == "unicast")
    assert not any(" via " in route.prefix for route in routes)


@pytest.mark.parametrize("name", PYBIRD_TRANSCRIPTS)
def test_bird1_transcripts_indented_with_spaces(corpus_dir: Path, name: str) -> None:
    text = (corpus_dir / "outputs" / name).read_text()
    routes = parse_routes(text)
    assert routes and all(route.source for route in routes)
    assert all(route.next_hops for route in routes if route.dest == "unicast")
    assert all(route.bgp and route.bgp.as_path for route in routes if route.source == "BGP unicast")
    assert not any(route.other_attributes for route in routes)
    assert list(iter_routes(text.splitlines())) == routes
    check_route_json(iter_route_json(text.splitlines()), routes)


#: BIRD 1.3-1.6 protocol tables, some with `old short` times of protocols up for more than 20 hours (``Jun13``)
BIRD1_PROTOCOLS = {
    "pybird__commands-show_protocols.txt": ["14:07", "14:07", "14:20", "Jun13", "Jun13"],
    "pybird__commands-show_protocols_all_PS1.txt": ["2010-06-29"],
    "birdwatcher__protocols_short.txt": None,
    "birdseye__v4-show-protocols-all.txt": None,
    "birdwatcher-doc__show-protocols-all-bgp.txt": None,
}


@pytest.mark.parametrize("name", BIRD1_PROTOCOLS)
def test_bird1_protocol_tables(corpus_dir: Path, name: str) -> None:
    text = (corpus_dir / "outputs" / name).read_text()
    protocols = parse_protocols(text)
    states = {"up", "down", "start", "stop", "flush"}
    assert protocols and all(protocol.name and protocol.state in states for protocol in protocols)
    expected = BIRD1_PROTOCOLS[name]
    if expected is not None:
        assert [protocol.since for protocol in protocols] == expected
