"""Byte fuzzing: every parser takes arbitrary bytes (mutations of real inputs and raw noise) and either returns
or raises a BirdkitError, never anything else."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.show.fake_bird import load_transcript

from birdkit.config.parse import parse_config
from birdkit.errors import BirdkitError
from birdkit.gen.peermap import load_peermap
from birdkit.show.client import Bird
from birdkit.show.parse import parse_interfaces, parse_protocols, parse_route_count, parse_routes, parse_status
from birdkit.show.stream import iter_routes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLIENT = FIXTURES / "client"
CONFIG = (FIXTURES / "gen" / "walkthrough-vm1.conf").read_bytes()
PEERMAP = (Path(__file__).resolve().parents[2] / "examples" / "walkthrough.yaml").read_bytes()
ROUTES = (CLIENT / "receiver-2.17.6.birdc-route-all.txt").read_bytes()
PROTOCOLS = (CLIENT / "receiver-2.17.6.birdc-protocols-all.txt").read_bytes()
TRANSCRIPT = (CLIENT / "receiver-2.17.6.txt").read_text()

FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# bytes that matter to these formats: line ends, quotes, brackets, separators, invalid UTF-8, controls
_SPECIAL = st.sampled_from([b"\n", b"\r", b"\r\n", b'"', b"'", b"{", b"}", b"(", b")", b"[", b"]", b";", b":",
                            b" ", b"\t", b"\x00", b"\xff", b"\xc3", b"\x1b[", b"0000 ", b"1007-", b" ", b"&a", b"*a",
                            b"- ", b"#", b"/*", b"9999999999999", b"/99", b"300.18.0.1", b"-1"])


def raw_reply(command: str) -> list[str]:
    """The recorded raw socket lines (reply codes and all) of ``command``."""
    _, replies = load_transcript(TRANSCRIPT)
    return replies[command]


def reply(command: str) -> bytes:
    """The recorded reply of ``command`` as birdc prints it (reply codes removed)."""
    lines = [line[5:] if line[:4].isdigit() else line[1:] for line in raw_reply(command)]
    return "".join(f"{line}\n" for line in lines).encode()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few slices replaced, cut, repeated or set to special bytes; or plain noise."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=400))
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        insert = draw(st.one_of(_SPECIAL, st.binary(max_size=12), st.just(data[start:end] * 3)))
        data = data[:start] + insert + data[end:]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


def only_birdkit_errors(function: Callable[[], Any]) -> None:
    try:
        function()
    except BirdkitError as error:
        assert str(error)


@FUZZ
@given(data=mutated(CONFIG))
def test_config_parser(data: bytes) -> None:
    only_birdkit_errors(lambda: parse_config(data.decode("utf-8", "surrogateescape"), path="fuzz.conf"))


@FUZZ
@given(data=mutated(ROUTES))
def test_route_parsers(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    only_birdkit_errors(lambda: parse_routes(text))
    only_birdkit_errors(lambda: list(iter_routes(text.splitlines(keepends=True))))


@FUZZ
@given(data=mutated(PROTOCOLS))
def test_protocols_parser(data: bytes) -> None:
    only_birdkit_errors(lambda: parse_protocols(data.decode("utf-8", "replace")))


@pytest.mark.parametrize(
    ("command", "parser"),
    [("show status", parse_status), ("show route count", parse_route_count), ("show interfaces", parse_interfaces)],
)
def test_other_reply_parsers(command: str, parser: Callable[[str], Any]) -> None:
    @FUZZ
    @given(data=mutated(reply(command)))
    def fuzz(data: bytes) -> None:
        only_birdkit_errors(lambda: parser(data.decode("utf-8", "replace")))

    fuzz()


@FUZZ
@given(data=mutated(PEERMAP), suffix=st.sampled_from([".yaml", ".json", ".toml"]))
def test_peermap_loader(data: bytes, suffix: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("map") / f"peermap{suffix}"
    path.write_bytes(data)
    only_birdkit_errors(lambda: load_peermap(path))


@FUZZ
@given(data=mutated(("0001 BIRD 2.17.6 ready.\n" + "".join(f"{line}\n" for line in raw_reply("show status"))).encode()))
def test_socket_reply_framing(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("sock") / "bird.ctl"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
            connection.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        def talk() -> None:
            with Bird(path, timeout=2) as bird:
                bird.status()

        only_birdkit_errors(talk)
    finally:
        listener.close()
        thread.join(timeout=5)
