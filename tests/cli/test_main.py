"""The ``birdkit`` entry point: help that teaches, exit codes that mean something."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from birdkit.cli import main as cli


def test_top_level_help_lists_available_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: birdkit COMMAND" in out
    assert "matrix" in out and "exit codes" in out


def test_matrix_help_names_every_version_of_the_runtime(capsys: pytest.CaptureFixture[str]) -> None:
    from birdkit.runtime import ALL_VERSIONS

    assert cli.main(["--help"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("matrix")]
    assert line.endswith(f"({', '.join(ALL_VERSIONS)})") and "1.6.8" in line and "2.0.7" in line
    assert cli.main(["matrix", "--help"]) == 0
    out = capsys.readouterr().out
    assert f"versions ({', '.join(ALL_VERSIONS)})" in out
    assert "2.0.7   Debian bullseye bird2, chrooted; config target" in out
    assert "1.6.8   Debian bullseye bird, chrooted; birdc outputs only" in out


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "commands:" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_every_listed_command_module_has_the_command_contract() -> None:
    import importlib

    for name, (module_name, _summary) in cli.COMMANDS.items():
        module = importlib.import_module(module_name)
        assert callable(module.configure) and callable(module.run), name


def test_console_script_runs() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "birdkit.cli.main", "--version"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("birdkit ")


#: the commands that print JSON (--json or --format json/jsonl)
JSON_COMMANDS = ["check", "lint", "parse-routes", "parse-protocols", "show", "gen", "apply", "verify", "lab", "matrix"]


def test_every_json_command_documents_its_errors_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from birdkit.cli.output import JSON_ERRORS

    for name in JSON_COMMANDS:
        assert cli.main([name, "--help"]) == 0
        assert JSON_ERRORS in capsys.readouterr().out, name


def test_a_json_error_in_process_leaves_standard_output_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    before = sys.stdout
    assert cli.main(["lint", "--json", f"{tmp_path}/missing.conf"]) == 2
    assert sys.stdout is before
    printed = capsys.readouterr()
    assert json.loads(printed.out)["error"]["path"] == f"{tmp_path}/missing.conf"
    assert "No such file" in printed.err and "{" not in printed.err
