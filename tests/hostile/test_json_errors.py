"""Refused input under JSON output: every command asked for --json or --format json/jsonl prints its error as one
JSON object on stdout, with the exit code and the stderr message of the same refusal without JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .probe import Outcome, birdkit

BAD_YAML = b"version: 1\nnodes:\n  - name: vm1\n    address: [198.18.0.1/24\n"
CUT_CONFIG = b"router id 1.2.3.4;\nprotocol bgp peer1 {\n  local as 65000;\n  neighbor 198.18.0.;\n}\n"
ROUTES = (Path(__file__).resolve().parents[1] / "fixtures" / "client" / "receiver-2.17.6.birdc-route-all.txt")

#: case -> (argv with {dir} for the test's folder, the flags that ask for JSON, the exit code, where the error is:
#: (file name in {dir}, line, column; no line for a whole file) or None when no file, and words of its message)
REFUSALS: dict[str, tuple[list[str], list[str], int, tuple[str, int | None, int | None] | None, str]] = {
    "gen bad yaml": (["gen", "{dir}/bad.yaml", "-o", "{dir}/out"], ["--json"], 2, ("bad.yaml", 5, 1), "not valid YAML"),
    "gen without -o": (["gen", "{dir}/bad.yaml"], ["--json"], 2, None, "-o/--output OUTDIR is required"),
    "gen unknown option": (["gen", "{dir}/bad.yaml", "--timeout", "3"], ["--json"], 2, None, "unrecognized"),
    "apply bad yaml": (["apply", "{dir}/bad.yaml", "--dry-run"], ["--json"], 2, ("bad.yaml", 5, 1), "not valid YAML"),
    "apply bad jobs": (["apply", "{dir}/bad.yaml", "--jobs", "0"], ["--json"], 2, None, "a whole number from 1"),
    "verify bad yaml": (["verify", "{dir}/bad.yaml"], ["--json"], 2, ("bad.yaml", 5, 1), "not valid YAML"),
    "verify missing": (["verify", "{dir}/missing.yaml"], ["--json"], 2, ("missing.yaml", None, None), "No such file"),
    "lint cut config": (["lint", "{dir}/cut.conf"], ["--json"], 1, ("cut.conf", 4, 12), "expected"),
    "lint missing": (["lint", "{dir}/missing.conf"], ["--json"], 2, ("missing.conf", None, None), "No such file"),
    "lint no file": (["lint"], ["--json"], 2, None, "give at least one FILE"),
    "lint bad outside": (["lint", "{dir}/cut.conf", "--outside", "x"], ["--json"], 2, None, "takes an IP address"),
    "check bad target": (["check", "{dir}/cut.conf", "--target", "99"], ["--json"], 2, None, "unknown BIRD version"),
    "check bad map": (["check", "{dir}/cut.conf", "--map", "nodir"], ["--json"], 2, None, "--map takes PREFIX=DIR"),
    "parse-routes json": (["parse-routes", "{dir}/cut.conf"], ["--format", "json"], 1, ("cut.conf", 1, 1),
                          "expected a route line"),
    "parse-routes jsonl": (["parse-routes", "{dir}/cut.conf"], ["--format=jsonl"], 1, ("cut.conf", 1, 1),
                           "expected a route line"),
    "parse-routes missing": (["parse-routes", "{dir}/missing"], ["--format", "jsonl"], 2, ("missing", None, None),
                             "No such file"),
    "parse-protocols json": (["parse-protocols", "{dir}/cut.conf"], ["--format", "json"], 1, ("cut.conf", 1, 19),
                             "not `protocols` output"),
    "show no socket json": (["show", "routes", "--socket", "{dir}/bird.ctl"], ["--format", "json"], 3, None,
                            "no BIRD control socket"),
    "show no socket jsonl": (["show", "status", "--socket", "{dir}/bird.ctl"], ["--format", "jsonl"], 3, None,
                             "no BIRD control socket"),
    "show bad timeout": (["show", "status", "--timeout", "nan"], ["--format", "jsonl"], 2, None, "positive number"),
    "lab status no lab": (["lab", "status"], ["--json"], 1, None, "no lab is up"),
    "lab up bad yaml": (["lab", "up", "{dir}/bad.yaml"], ["--json"], 2, ("bad.yaml", 5, 1), "not valid YAML"),
    "matrix check missing": (["matrix", "check", "{dir}/missing.conf"], ["--json"], 2, ("missing.conf", None, None),
                             "No such file"),
    "matrix list with file": (["matrix", "list", "{dir}/cut.conf"], ["--json"], 2, None, "takes no FILE"),
}


def run(argv: list[str], folder: Path) -> Outcome:
    return birdkit([arg.replace("{dir}", str(folder)) for arg in argv], env={"BIRDKIT_STATE": str(folder / "state")})


def error_object(stdout: str, fmt: str) -> dict[str, Any]:
    """The one JSON object of a refusal: the whole of stdout for JSON, its one line for JSONL."""
    if fmt == "jsonl":
        assert stdout.count("\n") == 1, stdout
    parsed = json.loads(stdout)
    assert isinstance(parsed, dict), stdout
    return parsed


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refusal_asked_for_json_prints_it_as_json(case: str, tmp_path: Path) -> None:
    argv, flags, code, where, says = REFUSALS[case]
    (tmp_path / "bad.yaml").write_bytes(BAD_YAML)
    (tmp_path / "cut.conf").write_bytes(CUT_CONFIG)
    human = run(argv, tmp_path).clean(code, says=says)
    asked = run([*argv, *flags], tmp_path).clean(code, says=says)
    assert human.stdout == "" and asked.stderr == human.stderr
    found = error_object(asked.stdout, "jsonl" if "jsonl" in "".join(flags) else "json")
    assert found["ok"] is False and found["exit_code"] == code and says in found["error"]["message"]
    if where is None:
        assert found["error"]["line"] is None
    else:
        name, line, column = where
        assert Path(found["error"]["path"]) == tmp_path / name
        assert (found["error"]["line"], found["error"]["column"]) == (line, column)
    assert not (tmp_path / "out").exists() and not (tmp_path / "state").exists()


def test_the_error_object_names_the_kind_of_error_as_check_json_does(tmp_path: Path) -> None:
    (tmp_path / "cut.conf").write_bytes(CUT_CONFIG)
    verdicts = json.loads(birdkit(["check", "--json", str(tmp_path / "cut.conf")]).clean(1).stdout)
    linted = error_object(birdkit(["lint", "--json", str(tmp_path / "cut.conf")]).clean(1).stdout, "json")
    assert linted["error"] == verdicts[0]["error"] and linted["error"]["error"] == "BirdSyntaxError"


def test_a_jsonl_route_stream_cut_by_an_error_ends_with_the_error_line() -> None:
    broken = ROUTES.read_bytes() + b"this is not a route line\n"
    outcome = birdkit(["parse-routes", "--format", "jsonl", "-"], stdin=broken).clean(1, says="<stdin>:")
    *routes, last = outcome.stdout.splitlines()
    assert routes and all("prefix" in json.loads(route) for route in routes)
    assert json.loads(last)["error"]["line"] == broken.count(b"\n")


def test_a_json_route_array_cut_by_an_error_stays_one_array_of_routes() -> None:
    broken = ROUTES.read_bytes() + b"this is not a route line\n"
    outcome = birdkit(["parse-routes", "--format", "json", "-"], stdin=broken).clean(1, says="<stdin>:")
    routes = json.loads(outcome.stdout)
    assert isinstance(routes, list) and routes and all("prefix" in route for route in routes)


def test_empty_route_output_is_still_an_empty_array() -> None:
    assert json.loads(birdkit(["parse-routes", "--format", "json", "-"], stdin=b"").clean(0).stdout) == []


def test_gen_check_refusing_its_configs_names_each_problem_in_the_json_error(tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "device.j2").write_text("\nprotocol device {\n  no such option;\n}\n")
    walkthrough = Path(__file__).resolve().parents[2] / "examples" / "walkthrough.yaml"
    argv = ["gen", str(walkthrough), "-o", str(tmp_path / "out"), "--check", "--templates", str(templates)]
    human = birdkit(argv).clean(1, says="nothing written")
    found = error_object(birdkit([*argv, "--json"]).clean(1, says="nothing written").stdout, "json")
    assert human.stdout == "" and found["exit_code"] == 1 and found["error"]["error"] == "ConfigError"
    for node in ("vm1", "vm2"):
        assert f"{tmp_path / 'out' / node / 'bird.conf'}:6:" in found["error"]["message"]
    assert not (tmp_path / "out").exists()
