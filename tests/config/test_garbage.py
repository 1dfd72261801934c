"""Acceptance 5: random garbage and truncated configs raise BirdSyntaxError (never anything else), fast."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdkit import parse_config
from birdkit.errors import BirdSyntaxError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID_TEXTS = [
    (FIXTURES / "config" / "full.conf").read_text(),
    (FIXTURES / "walkthrough" / "vm1.conf").read_text(),
]
FRAGMENTS = [
    "protocol",
    "bgp",
    "filter",
    "function",
    "{",
    "}",
    ";",
    "(",
    ")",
    "[",
    "]",
    "[=",
    "=]",
    "if",
    "then",
    "else",
    "else:",
    "case",
    "for",
    "in",
    "do",
    "accept",
    "reject",
    "return",
    "define",
    "include",
    '"x"',
    "'q'",
    "10.0.0.0",
    "/",
    "8",
    "+",
    "-",
    "*",
    "..",
    ",",
    ":",
    "=",
    "~",
    "!",
    "&&",
    "||",
    "->",
    "fe80::1",
    "%",
    "65000:1",
    "hex:01",
    "ipv4",
    "import",
    "export",
    "all",
    "none",
    "where",
    "route",
    "via",
    "local",
    "neighbor",
    "as",
    "#c\n",
    "/* c */",
    "\n",
    " ",
    "router",
    "id",
    "int",
    "set",
    "+empty+",
    "x",
    "table",
    " \t" * 24,  # a long run of blanks (a regex must not try every way to split it)
    "@",
    "$",
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_quickly(text: str) -> None:
    start = time.perf_counter()
    try:
        parse_config(text, "garbage.conf")
    except BirdSyntaxError as error:
        assert error.line is not None and error.column is not None
        assert "__ANON" not in str(error)
    assert time.perf_counter() - start < 1.0


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    parse_quickly(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map(" ".join))
def test_random_token_soup(text: str) -> None:
    parse_quickly(text)


@SETTINGS
@given(st.sampled_from(VALID_TEXTS), st.data())
def test_truncated_configs(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    parse_quickly(text[:cut])
