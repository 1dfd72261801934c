"""``pip install birdkit`` without the testing extra: ``import birdkit`` and every CLI command work with
hypothesis unimportable, and none of them imports it; ``birdkit.testing`` then says which extra to install."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from birdkit.cli.main import COMMANDS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

#: commands that do real work on fixtures, with the exit code each must give
RUNS: list[tuple[list[str], int]] = [
    (["--help"], 0),
    (["--version"], 0),
    (["check", str(FIXTURES / "config" / "full.conf")], 0),
    (["fmt", str(FIXTURES / "config" / "filters.conf")], 0),
    (["lint", str(FIXTURES / "gen" / "walkthrough-vm1.conf")], 0),
    (["parse-routes", str(FIXTURES / "show" / "2.0.12" / "rr-route-all.birdc.txt")], 0),
    (["parse-protocols", str(FIXTURES / "show" / "3.1.8" / "rr-protocols-all.birdc.txt")], 0),
    (["gen", str(REPO / "examples" / "walkthrough.yaml"), "-o", "{tmp}/out"], 0),
    (["peermap", "from-kubernetes", str(FIXTURES / "kubernetes" / "nodes-3.json")], 0),
    (["show", "status", "--socket", "{tmp}/no-such.ctl"], 3),
    (["matrix", "list"], 0),
]

_PROBE = """
import importlib.abc, json, sys

class NoHypothesis(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None

sys.meta_path.insert(0, NoHypothesis())
import birdkit
from birdkit.cli.main import main

results = []
for argv in json.loads(sys.argv[1]):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    results.append(code)
for name in birdkit.__all__:
    getattr(birdkit, name)
try:
    import birdkit.testing
    testing_error = None
except ImportError as error:
    testing_error = str(error)
print(json.dumps({"codes": results, "hypothesis": sorted(m for m in sys.modules if m.startswith("hypothesis")),
                  "testing_error": testing_error}))
"""


def test_birdkit_and_every_command_work_without_hypothesis(tmp_path: Path) -> None:
    runs = [[part.replace("{tmp}", str(tmp_path)) for part in argv] for argv, _ in RUNS]
    runs += [[name, "--help"] for name in COMMANDS]
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(runs)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["hypothesis"] == []
    expected = [code for _, code in RUNS] + [0] * len(COMMANDS)
    assert report["codes"] == expected, list(zip(runs, report["codes"], expected, strict=True))
    assert (tmp_path / "out").is_dir() and any((tmp_path / "out").iterdir())
    assert report["testing_error"] == "birdkit.testing needs hypothesis: pip install 'birdkit[testing]'"
