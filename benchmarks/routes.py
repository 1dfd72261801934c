"""Benchmark of ``show route all`` parsing: birdkit's stream vs pybird 1.2.0, a bare loop and BIRD's own dump.

Builds a real table in network namespaces: an ``exporter`` BIRD holds N static routes in eight groups and
exports them over eBGP to a ``receiver`` through a filter that gives each group different attributes
(AS path prepends, communities, large and extended communities, MED, origin, a blackhole tag). Then, on
the receiver's ``show route all``, it measures in one run:

* BIRD's own dump time: ``birdc show route all > /dev/null``;
* a plain Python loop over the lines (the floor);
* birdkit's streaming parse of the saved text (every field typed), with its peak RSS;
* birdkit's live parse over the control socket;
* pybird 1.2.0's parser on the same socket text, installed into its own venv;
* the streaming parse's peak RSS on 10x the routes (the real dump, renumbered, streamed through a pipe).

Run as root: ``.venv/bin/python benchmarks/routes.py [--routes N] [--bird 2.0.12]``. The namespaces and
daemons are removed on exit, also on Ctrl-C. With ``--strict`` the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from birdkit import Bird
from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix, BirdRuntime, Daemon

EXPORTER_IP, RECEIVER_IP = "198.18.0.1", "198.18.0.2"
PYBIRD_VENV = Path(tempfile.gettempdir()) / "birdkit-bench-pybird"
PYBIRD_VERSION = "1.2.0"
GROUPS = 8
# what the exporter's filter does to each group of routes (BIRD filter statements)
GROUP_ACTIONS = (
    "",
    "bgp_path.prepend(65001); bgp_path.prepend(65001);",
    "bgp_community.add((65001,1)); bgp_community.add((65001,2)); bgp_community.add((65001,3));",
    "bgp_large_community.add((65001,1,1)); bgp_large_community.add((65001,2,2));",
    "bgp_med = 10; bgp_ext_community.add((rt, 65001, 4));",
    "bgp_origin = ORIGIN_INCOMPLETE; bgp_path.prepend(65001); bgp_community.add((65001,5));",
    "bgp_community.add((65535,666));",
    " ".join(f"bgp_community.add((65001,{n}));" for n in range(10, 16))
    + " bgp_large_community.add((65001,7,7)); bgp_large_community.add((65001,8,8)); bgp_med = 70;",
)

# Run in a child process so that its peak RSS (VmHWM) is the parser's own: prints a JSON result line.
CHILD_BIRDKIT = """
import json, sys, time
from birdkit import Bird
from birdkit.show.stream import iter_routes
mode, source = sys.argv[1], sys.argv[2]
def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's RSS over the fork
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
baseline = peak_kb()
started = time.perf_counter()
count = typed = 0
if mode == "socket":
    with Bird(source, timeout=120) as bird:
        for route in bird.routes():
            count += 1
            typed += route.bgp is not None and route.bgp.as_path is not None
else:
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    for route in iter_routes(stream):
        count += 1
        typed += route.bgp is not None and route.bgp.as_path is not None
