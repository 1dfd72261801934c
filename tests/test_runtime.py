"""The BIRD matrix answers like real BIRD: each version's own verdicts on known configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from birdkit.runtime import TARGET_VERSIONS, VERSIONS, BirdMatrix, BirdRuntime

WALKTHROUGH = Path(__file__).resolve().parents[0] / "fixtures" / "walkthrough" / "vm1.conf"


@pytest.mark.live
def test_matrix_has_every_version(bird_matrix: BirdMatrix) -> None:
    assert bird_matrix.versions == list(VERSIONS)
    assert bird_matrix.get("1").version == "1.6.8"
    assert bird_matrix.get("2.0.7").version == "2.0.7"
    assert "1.6.8" not in bird_matrix.runtimes and "2.0.7" not in bird_matrix.runtimes
    assert bird_matrix.get("3").version == "3.1.8"
    assert bird_matrix.get("2").version == "2.17.6"


@pytest.mark.live
def test_walkthrough_config_is_accepted(bird: BirdRuntime) -> None:
    result = bird.check(WALKTHROUGH.read_text())
    assert result.ok, result.message


@pytest.mark.live
def test_syntax_error_is_located(bird: BirdRuntime) -> None:
    result = bird.check("router id 198.18.0.1;\nprotocol device {\n  bogus option;\n}\n")
    assert not result.ok
    assert (result.line, result.column) == (3, 3)
    assert "syntax error" in result.message


@pytest.mark.live
def test_peer_is_a_keyword_only_on_bird3(bird: BirdRuntime) -> None:
    config = "router id 198.18.0.1;\nprotocol bgp peer { local as 65000; neighbor 198.18.0.2 as 65000; ipv4; }\n"
    result = bird.check(config)
    assert result.ok == (bird.major == 2), result.message


@pytest.mark.live
def test_included_files_sit_beside_the_config(bird: BirdRuntime) -> None:
    result = bird.check('include "part.conf";\n', {"part.conf": "router id 198.18.0.9;\nprotocol device {}\n"})
    assert result.ok, result.message


@pytest.mark.live
def test_matrix_check_runs_every_config_target(
    bird_matrix: BirdMatrix, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`birdkit matrix check` asks 2.0.7 too (not 1.6.8, whose config language is 1.x): `peer` is a keyword on
    2.0.7 and 3.x only."""
    from birdkit.cli.main import main

    config = tmp_path / "bird.conf"
    config.write_text(
        "router id 198.18.0.1;\nprotocol bgp peer { local as 65000; neighbor 198.18.0.2 as 65000; ipv4; }\n"
    )
    assert main(["matrix", "check", str(config), "--json"]) == 1
    verdicts = {result["version"]: result["ok"] for result in json.loads(capsys.readouterr().out)}
    assert list(verdicts) == list(TARGET_VERSIONS)
    assert verdicts == {"2.0.7": False, "2.0.12": True, "2.17.6": True, "3.1.8": False}
