"""Benchmark of ``show route all`` parsing: birdkit vs pybird 1.2.0 and BIRD's own dump, on real BIRD tables.

Two tables, each built in network namespaces and read back from a real BIRD (2.0.12 and 3.1.8 by default):

* ``diverse`` (the default, the one the targets are for): a table shaped like a real full table, sent
  over iBGP by a small BGP speaker (``_bgpfeed.py``): IPv4 and (one in five) IPv6 prefixes in master4
  and master6, AS paths from 24,000 distinct ones (1-12 hops, prepends, a few AS_SETs, 16- and 32-bit
  ASNs), varying origin, MED and local_pref, per-route communities (0-20, one route in fifty with 60-80,
  which BIRD wraps) and large communities, extended communities on one route in eight, and a second,
  non-primary route for one prefix in eight;
* ``groups`` (the best case): N static blackholes in eight groups, exported over eBGP by an ``exporter``
  BIRD with eight attribute sets, so most routes repeat another's attribute text.

For each, on the receiving BIRD's ``show route all``, in one run (timings: best of ``--repeat``):

* BIRD's own dump time: ``birdc show route all > /dev/null``;
* a loop over ``birdkit.iter_routes`` on the saved socket text that reads every typed field a user reads
  (prefix, each next hop's gateway and interface, the AS path's ASNs, the three community kinds, MED,
  local_pref), with the stream's memo hit rate and its peak RSS;
* ``birdkit parse-routes FILE --format jsonl > /dev/null``, end to end, process start included;
* the same loop over ``Bird.routes()``, live over the control socket;
* pybird 1.2.0's parser on the same text (the ``bench`` extra installs it);
* the stream's peak RSS on ``--scale`` copies of the text streamed through a pipe (1M+ routes).

Run as root: ``.venv/bin/python benchmarks/routes.py [--routes N] [--bird 2.0.12,3.1.8] [--table diverse]``.
The namespaces and processes are removed on exit, also on Ctrl-C. ``--strict`` exits 1 on a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from birdkit import Bird
from birdkit.lab.netns import Fabric, NodeNs, ip
from birdkit.runtime import BirdMatrix, BirdRuntime, Daemon

PYBIRD_VERSION = "1.2.0"
FEEDER = Path(__file__).with_name("_bgpfeed.py")
SEED = 1

# ---------------------------------------------------------------------------------------------------------
# the diverse table: a BGP speaker feeds the receiver over four iBGP sessions
# ---------------------------------------------------------------------------------------------------------

FEED_IPV4, FEED_IPV4_SECOND, RECEIVER_IPV4 = "198.18.0.1", "198.18.0.3", "198.18.0.2"
FEED_IPV6, FEED_IPV6_SECOND, RECEIVER_IPV6 = "2001:db8::1", "2001:db8::3", "2001:db8::2"
#: (protocol name, receiver address, feeder address, channel)
FEED_SESSIONS = (
    ("feed4", RECEIVER_IPV4, FEED_IPV4, "ipv4"),
    ("feed4b", RECEIVER_IPV4, FEED_IPV4_SECOND, "ipv4"),
    ("feed6", RECEIVER_IPV6, FEED_IPV6, "ipv6"),
    ("feed6b", RECEIVER_IPV6, FEED_IPV6_SECOND, "ipv6"),
)


def diverse_receiver_config() -> str:
    """The receiver: passive iBGP sessions from the speaker, every route imported as sent."""
    parts = [f"router id {RECEIVER_IPV4};\nprotocol device {{}}\n"]
    for name, local, neighbor, channel in FEED_SESSIONS:
        parts.append(
            f"protocol bgp {name} {{\n  local {local} as 65000;\n  neighbor {neighbor} as 65000;\n"
            "  passive on;\n  direct;\n"
            f"  {channel} {{ import all; export none; }};\n}}\n"
        )
    return "".join(parts)


def add_addresses(node: NodeNs, *addresses: str) -> None:
    for address in addresses:
        length = 64 if ":" in address else node.prefixlen
        ip(
            "addr",
            "add",
            f"{address}/{length}",
            "dev",
            node.interface,
            *(["nodad"] if ":" in address else []),
            netns=node.netns,
        )


def build_diverse(fabric: Fabric, runtime: BirdRuntime, routes: int) -> tuple[Daemon, int]:
    """The receiver BIRD holding the diverse table of ``routes`` prefixes, and its number of routes."""
    feeder = fabric.add_node("feed", FEED_IPV4)
    add_addresses(feeder, FEED_IPV4_SECOND, FEED_IPV6, FEED_IPV6_SECOND)
    node = fabric.add_node("rec", RECEIVER_IPV4)
    add_addresses(node, RECEIVER_IPV6)
    receiver = fabric.start_bird(runtime, node, diverse_receiver_config())
    ends = [address for _, local, neighbor, _ in FEED_SESSIONS for address in (neighbor, local)]
    speaker = subprocess.Popen(
        ["ip", "netns", "exec", feeder.netns, sys.executable, str(FEEDER), str(routes), str(SEED), *ends],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    fabric.register_pid(speaker.pid)
    assert speaker.stdout is not None
    sent = speaker.stdout.readline().split()
    if not sent:
        raise SystemExit(f"the BGP speaker failed (exit code {speaker.wait()})")
    return receiver, int(sent[1])


# ---------------------------------------------------------------------------------------------------------
# the groups table (the best case): eight attribute sets over eBGP
# ---------------------------------------------------------------------------------------------------------

EXPORTER_IP, RECEIVER_IP = "198.18.0.1", "198.18.0.2"
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


GROUPS_RECEIVER_CONFIG = f"""router id {RECEIVER_IP};
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


