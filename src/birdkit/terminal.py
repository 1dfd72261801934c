"""Text from outside (files, sockets, other programs) made safe to show on a terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates, and the
# surrogates that stand for undecodable bytes: each could move the cursor, recolour or reorder the screen
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that could act on a terminal written as an escape (``\\x1b``, ``\\u202e``).

    Tabs and newlines stay; so does everything else that prints.
    """
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


# what JSON leaves unescaped but a terminal still obeys: DEL, C1 controls, bidirectional overrides and isolates
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_printable(text: str) -> str:
    """JSON ``text`` with the characters of :func:`printable` that JSON itself leaves raw written as ``\\uXXXX``
    escapes: the same JSON value, harmless on a terminal."""
    if not _UNSAFE_IN_JSON.search(text):
        return text
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
