"""Benchmark a fleet rollout: Ansible (birdkit.bird.config, forks=20) against `birdkit apply --jobs 20`.

Twenty network-namespace nodes, each with its own sshd and BIRD 2.0.12, in a full mesh (19 sessions each); both
tools reach them over real ssh from a controller namespace (Ansible with ControlPersist and pipelining, birdkit's
SshTransport with one ssh per command). Each tool is timed on the same two jobs, taking turns:
a change to every node (a description on each node's neighbors' sessions: reload, verify, confirm) and a no-op run
(every file identical). Prints the wall time of each, the per-node time (wall / nodes) and Ansible's overhead per
node against birdkit, and their ratio. Needs root, openssh-server and ansible-core (`pip install -e '.[test]'`).

Run: .venv/bin/python benchmarks/fleet.py [--nodes N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "collection"))

from fleet import SshFleet, build_collection, missing_tools  # noqa: E402

from birdkit.apply.applier import apply  # noqa: E402
from birdkit.gen.peermap import load_peermap  # noqa: E402
from birdkit.lab.netns import Fabric  # noqa: E402
from birdkit.runtime import BirdMatrix  # noqa: E402

JOBS = 20
TIMEOUT = 60
PLAYBOOK = f"""\
- hosts: bird
  gather_facts: false
  tasks:
    - birdkit.bird.config:
        peermap: "{{{{ birdkit_peermap }}}}"
        config_path: "{{{{ bird_config_path }}}}"
        socket_path: "{{{{ bird_socket_path }}}}"
        timeout: {TIMEOUT}
"""


def peermap(fleet: SshFleet, label: str) -> dict[str, Any]:
    data = fleet.peermap_data()
    for node in data["nodes"]:
        node["description"] = f"{label} {node['name']}"
    return data


def run_ansible(fleet: SshFleet, playbook: Path) -> float:
    start = time.perf_counter()
    result = fleet.ansible_playbook(playbook, "-f", str(JOBS), timeout=900)
    wall = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"ansible-playbook failed:\n{result.stdout}\n{result.stderr}")
    return wall


def run_birdkit(fleet: SshFleet) -> tuple[float, dict[str, int]]:
    transports = {name: fleet.ssh_transport(name) for name in fleet.names}
    start = time.perf_counter()
    report = apply(load_peermap(fleet.workdir / "peermap.yaml"), jobs=JOBS, timeout=TIMEOUT, transports=transports)
    wall = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"birdkit apply failed: {report.to_json()}")
    return wall, report.counts()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20, help="fleet size (default 20)")
    args = parser.parse_args()
    reason = missing_tools()
    if reason:
        print(f"fleet benchmark skipped: {reason}")
        return 0
    matrix = BirdMatrix.discover()
    with tempfile.TemporaryDirectory(prefix="birdkit-fleet-") as temporary, \
            Fabric.create(f"bkbench{os.getpid() % 10000}") as fabric:
        workdir = Path(temporary)
        fleet = SshFleet.build(fabric, workdir, matrix.get("2.0.12"), [f"n{i:02d}" for i in range(1, args.nodes + 1)],
                               build_collection(workdir))
        playbook = workdir / "rollout.yml"
        playbook.write_text(PLAYBOOK)
        fleet.write_inventory(peermap(fleet, "first"))
        print(f"{args.nodes} nodes, full mesh; first rollout from a bare BIRD (Ansible, not timed) ...")
        run_ansible(fleet, playbook)
        fleet.write_inventory(peermap(fleet, "ansible"))
        ansible_change = run_ansible(fleet, playbook)
        ansible_noop = run_ansible(fleet, playbook)
        fleet.write_inventory(peermap(fleet, "birdkit"))
        birdkit_change, counts = run_birdkit(fleet)
        assert counts == {"applied": args.nodes}, counts
        birdkit_noop, counts = run_birdkit(fleet)
        assert counts == {"unchanged": args.nodes}, counts
    nodes = args.nodes
    print(f"{'job':<28}{'ansible -f 20':>16}{'birdkit --jobs 20':>20}{'ratio':>8}")
    for job, ansible_wall, birdkit_wall in (("change every node", ansible_change, birdkit_change),
                                            ("no-op (files identical)", ansible_noop, birdkit_noop)):
        print(f"{job:<28}{ansible_wall:>14.2f} s{birdkit_wall:>18.2f} s{ansible_wall / birdkit_wall:>7.2f}x")
        print(f"{'  per node (wall / nodes)':<28}{ansible_wall / nodes:>14.3f} s{birdkit_wall / nodes:>18.3f} s")
        print(f"{'  ansible overhead per node':<28}{(ansible_wall - birdkit_wall) / nodes:>14.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
