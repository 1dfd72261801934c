"""BIRD's literal rules, shared by the parser, the formatter and the generator: numbers, strings and symbols.

BIRD's lexer has no escapes in strings (every version from 2.0.7 to 3.x): a string runs from ``"`` to the next
``"`` and may not span lines. So a text either prints as ``"text"`` unchanged or cannot be written at all;
there is nothing to escape. BIRD 2.x also crashes (``realloc(): invalid pointer``) on a string of 4096 bytes or
more, measured on 2.0.12 and 2.17.6.
"""

from __future__ import annotations

import re
import unicodedata

#: longest string BIRD 2.x survives is 4095 bytes; values birdkit writes stay well inside that
MAX_STRING_BYTES = 1024

#: what :func:`number` gives for a literal past 64 bits: BIRD refuses every such number as out of range
BEYOND_64_BITS = 1 << 64


def number(text: str) -> int:
    """The value of a BIRD number literal as BIRD's lexer reads it: ``0x…`` hex, any other digit run decimal,
    leading zeros and all (``010`` is ten); past 64 bits, :data:`BEYOND_64_BITS` (a text of a million digits
    is never converted)."""
    hexadecimal = text[:2] in ("0x", "0X")
    digits = (text[2:] if hexadecimal else text).lstrip("0")
    if len(digits) > (16 if hexadecimal else 20):
        return BEYOND_64_BITS
    return min(int(digits or "0", 16 if hexadecimal else 10), BEYOND_64_BITS)


_SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Unicode's bidirectional controls: they make a line read differently from what BIRD parses
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unwritable(text: str) -> str | None:
    """Why ``text`` cannot appear between BIRD's quotes at all (a quote or a line break), or ``None``."""
    if '"' in text:
        return "contains a double quote, which would end the BIRD string"
    if "\n" in text or "\r" in text:
        return "contains a line break, which BIRD strings cannot hold"
    return None


def string_problem(text: str, *, max_bytes: int = MAX_STRING_BYTES) -> str | None:
    """Why ``text`` is not a safe value for a string birdkit writes, or ``None`` when it is.

    Stricter than :func:`unwritable`: control characters (NUL, tab, escape ...), bidirectional controls and
    texts longer than ``max_bytes`` (UTF-8) are refused too, since they hide content from a reader or a
    terminal, or crash BIRD 2.x.
    """
    problem = unwritable(text)
    if problem:
        return problem
    for character in text:
        if character in _BIDI_CONTROLS:
            return f"contains the bidirectional control U+{ord(character):04X}, which hides what BIRD reads"
        if unicodedata.category(character) == "Cc":
            return f"contains the control character U+{ord(character):04X}"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return f"is {size} bytes long; at most {max_bytes} are allowed (BIRD 2.x crashes on 4096 and more)"
    return None


def quote_string(text: str) -> str:
    """``text`` as a BIRD string literal (``"text"``); ``ValueError`` when BIRD cannot hold it."""
    problem = unwritable(text)
    if problem:
        raise ValueError(f"{text!r} {problem}")
    return f'"{text}"'


def is_symbol(text: str) -> bool:
    """True when ``text`` is a plain BIRD symbol (letters, digits, ``_``; not starting with a digit)."""
    return _SYMBOL.match(text) is not None
