"""Fake BIRDs for every `birdkit show` subcommand, not only status: replies that close mid-way, lie (another
command's reply), fail with escapes in the error, send bytes that are not text, stall or flood; and paths that
are no socket at all."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.show.fake_bird import transcript

from .probe import birdkit
from .test_socket import Behaviour, answering, fake_bird

_, REPLIES = transcript("receiver-2.17.6.txt")
COMMANDS = {"protocols": "show protocols", "routes": "show route all", "interfaces": "show interfaces"}
FORMATS = ["table", "json", "jsonl"]
ESCAPES = b"\x1b]0;pwned\x07\x1b[2J\xe2\x80\xae"


def recorded(what: str) -> bytes:
    return "".join(f"{line}\n" for line in REPLIES[COMMANDS[what]]).encode()


def sends(data: bytes, *, then_close: bool = False) -> Behaviour:
    def reply(connection: socket.socket) -> None:
        connection.sendall(data)
        if then_close:
            connection.shutdown(socket.SHUT_WR)
            time.sleep(0.5)

    return answering(reply)


def show(socket_path: Path, what: str, fmt: str = "table") -> list[str]:
    return ["show", what, "--socket", str(socket_path), "--timeout", "2", "--format", fmt]


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    return tmp_path / "bird.ctl"


@pytest.mark.parametrize("what", sorted(COMMANDS))
def test_a_reply_closed_midway_is_an_error(what: str, socket_path: Path) -> None:
    half = recorded(what)[: len(recorded(what)) // 2]
    with fake_bird(socket_path, sends(half, then_close=True)):
        outcome = birdkit(show(socket_path, what, FORMATS[len(what) % 3]))
    outcome.clean(1, says="in the middle of the reply")


@pytest.mark.parametrize(("what", "fmt"), [("routes", fmt) for fmt in FORMATS] + [("protocols", "json"),
                                                                                  ("interfaces", "table")])
def test_escapes_in_a_reply_never_reach_the_terminal(what: str, fmt: str, socket_path: Path) -> None:
    hostile = recorded(what).replace(b"eth0", ESCAPES + b"eth0").replace(b"upstream", b"up\x1b[31mstream")
    assert hostile != recorded(what)
    with fake_bird(socket_path, sends(hostile)):
        outcome = birdkit(show(socket_path, what, fmt))
    outcome.clean(0)
    assert not any(char in outcome.stdout + outcome.stderr for char in "\x1b\x07\u202e")


@pytest.mark.parametrize("what", sorted(COMMANDS))
def test_the_reply_of_another_command_is_a_located_error(what: str, socket_path: Path) -> None:
    status = "".join(f"{line}\n" for line in REPLIES["show status"]).encode()
    with fake_bird(socket_path, sends(status)):
        outcome = birdkit(show(socket_path, what))
    outcome.clean(1, says=f"<{'route' if what == 'routes' else what} reply>:1:")
    assert "<string>" not in outcome.stderr


@pytest.mark.parametrize(
    ("what", "reply", "says"),
    [
        ("routes", b"8001 Network not found\n", "BIRD replied 8001: Network not found"),
        ("protocols", b"9001 syntax error, unexpected \x1b[2J\n", "BIRD replied 9001: syntax error, unexpected \\x1b"),
        ("routes", b"\xff\xfe\x00garbage\n0000 \n", "<route reply>:1:"),
        ("interfaces", b"\xff\xfe\x00garbage\n0000 \n", "<interfaces reply>:1:"),
        ("protocols", b"1002-\x00\x00\x00\n0000 \n", "\\x00\\x00\\x00"),
    ],
    ids=["8001", "9001-escape", "routes-not-text", "interfaces-not-text", "nul"],
)
def test_errors_and_garbage_are_clean_errors(what: str, reply: bytes, says: str, socket_path: Path) -> None:
    with fake_bird(socket_path, sends(reply)):
        outcome = birdkit(show(socket_path, what))
    outcome.clean(1, says=says)
    assert "\x1b" not in outcome.stderr


def endless_line(connection: socket.socket) -> None:
    connection.sendall(b"1007-")
    while True:
        connection.sendall(b"x" * 65536)


def endless_continuation(connection: socket.socket) -> None:
    connection.sendall(b"1002-name     proto    table    state  since       info\n")
    while True:
        connection.sendall(b" more\n" * 10000)


def silence(connection: socket.socket) -> None:
    time.sleep(30)


@pytest.mark.parametrize(
    ("what", "behaviour", "says"),
    [
        ("routes", endless_line, "longer than 1 MiB"),
        ("routes", silence, "sent nothing for 2 s"),
        ("protocols", endless_continuation, "did not complete it within 2 s"),
        ("interfaces", endless_line, "longer than 1 MiB"),
    ],
)
def test_a_flooding_or_silent_bird_ends_in_time(
    what: str, behaviour: Callable[[socket.socket], None], says: str, socket_path: Path
) -> None:
    with fake_bird(socket_path, answering(behaviour)):
        outcome = birdkit(show(socket_path, what), timeout=30)
    outcome.clean(1, says=says)
    assert outcome.seconds < 12 and len(outcome.stderr) < 2000


@pytest.mark.parametrize(
    ("kind", "says"),
    [("file", "is a file, not BIRD's control socket"), ("directory", "is a directory, not"),
     ("fifo", "is a FIFO, not"), ("device", "is a device, not"), ("missing", "no BIRD control socket at")],
)
def test_a_socket_path_that_is_no_socket_says_so(kind: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / "bird.ctl"
    if kind == "file":
        path.write_text("0001 BIRD 2.17.6 ready.\n")
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    outcome = birdkit(["show", "routes", "--socket", str(path)])
    outcome.clean(3, says=says)
    assert outcome.seconds < 5


@pytest.mark.parametrize("name", ["a'b", "x\ny", "x\rconfigure"])
def test_a_name_that_cannot_be_a_bird_symbol_is_refused_before_it_is_sent(name: str, socket_path: Path) -> None:
    received: list[bytes] = []

    def record(connection: socket.socket) -> None:
        connection.sendall(b"0001 BIRD 2.17.6 ready.\n")
        received.append(connection.recv(4096))

    with fake_bird(socket_path, record):
        outcome = birdkit(["show", "routes", "--socket", str(socket_path), "--protocol", name])
    outcome.clean(2, says="cannot be written in a BIRD command")
    assert received in ([], [b""])
