"""Hostile configs through check, fmt and lint: deep nesting, huge lines, control characters, CRLF."""

from __future__ import annotations

from pathlib import Path

import pytest

from .probe import birdkit
from .test_fidelity import BASE, if_blocks, parentheses


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
@pytest.mark.parametrize("config", [parentheses(9992), if_blocks(1997), if_blocks(300)], ids=["parens", "ifs", "300"])
def test_nesting_as_deep_as_bird_allows_works(command: str, config: bytes, tmp_path: Path) -> None:
    path = tmp_path / "deep.conf"
    path.write_bytes(config)
    outcome = birdkit([command, str(path)]).clean(0)
    assert outcome.seconds < 10


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
def test_nesting_deeper_than_bird_allows_is_a_located_error(command: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.conf"
    path.write_bytes(if_blocks(1998))
    # fmt and lint take what some supported BIRD accepts by default (2.0.7's parser nests deeper): pin a target
    birdkit([command, "--target", "2.0.12", str(path)]).clean(1, says="nested too deeply")


def test_fmt_output_of_a_deep_config_checks_again(tmp_path: Path) -> None:
    path = tmp_path / "deep.conf"
    path.write_bytes(if_blocks(1997))
    formatted = birdkit(["fmt", str(path)]).clean(0).stdout
    birdkit(["check", "--target", "2.0.12", "-"], stdin=formatted.encode()).clean(0)


def test_a_huge_line_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "huge.conf"
    path.write_bytes(b"define x = " + b"(" * 1_000_000)
    outcome = birdkit(["check", str(path)], timeout=30).clean(1, says=":1:10006: nested too deeply")
    assert len(outcome.stderr) < 1000


@pytest.mark.parametrize("command", ["check", "lint"])
def test_crlf_is_refused_with_a_hint(command: str, tmp_path: Path) -> None:
    path = tmp_path / "dos.conf"
    path.write_bytes(BASE.replace("\n", "\r\n").encode())
    birdkit([command, str(path)]).clean(1, says="Unix line endings")


def test_terminal_escapes_in_a_config_are_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "evil.conf"
    path.write_bytes(BASE.encode() + b"protocol \x1b]0;pwned\x07 {}\n")
    outcome = birdkit(["check", str(path)]).clean(1)
    assert "\x1b" not in outcome.stderr and "\\x1b" in outcome.stderr


def test_fmt_on_a_file_that_does_not_parse_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.conf"
    path.write_bytes(b"protocol device {\n")
    birdkit(["fmt", "--write", str(path)]).clean(1)
    assert path.read_bytes() == b"protocol device {\n"


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
@pytest.mark.parametrize(
    ("byte", "says"),
    [
        (b"{", ":1:1: unexpected '{'"),
        (b"(", ":1:1: unexpected '('"),
        (b"[", ":1:1: unexpected '['"),
        (b"x", ":1:1: symbol too long"),
        (b"1", ":1:1: unexpected a byte string '1111111111111111111111111111111111111111'..."),
    ],
)
def test_a_dense_five_megabyte_line_fails_at_once_within_the_memory_limit(
    command: str, byte: bytes, says: str, tmp_path: Path
) -> None:
    """BIRD stops at the first token of these; so does birdkit, whose lexer cuts tokens as the parser reaches
    them (cut whole first, 5 MB of '{' took 9 s and 930 MB); neither the line nor the token is echoed whole."""
    path = tmp_path / "dense.conf"
    path.write_bytes(byte * (5 << 20))
    outcome = birdkit([command, str(path)]).clean(1, says=says)
    assert outcome.seconds < 5
    assert len(outcome.stderr) < 1000
