"""Bad input: compiler-style errors with a line number, the source line and a hint; BIRD's own errors typed."""

from __future__ import annotations

import pytest

from birdkit.errors import BirdError, OutputParseError
from birdkit.show.parse import parse_protocols, parse_routes, parse_status
from birdkit.show.stream import iter_routes

ROUTES = "Table master4:\n10.0.0.0/8           unicast [s 11:00:00.000] * (200)\n\tvia 192.0.2.1 on eth0\n"


def test_reference_parser_points_at_the_bad_line() -> None:
    text = ROUTES + "this is not a route\n"
    with pytest.raises(OutputParseError) as raised:
        parse_routes(text, path="dump.txt")
    error = raised.value
    assert (error.path, error.line) == ("dump.txt", 4)
    assert str(error).startswith("dump.txt:4:")
    assert "this is not a route" in str(error)
    assert error.hint


def test_stream_parser_points_at_the_bad_line() -> None:
    lines = [*ROUTES.splitlines(), "\tType: BGP univ", "garbage without brackets"]
    with pytest.raises(OutputParseError) as raised:
        list(iter_routes(lines, path="dump.txt"))
    assert raised.value.line == 5
    assert "garbage" in str(raised.value)


@pytest.mark.parametrize("parse", [parse_routes, lambda text: list(iter_routes(text.splitlines()))])
def test_body_line_before_any_route_is_an_error(parse: object) -> None:
    with pytest.raises(OutputParseError):
        parse("Table master4:\n\tvia 192.0.2.1 on eth0\n")  # type: ignore[operator]


@pytest.mark.parametrize("parse", [parse_routes, lambda text: list(iter_routes(text.splitlines()))])
def test_error_replies_raise_bird_error(parse: object) -> None:
    with pytest.raises(BirdError) as raised:
        parse("9001 syntax error, unexpected CF_SYM_UNDEFINED\n")  # type: ignore[operator]
    assert raised.value.code == 9001
    assert "unexpected" in raised.value.text


def test_protocols_and_status_errors() -> None:
    with pytest.raises(OutputParseError) as raised:
        parse_protocols("Name       Proto      Table      State  Since         Info\nb BGP --- sideways 11:00:00.000\n")
    assert raised.value.line == 2
    with pytest.raises(OutputParseError):
        parse_status("BIRD 2.0.12\nRouter ID is 10.0.0.1\n")


def test_untypable_bgp_value_is_kept_raw_by_both_parsers() -> None:
    text = ROUTES + "\tBGP.as_path: 65001 ...\n\tBGP.community: (65001,1) (broken\n"
    routes = parse_routes(text)
    assert routes == list(iter_routes(text.splitlines()))
    assert routes[0].bgp is None
    assert routes[0].other_attributes == (("BGP.as_path", "65001 ..."), ("BGP.community", "(65001,1) (broken"))
