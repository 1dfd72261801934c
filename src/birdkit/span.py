"""Source positions: where a node or an error came from, and the caret snippet that shows it."""

from __future__ import annotations

from typing import NamedTuple

import attrs

from birdkit.terminal import printable


class Span(NamedTuple):
    """A 1-based region of a source file. Nodes carry one; it never takes part in their equality.

    A named tuple: a parse makes one per node, and a tuple is the cheapest immutable value to build (the
    parser builds them with ``tuple.__new__``, without a call of ``Span.__new__``).
    """

    path: str | None
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def location(self) -> str:
        """``file:line:column``, the prefix of a compiler-style message."""
        return f"{self.path or '<string>'}:{self.line}:{self.column}"


def span_field() -> Span | None:
    """An attrs field for a node's span: optional, keyword-only, left out of equality, hashing and repr."""
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)  # type: ignore[no-any-return]


#: the most characters of a source line an error shows; a longer line is cut around the column
SNIPPET_WIDTH = 120


#: the most characters of a token an error message quotes
TOKEN_WIDTH = 40


def shortened(text: str, width: int = TOKEN_WIDTH) -> str:
    """``text`` as an error message quotes it (``repr``), cut to ``width`` characters with ``...`` marking the cut."""
    return repr(text) if len(text) <= width else f"{text[:width]!r}..."


def caret_snippet(source_line: str, column: int, width: int = 1) -> str:
    """The source line and a caret under ``column`` (1-based), as a compiler prints them.

    Characters that could act on a terminal are escaped, and a line longer than :data:`SNIPPET_WIDTH` is cut
    to the part around the column (``...`` marks a cut), so a huge line never floods the terminal.
    """
    line = source_line.rstrip("\n").expandtabs(1)
    index = max(column - 1, 0)
    start = max(0, min(index - SNIPPET_WIDTH // 2, len(line) - SNIPPET_WIDTH))
    before, after = line[start:index], line[index : start + SNIPPET_WIDTH]
    lead = "..." if start > 0 else ""
    tail = "..." if start + SNIPPET_WIDTH < len(line) else ""
    shown_before = lead + printable(before)
    return f"    {shown_before}{printable(after)}{tail}\n    {' ' * len(shown_before)}{'^' * max(width, 1)}"
