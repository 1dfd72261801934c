"""A/B benchmark of the streaming route parser: this checkout's ``src`` against a git revision's, on the same text.

A change to :mod:`birdkit.show.stream` must not slow it down: this script prints the ratio of this checkout's
CPU time to the base revision's (1.00 = as fast; 1.02 = 2 % slower) for the two ways routes leave the stream:

* ``routes``: ``iter_routes`` with the typed fields a user reads (prefix, time, next hops, AS path, communities,
  MED);
* ``jsonl``: ``iter_route_json`` serialized by orjson, what ``parse-routes --format jsonl`` does.

The text is ``show route all`` socket text of BIRD 2.0.12 and 3.1.8 holding the ``diverse`` table of
``routes.py`` (built in network namespaces, so run as root), or the files given with ``--text``. Each
measurement is the best of several runs in a fresh child process, base and checkout interleaved, so a busy
machine weighs on both alike; a base run against itself (``--base HEAD`` on a clean tree, the default) shows
the noise.

Run: ``.venv/bin/python benchmarks/stream_ab.py [--base main] [--text FILE ...] [--routes N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: one measurement: the best CPU time of ``repeat`` parses of the text, in one process
CHILD = """
import sys, time, json
import orjson
from birdkit.show.stream import iter_route_json, iter_routes

path, mode, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8").read()
best, count = float("inf"), 0
for _ in range(repeat):
    count = 0
    start = time.process_time()
    if mode == "routes":
        for route in iter_routes(text.splitlines()):
            count += 1
            route.prefix, route.since
            for hop in route.next_hops:
                hop.gateway, hop.interface
            if route.bgp is not None:
                route.bgp.as_path, route.bgp.communities, route.bgp.large_communities, route.bgp.med
    else:
        for item in iter_route_json(text.splitlines()):
            count += 1
            orjson.dumps(item)
    best = min(best, time.process_time() - start)
print(json.dumps([best, count]))
"""


def measure(source: Path, text: Path, mode: str, repeat: int) -> tuple[float, int]:
    """(best CPU seconds, routes) of ``mode`` on ``text`` with the birdkit package under ``source``."""
    environment = {**os.environ, "PYTHONPATH": str(source)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(text), mode, str(repeat)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"benchmark child failed ({source}):\n{result.stderr}")
    seconds, count = json.loads(result.stdout.strip().splitlines()[-1])
    return seconds, count


def base_source(revision: str, work: Path) -> Path:
    """The ``src`` folder of ``revision``, exported into ``work``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=False)
    if archive.returncode:
        raise SystemExit(f"git archive {revision}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
    return work / "src"


def captured_texts(routes: int, work: Path) -> list[Path]:
    """``show route all`` socket text of the diverse table in BIRD 2.0.12 and 3.1.8 (namespaces, root)."""
    if os.geteuid() != 0:
        raise SystemExit("building the tables needs root (network namespaces); or give saved text with --text")
    sys.path.insert(0, str(Path(__file__).parent))
    import routes as route_benchmark  # the table builders of benchmarks/routes.py

    from birdkit.lab.netns import Fabric
    from birdkit.runtime import BirdMatrix

    texts = []
    for version in ("2.0.12", "3.1.8"):
        runtime = BirdMatrix.discover().get(version)
        with Fabric.create() as fabric:
            receiver, expected = route_benchmark.BUILDERS["diverse"](fabric, runtime, routes)
            route_benchmark.wait_for_table(receiver, expected, route_benchmark.TABLES["diverse"])
            text = work / f"diverse-{runtime.version}.socket.txt"
            route_benchmark.save_socket_text(receiver, text)
        print(f"captured {expected:,} routes of BIRD {runtime.version}", flush=True)
        texts.append(text)
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the git revision to compare with (default HEAD)")
    parser.add_argument("--text", type=Path, nargs="*", help="saved `show route all` text (default: capture)")
    parser.add_argument("--routes", type=int, default=30_000, help="prefixes in a captured table (default 30,000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved child runs per side (default 3)")
    parser.add_argument("--repeat", type=int, default=3, help="parses per child run (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="birdkit-stream-ab-") as folder:
        work = Path(folder)
        base = base_source(args.base, work)
        texts = args.text or captured_texts(args.routes, work)
        print(f"checkout {ROOT / 'src'} against {args.base}; CPU seconds, best of {args.rounds}x{args.repeat}")
        for text in texts:
            for mode in ("routes", "jsonl"):
                best = {"base": float("inf"), "checkout": float("inf")}
                count = 0
                for _ in range(args.rounds):
                    for side, source in (("base", base), ("checkout", ROOT / "src")):
                        seconds, count = measure(source, text, mode, args.repeat)
                        best[side] = min(best[side], seconds)
                ratio = best["checkout"] / best["base"]
                print(
                    f"  {text.name:<32} {mode:<6} {count:>8,} routes  base {best['base']:6.3f} s  "
                    f"checkout {best['checkout']:6.3f} s  ratio {ratio:.3f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
