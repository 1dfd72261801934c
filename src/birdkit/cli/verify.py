"""The ``birdkit verify`` command: sessions, BIRD routes, kernel routes and blackholes on every node of a peer map."""

from __future__ import annotations

import argparse
import sys

from birdkit.cli.output import EXIT_FAILED, EXIT_OK, JSON_ERRORS, format_table, paint, print_json, seconds

EPILOG = """\
examples:
  birdkit verify examples/walkthrough.yaml               one row per node and check
  birdkit verify fleet.yaml --wait 60                    poll until everything holds (or 60 s pass)
  birdkit verify fleet.yaml --json | jq '.checks[] | select(.ok | not)'

Checks per node: every expected BGP session is Established (show protocols all); every peer's pod
CIDR is a best route in BIRD (show route) and in the kernel (ip route, proto bird); the node's own
pod CIDRs are blackholes.
exit codes: 0 every check holds, 1 some check failed, 2 invalid peer map, 3 BIRD/root/tool missing
""" + JSON_ERRORS


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the ``verify`` arguments to ``parser``."""
    parser.add_argument("peermap", metavar="PEERMAP", help="the peer map (YAML, TOML or JSON)")
    parser.add_argument("--node", action="append", metavar="N", help="only this node (repeatable)")
    parser.add_argument("--wait", type=seconds(zero=True), default=0.0, metavar="SECONDS",
                        help="poll until every check holds or SECONDS pass")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")


def run(args: argparse.Namespace) -> int:
    """Verify the fleet and print one aligned row per node and check; exit 0 when all hold."""
    from birdkit.apply.verify import verify
    from birdkit.gen.peermap import load_peermap

    report = verify(load_peermap(args.peermap), nodes=args.node, wait=args.wait)
    if args.json:
        print_json(report.to_json(), sys.stdout)
    else:
        rows = [
            (row.node, row.kind, row.subject, paint("ok" if row.ok else "FAIL", "green" if row.ok else "red"),
             row.detail)
            for row in report.rows
        ]
        print(format_table(["node", "check", "subject", "result", "detail"], rows))
        failed = len(report.failures)
        print(f"{len(report.rows)} check(s), {failed} failed, {report.elapsed:.1f}s")
    return EXIT_OK if report.ok else EXIT_FAILED
