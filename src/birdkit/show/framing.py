"""Control-socket framing: 4-digit reply codes, ``-`` and space continuations, and the end of a reply.

BIRD's socket prints ``CODE-text`` for a line that more lines follow, ``CODE text`` for the last line
of a reply, and `` text`` (a leading space) for a further line with the previous code. Plain ``birdc``
output has no codes at all. :func:`deframe` turns either form into :class:`ReplyLine` objects, so the
parsers above it never look at codes by hand.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import attrs

from birdkit.errors import OutputParseError
from birdkit.span import Span

#: a coded line; a bare code is a final line whose space was stripped (by an editor, like pybird's transcripts)
_CODED = re.compile(r"^(\d{4})(?:([ -])(.*))?$")
_FINAL = re.compile(r"\d{4}(?: |$)")
_CODED_LINE = re.compile(r"^\d{4}[ -]", re.M)
#: an indented line whose TABs became spaces: its reply code if any (a socket continuation line's space counts
#: as indent), the indent, then text without ``[`` (a route line, even one without a network, keeps its spaces)
_EXPANDED_INDENT = re.compile(r"^(\d{4}-|(?=  ))( +)(?=[^ \[\n][^\[\n]*$)", re.M)


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
            yield ReplyLine(code, match.group(3) or "", match.group(2) != "-")
        elif code is not None and line.startswith(" "):
            yield ReplyLine(code, line[1:])
        else:
            code = None
            yield ReplyLine(None, line)


def restore_tabs(text: str, shallowest: dict[bool, int] | None = None) -> str:
    """Route or interface output whose TABs were expanded to spaces (copied through a terminal, an editor or a
    ticket, like pybird's transcripts: ``1008-   Type: BGP univ``), with its body lines' TABs back, as BIRD
    prints them; text holding a TAB is returned as it is.

    BIRD indents a body line with one TAB after the framing (a reply code, a continuation space, or nothing in
    plain birdc text) and a wrapped attribute's further lines with two. Where the TAB stops fell depends on the
    framing's width, so depths are compared among lines of the same framing: a line indented deeper than the
    shallowest such line continues an attribute. A continuation line of socket text keeps its framing space.
    For output read in pieces, ``shallowest`` (coded framing or not -> depth) carries the shallowest depths
    of the pieces before, and is updated: a piece may hold only an attribute's further lines.
    """
    if "\t" in text:
        return text
    indents = list(_EXPANDED_INDENT.finditer(text))
    if not indents:
        return text
    depths = {} if shallowest is None else shallowest
    for found in indents:
        coded, depth = bool(found[1]), len(found[2])
        if depth < depths.get(coded, depth + 1):
            depths[coded] = depth
    continuation = " " if _CODED_LINE.search(text) else ""

    def tabs(found: re.Match[str]) -> str:
        code, indent = found.groups()
        return (code or continuation) + ("\t\t" if len(indent) > depths[bool(code)] else "\t")

    return _EXPANDED_INDENT.sub(tabs, text)


#: the longest line of birdc output read from a file or stdin (BIRD's lines stay far below)
MAX_LINE_CHARACTERS = 1 << 20
#: the most text read whole (``show protocols`` and the like; routes stream without such a limit)
MAX_TEXT_CHARACTERS = 256 << 20
_BLOCK_BYTES = 1 << 16


class CheckedText:
    """birdc output from a binary stream, read as text blocks (``read``) and checked as it passes.

    A line longer than :data:`MAX_LINE_CHARACTERS`, output that ends in the middle of a line (cut short), and raw
    socket text whose last reply has no final line (``0000 ...``) raise :class:`OutputParseError` naming the line.
    Bytes that are not UTF-8 become U+FFFD, as BIRD's own text never holds them.
    """

    def __init__(self, stream: BinaryIO, path: str) -> None:
        self._stream = stream
        self._path = path
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._lines = 0  # complete lines so far
        self._tail = ""  # the line being read (no newline yet)
        self._last = ""  # the last complete line
        self._ended = False
        self._coded: bool | None = None  # raw socket text (its first line has a reply code)

    def read(self, size: int = -1) -> str:
        """The next block of text (``size`` characters or more is a hint); ``""`` at the end, after the checks.

        ``read()`` without a size reads everything, up to :data:`MAX_TEXT_CHARACTERS`.
        """
        if size < 0:
            blocks: list[str] = []
            total = 0
            while block := self.read(_BLOCK_BYTES):
                blocks.append(block)
                total += len(block)
                if total > MAX_TEXT_CHARACTERS:
                    raise OutputParseError(f"{self._path}: more than {MAX_TEXT_CHARACTERS >> 20} Mi characters")
            return "".join(blocks)
        while not self._ended:
            data = self._stream.read(max(size, _BLOCK_BYTES))
            text = self._decoder.decode(data, final=not data)
            if not data:
                self._ended = True
                self._finish()
            if text:
                self._account(text)
                return text
        return ""

    def __iter__(self) -> Iterator[str]:
        """The lines, each with its newline."""
        pending = ""
        while block := self.read(_BLOCK_BYTES):
            lines = (pending + block).split("\n")
            pending = lines.pop()
            yield from (line + "\n" for line in lines)

    def _account(self, text: str) -> None:
        if self._coded is None:
            self._coded = _CODED.match(text.partition("\n")[0]) is not None
        newline = text.rfind("\n")
        if newline < 0:
            self._tail += text
        else:
            self._lines += text.count("\n")
            self._last = (self._tail + text[:newline]).rpartition("\n")[2]
            self._tail = text[newline + 1 :]
        if len(self._tail) > MAX_LINE_CHARACTERS:
            raise OutputParseError(
                f"line {self._lines + 1} is longer than {MAX_LINE_CHARACTERS >> 20} Mi characters",
                span=Span(self._path, self._lines + 1, 1),
                hint="BIRD never prints such lines: is this birdc output?",
            )

    def _finish(self) -> None:
        if self._tail:
            raise OutputParseError(
                "the output ends in the middle of a line",
                span=Span(self._path, self._lines + 1, len(self._tail) + 1),
                hint="it was cut short: BIRD ends every line",
            )
        last = self._last.rstrip("\r")
        if self._coded and (is_coded(last) or last.startswith(" ")) and not _FINAL.match(last):
            raise OutputParseError(
                "the socket reply ends before its final line (a code and a space, like `0000 `)",
                span=Span(self._path, self._lines, 1),
                hint="it was cut short: BIRD ends every reply with a final line",
            )
