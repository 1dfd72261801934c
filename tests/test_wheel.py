"""The wheel ships the grammars, and an installed wheel finds them."""

from __future__ import annotations

import os
import subprocess
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_grammars_and_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(name.split("birdkit/grammars/", 1)[1]).name for name in names if "birdkit/grammars/" in name}
    expected = {path.name for path in (REPO / "grammars").glob("*.lark")}
    assert expected and expected <= shipped
    templates = {name for name in names if name.startswith("birdkit/gen/templates/")}
    assert {f"birdkit/gen/templates/{p.name}" for p in (REPO / "src/birdkit/gen/templates").glob("*.j2")} <= templates


@pytest.mark.slow
def test_wheel_marks_the_package_typed(wheel: Path) -> None:
    assert "birdkit/py.typed" in zipfile.ZipFile(wheel).namelist()


@pytest.mark.slow
def test_installed_wheel_loads_its_grammars(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies come from the test environment; birdkit itself only from the fresh install.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    probe = (
        "import birdkit\n"
        "from birdkit.resources import grammars_dir\n"
        "print(birdkit.__file__)\n"
        "print(grammars_dir())\n"
        "config = birdkit.parse_config('router id 198.18.0.1;\\nprotocol device { }\\n')\n"
        "print(type(config.statements[0]).__name__)\n"
        "status = birdkit.parse_status('BIRD 2.0.12 ready.\\nBIRD 2.0.12\\nRouter ID is 198.18.0.1\\n"
        "Current server time is 2026-01-01 00:00:00.000\\nLast reboot on 2026-01-01 00:00:00.000\\n"
        "Last reconfiguration on 2026-01-01 00:00:00.000\\nDaemon is up and running\\n')\n"
        "print(status.router_id)\n"
    )
    completed = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    module_file, grammars, first_statement, router_id = completed.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert grammars.startswith(str(target)) and grammars.endswith("birdkit/grammars")
    assert first_statement == "RouterId"
    assert router_id == "198.18.0.1"
