"""examples/property-test, the user project of the README: its tests pass here, and in a fresh venv where
birdkit comes from the wheel with the ``testing`` extra. Without the extra, hypothesis is not installed and
birdkit works all the same."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from birdkit.testing.checks import bird_runtime

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "property-test"


def _run_example(python: Path | str, scratch: Path) -> subprocess.CompletedProcess[str]:
    """pytest in the example folder; hypothesis keeps its examples database in ``scratch``, not in the tree."""
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=EXAMPLE, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(scratch / "hypothesis-db")},
    )


@pytest.fixture(autouse=True)
def native_bird() -> None:
    """The example checks with BIRD 2.0.12 (the host's); without it the example skips, so this test does too."""
    bird_runtime("2.0.12")


def test_the_example_project_passes(tmp_path: Path) -> None:
    completed = _run_example(sys.executable, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout


def _installed_elsewhere(tmp_path: Path) -> tuple[Path, Path]:
    """This environment's packages as two offline sources: everything but birdkit and hypothesis, and
    hypothesis alone (symlinks, so nothing is downloaded or copied)."""
    dependencies, hypothesis = tmp_path / "offline-dependencies", tmp_path / "offline-hypothesis"
    dependencies.mkdir()
    hypothesis.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "birdkit" in entry.name or entry.suffix == ".pth":
            continue
        home = hypothesis if entry.name.lstrip("_").startswith("hypothesis") else dependencies
        (home / entry.name).symlink_to(entry)
    return dependencies, hypothesis


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": ""}
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", *args],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )


@pytest.mark.slow
def test_fresh_venv_without_then_with_the_testing_extra(wheel: Path, tmp_path: Path) -> None:
    dependencies, hypothesis = _installed_elsewhere(tmp_path)
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )
    (site_packages / "offline-dependencies.pth").write_text(f"{dependencies}\n")

    plain = _pip(python, str(wheel))
    assert plain.returncode == 0, plain.stdout + plain.stderr
    probe = subprocess.run(
        [str(python), "-c", "import birdkit, importlib.util; print(birdkit.__file__); "
                            "print(importlib.util.find_spec('hypothesis'))"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    module_file, hypothesis_spec = probe.stdout.splitlines()
    assert module_file.startswith(str(target)) and hypothesis_spec == "None"
    cli = subprocess.run([str(target / "bin" / "birdkit"), "--help"], capture_output=True, text=True, check=False)
    assert cli.returncode == 0 and "commands:" in cli.stdout
    refused = _pip(python, f"birdkit[testing] @ {wheel.as_uri()}")
    assert refused.returncode != 0 and "hypothesis" in refused.stdout + refused.stderr, "the extra must need it"

    (site_packages / "offline-hypothesis.pth").write_text(f"{hypothesis}\n")
    extra = _pip(python, f"birdkit[testing] @ {wheel.as_uri()}")
    assert extra.returncode == 0, extra.stdout + extra.stderr
    assert "Requirement already satisfied: hypothesis" in extra.stdout
    completed = _run_example(python, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout
