"""Run one birdkit command the way a user would, under a time limit and an address-space limit, and judge it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

#: the address space a probe may use: a bounded program stays far below it, a runaway one is stopped by it
MEMORY_LIMIT = 1 << 30
#: seconds a probe may run (a start of Python with birdkit's imports takes well under one)
TIME_LIMIT = 15.0

_BIRDKIT = [sys.executable, "-m", "birdkit.cli.main"]


@attrs.frozen
class Outcome:
    """What a probe did: its exit code, its output and how long it ran."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    def clean(self, code: int, *, says: str | None = None) -> Outcome:
        """Assert exit ``code``, no traceback, and (when given) that ``says`` is in the message."""
        shown = f"stdout: {self.stdout[:2000]}\nstderr: {self.stderr[:2000]}"
        assert self.code == code, f"exit {self.code}, expected {code}\n{shown}"
        assert "Traceback" not in self.stderr and "Traceback" not in self.stdout, self.stderr[-3000:]
        if says is not None:
            assert says in self.stderr + self.stdout, f"{says!r} not in\n{self.stderr[:2000]}"
        return self

    def shows_none_of(self, *secrets: str) -> Outcome:
        """Assert no secret and no foreign content reached the output."""
        for secret in secrets:
            assert secret not in self.stdout and secret not in self.stderr, f"{secret!r} was printed"
        return self


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))




def birdkit(
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = TIME_LIMIT,
    closed: tuple[int, ...] = (),
    stdout: str | None = None,
) -> Outcome:
    """Run ``birdkit ARGS`` in a child process limited to :data:`MEMORY_LIMIT` bytes and ``timeout`` seconds.

    ``closed`` descriptors (0 for ``<&-``, 1 for ``>&-``) are closed in the child; ``stdout`` names a file
    (``/dev/full``) that receives its standard output instead of the probe.
    """

    def prepare_child() -> None:
        _limit_memory()
        for descriptor in closed:
            os.close(descriptor)

    started = time.monotonic()
    with open(stdout or os.devnull, "wb") as sink:
        completed = subprocess.run(
            [*_BIRDKIT, *args],
            input=None if 0 in closed else stdin if stdin is not None else b"",
            stdin=subprocess.DEVNULL if 0 in closed else None,
            stdout=sink if stdout or 1 in closed else subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            timeout=timeout,
            preexec_fn=prepare_child,
            check=False,
        )
    return Outcome(
        completed.returncode,
        (completed.stdout or b"").decode("utf-8", "backslashreplace"),
        completed.stderr.decode("utf-8", "backslashreplace"),
        time.monotonic() - started,
    )
