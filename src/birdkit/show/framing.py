"""Control-socket framing: 4-digit reply codes, ``-`` and space continuations, and the end of a reply.

BIRD's socket prints ``CODE-text`` for a line that more lines follow, ``CODE text`` for the last line
of a reply, and `` text`` (a leading space) for a further line with the previous code. Plain ``birdc``
output has no codes at all. :func:`deframe` turns either form into :class:`ReplyLine` objects, so the
parsers above it never look at codes by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import attrs

_CODED = re.compile(r"^(\d{4})([ -])(.*)$")


@attrs.frozen
class ReplyLine:
    """One line of output: its reply code (``None`` for plain birdc text) and its text, code removed."""

    code: int | None
    text: str
    #: true on the line that ends a coded reply (``CODE text`` with a space)
    last: bool = False

    @property
    def is_error(self) -> bool:
        return self.code is not None and self.code >= 8000


def is_coded(line: str) -> bool:
    """Whether ``line`` starts with a 4-digit reply code and a separator."""
    return _CODED.match(line) is not None


def deframe(lines: Iterable[str]) -> Iterator[ReplyLine]:
    """Yield a :class:`ReplyLine` for every input line, coded (socket) or plain (birdc), mixed freely.

    A line that starts with a space right after a coded line keeps that code; in plain birdc
    text the same line is just indented text.
    """
    code: int | None = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        match = _CODED.match(line)
        if match:
            code = int(match.group(1))
            yield ReplyLine(code, match.group(3), match.group(2) == " ")
        elif code is not None and line.startswith(" "):
            yield ReplyLine(code, line[1:])
        else:
            code = None
            yield ReplyLine(None, line)