def build_groups(fabric: Fabric, runtime: BirdRuntime, routes: int) -> tuple[Daemon, int]:
    """The receiver BIRD holding the eight-group table of ``routes`` routes."""
    fabric.start_bird(runtime, fabric.add_node("exp", EXPORTER_IP), exporter_config(routes))
    return fabric.start_bird(runtime, fabric.add_node("rec", RECEIVER_IP), GROUPS_RECEIVER_CONFIG), routes


BUILDERS = {"diverse": build_diverse, "groups": build_groups}
#: the routing tables each table's routes land in
TABLES = {"diverse": ("master4", "master6"), "groups": ("master4",)}

# ---------------------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------------------

# Each measurement runs in a child interpreter, so that its peak RSS (VmHWM) is its own: prints a JSON line.
CHILD_BIRDKIT = """
import json, sys, time
from birdkit import Bird
from birdkit.show.stream import RouteReader
mode, source = sys.argv[1], sys.argv[2]
def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's RSS over the fork
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
def read_fields(routes):
    # every typed field a user reads: prefix, next hops, the AS path's ASNs, communities, MED, local_pref
    count = 0
    for route in routes:
        count += 1
        route.prefix
        for hop in route.next_hops:
            hop.gateway, hop.interface
        bgp = route.bgp
        if bgp is not None:
            for segment in bgp.as_path or ():
                segment.asns
            bgp.communities, bgp.large_communities, bgp.ext_communities, bgp.med, bgp.local_pref
    return count
baseline = peak_kb()
reader = RouteReader()
started, cpu_started = time.perf_counter(), time.process_time()
if mode == "socket":
    with Bird(source, timeout=120) as bird:
        count = read_fields(bird.routes())
else:
    count = read_fields(reader.routes(sys.stdin if source == "-" else open(source, encoding="utf-8")))
# the live parse waits for BIRD: its wall time counts; offline parses are compared by CPU time
seconds = time.perf_counter() - started if mode == "socket" else time.process_time() - cpu_started
result = {"routes": count, "seconds": seconds, "peak_kb": peak_kb(), "baseline_kb": baseline}
result["memo_hit_rate"] = reader.memo_hit_rate()
result["shared"] = reader.shared_records / max(count, 1)
print(json.dumps(result))
"""

CHILD_PYBIRD = """
import json, re, sys, time
from pybird import PyBird
text = open(sys.argv[1], encoding="utf-8").read()
# pybird stops at the blank line and header between two tables: give it the header as it reads the first one
text = re.sub(r"^1007-\\n (Table [^\\n]*)$", r"1007-\\1", text, flags=re.M)
started = time.process_time()
routes = PyBird(None)._parse_route_data(text)
seconds = time.process_time() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"routes": len(routes), "seconds": seconds, "peak_kb": peak}))
"""


def birdc_dump_seconds(runtime: BirdRuntime, daemon: Daemon, repeat: int) -> float:
    """BIRD's own dump time: the best of ``repeat`` runs of ``birdc show route all > /dev/null``."""
    argv = runtime.command("birdc", "-s", runtime.inner_path(daemon.socket_path), "show", "route", "all")
    return min(wall_seconds(argv) for _ in range(repeat))


