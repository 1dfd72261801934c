"""``birdkit lab``: build, inspect, probe and remove the walkthrough's BGP pod-network lab."""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
import time
from typing import TYPE_CHECKING

from birdkit.cli.output import EXIT_FAILED, EXIT_OK, JSON_ERRORS, format_table, paint, print_json, progress, seconds
from birdkit.terminal import printable

if TYPE_CHECKING:
    from birdkit.lab.walkthrough import BlackholeProbe, LabState, NodeStatus, PingResult

EPILOG = """\
examples (as root):
  birdkit lab up                          # the walkthrough: vm1, vm2, pods 10.0.1.10 and 10.0.2.10, BGP
  birdkit lab ping                        # every pod pings every other pod, as a matrix
  birdkit lab blackhole                   # a connection into a node's own pod CIDR fails at once
  birdkit lab status                      # sessions, BIRD routes and kernel routes of every node
  birdkit lab down                        # remove everything the lab made, and nothing else
  birdkit lab up --nodes 8 --bird 2.0.12,3.1.8   # vm1..vm8, BIRD versions round robin
  birdkit lab up examples/walkthrough.yaml       # nodes and pod CIDRs from a peer map
  birdkit lab up --backend multipass      # real VMs, exactly as the walkthrough (needs multipass)

The netns backend makes every node a network namespace joined on the underlay 198.18.0.0/24 (the
walkthrough's 198.20.0.0/24); pods live in their own namespaces. The host's routes, sysctls and iptables
are never touched. State lives in $BIRDKIT_STATE/lab (default /run/birdkit/lab), so `lab down` works
after a crash or an interrupted `lab up`.
""" + JSON_ERRORS

PARTLY_UP = "the lab is partly up; `birdkit lab down` removes it"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the lab's actions: up, status, ping, blackhole, down."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="build the lab and wait until BGP converges",
                            description="build the lab and wait until BGP converges")
    up.add_argument("peermap", nargs="?", metavar="PEERMAP", help="peer map (default: the walkthrough's two nodes)")
    up.add_argument("--backend", choices=["netns", "multipass"], default="netns",
                    help="network namespaces here (default) or multipass VMs")
    up.add_argument("--nodes", type=_node_count, metavar="N", help="vm1..vmN with pod CIDRs 10.0.N.0/24 (default 2)")
    up.add_argument("--bird", metavar="VERSIONS", default=[], type=_versions,
                    help="comma-separated BIRD versions, given to nodes round robin (e.g. 2.0.12,3.1.8)")
    up.add_argument("--underlay", metavar="CIDR", type=_underlay,
                    help="underlay subnet of the default lab (default 198.18.0.0/24)")
    up.add_argument("--name", default="bkl", metavar="PREFIX", type=_lab_name,
                    help="namespace name prefix (default bkl)")
    up.add_argument("--timeout", type=seconds(), default=90, metavar="S", help="seconds to wait for convergence")
    for action, text in (
        ("status", "one table for the whole lab: sessions, BIRD routes, kernel routes"),
        ("ping", "every pod pings every other pod; the results as a matrix"),
        ("blackhole", "connect to an unused address in each node's own pod CIDR: it fails at once"),
        ("down", "remove everything the lab created, and nothing else"),
    ):
        actions.add_parser(action, help=text, description=text)
    for subparser in actions.choices.values():
        subparser.add_argument("--json", action="store_true", help="machine-readable output")


def _node_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of nodes, got {text!r}") from None
    if not 1 <= count <= 250:
        raise argparse.ArgumentTypeError(f"a lab has 1 to 250 nodes, not {count}")
    return count


def _versions(text: str) -> list[str]:
    versions = [version.strip() for version in text.split(",") if version.strip()]
    for version in versions:
        if not re.fullmatch(r"\d{1,2}(\.\d{1,3}){0,2}", version):
            raise argparse.ArgumentTypeError(f"{version!r} is not a BIRD version such as 2.0.12 or 3.1.8")
    return versions


def _lab_name(text: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9]{0,11}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: a lab name is a lowercase letter, then up to 11 letters/digits")
    if text.startswith("bkt"):
        raise argparse.ArgumentTypeError(f"{text!r}: names starting with 'bkt' belong to the test fixtures")
    return text


