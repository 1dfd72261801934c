"""The streaming parser equals the Lark reference parser: on every fixture, in every input form
(socket lines, plain text, ReplyLine objects, a file read in arbitrary pieces), and on generated listings.
Its memory stays flat on long tables.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.show.framing import deframe
from birdkit.show.models import Route
from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_route_json, iter_routes
from birdkit.testing import render_routes, routes

from .transcripts import ROUTES, check_route_json, check_routes_account_for_every_line, kind_of, split_commands

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "show"


def _route_replies() -> list[tuple[str, str]]:
    replies = []
    for path in sorted(FIXTURES.glob("*/*.txt")):
        if path.name.endswith(".birdc.txt"):
            if "route-all" in path.name:
                replies.append((f"{path.parent.name}/{path.name}", path.read_text()))
            continue
        for command, text in split_commands(path.read_text()):
            if kind_of(command) == ROUTES and "192.0.2.0" not in command:
                replies.append((f"{path.parent.name}/{path.name}:{command}", text))
    return replies


REPLIES = _route_replies()


class PieceReader(io.TextIOBase):
    """A text file whose ``read`` returns the text in pieces of the given sizes (then the rest)."""

    def __init__(self, text: str, sizes: list[int]) -> None:
        self.text = text
        self.sizes = iter(sizes)
        self.position = 0

    def read(self, size: int | None = -1) -> str:
        step = next(self.sizes, len(self.text))
        piece = self.text[self.position : self.position + step]
        self.position += len(piece)
        return piece


def test_fixtures_are_there() -> None:
    assert len(REPLIES) >= 15


@pytest.mark.parametrize("text", [text for _, text in REPLIES], ids=[name for name, _ in REPLIES])
def test_stream_equals_reference_in_every_input_form(text: str) -> None:
    expected = parse_routes(text)
    assert expected
    check_routes_account_for_every_line(expected, text)
    assert list(iter_routes(text.splitlines())) == expected
    assert list(iter_routes(text.splitlines(keepends=True))) == expected
    assert list(iter_routes(deframe(text.splitlines()))) == expected
    assert list(iter_routes(io.StringIO(text))) == expected
    assert list(iter_routes(PieceReader(text, [1, 7, 30, 2, 100] * 50))) == expected
    check_route_json(iter_route_json(text.splitlines()), expected)
    check_route_json(iter_route_json(PieceReader(text, [1, 7, 30, 2, 100] * 50)), expected)


@settings(max_examples=150, deadline=None)
@given(
    version=st.sampled_from(["2", "3"]),
    data=st.data(),
    framed=st.booleans(),
    sizes=st.lists(st.integers(1, 300), max_size=40),
)
def test_stream_equals_reference_on_generated_listings_in_any_pieces(
    version: Literal["2", "3"], data: st.DataObject, framed: bool, sizes: list[int]
) -> None:
    listing: list[Route] = data.draw(routes(version))
    text = render_routes(listing, version, framed)
    assert list(iter_routes(PieceReader(text, sizes))) == parse_routes(text) == listing
    check_route_json(iter_route_json(PieceReader(text, sizes)), listing)


_PEAK_RSS_SCRIPT = """
import sys
from birdkit.show.stream import iter_routes

def table(count):
    yield "1007-Table master4:"
    for index in range(count):
        net = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}/32"
        yield f"{'1007-' if index else ' '}{net:<20} unicast [peer{index % 7} 11:17:53.186] * (100) [AS{index}i]"
        yield " \\tvia 198.18.0.9 on eth0"
        yield "1008-\\tType: BGP univ"
        yield "1012-\\tBGP.origin: IGP"
        yield f" \\tBGP.as_path: 65002 {index} {index * 7 % 100000}"
        yield f" \\tBGP.community: (65002,{index % 65536}) (65003,{index // 65536})"
        yield f" \\tBGP.large_community: (65002, {index}, 1)"
    yield "0000 "

count = int(sys.argv[1])
assert sum(1 for _ in iter_routes(table(count))) == count
# VmHWM: this process's own peak (ru_maxrss would include the parent's peak from before exec)
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")))
"""


def _peak_rss(count: int) -> int:
    """Peak RSS in bytes of a fresh interpreter that stream-parses ``count`` routes with unique attributes."""
    completed = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_SCRIPT, str(count)], capture_output=True, text=True, check=True, timeout=300
    )
    return int(completed.stdout)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the peak RSS from /proc (Linux)")
def test_memory_stays_flat_on_long_tables() -> None:
    small, large = _peak_rss(20_000), _peak_rss(100_000)
    assert large < 64 * 2**20
    assert large < small * 1.25, (small, large)
