"""The ``birdkit apply`` command: push generated configs, reload under BIRD's undo timer, roll back on failure."""

from __future__ import annotations

import argparse
import sys

from birdkit.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    JSON_ERRORS,
    format_table,
    paint,
    print_json,
    progress,
    whole_number,
)
from birdkit.terminal import printable

EPILOG = """\
examples:
  birdkit apply examples/walkthrough.yaml --dry-run       what would change on each node (a diff)
  birdkit apply examples/walkthrough.yaml                 every node, 4 at a time
  birdkit apply fleet.yaml --node vm2 --timeout 20        one node; BIRD undoes it after 20 s unless verified
  birdkit apply fleet.yaml --start --json | jq .counts    netns nodes: start our own BIRD where none runs

First the whole fleet passes the checks of `gen --check` (our parser, fleet lint, local `bird -p`):
if any config fails, no node is touched. Then per node: `bird -p` on the node, back up and install atomically,
`birdc configure timeout N`, check that sessions come back and own CIDRs are blackholed, then
`configure confirm` (or `configure undo` and the backup restored). Unchanged nodes are not reloaded.
Nodes are reached as the peer map says (transport: netns|multipass|ssh|local). Passwords never print.
exit codes: 0 every node applied or unchanged, 1 some node failed or was rolled back,
            2 invalid peer map, 3 BIRD/root/tool missing
""" + JSON_ERRORS


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the ``apply`` arguments to ``parser``."""
    parser.add_argument("peermap", metavar="PEERMAP", help="the peer map (YAML, TOML or JSON)")
    parser.add_argument("--node", action="append", metavar="N", help="only this node (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, touch nothing")
    parser.add_argument("--timeout", type=whole_number(2, 86400), default=30, metavar="N",
                        help="seconds of BIRD's undo timer (configure timeout N); default 30")
    parser.add_argument("--jobs", type=whole_number(1, 1024), default=4, metavar="N",
                        help="nodes handled at once; default 4")
    parser.add_argument("--start", action="store_true", help="netns nodes: start our own BIRD where none runs")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Apply the peer map and print one row per node (or JSON); see EPILOG for exit codes."""
    from birdkit.apply.applier import apply

    report = apply(
        args.peermap, nodes=args.node, dry_run=args.dry_run, timeout=args.timeout, jobs=args.jobs,
        start_daemons=args.start, on_progress=progress,
    )
    if args.json:
        print_json(report.to_json(), sys.stdout)
        return EXIT_OK if report.ok else EXIT_FAILED
    for result in report.results:
        if result.diff:
            print(result.diff, end="" if result.diff.endswith("\n") else "\n")
    rows = [
        (r.node, paint(r.outcome.value, "green" if r.ok else "red"), f"{r.elapsed:.1f}s", r.message)
        for r in report.results
    ]
    print(format_table(["node", "outcome", "time", "message"], rows))
    for result in report.results:
        for row in result.failed_checks:
            print(printable(f"  {result.node}: {row.kind} {row.subject}: {row.detail}"), file=sys.stderr)
    summary = ", ".join(f"{count} {outcome}" for outcome, count in report.counts().items())
    print(f"{len(report.results)} node(s): {summary}")
    return EXIT_OK if report.ok else EXIT_FAILED
