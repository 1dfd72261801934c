"""Misbehaving control sockets: fake BIRDs that flood, drip, stall, lie, cut replies short or send terminal
escapes, against the client and `birdkit show`."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from birdkit.errors import BirdkitError, ControlSocketError
from birdkit.show.client import Bird

from .probe import birdkit

GREETING = b"0001 BIRD 2.17.6 ready.\n"
STATUS = (
    b"1000-BIRD 2.17.6\n"
    b"1011-Router ID is 198.18.0.1\n"
    b" Hostname is vm1\n"
    b" Current server time is 2026-12-04 05:00:00.000\n"
    b" Last reboot on 2026-12-04 04:00:00.000\n"
    b" Last reconfiguration on 2026-12-04 04:00:00.000\n"
    b"0013 Daemon is up and running\n"
)

Behaviour = Callable[[socket.socket], None]


@contextlib.contextmanager
def fake_bird(path: Path, behaviour: Behaviour) -> Iterator[Path]:
    """A socket at ``path`` whose every connection gets ``behaviour`` (after reading the command line)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    listener.settimeout(0.1)
    stopped = threading.Event()

    def serve(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            behaviour(connection)

    def accept() -> None:
        while not stopped.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stopped.set()
        thread.join(timeout=5)
        listener.close()


def answering(reply: Callable[[socket.socket], None]) -> Behaviour:
    """Greet, read one command, then ``reply``."""

    def behaviour(connection: socket.socket) -> None:
        connection.sendall(GREETING)
        connection.recv(4096)
        reply(connection)

    return behaviour


def endless_line(connection: socket.socket) -> None:
    connection.sendall(b"1000-BIRD ")
    while True:
        connection.sendall(b"x" * 65536)


def endless_continuation(connection: socket.socket) -> None:
    connection.sendall(b"1000-BIRD 2.17.6\n")
    while True:
        connection.sendall(b" more\n" * 10000)


def slow_drip(connection: socket.socket) -> None:
    for byte in STATUS:
        connection.sendall(bytes([byte]))
        time.sleep(0.2)


def cut_before_final(connection: socket.socket) -> None:
    connection.sendall(STATUS.rsplit(b"0013", 1)[0])


def escapes(connection: socket.socket) -> None:
    connection.sendall(STATUS.replace(b"vm1", b"\x1b]0;pwned\x07\x1b[2J\xe2\x80\xaevm1"))


def bad_status(connection: socket.socket) -> None:
    connection.sendall(STATUS.replace(b" Hostname is vm1\n", b" Hostname vm1 junk\n"))


def silence(connection: socket.socket) -> None:
    time.sleep(30)


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    return tmp_path / "bird.ctl"


@pytest.mark.parametrize(
    ("behaviour", "says"),
    [
        (endless_line, "longer than 1 MiB"),
        (endless_continuation, "did not complete it within 2 s"),
        (slow_drip, "did not complete it within 2 s"),
        (silence, "sent nothing for 2 s"),
    ],
)
def test_show_status_against_a_flooding_dripping_or_silent_bird_ends_in_time(
    socket_path: Path, behaviour: Callable[[socket.socket], None], says: str
) -> None:
    with fake_bird(socket_path, answering(behaviour)):
        outcome = birdkit(["show", "status", "--socket", str(socket_path), "--timeout", "2"], timeout=30)
    outcome.clean(1, says=says)
    assert outcome.seconds < 12


def test_a_reply_cut_before_its_final_line_is_an_error(socket_path: Path) -> None:
    def cut_and_close(connection: socket.socket) -> None:
        cut_before_final(connection)
        connection.shutdown(socket.SHUT_WR)

    with fake_bird(socket_path, answering(cut_and_close)):
        outcome = birdkit(["show", "status", "--socket", str(socket_path), "--timeout", "2"])
    outcome.clean(1, says="closed the control socket")


def test_terminal_escapes_from_the_socket_never_reach_the_terminal(socket_path: Path) -> None:
    with fake_bird(socket_path, answering(escapes)):
        outcome = birdkit(["show", "status", "--socket", str(socket_path)])
    outcome.clean(0, says=r"\x1b]0;pwned\x07\x1b[2J\u202evm1")
    assert "\x1b" not in outcome.stdout and "\u202e" not in outcome.stdout


def test_a_status_reply_of_another_shape_is_a_clean_error(socket_path: Path) -> None:
    with fake_bird(socket_path, answering(bad_status)):
        outcome = birdkit(["show", "status", "--socket", str(socket_path)])
    outcome.clean(1, says="<status reply>:3:1: this is not `status` output as BIRD prints it")
    assert "HOSTNAME" not in outcome.stderr and "<string>" not in outcome.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_status_reply_of_another_shape_is_a_json_error_when_json_is_asked_for(socket_path: Path, fmt: str) -> None:
    with fake_bird(socket_path, answering(bad_status)):
        outcome = birdkit(["show", "status", "--socket", str(socket_path), "--format", fmt])
    error = json.loads(outcome.clean(1, says="<status reply>:3:1:").stdout)["error"]
    where = (error["path"], error["line"], error["column"])
    assert where == ("<status reply>", 3, 1) and error["error"] == "OutputParseError"


def test_status_jsonl_is_one_line(socket_path: Path) -> None:
    with fake_bird(socket_path, answering(lambda connection: connection.sendall(STATUS))):
        outcome = birdkit(["show", "status", "--socket", str(socket_path), "--format", "jsonl"])
    outcome.clean(0)
    assert outcome.stdout.count("\n") == 1 and outcome.stdout.startswith("{")


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "soon"])
def test_show_timeout_must_be_a_positive_number(value: str) -> None:
    birdkit(["show", "status", f"--timeout={value}"]).clean(2, says="positive number of seconds")


@pytest.mark.parametrize("value", [-1.0, 0.0, float("nan"), float("inf")])
def test_client_timeout_must_be_a_positive_number(socket_path: Path, value: float) -> None:
    with pytest.raises(BirdkitError, match="positive number"):
        Bird(socket_path, timeout=value)


def test_a_greeting_that_never_ends_is_bounded(socket_path: Path) -> None:
    def flood(connection: socket.socket) -> None:
        while True:
            connection.sendall(b"0" * 65536)

    with fake_bird(socket_path, flood), pytest.raises(ControlSocketError, match="longer than 1 MiB"):
        Bird(socket_path, timeout=2)


def test_a_line_dripped_in_one_byte_pieces_costs_linear_time(socket_path: Path) -> None:
    line = b" " + b"x" * 500_000 + b"\n"

    def pieces(connection: socket.socket) -> None:
        connection.sendall(b"1000-BIRD 2.17.6\n")
        for start in range(0, len(line), 1000):
            connection.sendall(line[start : start + 1000])
        connection.sendall(b"0013 Daemon is up and running\n")

    started = time.monotonic()
    with fake_bird(socket_path, answering(pieces)), Bird(socket_path, timeout=10) as bird:
        reply = bird.command("show status")
    assert len(reply) == 3 and len(reply[1].text) == 500_000
    assert time.monotonic() - started < 5


def test_an_endless_continuation_stops_at_the_reply_size_limit(
    socket_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("birdkit.show.client.MAX_REPLY_BYTES", 1 << 20)
    with (
        fake_bird(socket_path, answering(endless_continuation)),
        Bird(socket_path, timeout=10) as bird,
        pytest.raises(ControlSocketError, match="exceeds 1 MiB"),
    ):
        bird.status()
