"""`birdkit check`: exit codes, compiler-format errors, --json, --target, stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from birdkit.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID = FIXTURES / "walkthrough" / "vm1.conf"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(VALID)]) == 0
    assert "ok" in capsys.readouterr().out


def test_invalid_file_exits_1_with_compiler_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "bad.conf", "protocol device {}\nprotocol bgp p { ipv4 { import all; } }\n")
    assert main(["check", str(VALID), str(bad)]) == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith(f"{bad}:2:")
    assert "expected" in first
    assert "hint:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["check"], ["check", "--target", "1.6", str(VALID)], ["check", "/nonexistent.conf"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_json_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "bad.conf", "Router id 1.2.3.4;\n")
    assert main(["check", "--json", str(VALID), str(bad)]) == 1
    verdicts = json.loads(capsys.readouterr().out)
    assert [v["ok"] for v in verdicts] == [True, False]
    error = verdicts[1]["error"]
    assert (error["error"], error["line"], error["column"]) == ("BirdSyntaxError", 1, 1)
    assert "router id" in error["hint"]


def test_target_controls_version_specific_syntax(tmp_path: Path) -> None:
    arrow = write(tmp_path, "arrow.conf", "function f(int a) -> int { return a; }\nprotocol device {}\n")
    assert main(["check", "--target", "2.0.12", str(arrow)]) == 1
    assert main(["check", "--target", "2.14", str(arrow)]) == 0
    peer = write(tmp_path, "peer.conf", "protocol static peer { ipv4; }\n")
    assert main(["check", "--target", "3.1.8", str(peer)]) == 1
    assert main(["check", "--target", "3", str(peer)]) == 1
    assert main(["check", "--target", "2.17.6", str(peer)]) == 0


def test_stdin_and_include_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(VALID.read_text()))
    assert main(["check", "-"]) == 0
    (tmp_path / "etc").mkdir()
    write(tmp_path / "etc", "peers.conf", "protocol device {}\n")
    main_conf = write(tmp_path, "main.conf", 'include "/etc/bird/peers.conf";\n')
    assert main(["check", str(main_conf)]) == 1
    assert main(["check", "--map", f"/etc/bird/={tmp_path / 'etc'}/", str(main_conf)]) == 0
    assert main(["check", "--map", "nonsense", str(main_conf)]) == 2


def test_help_teaches_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--target 2.0.12" in out
