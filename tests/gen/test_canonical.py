"""`gen` writes birdkit's canonical layout: `birdkit fmt --check` passes on everything it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from birdkit.cli.main import main
from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.gen.peermap import peermap_from_data
from birdkit.gen.render import generate
from birdkit.testing import peermaps

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
PASSWORD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "gen" / "password.txt"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_fmt_check_passes_on_what_gen_writes(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BGP_PASSWORD", "not-a-real-secret")
    assert main(["gen", str(example), "-o", str(tmp_path)]) == 0
    written = sorted(str(path) for path in tmp_path.glob("*/bird.conf"))
    assert written
    capsys.readouterr()
    assert main(["fmt", "--check", *written]) == 0, capsys.readouterr().err


@settings(max_examples=40)
@given(data=peermaps(password_file=str(PASSWORD_FILE)))
def test_every_generated_config_is_already_formatted(data: dict[str, Any]) -> None:
    for text in generate(peermap_from_data(data)).values():
        assert format_config(parse_config(text)) == text
