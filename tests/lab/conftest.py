"""Fixtures for the lab's tests: a private lab name and state directory, the CLI as a subprocess, host snapshots."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from birdkit.lab import walkthrough as lab
from birdkit.lab.netns import list_netns


@attrs.frozen
class LabEnv:
    """A lab under test: its namespace prefix and state directory, and the environment that selects them."""

    name: str
    state_base: Path

    @property
    def directory(self) -> Path:
        return self.state_base / "lab"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "BIRDKIT_STATE": str(self.state_base), "NO_COLOR": "1"}

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run ``birdkit lab ARGS`` in a subprocess with this lab's state directory."""
        argv = [sys.executable, "-m", "birdkit.cli.main", "lab", *args]
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout, check=False)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start ``birdkit lab ARGS`` without waiting."""
        argv = [sys.executable, "-m", "birdkit.cli.main", "lab", *args]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)

    def leftovers(self) -> dict[str, list[str]]:
        """What of this lab still exists: namespaces, processes, BIRD directories, state files."""
        namespaces = [name for name in list_netns() if name.startswith(f"{self.name}-")]
        processes = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f"/nodes/{self.name}-" in cmdline:
                processes.append(f"{proc.name}: {cmdline}")
        bird_dirs = [str(path) for path in bird_dir_candidates(self.name) if path.exists()]
        state = [str(path) for path in self.directory.rglob("*")] if self.directory.exists() else []
        if self.directory.exists():
            state.append(str(self.directory))
        return {"namespaces": namespaces, "processes": processes, "bird dirs": bird_dirs, "state": state}


def bird_dir_candidates(name: str) -> list[Path]:
    """Every place a node of lab ``name`` may keep its BIRD files (host and chroot trees)."""
    roots = [Path("/"), *Path(os.environ.get("BIRDKIT_CACHE", "/var/cache/birdkit")).glob("trixie-*")]
    found: list[Path] = []
    for root in roots:
        nodes = root / "run/birdkit/nodes"
        if nodes.is_dir():
            found += [path for path in nodes.iterdir() if path.name.startswith(f"{name}-")]
    return found


@pytest.fixture
def lab_env(tmp_path: Path) -> Iterator[LabEnv]:
    """A fresh lab name (never ``bkt``: that prefix is the test fabrics') and state directory; always torn down."""
    env = LabEnv(f"bkl{os.getpid() % 10000}{os.urandom(2).hex()}", tmp_path / "state")
    yield env
    lab.down(env.directory, log=lambda message: None)


def host_snapshot() -> dict[str, object]:
    """The root namespace's routes, iptables rules, forwarding/ARP sysctls and links (counters removed)."""

    def text(*argv: str) -> str:
        completed = subprocess.run(list(argv), capture_output=True, text=True, check=False)
        return completed.stdout

    def rules(program: str) -> list[str]:
        return [re.sub(r"\[\d+:\d+\]", "", line) for line in text(program).splitlines() if not line.startswith("#")]

    sysctls = (
        "net/ipv4/ip_forward", "net/ipv4/conf/all/forwarding", "net/ipv4/conf/all/proxy_arp",
        "net/ipv4/conf/default/proxy_arp", "net/ipv4/conf/all/rp_filter", "net/ipv6/conf/all/forwarding",
    )
    return {
        "ip route": text("ip", "route", "show", "table", "all"),
        "ip -6 route": text("ip", "-6", "route", "show", "table", "all"),
        "iptables": rules("iptables-save"),
        "ip6tables": rules("ip6tables-save"),
        "sysctl": {name: Path("/proc/sys", name).read_text().strip() for name in sysctls},
        "links": sorted(line.split(":")[1].strip() for line in text("ip", "-o", "link").splitlines()),
    }
