"""Real BIRD daemons: Debian 12's bird2 natively plus bullseye's bird/bird2 and trixie's bird2/bird3 in cached
debootstrap trees.

    matrix = BirdMatrix.discover()
    bird = matrix.get("3.1.8")
    result = bird.check(config_text)          # bird -p -c, under that version
    daemon = bird.start("ns-vm1", config_text) # a daemon in a network namespace
    print(daemon.birdc("show protocols"))
    daemon.stop()
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import attrs

from birdkit.errors import RuntimeMissingError

#: the core of the matrix: every live test runs on these, oldest first
VERSIONS = ("2.0.12", "2.17.6", "3.1.8")
#: config targets the matrix runs: the core plus 2.0.7 (Ubuntu 20.04's, the walkthrough's own BIRD), whose
#: agreement with ``check --target`` is tested on the corpus and the parse-matrix
TARGET_VERSIONS = ("2.0.7", *VERSIONS)
#: BIRD 1.x speaks another config language: in the matrix for its birdc output only
OUTPUT_ONLY_VERSIONS = ("1.6.8",)
#: every version the matrix provides, oldest first
ALL_VERSIONS = (*OUTPUT_ONLY_VERSIONS, *TARGET_VERSIONS)
#: the Debian suite and package that bring each chrooted version (bird and bird2 conflict: one tree each)
_TREES = {
    "1.6.8": ("bullseye", "bird"),
    "2.0.7": ("bullseye", "bird2"),
    "2.17.6": ("trixie", "bird2"),
    "3.1.8": ("trixie", "bird3"),
}
_NATIVE_VERSION = "2.0.12"
_OTHER_VERSIONS = frozenset(ALL_VERSIONS) - frozenset(VERSIONS)
# 2.x: "bird: PATH:L:C message"; 3.x: "bird: TIMESTAMP [0001] <FATAL> PATH:L:C message"
_BIRD_ERROR = re.compile(
    r"^(?:bird: )?(?:.*?<FATAL> )?(?:(?P<path>[^\s:]*):(?P<line>\d+):(?P<column>\d+) )?(?P<message>.*)$"
)


def describe(version: str) -> str:
    """Where matrix version ``version`` comes from and what the matrix uses it for, in one line."""
    if version == _NATIVE_VERSION:
        source = "the host's own bird2 (Debian 12)"
    else:
        suite, package = _TREES[version]
        source = f"Debian {suite} {package}, chrooted"
    if version in OUTPUT_ONLY_VERSIONS:
        return f"{source}; birdc outputs only"
    return f"{source}; {'core' if version in VERSIONS else 'config target'}"


def cache_dir() -> Path:
    """Where the debootstrap trees live: ``$BIRDKIT_CACHE`` or ``/var/cache/birdkit``."""
    return Path(os.environ.get("BIRDKIT_CACHE", "/var/cache/birdkit"))


def _tree_path(version: str) -> Path:
    suite, package = _TREES[version]
    return cache_dir() / f"{suite}-{package}"


@attrs.frozen
class CheckResult:
    """The verdict of ``bird -p``: ``ok``, BIRD's own message, and its line/column when it gave one."""

    ok: bool
    message: str
    line: int | None = None
    column: int | None = None
    #: the file BIRD named (as BIRD saw it), e.g. an included file
    path: str | None = None