def wall_seconds(argv: list[str]) -> float:
    """Wall time of a command, stdout to /dev/null."""
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def cpu_seconds(argv: list[str]) -> float:
    """CPU time (user + system) of a command, stdout to /dev/null: on a shared machine its wall time
    measures the other users as much as the command."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"`{' '.join(argv)}` failed with exit code {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def wait_for_table(daemon: Daemon, routes: int, tables: tuple[str, ...]) -> float:
    """Seconds until the receiver holds ``routes`` routes in ``tables`` (BGP converged)."""
    started = time.monotonic()
    deadline = started + 120 + routes / 2000
    count = 0
    with Bird(daemon.socket_path, timeout=60) as bird:
        while time.monotonic() < deadline:
            count = sum(table.routes for name in tables for table in bird.route_count(table=name).tables)
            if count >= routes:
                return time.monotonic() - started
            time.sleep(0.5)
    raise SystemExit(
        f"the receiver got only {count} of {routes} routes; its protocols:\n{daemon.birdc('show protocols all')}"
    )


def save_socket_text(daemon: Daemon, target: Path) -> None:
    """The raw control-socket reply of ``show route all``, codes included (what pybird reads)."""
    with Bird(daemon.socket_path, timeout=60) as bird, target.open("w", encoding="utf-8") as out:
        for line in bird.lines("show route all"):
            out.write(line + "\n")


def child(code: str, *args: str, stdin: Iterator[str] | None = None) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter and return the JSON it prints."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    if stdin is not None:
        assert process.stdin is not None
        for chunk in stdin:
            process.stdin.write(chunk)
        process.stdin.close()
    output, error = process.stdout.read(), process.stderr.read()
    process.wait()
    if process.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{error}")
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def best_of(repeat: int, code: str, *args: str) -> dict[str, float]:
    """The fastest of ``repeat`` runs of a child (the machine may be busy with other work)."""
    return min((child(code, *args) for _ in range(repeat)), key=lambda result: result["seconds"])


def copies(text_path: Path, count: int) -> Iterator[str]:
    """The saved dump ``count`` times over, in 4 MB pieces."""
    for _ in range(count):
        with text_path.open(encoding="utf-8") as source:
            while piece := source.read(1 << 22):
                yield piece


def pybird_missing() -> str | None:
    """Why pybird cannot be measured, or None."""
    check = subprocess.run([sys.executable, "-c", "import pybird"], capture_output=True, check=False)
    if check.returncode:
        return f"pybird {PYBIRD_VERSION} is not installed: pip install -e '.[bench]' (make bench does)"
    return None


class Measured:
    """Every number of one (BIRD version, table) run."""

    def __init__(self, version: str, table: str, dump: float, live: dict[str, float], text: Path) -> None:
        self.version, self.table, self.dump, self.live, self.text = version, table, dump, live, text


def measure(args: argparse.Namespace, version: str, table: str, work: Path) -> list[str]:
    """Build ``table`` in BIRD ``version``, measure everything, return the report lines (and print them)."""
    runtime = BirdMatrix.discover().get(version)
    text = work / f"{table}-{version}.socket.txt"
    with Fabric.create() as fabric:
        print(
            f"\n== {table} table, {args.routes:,} prefixes, BIRD {runtime.version} (namespaces {fabric.prefix}-*) …",
            flush=True,
        )
        receiver, expected = BUILDERS[table](fabric, runtime, args.routes)
        converged = wait_for_table(receiver, expected, TABLES[table])
        print(f"receiver holds {expected:,} routes after {converged:.1f} s; measuring …", flush=True)
        dump = birdc_dump_seconds(runtime, receiver, args.repeat)
        save_socket_text(receiver, text)
        live = best_of(args.repeat, CHILD_BIRDKIT, "socket", str(receiver.socket_path))
    try:
        return report(args, runtime.version, table, text, dump, live, expected)
    finally:
        text.unlink()


def report(
    args: argparse.Namespace, version: str, table: str, text: Path, dump: float, live: dict[str, float], expected: int
) -> list[str]:
    """Measure the offline parsers on the saved text and print every number and target."""
    stream = best_of(args.repeat, CHILD_BIRDKIT, "file", str(text))
    birdkit = Path(sys.executable).with_name("birdkit")
    jsonl_argv = [str(birdkit), "parse-routes", str(text), "--format", "jsonl"]
    jsonl = min(cpu_seconds(jsonl_argv) for _ in range(args.repeat))
    large = child(CHILD_BIRDKIT, "file", "-", stdin=copies(text, args.scale))
    missing = pybird_missing()
    pybird = best_of(args.repeat, CHILD_PYBIRD, str(text)) if missing is None else None
    lines = [f"{table} table, BIRD {version}: {expected:,} routes, {text.stat().st_size / 1e6:.1f} MB of socket text"]
    hit = f"whole records from the memo {stream['shared']:.0%}, memo hit rate {stream['memo_hit_rate']:.0%}"
    rows = [
        ("BIRD's own dump (birdc > /dev/null)", dump, expected, ""),
        ("birdkit iter_routes, typed fields read", stream["seconds"], stream["routes"], hit),
        ("birdkit parse-routes --format jsonl (process)", jsonl, expected, hit),
        ("birdkit Bird.routes() live, typed fields read", live["seconds"], live["routes"], hit),
    ]
    if pybird:
        rows.append((f"pybird {PYBIRD_VERSION} _parse_route_data", pybird["seconds"], pybird["routes"], "strings"))
    width = max(len(row[0]) for row in rows)
    lines.append(f"  {'':{width}}  {'seconds':>8}  {'routes':>9}  {'routes/s':>10}  (offline parses: CPU seconds)")
    lines += [
        f"  {name:{width}}  {seconds:8.2f}  {int(count):9,}  {count / seconds:10,.0f}  {note}"
        for name, seconds, count, note in rows
    ]
    if missing:
        lines.append(f"  pybird: not measured ({missing})")
    stream_mb, large_mb = stream["peak_kb"] / 1024, large["peak_kb"] / 1024
    live_ratio = live["seconds"] / dump
    checks = []
    if pybird:
        speedup = (stream["routes"] / stream["seconds"]) / (pybird["routes"] / pybird["seconds"])
        checks.append(("iter_routes / pybird (routes/s)", f"{speedup:.1f}x", ">= 5x", speedup >= 5))
        jsonl_speedup = pybird["seconds"] / jsonl
        checks.append(
            ("parse-routes jsonl / pybird (end to end)", f"{jsonl_speedup:.1f}x", ">= 3x", jsonl_speedup >= 3)
        )
    checks += [
        ("live socket parse / BIRD's dump time", f"{live_ratio:.2f}x", "<= 1.5x", live_ratio <= 1.5),
        (f"peak RSS at {int(stream['routes']):,} routes", f"{stream_mb:.0f} MB", "<= 64 MB", stream_mb <= 64),
        (f"peak RSS at {int(large['routes']):,} routes", f"{large_mb:.0f} MB", "<= 64 MB", large_mb <= 64),
        (
            "every route parsed (stream, live, copies)",
            f"{int(stream['routes']):,}, {int(live['routes']):,}, {int(large['routes']):,}",
            f"{expected:,}, x{args.scale}",
            stream["routes"] == expected == live["routes"] and large["routes"] == expected * args.scale,
        ),
    ]
    if pybird:
        lines.append(f"  pybird found {int(pybird['routes']):,} routes; its peak RSS {pybird['peak_kb'] / 1024:.0f} MB")
    width = max(len(check[0]) for check in checks)
    lines += [
        f"  {name:{width}}  {value:>16}  target {target:<14} {'PASS' if ok else 'FAIL'}"
        for name, value, target, ok in checks
    ]
    print("\n".join(lines), flush=True)
    return ["FAIL" if not all(check[3] for check in checks) else "PASS", *lines]


def machine() -> str:
    """CPU model, cores and load: the figures depend on them."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{model}, {os.cpu_count()} CPUs, load average {load}, Python {sys.version.split()[0]}"


def main() -> int:
    """Build the tables, measure, print the ratios against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=100_000, help="prefixes in the table (default 100,000)")
    parser.add_argument("--bird", default="2.0.12,3.1.8", help="BIRD versions, comma-separated (default 2.0.12,3.1.8)")
    parser.add_argument("--table", default="diverse,groups", help="diverse, groups or both (default both)")
    parser.add_argument("--scale", type=int, default=10, help="the RSS check streams this many copies of the text")
    parser.add_argument("--repeat", type=int, default=3, help="timings are the best of this many runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("benchmarks/routes.py needs root (network namespaces)", file=sys.stderr)
        return 3
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="birdkit-bench-"))
    verdicts = []
    try:
        for table in args.table.split(","):
            for version in args.bird.split(","):
                verdicts.append(measure(args, version, table, work)[0])
    finally:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    print(f"\nmachine after the run: {machine()}")
    return 1 if args.strict and "FAIL" in verdicts else 0


def _exit_on_signal(number: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + number)


if __name__ == "__main__":
    sys.exit(main())
