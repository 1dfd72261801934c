"""Shared fixtures: the real BIRD matrix, network-namespace fabrics, the shared corpus."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from birdkit.runtime import VERSIONS, BirdMatrix, BirdRuntime

REPO = Path(__file__).resolve().parents[1]
TEST_NETNS_PREFIX = "bkt"
#: this pytest session's namespaces; the separator keeps pid 12 from matching pid 123
SESSION_NETNS_PREFIX = f"{TEST_NETNS_PREFIX}{os.getpid() % 100000}x"

# CI machines are slow and shared: judge examples by their results, not their speed.
settings.register_profile("birdkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("birdkit")


def _skip_reason_not_root() -> str | None:
    return None if os.geteuid() == 0 else "needs root (network namespaces, chroot)"


@pytest.fixture(scope="session")
def bird_matrix() -> BirdMatrix:
    """Every real BIRD version on this machine; skips unless all of 2.0.12, 2.17.6 and 3.1.8 are there."""
    reason = _skip_reason_not_root()
    if reason:
        pytest.skip(reason)
    matrix = BirdMatrix.discover()
    missing = [version for version in VERSIONS if version not in matrix.runtimes]
    if missing:
        pytest.skip(f"BIRD versions missing: {', '.join(missing)} (run `make matrix` as root)")
    return matrix


@pytest.fixture(params=VERSIONS)
def bird(request: pytest.FixtureRequest, bird_matrix: BirdMatrix) -> BirdRuntime:
    """One BIRD version; a test using it runs once per version."""
    return bird_matrix.get(request.param)


@pytest.fixture
def fabric() -> Iterator[object]:
    """A :class:`birdkit.lab.netns.Fabric` whose namespaces and daemons are removed after the test."""
    reason = _skip_reason_not_root()
    if reason:
        pytest.skip(reason)
    from birdkit.lab.netns import Fabric

    with Fabric.create(f"{SESSION_NETNS_PREFIX}{os.urandom(2).hex()}") as created:
        yield created


@pytest.fixture(scope="session")
def netns_prefix() -> str:
    """The name prefix of this session's test namespaces (for tests that build a Fabric by hand)."""
    return SESSION_NETNS_PREFIX


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/corpus`` beside the checkout; skips when the clone has none."""
    for candidate in (REPO.parent / "shared" / "corpus", REPO.parent.parent / "shared" / "corpus"):
        if (candidate / "MANIFEST.tsv").is_file():
            return candidate
    pytest.skip("../shared/corpus is not present (conformance tests need it)")


def _session_processes() -> list[int]:
    """Processes whose command line names one of this session's namespaces (e.g. a node's BIRD)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if SESSION_NETNS_PREFIX.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Sweep: after the run, none of this session's namespaces or processes may be left.

    Fabric teardown should already have removed them; anything found here is removed and reported, and
    fails the run, because it means a teardown was incomplete.
    """
    if os.geteuid() != 0:
        return
    import signal
    import subprocess

    from birdkit.lab.netns import leftovers

    left = leftovers(SESSION_NETNS_PREFIX)
    processes = _session_processes()
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for name in left:
        subprocess.run(["ip", "netns", "delete", name], check=False)
    if left or processes:
        print(f"\nERROR: tests left namespaces {left} and processes {processes} behind (now removed)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """birdkit's wheel, built once per session from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True, capture_output=True, text=True,
    )
    (built,) = out.glob("birdkit-*.whl")
    return built
