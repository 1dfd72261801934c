"""Benchmark `birdkit.generate`: a 1,000-node full mesh (~1M bgp blocks) and 10,000 nodes with 4 route reflectors.

Run: .venv/bin/python benchmarks/gen.py [--quick]. Prints configs/s and bgp blocks/s, and exits 1 when a
budget (20 s and 10 s wall, validation included) is exceeded. --quick runs a tenth of each size.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from birdkit.gen.peermap import peermap_from_data
from birdkit.gen.render import generate


def fleet(count: int, topology: dict[str, Any]) -> dict[str, Any]:
    """``count`` nodes on one /16 underlay, each with one /24 pod CIDR."""
    nodes = [
        {
            "name": f"node{index}",
            "address": f"198.18.{index // 250}.{index % 250 + 1}/16",
            "pod_cidrs": [f"10.{index // 256}.{index % 256}.0/24"],
        }
        for index in range(count)
    ]
    return {"version": 1, "defaults": {"asn": 65000}, "nodes": nodes, "topology": topology}


def measure(label: str, data: dict[str, Any], budget: float) -> bool:
    """Validate and render ``data``; print the rates; whether it stayed within ``budget`` seconds."""
    start = time.perf_counter()
    peermap = peermap_from_data(data)
    validated = time.perf_counter()
    configs = generate(peermap)
    done = time.perf_counter()
    blocks = sum(text.count("\nprotocol bgp ") for text in configs.values())
    wall = done - start
    verdict = "ok" if wall <= budget else "OVER BUDGET"
    print(
        f"{label}: {len(configs)} configs, {blocks} bgp blocks, {sum(map(len, configs.values())) / 1e6:.0f} MB "
        f"in {wall:.2f} s (validate {validated - start:.2f} s, render {done - validated:.2f} s) "
        f"= {len(configs) / wall:.0f} configs/s, {blocks / wall:.0f} bgp blocks/s; budget {budget:.0f} s: {verdict}"
    )
    return wall <= budget


def main() -> int:
    """Run both scenarios; exit 1 when either misses its budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tenth of each size (a smoke run)")
    scale = 10 if parser.parse_args().quick else 1
    mesh = fleet(1000 // scale, {"type": "full-mesh"})
    reflectors = fleet(10000 // scale, {"type": "route-reflectors", "route_reflectors": [f"node{i}" for i in range(4)]})
    results = [
        measure(f"full mesh, {1000 // scale} nodes", mesh, 20.0),
        measure(f"route reflectors, {10000 // scale} nodes + 4 RRs", reflectors, 10.0),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
