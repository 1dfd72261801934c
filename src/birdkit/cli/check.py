"""`birdkit check FILE...`: validate BIRD configs the way `bird -p` does, with file:line:col errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from birdkit.cli.output import JSON_ERRORS

EPILOG = """\
examples:
  birdkit check /etc/bird/bird.conf
  birdkit check --target 2.0.12 bird.conf          # as BIRD 2.0.12 would read it
  birdkit check --target 3 vm1.conf vm2.conf       # short forms: 2.0, 2.14, 3, 3.1
  birdkit check --map /etc/bird/=./etc-bird/ bird.conf   # resolve absolute includes locally
  birdkit check --json bird.conf | jq .            # machine-readable verdicts
  cat bird.conf | birdkit check -                  # read stdin

exit codes: 0 every file is valid, 1 a file is invalid, 2 usage error or a file cannot be read (missing,
            a directory or device, larger than 64 MiB)
""" + JSON_ERRORS


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Declare the options of ``birdkit check``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="config files to check ('-' reads stdin)")
    parser.add_argument(
        "--target",
        metavar="VERSION",
        help="BIRD version whose syntax to accept: 2.0.7, 2.0.12, 2.14, 2.17.6, 3, 3.1.8, ... (default: newest)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="PREFIX=DIR",
        help="read includes under PREFIX from DIR instead (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON verdict per file")


def _include_map(pairs: list[str]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs:
        prefix, separator, folder = pair.partition("=")
        if not separator or not prefix:
            return None
        mapping[prefix] = folder
    return mapping


def run(args: argparse.Namespace) -> int:
    """Check every file; print verdicts; return 0 (all valid), 1 (some invalid) or 2 (usage)."""
    import gc

    gc.disable()  # syntax trees hold no reference cycles, and this process ends after the check
    from birdkit.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, paint, print_json
    from birdkit.config.parse import check_config
    from birdkit.config.versions import format_version, parse_target
    from birdkit.errors import BirdkitError, FileError, UsageError
    from birdkit.files import MAX_CONFIG_BYTES, read_stdin
    from birdkit.terminal import printable

    try:
        version = parse_target(args.target)
    except BirdkitError as error:
        raise UsageError(f"birdkit check: {error.message}", hint=error.hint) from None
    include_map = _include_map(args.map)
    if include_map is None:
        raise UsageError("birdkit check: --map takes PREFIX=DIR, e.g. --map /etc/bird/=./etc-bird/")
    target = args.target or format_version(version)
    verdicts: list[dict[str, Any]] = []
    unreadable = False
    for name in args.files:
        source = "<stdin>" if name == "-" else name
        try:
            text = read_stdin(limit=MAX_CONFIG_BYTES, what="config", lossless=True) if name == "-" else None
            check_config(source, text=text, target=target, include_map=include_map)
        except BirdkitError as error:
            unreadable = unreadable or isinstance(error, FileError)
            verdicts.append({"file": source, "ok": False, "target": target, "error": error.to_json()})
            if not args.json:
                print(str(error), file=sys.stderr)
            continue
        verdicts.append({"file": source, "ok": True, "target": target, "error": None})
        if not args.json:
            print(f"{printable(source)}: {paint('ok', 'green')} (BIRD {target} syntax)")
    if args.json:
        print_json(verdicts, sys.stdout)
    if unreadable:
        return EXIT_USAGE
    return EXIT_OK if all(verdict["ok"] for verdict in verdicts) else EXIT_FAILED