@attrs.frozen
class BirdRuntime:
    """One installed BIRD version; ``root`` is its chroot tree, ``None`` for the host's own BIRD."""

    version: str
    root: Path | None = None

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def command(self, program: str, *args: str) -> list[str]:
        """argv that runs ``program`` (bird or birdc) of this version on the host."""
        prefix = ["chroot", str(self.root)] if self.root else []
        return [*prefix, program, *args]

    def host_path(self, inner: str) -> Path:
        """The host path of a path as this version's processes see it."""
        return Path(str(self.root) + inner) if self.root else Path(inner)

    def workdir(self) -> Path:
        """A fresh directory that this version's processes can see, as its host path."""
        base = self.host_path("/run/birdkit")
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="w-", dir=base))

    def inner_path(self, host: Path) -> str:
        """The path of host path ``host`` as this version's processes see it."""
        if not self.root:
            return str(host)
        return "/" + str(host.relative_to(self.root))

    def check(self, config_text: str, extra_files: Mapping[str, str] | None = None) -> CheckResult:
        """Run ``bird -p -c`` on ``config_text``; ``extra_files`` (relative path -> text) sit beside it."""
        work = self.workdir()
        try:
            config = work / "bird.conf"
            config.write_bytes(config_text.encode("utf-8", "surrogateescape"))  # bytes read lossless go back as read
            for relative, text in (extra_files or {}).items():
                target = work / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
            return self.check_file(config)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def check_file(self, host_config: Path) -> CheckResult:
        """Run ``bird -p -c`` on a file that this version can see (see :meth:`workdir`)."""
        completed = subprocess.run(
            self.command("bird", "-p", "-c", self.inner_path(host_config)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        output = (completed.stderr + completed.stdout).strip()
        if completed.returncode == 0:
            return CheckResult(True, output or "ok")
        match = _BIRD_ERROR.match(output.splitlines()[-1] if output else "")
        if match and match["line"]:
            return CheckResult(False, match["message"], int(match["line"]), int(match["column"]), match["path"])
        return CheckResult(False, match["message"] if match else output)

    def start(self, netns: str | None, config_text: str, name: str | None = None) -> Daemon:
        """Start a daemon with its own socket and pid file, inside network namespace ``netns``."""
        work = self.workdir()
        label = name or netns or "bird"
        config = work / "bird.conf"
        config.write_text(config_text)
        socket_path = work / "bird.ctl"
        pid_path = work / "bird.pid"
        log_path = work / "bird.log"
        argv = self.command(
            "bird", "-f", "-c", self.inner_path(config),
            "-s", self.inner_path(socket_path), "-P", self.inner_path(pid_path),
        )
        if netns:
            argv = ["ip", "netns", "exec", netns, *argv]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        daemon = Daemon(self, label, process.pid, work, netns, process)
        daemon.wait_ready()
        return daemon


@attrs.define
class Daemon:
    """A running BIRD: its control socket, pid and working directory (host paths)."""

    runtime: BirdRuntime
    name: str
    pid: int
    workdir: Path
    netns: str | None = None
    process: subprocess.Popen[bytes] | None = attrs.field(default=None, repr=False)

    @property
    def socket_path(self) -> Path:
        return self.workdir / "bird.ctl"

    @property
    def config_path(self) -> Path:
        return self.workdir / "bird.conf"

    @property
    def log_text(self) -> str:
        path = self.workdir / "bird.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the control socket answers; raise with BIRD's log if the daemon died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeMissingError(f"BIRD {self.runtime.version} ({self.name}) exited:\n{self.log_text}")
            if self.socket_path.exists():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeMissingError(f"BIRD {self.runtime.version} ({self.name}) did not open its socket")

    def birdc(self, command: str, timeout: float = 30.0) -> str:
        """Run one birdc command against this daemon and return what birdc printed."""
        argv = self.runtime.command("birdc", "-s", self.runtime.inner_path(self.socket_path), *command.split())
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        return completed.stdout + completed.stderr

    def reconfigure(self, config_text: str) -> str:
        """Replace the config file and run ``birdc configure``."""
        self.config_path.write_text(config_text)
        return self.birdc("configure")

    def stop(self) -> None:
        """Kill the daemon by its pid (TERM, then KILL) and remove its working directory."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.alive():
                os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _detect_version(runtime: BirdRuntime) -> str | None:
    try:
        completed = subprocess.run(
            runtime.command("bird", "--version"), capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"BIRD version (\S+)", completed.stdout + completed.stderr)
    return match.group(1) if match else None


@attrs.frozen
class BirdMatrix:
    """The BIRD versions present on this machine, by version string.

    ``runtimes`` are the core (:data:`VERSIONS`); ``others`` are the rest of :data:`ALL_VERSIONS`, reached
    through :meth:`get` only, so code that loops over the core does not meet BIRD 1.x or 2.0.7.
    """

    runtimes: Mapping[str, BirdRuntime]
    others: Mapping[str, BirdRuntime] = attrs.field(factory=dict)

    @classmethod
    def discover(cls) -> BirdMatrix:
        """Find the host BIRD and every prepared debootstrap tree (nothing is built here)."""
        found: dict[str, BirdRuntime] = {}
        if shutil.which("bird") or Path("/usr/sbin/bird").exists():
            native = BirdRuntime(_NATIVE_VERSION)
            detected = _detect_version(native)
            if detected:
                found[detected] = attrs.evolve(native, version=detected)
        if os.geteuid() == 0:
            for version in _TREES:
                tree = _tree_path(version)
                if (tree / "usr/sbin/bird").exists():
                    runtime = BirdRuntime(version, tree)
                    detected = _detect_version(runtime)
                    if detected:
                        found[detected] = attrs.evolve(runtime, version=detected)
        ordered = dict(sorted(found.items(), key=lambda item: _version_key(item[0])))
        return cls(
            {v: r for v, r in ordered.items() if v not in _OTHER_VERSIONS},
            {v: r for v, r in ordered.items() if v in _OTHER_VERSIONS},
        )

    def get(self, version: str) -> BirdRuntime:
        """The runtime for ``version`` (exact, or the newest whose version starts with it, e.g. ``"3"``)."""
        everything = {**self.others, **self.runtimes}
        if version in everything:
            return everything[version]
        matches = [v for v in everything if v.startswith(version + ".")]
        if not matches:
            have = ", ".join(everything) or "none"
            raise RuntimeMissingError(
                f"BIRD {version} is not available (have: {have})",
                hint="run `make matrix` (as root) or `birdkit matrix prepare`",
            )
        return everything[matches[-1]]

    @property
    def versions(self) -> list[str]:
        return list(self.runtimes)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.-]", version))


def prepare(versions: tuple[str, ...] = tuple(_TREES), log: bool = True) -> None:
    """Build the missing debootstrap trees (about 40 s each); present trees are reused."""
    if os.geteuid() != 0:
        raise RuntimeMissingError("preparing the BIRD matrix needs root (debootstrap and chroot)")
    if not shutil.which("debootstrap") and not Path("/usr/sbin/debootstrap").exists():
        raise RuntimeMissingError("debootstrap is not installed", hint="apt-get install -y debootstrap")
    mirror = os.environ.get("BIRDKIT_DEBIAN_MIRROR", "http://deb.debian.org/debian")
    for version in versions:
        tree = _tree_path(version)
        if (tree / "usr/sbin/bird").exists():
            continue
        staging = tree.with_name(tree.name + f".tmp-{uuid.uuid4().hex[:8]}")
        suite, package = _TREES[version]
        if log:
            print(f"building BIRD {version} tree in {tree} (debootstrap {suite}, about 40 s)", flush=True)
        command = ["debootstrap", "--variant=minbase", f"--include={package}", suite, str(staging), mirror]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise RuntimeMissingError(
                f"debootstrap for BIRD {version} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
        staging.rename(tree)
