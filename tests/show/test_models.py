"""Models: frozen, JSON through cattrs round-trips, and every JSON field name is documented in the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.show import models
from birdkit.show.models import ChannelStats, Protocol, Route, StatsRow, from_json, to_json
from birdkit.show.parse import parse_protocols
from birdkit.testing import routes

README = Path(__file__).resolve().parents[2] / "README.md"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "show"
MODEL_CLASSES = [value for value in vars(models).values() if isinstance(value, type) and attrs.has(value)]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["2", "3"]).flatmap(routes))
def test_routes_round_trip_through_json_text(routes: list[Route]) -> None:
    text = json.dumps(to_json(routes))
    assert [from_json(Route, item) for item in json.loads(text)] == routes


@pytest.mark.parametrize("version", ["2.0.12", "3.1.8"])
def test_protocols_round_trip_through_json_text(version: str) -> None:
    protocols = parse_protocols((FIXTURES / version / "rr-protocols-all.birdc.txt").read_text())
    data = json.loads(json.dumps(to_json(protocols)))
    assert [from_json(Protocol, item) for item in data] == protocols
    assert data[1]["bgp"]["neighbor_as"] == 65001
    assert data[1]["channels"][0]["stats"]["rows"][0]["name"] == "Import updates"


def test_models_are_frozen() -> None:
    stats = ChannelStats(("received",), (StatsRow("Import updates", (1,)),))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stats.columns = ()  # type: ignore[misc]


def test_unknown_json_keys_are_rejected() -> None:
    data = to_json(StatsRow("Import updates", (1, None)))
    assert data == {"name": "Import updates", "values": [1, None]}
    with pytest.raises(cattrs.errors.ClassValidationError):
        from_json(StatsRow, {**data, "surprise": 1})


def test_every_json_field_name_is_documented_in_the_readme() -> None:
    text = README.read_text()
    match = re.search(r"^## birdc output\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, "README.md needs its `## birdc output` section"
    section = match.group(1)
    fields = [(cls, field.name) for cls in MODEL_CLASSES for field in attrs.fields(cls)]
    fields += [(cls, name) for cls in models.VALUE_TUPLES for name in cls._fields]  # type: ignore[attr-defined]
    missing = [
        f"{cls.__name__}.{name}"
        for cls, name in fields
        if f"`{name}`" not in section or f"`{cls.__name__}`" not in section
    ]
    assert not missing
