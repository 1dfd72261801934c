"""The control-socket client ``Bird``: commands, reply framing by code, BIRD errors, streamed routes."""

from __future__ import annotations

import math
import os
import re
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict, Unpack

import attrs

from birdkit.errors import BirdError, BirdkitError, ControlSocketError, UsageError
from birdkit.show.framing import ReplyLine, deframe
from birdkit.show.models import Interface, Protocol, Route, RouteCount, Status

#: where Debian's and most distributions' BIRD packages put the control socket
DEFAULT_SOCKETS = ("/run/bird/bird.ctl", "/var/run/bird/bird.ctl")

_RECEIVE_SIZE = 1 << 20
#: the longest line BIRD's socket may send (BIRD's own lines stay below a few KiB; a full AS path stays below 64 KiB)
MAX_LINE_BYTES = 1 << 20
#: the largest reply read whole (status, protocols, configure; routes stream and have no such limit)
MAX_REPLY_BYTES = 256 << 20
# the last line of a reply: a code and a space (continuation lines start with a space, others "DDDD-")
_FINAL_LINE = re.compile(rb"^\d{4} [^\n]*\n", re.MULTILINE)
_NOTICE_LINE = re.compile(rb"^\+([^\n]*)\n", re.MULTILINE)
_GREETING = re.compile(r"^0001 BIRD (?P<version>\S+) ready\.$")
_READING_CONFIG = re.compile(r"^Reading configuration from (?P<path>.*)$")
_UNDO_SCHEDULED = re.compile(r"^Undo scheduled in (?P<seconds>\d+) s$")
# symbols BIRD accepts unquoted: a letter or underscore, then letters, digits, underscores, dots
_SYMBOL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
# a prefix, address or ``for``/``in`` selector: no whitespace-splitting surprises, no newlines
_PREFIX = re.compile(r"^[0-9A-Fa-f.:/]+$")

#: reply codes of ``configure`` and friends that end the command successfully (``doc/reply_codes``)
CONFIGURE_STATUS = {
    3: "reconfigured",
    4: "in-progress",
    5: "queued",
    6: "ignored",
    17: "queue-removed",
    18: "confirmed",
    19: "nothing-to-do",
    20: "ok",
}


@attrs.frozen
class ConfigureResult:
    """What ``configure``, ``configure check``, ``confirm`` or ``undo`` answered.

    ``status`` names the final code (:data:`CONFIGURE_STATUS`): ``reconfigured``, ``in-progress`` (BIRD is
    still shutting protocols down), ``queued``, ``ignored``, ``confirmed``, ``nothing-to-do`` or ``ok``
    (``configure check`` passed). ``undo_in`` is the rollback countdown of ``configure timeout``.
    """

    code: int
    status: str
    message: str
    config_file: str | None = None
    undo_in: int | None = None
    lines: tuple[ReplyLine, ...] = ()


def _is_final(line: str) -> bool:
    return len(line) >= 5 and line[4] == " " and line[:4].isdigit()


def _symbol(kind: str, name: str) -> str:
    """``name`` as a BIRD symbol in a command, quoted when it is not a plain identifier."""
    if _SYMBOL.match(name):
        return name
    if "'" in name or "\n" in name or "\r" in name:
        raise UsageError(f"{kind} name {name!r} cannot be written in a BIRD command", hint="use the name BIRD shows")
    return f"'{name}'"


def _address(kind: str, value: str) -> str:
    if not _PREFIX.match(value):
        raise UsageError(f"{kind} {value!r} is not an IP address or prefix", hint="e.g. 10.0.0.0/24 or 2001:db8::1")
    return value


class RouteSelectors(TypedDict, total=False):
    """What ``show route`` selects: the keyword arguments of :func:`route_command` and :meth:`Bird.routes`.

    ``prefix`` (a net), ``for_address`` (the routes for an address), ``table`` (``"all"`` for every table),
    ``protocol``, ``filter`` (a filter's name), ``where`` (a one-line filter expression), ``all`` (with
    attributes; True unless given), ``primary`` (only the best route), ``filtered`` (routes an import filter
    rejected).
    """

    prefix: str | None
    for_address: str | None
    table: str | None
    protocol: str | None
    filter: str | None
    where: str | None
    all: bool
    primary: bool
    filtered: bool