def _underlay(text: str) -> str:
    try:
        network = ipaddress.IPv4Network(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected an IPv4 subnet such as 198.18.0.0/24: {error}") from None
    return str(network)


def run(args: argparse.Namespace) -> int:
    """Run one lab action."""
    from birdkit.lab import walkthrough

    if args.action == "up":
        return _up(args)
    if args.action == "down":
        done = walkthrough.down(log=progress)
        if args.json:
            print_json({"removed": done})
        else:
            print("\n".join(done) if done else "no lab was up; nothing to remove")
        return EXIT_OK
    state = walkthrough.require_state(walkthrough.state_dir())
    if args.action == "status":
        return _status(state, args.json)
    if args.action == "ping":
        return _ping(state, args.json)
    return _blackhole(state, args.json)


def _up(args: argparse.Namespace) -> int:
    from birdkit.errors import BirdkitError
    from birdkit.lab import walkthrough

    started = time.monotonic()
    try:
        state, statuses, elapsed = walkthrough.up(
            args.peermap, backend=args.backend, node_count=args.nodes, versions=args.bird,
            underlay=args.underlay, name=args.name, timeout=args.timeout, log=progress,
        )
    except BirdkitError as error:
        if walkthrough.load_state(walkthrough.state_dir()) is not None and error.hint is None:
            error.hint = PARTLY_UP
        raise
    except KeyboardInterrupt:
        if walkthrough.load_state(walkthrough.state_dir()) is not None:
            print(f"hint: {PARTLY_UP}", file=sys.stderr)
        raise
    if args.json:
        print_json({"converged_in": round(elapsed, 2), "total": round(time.monotonic() - started, 2),
                    "lab": state.to_json(), "nodes": _status_json(statuses)})
        return EXIT_OK
    print(f"lab up: {len(statuses)} nodes ({state.backend} backend, underlay {state.underlay}) up in "
          f"{time.monotonic() - started:.1f} s; BGP converged {elapsed:.1f} s after BIRD started\n")
    print(format_table(["node", "bird", "router id", "pod cidr", "pod ip", "sessions", "routes"],
                       walkthrough.iter_rows(statuses)))
    first = state.nodes[0]
    socket = f"{first.bird_dir}/bird.ctl" if first.bird_dir else None
    print("\nnext, try:")
    show_routes = (f"birdkit show routes --socket {socket}" if socket
                   else f"multipass exec {first.name} -- sudo birdc show route")
    hints = [
        ("birdkit lab ping", "every pod pings every other pod"),
        ("birdkit lab blackhole", "the blackhole route makes connections fail at once"),
        ("birdkit lab status", "sessions, BIRD routes and kernel routes"),
        (show_routes, f"{first.name}'s BIRD routes"),
        (f"ip netns exec {first.netns} ip route" if first.netns else f"multipass exec {first.name} -- ip route",
         f"{first.name}'s kernel table (proto bird)"),
        ("birdkit lab down", "remove it all"),
    ]
    width = max(len(command) for command, _ in hints)
    for command, text in hints:
        print(f"  {command.ljust(width)}  # {text}")
    return EXIT_OK


def _status_json(statuses: list[NodeStatus]) -> list[dict[str, object]]:
    return [
        {"node": s.node, "bird_version": s.bird_version, "router_id": s.router_id, "pod_cidr": s.pod_cidr,
         "pod_ip": s.pod_ip, "sessions_up": s.sessions_up, "sessions": s.sessions, "bird_routes": s.bird_routes,
         "kernel_routes": list(s.kernel_routes), "converged": s.converged, "failing": list(s.failing)}
        for s in statuses
    ]


def _status(state: LabState, as_json: bool) -> int:
    from birdkit.lab.walkthrough import lab_status

    statuses = lab_status(state)
    converged = all(status.converged for status in statuses)
    if as_json:
        print_json({"converged": converged, "nodes": _status_json(statuses)})
    else:
        rows = [
            [s.node, s.bird_version, s.pod_cidr, s.pod_ip, f"{s.sessions_up}/{s.sessions} Established",
             s.bird_routes, "; ".join(s.kernel_routes) or "-",
             paint("converged", "green") if s.converged else paint("waiting", "yellow")]
            for s in statuses
        ]
        headers = ["node", "bird", "pod cidr", "pod ip", "sessions", "bird routes", "kernel routes (proto bird)",
                   "state"]
        print(format_table(headers, rows))
        for status in statuses:
            for failing in status.failing:
                print(printable(f"  {status.node}: {failing}"))
    return EXIT_OK if converged else EXIT_FAILED


def _ping(state: LabState, as_json: bool) -> int:
    from birdkit.lab.walkthrough import ping_matrix

    results = ping_matrix(state)
    ok = all(result.ok for result in results)
    if as_json:
        print_json({"ok": ok, "pings": [
            {"from": r.source, "to": r.target, "address": r.address, "ok": r.ok} for r in results
        ]})
    else:
        print(render_matrix(state, results))
        print(f"\n{sum(r.ok for r in results)}/{len(results)} pings answered")
    return EXIT_OK if ok else EXIT_FAILED


def render_matrix(state: LabState, results: list[PingResult]) -> str:
    """Rows: the pinging pod; columns: the pinged pod; ``ok``, ``FAIL``, or ``-`` on the diagonal."""
    outcome = {(r.source, r.target): r.ok for r in results}
    names = state.node_names()
    headers = ["from \\ to", *[f"{node.name} {node.pod_ip}" for node in state.nodes]]
    rows = [
        [f"{source}_pod", *["-" if source == target else ("ok" if outcome[(source, target)] else "FAIL")
                            for target in names]]
        for source in names
    ]
    return format_table(headers, rows)


def _blackhole(state: LabState, as_json: bool) -> int:
    from birdkit.lab.walkthrough import blackhole_probes

    probes: list[BlackholeProbe] = blackhole_probes(state)
    ok = all(probe.passed for probe in probes)
    if as_json:
        print_json({"ok": ok, "probes": [
            {"node": p.node, "address": p.address, "port": p.port, "errno": p.errno_name, "message": p.message,
             "elapsed": p.elapsed, "verdict": p.verdict, "route": p.route, "passed": p.passed}
            for p in probes
        ]})
        return EXIT_OK if ok else EXIT_FAILED
    rows = [
        [p.node, f"{p.address}:{p.port}", f"{p.verdict} ({p.errno_name}: {p.message})", f"{p.elapsed * 1000:.1f} ms",
         p.route, paint("ok", "green") if p.passed else paint("FAIL", "red")]
        for p in probes
    ]
    print(format_table(["node", "connect to", "result", "elapsed", "kernel route", "fast fail"], rows))
    print("\nEach node blackholes its own pod CIDR (BIRD's static route), so a connection to an address no pod\n"
          "has fails at once instead of waiting for a timeout, like the walkthrough's `curl 10.0.1.11`.\n"
          "(Linux answers connect() into a blackhole route with EINVAL, \"Invalid argument\".)")
    return EXIT_OK if ok else EXIT_FAILED
