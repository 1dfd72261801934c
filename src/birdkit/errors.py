"""The BirdkitError family: every error a user can cause, located and with a hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from birdkit.span import Span, caret_snippet
from birdkit.terminal import printable


class BirdkitError(Exception):
    """Base of every error birdkit raises for bad input or a failing node.

    ``str(error)`` is a complete, compiler-style message:
    ``file:line:col: message``, then the source line with a caret, then ``hint: ...``.
    """

    #: process exit code the CLI uses for this kind of error
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        span: Span | None = None,
        source_line: str | None = None,
        hint: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.source_line = source_line
        self.hint = hint
        self._path = path

    @property
    def path(self) -> str | None:
        """The file the error is about: its span's, or ``path`` for an error about a whole file (unreadable)."""
        return self.span.path if self.span else self._path

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def __str__(self) -> str:
        head = f"{self.span.location()}: {self.message}" if self.span else self.message
        parts = [printable(head)]
        if self.source_line is not None and self.span is not None:
            parts.append(caret_snippet(self.source_line, self.span.column))
        if self.hint:
            parts.append(printable(f"hint: {self.hint}"))
        return "\n".join(parts)

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }


def closest_choice(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice spelled most like ``word`` (difflib's similarity ratio at least ``cutoff``), or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(
    word: str, choices: Iterable[str], *, listing: str | None = None, prefix: str = "", cutoff: float = 0.6
) -> str | None:
    """The hint for a misspelt ``word``: ``did you mean '<prefix><closest>'?``.

    When no choice is close enough it lists them all (``"<listing>: a, b"``, in the order given) if
    ``listing`` names them, else it is None.
    """
    choices = list(choices)
    close = closest_choice(word, choices, cutoff=cutoff)
    if close is not None:
        return f"did you mean '{prefix}{close}'?"
    return f"{listing}: {', '.join(choices)}" if listing is not None else None


class FileError(BirdkitError):
    """A file that cannot be read or written as asked: missing, not a regular file, too large, not UTF-8,
    read-only, on a full disk. The CLI exits 2 and writes nothing."""

    exit_code = 2


class UsageError(BirdkitError):
    """Options that do not go together, or a value out of range for them. The CLI exits 2."""

    exit_code = 2


class ResourceError(BirdkitError):
    """The machine lacks the memory (or room for a thread) an input needs. The CLI exits 2."""

    exit_code = 2


class BirdSyntaxError(BirdkitError):
    """A config that does not parse."""


class ConfigError(BirdkitError):
    """A config that parses but cannot be loaded (missing include, include loop, version gate)."""


class OutputParseError(BirdkitError):
    """birdc output that does not have a shape BIRD prints."""


class ImpossibleValueError(OutputParseError):
    """birdc output holding a value no BIRD can print (a prefix length of 99, a community part of 10^9); like
    any output BIRD would not print, the parse commands exit 1 on it (2 is for a file they cannot read)."""


class BirdError(BirdkitError):
    """An error reply (8xxx run-time error, 9xxx parse error) from BIRD's control socket."""

    def __init__(self, code: int, text: str, *, hint: str | None = None) -> None:
        super().__init__(f"BIRD replied {code}: {text}", hint=hint)
        self.code = code
        self.text = text


class ControlSocketError(BirdkitError):
    """The control socket could not be reached, or BIRD went away mid-reply."""


class PeermapError(BirdkitError):
    """An invalid peer map. The CLI exits 2 and writes nothing."""

    exit_code = 2


class TransportError(BirdkitError):
    """A command or file transfer to a node failed."""


class ApplyError(BirdkitError):
    """Applying a config to a node failed; the node was left on its previous config."""


class VerifyError(BirdkitError):
    """A node did not reach the expected state."""


class RuntimeMissingError(BirdkitError):
    """A BIRD version, root privileges or a system tool this operation needs is missing."""