seconds = time.perf_counter() - started
peak = peak_kb()
print(json.dumps({"routes": count, "typed": typed, "seconds": seconds, "peak_kb": peak, "baseline_kb": baseline}))
"""

CHILD_FLOOR = """
import json, sys, time
started = time.perf_counter()
count = 0
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        count += 1
print(json.dumps({"lines": count, "seconds": time.perf_counter() - started}))
"""

CHILD_PYBIRD = """
import json, sys, time
from pybird import PyBird
text = open(sys.argv[1], encoding="utf-8").read()
started = time.perf_counter()
routes = PyBird(None)._parse_route_data(text)
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"routes": len(routes), "seconds": seconds, "peak_kb": peak}))
"""


def address(index: int) -> str:
    return f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}/32"


def exporter_config(routes: int) -> str:
    """N static /32 blackholes in GROUPS static protocols, exported with per-group attributes."""
    parts = [f"router id {EXPORTER_IP};\nprotocol device {{}}\n"]
    for group in range(GROUPS):
        lines = "".join(f"  route {address(index)} blackhole;\n" for index in range(group, routes, GROUPS))
        parts.append(f"protocol static g{group} {{\n  ipv4;\n{lines}}}\n")
    rules = "".join(
        f'  if proto = "g{group}" then {{ {actions} }}\n' for group, actions in enumerate(GROUP_ACTIONS) if actions
    )
    parts.append(f"filter to_receiver {{\n  bgp_origin = ORIGIN_IGP;\n{rules}  accept;\n}}\n")
    parts.append(
        f"protocol bgp downstream {{\n  local {EXPORTER_IP} as 65001;\n  neighbor {RECEIVER_IP} as 65002;\n"
        "  ipv4 { import none; export filter to_receiver; next hop self; };\n}\n"
    )
    return "".join(parts)


RECEIVER_CONFIG = f"""router id {RECEIVER_IP};
protocol device {{}}
filter from_exporter {{
  bgp_local_pref = 200;
  if (65535,666) ~ bgp_community then dest = RTD_BLACKHOLE;
  accept;
}}
protocol bgp upstream {{
  local {RECEIVER_IP} as 65002;
  neighbor {EXPORTER_IP} as 65001;
  ipv4 {{ import filter from_exporter; export none; }};
}}
"""


def wait_for_table(daemon: Daemon, routes: int) -> float:
    """Seconds until the receiver holds every route (BGP converged)."""
    started = time.monotonic()
    deadline = started + 120 + routes / 2000
    with Bird(daemon.socket_path, timeout=60) as bird:
        while time.monotonic() < deadline:
            count = bird.route_count(table="master4").tables[0].routes
            if count >= routes:
                return time.monotonic() - started
            time.sleep(0.5)
    raise SystemExit(
        f"the receiver got only {count} of {routes} routes; its protocols:\n"
        f"{daemon.birdc('show protocols all upstream')}"
    )


def birdc_dump_seconds(runtime: BirdRuntime, daemon: Daemon, repeat: int = 3) -> float:
    """BIRD's own dump time: the best of ``repeat`` runs of ``birdc show route all > /dev/null``."""
    argv = runtime.command("birdc", "-s", runtime.inner_path(daemon.socket_path), "show", "route", "all")
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def save_socket_text(daemon: Daemon, target: Path) -> None:
    """The raw control-socket reply of ``show route all``, codes included (what pybird reads)."""
    with Bird(daemon.socket_path, timeout=60) as bird, target.open("w", encoding="utf-8") as out:
        for line in bird.lines("show route all"):
            out.write(line + "\n")


