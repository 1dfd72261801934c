"""Benchmark: `birdkit check` against `bird -p` on a generated 16,000-line config with 2,000 BGP peers."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEERS = 2000
LINES_PER_PEER = 8
TARGET_RATIO = 30.0


def generate(peers: int = PEERS) -> str:
    """A config of ``peers`` BGP sessions, 8 lines each, plus a short header (16,000+ lines for 2,000)."""
    lines = [
        "router id 198.18.0.1;",
        "define LOCAL_AS = 65000;",
        "filter peer_in { if net ~ [ 10.0.0.0/8+ ] then reject; accept; }",
        "protocol device { }",
        "protocol kernel { ipv4 { export all; }; }",
    ]
    for index in range(peers):
        lines += [
            f"protocol bgp peer{index} {{",
            "  local 198.18.0.1 as LOCAL_AS;",
            f"  neighbor 198.18.{index // 250 + 1}.{index % 250 + 1} as {64512 + index};",
            "  ipv4 {",
            "    import filter peer_in;",
            "    export where source = RTS_STATIC;",
            "  };",
            "}",
        ]
    return "\n".join(lines) + "\n"


def _birdkit_command() -> list[str]:
    """The installed ``birdkit`` script beside this interpreter (what users run), else ``python -m``."""
    script = Path(sys.executable).with_name("birdkit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "birdkit.cli.main"]


def wall_time(argv: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of ``argv`` over ``repeat`` runs, and the last exit code."""
    times = []
    code = 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def main() -> int:
    """Generate the config, time both tools, print the ratio; exit 1 when over the target ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peers", type=int, default=PEERS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--target", default="2.0.12", help="BIRD version birdkit checks against")
    options = parser.parse_args()

    import compileall

    import birdkit
    from birdkit.config.parse import check_config

    # time birdkit as installed from a wheel, with its bytecode compiled (sources edited since, e.g. in a
    # checkout with PYTHONDONTWRITEBYTECODE set, would otherwise be compiled again on every run)
    compileall.compile_dir(Path(birdkit.__file__).parent, quiet=1)

    text = generate(options.peers)
    line_count = text.count("\n")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bird.conf"
        path.write_text(text)
        birdkit = [*_birdkit_command(), "check", "--target", options.target, str(path)]
        subprocess.run(birdkit, capture_output=True, check=False)  # warm the grammar cache
        ours, our_code = wall_time(birdkit, options.repeat)
        tiny = Path(folder) / "tiny.conf"
        tiny.write_text("protocol device { }\n")
        floor, _ = wall_time([*birdkit[:-1], str(tiny)], options.repeat)

        start = time.perf_counter()
        check_config(path, target=options.target)
        in_process = time.perf_counter() - start

        bird = shutil.which("bird")
        print(f"config: {line_count} lines, {options.peers} BGP peers")
        print(f"birdkit check (wall, median of {options.repeat}): {ours * 1000:.0f} ms (exit {our_code})")
        print(f"birdkit check on a one-line config (start-up, imports, grammar): {floor * 1000:.0f} ms")
        print(f"birdkit in-process: {in_process * 1000:.0f} ms = {line_count / in_process:,.0f} lines/s")
        if bird is None:
            print("bird -p: not installed here; ratio not measured")
            return 0
        theirs, their_code = wall_time([bird, "-p", "-c", str(path)], options.repeat)
        ratio = ours / theirs
        print(f"bird -p -c (wall, median of {options.repeat}): {theirs * 1000:.1f} ms (exit {their_code})")
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        print(f"ratio birdkit/bird: {ratio:.1f}x (target <= {TARGET_RATIO:.0f}x): {verdict}")
        return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
