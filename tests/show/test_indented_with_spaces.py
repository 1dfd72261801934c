"""Outputs whose TABs became spaces (copied through an editor, a terminal or a ticket, like pybird's transcripts)
parse to the same routes and JSON as the output BIRD printed, on every path: the reference parser, the stream
(file, lines) and the socket client. BIRD itself always indents body lines with TABs (``1008-\\tType: BGP univ``);
an indent deeper than the shallowest body line of the same framing continues an attribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit import Bird
from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_route_json, iter_routes

from .fake_bird import FIXTURES as CLIENT_FIXTURES
from .fake_bird import FakeBird, transcript
from .transcripts import check_route_json

SHOW_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "show"
PLAIN_FIXTURES = sorted(SHOW_FIXTURES.glob("*/rr-route-all*.txt"))
#: a socket reply written for these tests, and the same with its TABs expanded (TAB stops every 8 columns) and
#: trailing blanks stripped, as an editor saves it: ``1008-   Type: BGP univ``, ``0000``
SOCKET_TABS = SHOW_FIXTURES / "spaces-for-tabs" / "route-all.socket.txt"
SOCKET_SPACES = SHOW_FIXTURES / "spaces-for-tabs" / "route-all.socket.spaces.txt"
#: captured socket transcripts of BIRD 2.0.12, 2.17.6 and 3.1.8 (route replies with next hops and BGP attributes)
CAPTURED = sorted(path.name for path in CLIENT_FIXTURES.glob("*er-*.txt") if ".birdc-" not in path.name)


def expanded(text: str, tab_size: int) -> str:
    """``text`` with its TABs expanded and trailing blanks stripped, line by line, as an editor does."""
    return "".join(line.expandtabs(tab_size).rstrip() + "\n" for line in text.splitlines())


def check_every_offline_path(text: str, routes: list[object]) -> None:
    """The reference parser and the stream (file-like, lines) read ``text`` as ``routes``, JSON included."""
    assert parse_routes(text) == routes
    assert list(iter_routes(text.splitlines())) == routes
    assert list(iter_routes(text.splitlines(keepends=True))) == routes
    check_route_json(iter_route_json(text.splitlines()), routes)  # type: ignore[arg-type]


@pytest.mark.parametrize("indent", ["  ", "    ", "        "])
@pytest.mark.parametrize("fixture", PLAIN_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_spaces_for_tabs_parse_to_the_same_routes(fixture: Path, indent: str) -> None:
    text = fixture.read_text()
    assert "\t\t" in text  # the fixtures hold continued attribute lines (long community lists)
    routes = parse_routes(text)
    assert routes
    spaced = text.replace("\t", indent)
    assert parse_routes(spaced) == routes
    assert list(iter_routes(spaced.splitlines())) == routes


def test_pybird_style_socket_transcript_reads_as_bird_printed_it() -> None:
    printed, spaced = SOCKET_TABS.read_text(), SOCKET_SPACES.read_text()
    assert spaced == expanded(printed, 8)
    assert "1008-   Type: BGP univ\n" in spaced and "\t" not in spaced
    routes = parse_routes(printed)
    assert [route.prefix for route in routes] == [
        "198.51.100.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/30", "2001:db8:100::/48",
    ]  # fmt: skip
    assert [route.table for route in routes] == ["master4"] * 4 + ["master6"]
    first = routes[0]
    assert first.source == "BGP" and first.scope == "univ" and first.bgp is not None
    assert first.bgp.communities is not None and len(first.bgp.communities) == 60  # wrapped on three lines
    assert first.bgp.large_communities is not None and not first.other_attributes
    check_every_offline_path(printed, routes)  # type: ignore[arg-type]
    check_every_offline_path(spaced, routes)  # type: ignore[arg-type]
    with SOCKET_SPACES.open() as file:
        assert list(iter_routes(file)) == routes
    with SOCKET_SPACES.open() as file:
        check_route_json(iter_route_json(file), routes)  # type: ignore[arg-type]


@pytest.mark.parametrize("tab_size", [8, 4, 2])
@pytest.mark.parametrize("name", CAPTURED)
def test_captured_socket_replies_with_tabs_expanded(name: str, tab_size: int) -> None:
    _, replies = transcript(name)
    route_replies = [reply for command, reply in replies.items() if command.startswith("show route all")]
    assert route_replies
    for reply in route_replies:
        printed = "\n".join(reply) + "\n"
        routes = parse_routes(printed)
        assert routes
        check_every_offline_path(expanded(printed, tab_size), routes)  # type: ignore[arg-type]


def test_socket_client_reads_a_reply_with_tabs_expanded(tmp_path: Path) -> None:
    greeting, _ = transcript("receiver-2.0.12.txt")
    lines = SOCKET_SPACES.read_text().splitlines()
    # the client waits for a final line as BIRD sends it: a code and a space
    reply = [*lines[1:-1], "0000 "]
    routes = parse_routes(SOCKET_TABS.read_text())
    socket_path = tmp_path / "bird.ctl"
    with FakeBird(socket_path, greeting, {"show route all": reply}), Bird(socket_path, timeout=5) as bird:
        assert list(bird.routes()) == routes
        check_route_json(bird.route_json(), routes)


class _Pieces:
    """A text file that reads ``size`` characters at a time, whatever is asked (a socket's partial reads)."""

    def __init__(self, text: str, size: int) -> None:
        self.text, self.size, self.at = text, size, 0

    def read(self, _: int = -1) -> str:
        piece = self.text[self.at : self.at + self.size]
        self.at += len(piece)
        return piece


def test_stream_reads_expanded_tabs_cut_anywhere() -> None:
    """A piece may start inside a record, even with a wrapped attribute's further lines only: the shallowest
    indents of the pieces before still tell them apart."""
    spaced = SOCKET_SPACES.read_text()
    routes = parse_routes(SOCKET_TABS.read_text())
    for size in range(1, len(spaced) // 4):
        assert list(iter_routes(_Pieces(spaced, size))) == routes, size  # type: ignore[arg-type]