def child(code: str, *args: str, python: str = sys.executable, stdin: Iterator[str] | None = None) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter and return the JSON it prints."""
    if stdin is None:
        completed = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, check=False)
        output, error, returncode = completed.stdout, completed.stderr, completed.returncode
    else:
        process = subprocess.Popen(
            [python, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        for chunk in stdin:
            process.stdin.write(chunk)
        process.stdin.close()
        output, error = process.stdout.read(), process.stderr.read()
        returncode = process.wait()
    if returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{error}")
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def best_of(repeat: int, code: str, *args: str, python: str = sys.executable) -> dict[str, float]:
    """The fastest of ``repeat`` runs of a child (the machine may be busy with other work)."""
    return min((child(code, *args, python=python) for _ in range(repeat)), key=lambda result: result["seconds"])


def renumbered_copies(text_path: Path, copies: int) -> Iterator[str]:
    """The saved dump ``copies`` times; copy k has its prefixes moved from 10.x.y.z to (10+k).x.y.z."""
    route_prefix = re.compile(r"^(1007-| )10\.", re.MULTILINE)
    for copy in range(copies):
        with text_path.open(encoding="utf-8") as source:
            while chunk := source.read(1 << 22):
                while not chunk.endswith("\n"):
                    more = source.readline()
                    if not more:
                        break
                    chunk += more
                yield route_prefix.sub(rf"\g<1>{10 + copy}.", chunk)


def pybird_python() -> tuple[str | None, str]:
    """The venv interpreter with pybird 1.2.0 (created on first use), or None and the reason."""
    python = PYBIRD_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYBIRD_VENV)], check=True, capture_output=True)
    check = subprocess.run([str(python), "-c", "import pybird"], capture_output=True, check=False)
    if check.returncode != 0:
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"pybird=={PYBIRD_VERSION}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if install.returncode != 0:
            return None, f"pip install pybird=={PYBIRD_VERSION} failed: {install.stderr.strip()[-300:]}"
    return str(python), f"pybird {PYBIRD_VERSION} in {PYBIRD_VENV}"


def main() -> int:
    """Build the table, measure, print the ratios against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=100_000, help="routes in the table (default 100,000)")
    parser.add_argument("--bird", default="2.0.12", help="BIRD version from the matrix (default 2.0.12)")
    parser.add_argument("--scale", type=int, default=10, help="the flat-RSS check streams this many copies")
    parser.add_argument("--repeat", type=int, default=3, help="timings are the best of this many runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("benchmarks/routes.py needs root (network namespaces)", file=sys.stderr)
        return 3
    signal.signal(signal.SIGTERM, _exit_on_signal)
    runtime = BirdMatrix.discover().get(args.bird)
    work = Path(tempfile.mkdtemp(prefix="birdkit-bench-"))
    socket_text = work / "show-route-all.socket.txt"
    try:
        with Fabric.create() as fabric:
            print(
                f"building {args.routes:,} routes in BIRD {runtime.version} (namespaces {fabric.prefix}-*) …",
                flush=True,
            )
            fabric.start_bird(runtime, fabric.add_node("exp", EXPORTER_IP), exporter_config(args.routes))
            receiver = fabric.start_bird(runtime, fabric.add_node("rec", RECEIVER_IP), RECEIVER_CONFIG)
            converged = wait_for_table(receiver, args.routes)
            print(f"receiver converged in {converged:.1f} s; measuring …", flush=True)
            dump = birdc_dump_seconds(runtime, receiver, args.repeat)
            save_socket_text(receiver, socket_text)
            live = best_of(args.repeat, CHILD_BIRDKIT, "socket", str(receiver.socket_path))
        return report(args, runtime, socket_text, dump, live)
    finally:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()


def report(
    args: argparse.Namespace, runtime: BirdRuntime, socket_text: Path, dump: float, live: dict[str, float]
) -> int:
    """Measure the offline parsers on the saved text and print every number and target."""
    size_mb = socket_text.stat().st_size / 1e6
    floor = best_of(args.repeat, CHILD_FLOOR, str(socket_text))
    stream = best_of(args.repeat, CHILD_BIRDKIT, "file", str(socket_text))
    large = child(CHILD_BIRDKIT, "file", "-", stdin=renumbered_copies(socket_text, args.scale))
    python, pybird_note = pybird_python()
    pybird = best_of(args.repeat, CHILD_PYBIRD, str(socket_text), python=python) if python else None

    routes = args.routes
    print(
        f"\nshow route all of BIRD {runtime.version}: {routes:,} routes, {size_mb:.1f} MB, "
        f"{int(floor['lines']):,} lines\n"
    )
    rows = [
        ("BIRD's own dump (birdc > /dev/null)", dump, routes, ""),
        ("plain Python loop over the lines", floor["seconds"], routes, "the floor"),
        (
            "birdkit stream parse of the text",
            stream["seconds"],
            stream["routes"],
            f"{int(stream['typed']):,} with typed BGP attributes",
        ),
        ("birdkit live parse over the socket", live["seconds"], live["routes"], ""),
    ]
    if pybird:
        rows.append(
            (f"pybird {PYBIRD_VERSION} _parse_route_data", pybird["seconds"], pybird["routes"], "all values strings")
        )
    width = max(len(row[0]) for row in rows)
    print(f"{'':{width}}  {'seconds':>8}  {'routes':>9}  {'routes/s':>10}")
    for name, seconds, count, note in rows:
        print(f"{name:{width}}  {seconds:8.2f}  {int(count):9,}  {count / seconds:10,.0f}  {note}")
    if not pybird:
        print(f"pybird: not measured ({pybird_note})")

    stream_mb, large_mb = stream["peak_kb"] / 1024, large["peak_kb"] / 1024
    print(f"(a child interpreter with birdkit imported starts at {stream['baseline_kb'] / 1024:.0f} MB RSS)")
    live_ratio = live["seconds"] / dump
    checks = [
        ("live socket parse / BIRD dump time", f"{live_ratio:.2f}x", "<= 2x", live_ratio <= 2),
        (f"peak RSS, stream parse of {routes:,} routes", f"{stream_mb:.0f} MB", "<= 64 MB", stream_mb <= 64),
        (
            f"peak RSS at {int(large['routes']):,} routes (renumbered copies)",
            f"{large_mb:.0f} MB",
            f"flat: <= 1.25x {stream_mb:.0f} MB",
            large_mb <= 1.25 * stream_mb,
        ),
        (
            "every route parsed (stream, live, copies)",
            f"{int(stream['routes']):,}, {int(live['routes']):,}, {int(large['routes']):,}",
            f"{routes:,}, {routes * args.scale:,}",
            stream["routes"] == routes == live["routes"] and large["routes"] == routes * args.scale,
        ),
    ]
    if pybird:
        speedup = (stream["routes"] / stream["seconds"]) / (pybird["routes"] / pybird["seconds"])
        checks.insert(0, ("birdkit routes/s / pybird routes/s", f"{speedup:.1f}x", ">= 5x", speedup >= 5))
        pybird_mb = pybird["peak_kb"] / 1024
        print(f"\npybird found {int(pybird['routes']):,} of {routes:,} routes; peak RSS {pybird_mb:.0f} MB")
    print("\ntargets:")
    width = max(len(check[0]) for check in checks)
    for name, value, target, ok in checks:
        print(f"  {name:{width}}  {value:>14}  target {target:<22} {'PASS' if ok else 'FAIL'}")
    return 1 if args.strict and not all(check[3] for check in checks) else 0


def _exit_on_signal(number: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + number)


if __name__ == "__main__":
    sys.exit(main())