def route_command(*, count: bool = False, **selectors: Unpack[RouteSelectors]) -> str:
    """The ``show route`` command line for these selectors; with ``count``, the ``show route ... count`` one."""
    unknown = sorted(set(selectors) - RouteSelectors.__optional_keys__)
    if unknown:
        raise TypeError(f"unknown show route selector(s): {', '.join(unknown)}")
    prefix, for_address, table = selectors.get("prefix"), selectors.get("for_address"), selectors.get("table")
    protocol, filter, where = selectors.get("protocol"), selectors.get("filter"), selectors.get("where")
    all, primary, filtered = selectors.get("all", True), selectors.get("primary"), selectors.get("filtered")
    words = ["show", "route"]
    if prefix is not None:
        words.append(_address("prefix", prefix))
    if for_address is not None:
        words += ["for", _address("address", for_address)]
    if table is not None:
        words += ["table", "all" if table == "all" else _symbol("table", table)]
    if filter is not None:
        words += ["filter", _symbol("filter", filter)]
    if where is not None:
        if "\n" in where or "\r" in where:
            raise UsageError("a `where` expression must be one line")
        words += ["where", where]
    if all and not count:
        words.append("all")
    if primary:
        words.append("primary")
    if filtered:
        words.append("filtered")
    if protocol is not None:
        words += ["protocol", _symbol("protocol", protocol)]
    if count:
        words.append("count")
    return " ".join(words)


