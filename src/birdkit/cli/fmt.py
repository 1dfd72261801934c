"""The ``birdkit fmt`` command: print, check, diff or rewrite configs in the canonical layout."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from birdkit.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, bird_version
from birdkit.files import MAX_CONFIG_BYTES, read_stdin, read_text, write_atomically
from birdkit.terminal import printable

EPILOG = """\
examples:
  birdkit fmt /etc/bird/bird.conf             print the canonical layout on stdout
  birdkit fmt --check conf/*.conf             exit 1 and name each file that would change
  birdkit fmt --diff bird.conf                show what would change, as a unified diff
  birdkit fmt --write bird.conf               rewrite in place (atomically: temp file + rename)
  cat bird.conf | birdkit fmt -               read stdin, print the result

Each file is formatted on its own: `include` statements are kept, not expanded.
exit codes: 0 ok, 1 --check found files to change or a file does not parse,
            2 a file cannot be read or written (missing, a device, read-only, hard-linked, disk full)
"""


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the ``fmt`` arguments to ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="config files to format ('-' reads stdin)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", "-w", action="store_true", help="rewrite files in place (atomically)")
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    parser.add_argument("--diff", action="store_true", help="print a unified diff instead of the formatted text")
    parser.add_argument(
        "--target",
        type=bird_version,
        metavar="VERSION",
        help="BIRD version the configs are written for (default: syntax some supported BIRD accepts)",
    )


def run(args: argparse.Namespace) -> int:
    """Format every file; see EPILOG for the modes and exit codes."""
    from birdkit.config.format import format_config
    from birdkit.config.parse import parse_config
    from birdkit.config.versions import ANY_TARGET

    if args.write and "-" in args.files:
        print("birdkit fmt: --write cannot rewrite stdin", file=sys.stderr)
        return EXIT_USAGE
    results: list[tuple[str, str, str, str]] = []
    for name in args.files:
        if name == "-":
            original = read_stdin(limit=MAX_CONFIG_BYTES, what="config", lossless=True)
        else:
            original = read_text(name, limit=MAX_CONFIG_BYTES, what="config", lossless=True)
        label = "<stdin>" if name == "-" else printable(name)  # shown in messages and diff headers
        config = parse_config(original, path=label, target=args.target or ANY_TARGET)
        results.append((name, label, original, format_config(config)))
    # every file parsed: only now write anything, so one bad file leaves all of them untouched
    changed = [label for _, label, original, formatted in results if formatted != original]
    for name, label, original, formatted in results:
        if args.diff:
            _write_out("".join(_unified_diff(original, formatted, label)))
        if args.write and formatted != original:
            write_atomically(Path(name), formatted)
            print(f"formatted {label}", file=sys.stderr)
        if not (args.diff or args.check or args.write):
            _write_out(formatted)
    if args.check:
        for label in changed:
            print(f"would reformat {label}", file=sys.stderr)
        return EXIT_FAILED if changed else EXIT_OK
    return EXIT_OK


def _write_out(text: str) -> None:
    """``text`` on stdout as the bytes it was read from (bytes that are not UTF-8 pass through unchanged)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()


def _unified_diff(original: str, formatted: str, label: str) -> list[str]:
    return list(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            formatted.splitlines(keepends=True),
            fromfile=f"{label} (original)",
            tofile=f"{label} (formatted)",
        )
    )


