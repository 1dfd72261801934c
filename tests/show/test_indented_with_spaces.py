"""Outputs whose TABs became spaces (copied through an editor or a ticket) parse to the same routes, with
both parsers, whatever the indent width: a line indented deeper than the body lines continues an attribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_routes

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "show").glob("*/rr-route-all*.txt"))


@pytest.mark.parametrize("indent", ["  ", "    ", "        "])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_spaces_for_tabs_parse_to_the_same_routes(fixture: Path, indent: str) -> None:
    text = fixture.read_text()
    assert "\t\t" in text  # the fixtures hold continued attribute lines (long community lists)
    routes = parse_routes(text)
    assert routes
    spaced = text.replace("\t", indent)
    assert parse_routes(spaced) == routes
    assert list(iter_routes(spaced.splitlines())) == routes
