"""Shared terminal output for every command: exit codes, aligned tables, JSON, progress lines."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from birdkit.terminal import printable

if TYPE_CHECKING:
    from birdkit.errors import BirdkitError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENV = 3
EXIT_INTERRUPTED = 130

#: the --help text of every command with JSON output about its errors (README: "Errors as JSON")
JSON_ERRORS = """\
errors as JSON: asked for JSON (--json, --format json/jsonl), refused input still prints one object on stdout,
  {"ok": false, "exit_code": N, "error": {"error", "message", "path", "line", "column", "hint"}}, with the
  exit code and stderr message it has without JSON; a jsonl stream cut by an error ends with it as its last line
"""

_COLORS = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2"}


def use_color(stream: TextIO | None = None) -> bool:
    """Color only on a terminal (stdout unless ``stream`` is given), and never when NO_COLOR is set."""
    return (stream or sys.stdout).isatty() and "NO_COLOR" not in os.environ


def paint(text: str, color: str, stream: TextIO | None = None) -> str:
    """``text`` in ``color`` (green, red, yellow, bold, dim) when the stream is a color terminal."""
    if not use_color(stream):
        return text
    return f"\x1b[{_COLORS[color]}m{text}\x1b[0m"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces; ``None`` prints as ``-``.

    Cells hold text from outside (BIRD's replies, files), so terminal controls in them are escapes.
    """
    cells = [[("-" if value is None else printable(str(value))) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def print_json(value: Any, stream: TextIO | None = None) -> None:
    """Pretty JSON with sorted keys, for ``--json`` (to stdout unless ``stream`` is given)."""
    out = stream or sys.stdout
    import json

    json.dump(value, out, indent=2, sort_keys=True, default=str)
    out.write("\n")


class WatchedStream:
    """A text stream that remembers whether anything was written to it: standard output, watched by the CLI while
    a command prints JSON, so that an error knows whether its JSON document may still be printed."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = False

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        return self.stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def print_json_error(error: BirdkitError, exit_code: int, fmt: str, stdout: WatchedStream) -> None:
    """Print ``{"ok": false, "exit_code": N, "error": {...}}`` (the error as ``check --json`` shows it) on
    ``stdout`` for a command asked for ``fmt`` (``json`` or ``jsonl``) that stops on a user error.

    JSONL gets it as its last line, after any records already printed; JSON gets it as the whole document, unless
    the command already printed one (a route array closed on the error), which stays the one valid document.
    """
    import json

    payload = {"ok": False, "exit_code": exit_code, "error": error.to_json()}
    if fmt == "jsonl":
        stdout.write(json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n")
    elif not stdout.written:
        print_json(payload, stdout.stream)


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays clean for pipes and ``--json``; it quotes nodes' and BIRD's
    words, so terminal controls in it come out as escapes."""
    print(printable(message), file=sys.stderr, flush=True)


def seconds(*, zero: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds above zero (or zero too, with ``zero``); nan, inf, negative
    numbers and words are usage errors (exit 2)."""
    wanted = "zero or a positive number of seconds" if zero else "a positive number of seconds"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (value >= 0 if zero else value > 0) or not value < math.inf:
            raise argparse.ArgumentTypeError(f"{wanted}, not {text!r}")
        return value

    return parse


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``; anything else is a usage error (exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a whole number from {low} to {high}, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"a whole number from {low} to {high}, not {value}")
        return value

    return parse


def bird_version(text: str) -> str:
    """An argparse type: a ``--target`` BIRD version that birdkit knows, or ``any`` (checked, returned as written)."""
    from birdkit.config.versions import gate_versions
    from birdkit.errors import BirdkitError

    try:
        gate_versions(text)
    except BirdkitError as error:
        raise argparse.ArgumentTypeError(printable(error.message)) from None
    return text