class Bird:
    """A connection to a running BIRD's control socket.

    >>> with Bird("/run/bird/bird.ctl") as bird:           # doctest: +SKIP
    ...     print(bird.version, bird.status().router_id)
    ...     for route in bird.routes(table="master4"):
    ...         print(route.prefix, route.bgp.as_path if route.bgp else None)

    A reply read whole (status, protocols, configure) must be complete within ``timeout`` seconds, and a streamed
    route reply must bring each line within ``timeout`` seconds; a line longer than :data:`MAX_LINE_BYTES`, a
    reply read whole larger than :data:`MAX_REPLY_BYTES`, and a BIRD that stalls, drips or closes the socket in
    the middle of a reply raise :class:`~birdkit.errors.ControlSocketError`; an ``8xxx``/``9xxx`` reply raises
    :class:`~birdkit.errors.BirdError`. One command runs at a time: starting a new one first drains what
    is left of an abandoned streamed reply.
    """

    def __init__(self, socket_path: str | Path, timeout: float = 30.0) -> None:
        if not (isinstance(timeout, int | float) and 0 < timeout < math.inf):
            raise BirdkitError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.socket_path = str(socket_path)
        self.timeout = timeout
        #: asynchronous ``+`` messages, e.g. ``Config timeout expired, starting undo``
        self.notices: list[str] = []
        self._command: str | None = None
        self._streaming = False
        self._in_reply = False
        # received bytes not yet handed out start at self._start; the bytes before self._scanned hold no newline
        self._buffer = bytearray()
        self._start = 0
        self._scanned = 0
        # when the line (or, for a reply read whole, the reply) being received must be complete
        self._last_data = time.monotonic()
        self._deadline = self._last_data + timeout
        self._reply_bytes = 0
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(timeout)
        try:
            self._socket.connect(self.socket_path)
        except FileNotFoundError:
            self._socket.close()
            raise ControlSocketError(
                f"no BIRD control socket at {self.socket_path}",
                hint="is BIRD running? pass its socket with --socket PATH (bird -s PATH sets it)",
            ) from None
        except OSError as error:
            self._socket.close()
            raise _connect_error(self.socket_path, error) from None
        greeting = self._readline()
        match = _GREETING.match(greeting)
        if not match:
            self.close()
            raise ControlSocketError(
                f"{self.socket_path} did not greet like BIRD: {greeting!r}",
                hint="expected `0001 BIRD <version> ready.`",
            )
        #: the daemon's version from the greeting, e.g. ``"2.17.6"``
        self.version: str = match["version"]

    # -- connection -------------------------------------------------------------------------------------

    def __enter__(self) -> Bird:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the socket; further commands raise :class:`ControlSocketError`."""
        self._socket.close()

    @property
    def closed(self) -> bool:
        return self._socket.fileno() < 0

    def _fill(self) -> None:
        """Receive more bytes into the buffer. Silence, a closed socket, a line longer than
        :data:`MAX_LINE_BYTES` or a reply still unfinished at its deadline raise ControlSocketError."""
        doing = f"the reply to {self._command!r}" if self._command else "the greeting"
        if len(self._buffer) - self._start > MAX_LINE_BYTES:
            self.close()
            raise ControlSocketError(
                f"BIRD at {self.socket_path} sent a line longer than {MAX_LINE_BYTES >> 20} MiB during {doing}",
                hint="BIRD never sends such lines: is this really BIRD's control socket?",
            )
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            self._socket.settimeout(min(self.timeout, remaining))
            data = self._socket.recv(_RECEIVE_SIZE)
        except TimeoutError:
            self.close()
            silent = time.monotonic() - self._last_data >= self.timeout
            what = "sent nothing for" if silent else "did not complete it within"
            raise ControlSocketError(
                f"BIRD at {self.socket_path} {what} {self.timeout:g} s during {doing}",
                hint="the daemon may be stuck or the reply very slow; raise the timeout",
            ) from None
        except OSError as error:
            self.close()
            raise ControlSocketError(f"reading {doing} from {self.socket_path} failed: {error}") from None
        if not data:
            self.close()
            raise ControlSocketError(
                f"BIRD closed the control socket {self.socket_path} in the middle of {doing}",
                hint="did the daemon exit or crash? see its log",
            )
        self._last_data = time.monotonic()
        if self._start > len(self._buffer) // 2:  # drop what was handed out, in linear total time
            del self._buffer[: self._start]
            self._scanned -= self._start
            self._start = 0
        self._buffer += data

    def _next_newline(self) -> int:
        """The offset of the next newline, receiving until there is one; each byte is searched once."""
        while (end := self._buffer.find(b"\n", max(self._start, self._scanned))) < 0:
            self._scanned = len(self._buffer)
            self._fill()
        return end

    def _readline(self) -> str:
        end = self._next_newline()
        line = bytes(self._buffer[self._start : end])
        self._start = end + 1
        self._scanned = self._start
        if self._command is None or not self._streaming:
            self._reply_bytes += len(line) + 1
            if self._reply_bytes > MAX_REPLY_BYTES:
                self.close()
                raise ControlSocketError(
                    f"the reply to {self._command!r} from {self.socket_path} exceeds {MAX_REPLY_BYTES >> 20} MiB",
                    hint="is this really BIRD's control socket?",
                )
        else:
            self._deadline = time.monotonic() + self.timeout
        return line.decode("utf-8", "replace")

    def _reply_block(self) -> str:
        """The next whole lines of the current reply as text, without its final line; ``""`` at its end.

        This is the fast path for large replies: one ``recv`` of up to 1 MiB becomes one text block.
        Each block starts a new deadline: a streamed reply may take long, but each line comes in time.
        """
        text = ""
        while not text and self._in_reply:
            self._next_newline()
            end = self._buffer.rfind(b"\n", self._start)
            block = bytes(self._buffer[self._start : end + 1])
            final = _final_line(block)
            if final:
                block = block[: final.end()]
                self._in_reply = False
            self._start += len(block)
            self._scanned = self._start
            self._deadline = time.monotonic() + self.timeout
            if block.startswith(b"+") or b"\n+" in block:
                self.notices += [notice.decode("utf-8", "replace") for notice in _NOTICE_LINE.findall(block)]
                block = _NOTICE_LINE.sub(b"", block)
            if final:
                code, final_text = int(final[0][:4]), final[0][5:-1].decode("utf-8", "replace")
                if code >= 8000:
                    raise BirdError(code, final_text)
                block = block[: -len(final[0])]
            text = block.decode("utf-8", "replace")
        return text

    def _send(self, command: str, *, streaming: bool = False) -> None:
        if "\n" in command or "\r" in command:
            raise UsageError(f"a BIRD command is one line: {command!r}")
        if self.closed:
            raise ControlSocketError(f"the connection to {self.socket_path} is closed")
        if self._in_reply:
            self._drain()
        self._command = command
        self._streaming = streaming
        self._last_data = time.monotonic()
        self._deadline = self._last_data + self.timeout
        self._reply_bytes = 0
        try:
            self._socket.sendall(command.encode() + b"\n")
        except OSError as error:
            self.close()
            raise ControlSocketError(f"sending {command!r} to {self.socket_path} failed: {error}") from None
        self._in_reply = True

    def _drain(self) -> None:
        """Read and drop the rest of an abandoned reply (e.g. a half-consumed route stream)."""
        try:
            for _ in self._reply_lines():
                pass
        except BirdError:
            pass

    def _reply_lines(self) -> Iterator[str]:
        """The raw coded lines of the current reply, up to and including its final line.

        ``+`` notices are set aside; an ``8xxx``/``9xxx`` line raises :class:`BirdError` once the reply
        has ended, so the connection stays usable.
        """
        error: BirdError | None = None
        while True:
            line = self._readline()
            if line.startswith("+"):
                self.notices.append(line[1:])
                continue
            if line[:1] in "89" and line[:4].isdigit() and error is None:
                error = BirdError(int(line[:4]), line[5:])
            if _is_final(line):
                self._in_reply = False
                if error is not None:
                    raise error
                yield line
                return
            yield line

    # -- raw commands -----------------------------------------------------------------------------------

    def lines(self, command: str) -> Iterator[str]:
        """Send ``command`` and stream its reply as raw socket lines (``1007-…``, `` …``, ``0000 ``)."""
        self._send(command)
        return self._reply_lines()

    def command(self, command: str) -> list[ReplyLine]:
        """Run ``command`` and return its whole reply, deframed (codes and texts)."""
        return list(deframe(self.lines(command)))

    def text(self, command: str) -> str:
        """Run ``command`` and return its reply as raw socket text (every line, codes included)."""
        return "\n".join(self.lines(command)) + "\n"

    # -- typed commands ---------------------------------------------------------------------------------

    def status(self) -> Status:
        """``show status``."""
        from birdkit.show.parse import parse_status

        return parse_status(self.text("show status"))

    def protocols(self, name: str | None = None, *, all: bool = True) -> list[Protocol]:
        """``show protocols [all] [name]``; ``name`` may be a glob like ``"bgp*"``."""
        from birdkit.show.parse import parse_protocols

        words = ["show", "protocols", *(["all"] if all else [])]
        if name is not None:
            words.append(f'"{name}"' if any(c in name for c in "*?") else _symbol("protocol", name))
        return parse_protocols(self.text(" ".join(words)))

    def routes(self, **selectors: Unpack[RouteSelectors]) -> Iterator[Route]:
        """Stream ``show route`` as :class:`Route` objects while BIRD sends them (constant memory).

        ``selectors`` are those of :class:`RouteSelectors`. With ``all`` (the default) every route carries its
        typed attributes. ``8001 Network not found`` (a ``prefix`` with no route) raises :class:`BirdError`
        like every other error reply.
        """
        from birdkit.show.stream import iter_routes

        return iter_routes(self._route_reply(selectors), path="<route reply>")

    def route_json(self, **selectors: Unpack[RouteSelectors]) -> Iterator[dict[str, Any]]:
        """:meth:`routes` in JSON form (``to_json`` of each route), built straight from the text without Route
        objects (see :func:`birdkit.show.stream.iter_route_json`): what ``birdkit show routes --format jsonl``
        writes."""
        from birdkit.show.stream import iter_route_json

        return iter_route_json(self._route_reply(selectors), path="<route reply>")

    def _route_reply(self, selectors: RouteSelectors) -> _ReplyText:
        self._send(route_command(**selectors), streaming=True)
        return _ReplyText(self)

    def route_count(
        self, *, table: str | None = None, protocol: str | None = None, filter: str | None = None
    ) -> RouteCount:
        """``show route [table T] [protocol P] [filter F] count``."""
        from birdkit.show.parse import parse_route_count

        command = route_command(table=table, protocol=protocol, filter=filter, count=True)
        return parse_route_count(self.text(command))

    def interfaces(self) -> list[Interface]:
        """``show interfaces``."""
        from birdkit.show.parse import parse_interfaces

        return parse_interfaces(self.text("show interfaces"))

    # -- reconfiguration --------------------------------------------------------------------------------

    def configure(
        self, *, check: bool = False, timeout: int | None = None, soft: bool = False, file: str | None = None
    ) -> ConfigureResult:
        """Reload the config file (``configure``), or only check it (``check=True``).

        ``timeout`` asks BIRD to undo the change after that many seconds unless :meth:`confirm` comes
        first (``configure timeout N``). ``soft`` skips restarting protocols whose filters changed.
        ``file`` reads another file (as the daemon sees it). A config error raises
        :class:`BirdError` with code 8002 and BIRD's ``file:line:col message``.
        """
        if check and (timeout is not None or soft):
            raise BirdkitError("`configure check` takes neither a timeout nor soft")
        words = ["configure"]
        if check:
            words.append("check")
        if soft:
            words.append("soft")
        if timeout is not None:
            if timeout < 1:
                raise BirdkitError(f"configure timeout must be at least 1 second, not {timeout}")
            words += ["timeout", str(timeout)]
        if file is not None:
            if '"' in file:
                raise BirdkitError(f"config file name {file!r} cannot contain a double quote")
            words.append(f'"{file}"')
        return self._configure_reply(" ".join(words))

    def confirm(self) -> ConfigureResult:
        """``configure confirm``: keep the config loaded with a timeout (``nothing-to-do`` if none pends)."""
        return self._configure_reply("configure confirm")

    def undo(self) -> ConfigureResult:
        """``configure undo``: go back to the config before the last ``configure``."""
        return self._configure_reply("configure undo")

    def _configure_reply(self, command: str) -> ConfigureResult:
        try:
            replies = self.command(command)
        except BirdError as error:
            if error.code == 8002:
                error.hint = "fix the config; `birdkit check FILE` shows the line and column"
            raise
        config_file: str | None = None
        undo_in: int | None = None
        for reply in replies:
            if reply.code == 2 and (match := _READING_CONFIG.match(reply.text)):
                config_file = match["path"]
            elif reply.code == 22 and (match := _UNDO_SCHEDULED.match(reply.text)):
                undo_in = int(match["seconds"])
        final = replies[-1]
        code = final.code if final.code is not None else 0
        return ConfigureResult(
            code, CONFIGURE_STATUS.get(code, "other"), final.text, config_file, undo_in, tuple(replies)
        )


def _connect_error(path: str, error: OSError) -> ControlSocketError:
    """Why ``path`` refused a connection: no socket at all (a file, a directory), no permission, or no BIRD."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFSOCK
    if not stat.S_ISSOCK(mode):
        kinds = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device"}
        kind = kinds.get(stat.S_IFMT(mode), "a file")
        return ControlSocketError(
            f"{path} is {kind}, not BIRD's control socket",
            hint="pass BIRD's control socket with --socket PATH (bird -s PATH sets it)",
        )
    hint = (
        "run as a user who may open the socket (often root or the bird group)"
        if isinstance(error, PermissionError)
        else "is BIRD running? a socket file left by a stopped BIRD refuses connections"
    )
    return ControlSocketError(f"cannot connect to BIRD at {path}: {error.strerror or error}", hint=hint)


def _final_line(block: bytes) -> re.Match[bytes] | None:
    """The final line of a reply in ``block`` (whole lines). BIRD sends nothing after it but ``+`` notices,
    so it is the last line or followed by notices only; the cheap look at the last line comes first."""
    last_start = block.rfind(b"\n", 0, len(block) - 1) + 1
    if block[last_start : last_start + 1] == b"+":
        return _FINAL_LINE.search(block)
    return _FINAL_LINE.match(block, last_start)


class _ReplyText:
    """The reply being received, as a read-only text file of raw socket lines (what iter_routes reads)."""

    def __init__(self, bird: Bird) -> None:
        self._bird = bird

    def read(self, size: int = -1) -> str:
        """The next block of whole lines (``size`` is a hint only); ``""`` when the reply has ended."""
        return self._bird._reply_block()

    def __iter__(self) -> Iterator[str]:
        while block := self.read():
            yield from block.splitlines(keepends=True)


def default_socket() -> Path:
    """The first of :data:`DEFAULT_SOCKETS` that exists (else the first, for the error message)."""
    for candidate in DEFAULT_SOCKETS:
        if Path(candidate).exists():
            return Path(candidate)
    return Path(DEFAULT_SOCKETS[0])
