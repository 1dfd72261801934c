"""``birdkit lint``: exit codes, fleet mode, --json, --strict, --list-rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from birdkit.cli.main import main
from birdkit.config.lint import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"
VM1 = FIXTURES / "walkthrough" / "vm1.conf"
VM2 = FIXTURES / "walkthrough" / "vm2.conf"


def test_clean_fleet_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(VM1), str(VM2)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_errors_exit_1_with_located_messages(capsys: pytest.CaptureFixture[str]) -> None:
    bad = FIXTURES / "undefined-filter" / "bad.conf"
    assert main(["lint", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:7:9: error[undefined-filter]" in out
    assert "hint:" in out and "Traceback" not in out


def test_warnings_fail_only_with_strict(capsys: pytest.CaptureFixture[str]) -> None:
    bad = str(FIXTURES / "kernel-no-export" / "bad.conf")
    assert main(["lint", bad]) == 0
    assert "warning[kernel-no-export]" in capsys.readouterr().out
    assert main(["lint", "--strict", bad]) == 1


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    folder = FIXTURES / "fleet-overlapping-blackhole" / "bad"
    files = [str(path) for path in sorted(folder.glob("*.conf"))]
    assert main(["lint", "--json", *files]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == files and data["errors"] == 1 and data["warnings"] == 0
    (finding,) = data["findings"]
    assert finding["rule"] == "fleet-overlapping-blackhole"
    assert finding["path"] == files[1] and finding["related"][0]["path"] == files[0]


def test_target_turns_keyword_names_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    bad = str(FIXTURES / "keyword-protocol-name" / "bad.conf")
    assert main(["lint", bad]) == 0
    assert main(["lint", "--target", "3.1.8", bad]) == 1
    assert main(["lint", "--target", "2.17.6", bad]) == 0
    capsys.readouterr()


def test_list_rules_and_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--list-rules", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [entry["rule"] for entry in listed] == list(RULES)
    assert main(["lint"]) == 2
    assert main(["lint", "/nonexistent/bird.conf"]) == 2
    assert main(["lint", "--help"]) == 0
    assert "examples:" in capsys.readouterr().out


def test_outside_names_a_router_beyond_the_fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vm1 = tmp_path / "vm1.conf"
    vm1.write_text(
        VM1.read_text() + "\nprotocol bgp tor {\n    local as 65000;\n    neighbor 198.18.0.254 as 64999;\n"
        "    ipv4 { import all; export all; };\n}\n"
    )
    assert main(["lint", str(vm1), str(VM2)]) == 1
    assert main(["lint", "--outside", "198.18.0.254", str(vm1), str(VM2)]) == 0
    assert main(["lint", "--outside", "tor1", str(vm1), str(VM2)]) == 2
    assert "--outside takes an IP address" in capsys.readouterr().err



#: each valid for some BIRD only: 2.x (3.x removed settle times from tables), 3.x (a prefilter)
VERSION_SPECIFIC = {
    "3.1.8": ("ipv4 table t { min settle time 1 s; };\nprotocol device {}\n", "'min settle time' needs BIRD 2.x"),
    "2.17.6": ("protocol static s { ipv4 { export in 10.0.0.0/8 all; }; }\n", "'export in PREFIX' needs BIRD 3.0"),
}


@pytest.mark.parametrize("command", ["fmt", "lint"])
@pytest.mark.parametrize("refusing", sorted(VERSION_SPECIFIC))
def test_fmt_and_lint_take_what_some_bird_accepts_unless_a_target_narrows(
    command: str, refusing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, refused = VERSION_SPECIFIC[refusing]
    config = tmp_path / "bird.conf"
    config.write_text(text)
    assert main([command, str(config)]) == 0
    if command == "fmt":
        kept = "min settle time 1 s;" if refusing.startswith("3") else "export in 10.0.0.0/8 all;"
        assert kept in capsys.readouterr().out
    assert main([command, "--target", refusing, str(config)]) != 0
    assert refused in capsys.readouterr().err
    # no supported BIRD accepts both together
    config.write_text("".join(text for text, _ in VERSION_SPECIFIC.values()))
    assert main([command, str(config)]) != 0
