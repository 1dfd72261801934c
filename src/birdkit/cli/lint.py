"""The ``birdkit lint`` command: semantic checks of one config, or of several configs as one fleet."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from birdkit.cli.output import EXIT_FAILED, EXIT_OK, JSON_ERRORS, bird_version, format_table, paint, print_json
from birdkit.errors import FileError, UsageError
from birdkit.files import MAX_CONFIG_BYTES, read_stdin, read_text

EPILOG = """\
examples:
  birdkit lint /etc/bird/bird.conf                    one config
  birdkit lint --target 3.1.8 bird.conf               also flag names that are keywords in BIRD 3.1.8
  birdkit lint vm1/bird.conf vm2/bird.conf            a fleet: sessions must match, router ids be unique
  birdkit lint --outside 198.18.0.254 out/*/bird.conf the fleet also peers with a router it does not hold
  birdkit lint --json out/*/bird.conf | jq '.findings[] | .rule'
  birdkit lint --list-rules                           every rule id with its one-line description

Several files are linted as one fleet: every file on its own, plus the cross-node rules (fleet-*).
exit codes: 0 no errors (warnings are printed but do not fail; --strict makes them fail),
            1 errors found (or, with --strict, warnings), 2 a file cannot be read (missing,
            a directory or device, larger than 64 MiB)
""" + JSON_ERRORS


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the ``lint`` arguments to ``parser``."""
    parser.add_argument("files", nargs="*", metavar="FILE", help="configs to lint; several = a fleet ('-' reads stdin)")
    parser.add_argument(
        "--target",
        type=bird_version,
        metavar="VERSION",
        help="BIRD version to check against, e.g. 2.0.12, 3.1.8 (default: syntax some supported BIRD accepts)",
    )
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument(
        "--outside",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a neighbor address outside the fleet (a top-of-rack router); repeatable",
    )


def run(args: argparse.Namespace) -> int:
    """Lint the files (or list the rules) and return the exit code described in EPILOG."""
    from birdkit.config.lint import RULES, Severity, lint_config, lint_fleet
    from birdkit.config.parse import load_config
    from birdkit.config.versions import ANY_TARGET

    if args.list_rules:
        rows = [(rule.id, rule.severity.value, rule.doc) for rule in RULES.values()]
        if args.json:
            print_json([{"rule": r, "severity": s, "doc": d} for r, s, d in rows])
        else:
            print(format_table(["rule", "severity", "doc"], rows))
        return EXIT_OK
    if not args.files:
        raise UsageError("birdkit lint: give at least one FILE (or --list-rules)")
    for address in args.outside:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise UsageError(f"birdkit lint: --outside takes an IP address, not {address!r}") from None
    target = args.target or ANY_TARGET  # without --target: whatever some supported BIRD accepts
    configs = []
    sources: dict[str, str] = {}  # what stdin held, to quote its lines
    for name in args.files:
        if name == "-":
            sources["<stdin>"] = read_stdin(limit=MAX_CONFIG_BYTES, what="config", lossless=True)
            configs.append(load_config("<stdin>", text=sources["<stdin>"], target=target))
        else:
            configs.append(load_config(name, target=target))
    if len(configs) == 1:
        findings = lint_config(configs[0], target=args.target)
    else:
        findings = lint_fleet(configs, target=args.target, outside=args.outside)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    if args.json:
        print_json(
            {
                "files": list(args.files),
                "findings": [f.to_json() for f in findings],
                "errors": errors,
                "warnings": warnings,
            }
        )
    else:
        for finding in findings:
            color = "red" if finding.severity is Severity.ERROR else "yellow"
            source_line = _source_line(finding.span.path, finding.span.line, sources) if finding.span else None
            text = finding.render(source_line)
            head, _, rest = text.partition("\n")
            print(paint(head, color) + ("\n" + rest if rest else ""))
        summary = f"{len(args.files)} file(s): {errors} error(s), {warnings} warning(s)"
        print(summary, file=sys.stderr)
    failed = errors > 0 or (args.strict and warnings > 0)
    return EXIT_FAILED if failed else EXIT_OK


def _source_line(path: str | None, line: int, sources: dict[str, str]) -> str | None:
    if path is None:
        return None
    try:
        text = sources[path] if path in sources else read_text(path, limit=MAX_CONFIG_BYTES, lossless=True)
    except FileError:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None
