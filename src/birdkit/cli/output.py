"""Shared terminal output for every command: exit codes, aligned tables, JSON, progress lines."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from birdkit.terminal import printable

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENV = 3
EXIT_INTERRUPTED = 130

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


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays clean for pipes and ``--json``."""
    print(message, file=sys.stderr, flush=True)
