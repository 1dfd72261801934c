"""A fake BIRD control socket for client tests: serves recorded transcripts from a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "client"

UNKNOWN_COMMAND = "9001 syntax error, unexpected CF_SYM_UNDEFINED"


def load_transcript(text: str) -> tuple[str, dict[str, list[str]]]:
    """A ``>>> command``-separated transcript -> (greeting line, command -> raw reply lines)."""
    lines = text.splitlines()
    replies: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[1:]:
        if line.startswith(">>> "):
            current = replies.setdefault(line[4:], [])
        elif current is not None:
            current.append(line)
    return lines[0], replies


def transcript(name: str) -> tuple[str, dict[str, list[str]]]:
    """A transcript from ``tests/fixtures/client/``."""
    return load_transcript((FIXTURES / name).read_text())


class FakeBird:
    """Listens on ``path``; answers each command line with its recorded reply.

    ``replies`` may also map a command to a callable producing lines (for large generated replies).
    ``cut`` maps a command to a line count after which the server closes the connection (BIRD died);
    ``stall`` maps a command to a line count after which the server goes silent until ``release()``.
    """

    def __init__(
        self,
        path: Path,
        greeting: str,
        replies: Mapping[str, Sequence[str] | Callable[[], Iterator[str]]],
        *,
        cut: dict[str, int] | None = None,
        stall: dict[str, int] | None = None,
    ) -> None:
        self.path = path
        self.greeting = greeting
        self.replies = replies
        self.cut = cut or {}
        self.stall = stall or {}
        self.received: list[str] = []
        self._released = threading.Event()
        self._stopped = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(4)
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FakeBird:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._released.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def release(self) -> None:
        """Let a stalled reply continue."""
        self._released.set()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(None)
            with connection, contextlib.suppress(OSError):
                self._session(connection)

    def _session(self, connection: socket.socket) -> None:
        connection.sendall(self.greeting.encode() + b"\n")
        reader = connection.makefile("rb")
        for raw in reader:
            command = raw.decode().rstrip("\n")
            self.received.append(command)
            reply = self.replies.get(command, [UNKNOWN_COMMAND])
            lines = reply() if callable(reply) else iter(reply)
            for count, line in enumerate(lines):
                if count == self.cut.get(command):
                    return
                if count == self.stall.get(command):
                    self._released.wait(timeout=30)
                connection.sendall(line.encode() + b"\n")
