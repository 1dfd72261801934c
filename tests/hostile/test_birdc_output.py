"""Hostile birdc output for parse-routes and parse-protocols: devices, huge lines, output cut short, raw socket
replies without their final line, bytes that are not UTF-8, and the JSON contract when a parse fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.show.fake_bird import transcript

from .probe import birdkit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "client"
ROUTES = (FIXTURES / "receiver-2.17.6.birdc-route-all.txt").read_bytes()
PROTOCOLS = (FIXTURES / "receiver-2.17.6.birdc-protocols-all.txt").read_bytes()


def raw_socket_reply(command: str) -> bytes:
    """The recorded raw socket reply (reply codes and all) to ``command``."""
    _, replies = transcript("receiver-2.17.6.txt")
    return "".join(line + "\n" for line in replies[command]).encode()


@pytest.mark.parametrize("command", ["parse-routes", "parse-protocols"])
@pytest.mark.parametrize(("path", "says"), [("/dev/zero", "kernel file"), ("/", "a directory")])
def test_devices_and_directories_are_refused(command: str, path: str, says: str) -> None:
    birdkit([command, path]).clean(2, says=says)


@pytest.mark.parametrize("command", ["parse-routes", "parse-protocols"])
def test_a_five_megabyte_line_is_refused_quickly(command: str) -> None:
    outcome = birdkit([command, "-"], stdin=b"{" * (5 << 20))
    outcome.clean(1, says="longer than 1 Mi characters")
    assert len(outcome.stderr) < 2000 and outcome.seconds < 10


@pytest.mark.parametrize("command", ["parse-routes", "parse-protocols"])
def test_output_cut_mid_line_is_an_error(command: str) -> None:
    text = ROUTES if command == "parse-routes" else PROTOCOLS
    number = b"BGP.local_pref: 200" if command == "parse-routes" else b"Neighbor AS:"
    cut = text[: text.index(number) + len(number) + 3]
    birdkit([command, "-"], stdin=cut).clean(1, says="ends in the middle of a line")


@pytest.mark.parametrize("command", ["show route all", "show protocols all upstream"])
def test_a_raw_socket_reply_cut_before_its_final_line_is_an_error(command: str) -> None:
    reply = raw_socket_reply(command)
    assert reply.splitlines()[-1][:5] == b"0000 "
    cut = b"".join(reply.splitlines(keepends=True)[:-1])
    tool = "parse-routes" if "route" in command else "parse-protocols"
    birdkit([tool, "-"], stdin=reply).clean(0)
    birdkit([tool, "-"], stdin=cut).clean(1, says="ends before its final line")


def test_json_stays_valid_when_the_parse_fails_midway() -> None:
    broken = ROUTES + b"this is not a route line\n"
    outcome = birdkit(["parse-routes", "--format", "json", "-"], stdin=broken).clean(1, says="<stdin>:")
    routes = json.loads(outcome.stdout)
    assert len(routes) >= 3 and all("prefix" in route for route in routes)


def test_jsonl_is_one_record_per_line_until_the_error() -> None:
    broken = ROUTES + b"this is not a route line\n"
    outcome = birdkit(["parse-routes", "--format", "jsonl", "-"], stdin=broken).clean(1)
    assert all(json.loads(line)["prefix"] for line in outcome.stdout.splitlines())


def test_bytes_that_are_not_utf8_and_terminal_escapes_are_harmless() -> None:
    hostile = ROUTES.replace(b"eth0", b"eth\xff\x1b[2J0", 1)
    outcome = birdkit(["parse-routes", "-"], stdin=hostile).clean(0)
    assert "\x1b" not in outcome.stdout


def test_a_fifo_streams(tmp_path: Path) -> None:
    fifo = tmp_path / "routes"
    os.mkfifo(fifo)
    writer = os.fork()
    if writer == 0:  # the child feeds the FIFO and leaves at once
        with fifo.open("wb") as stream:
            stream.write(ROUTES)
        os._exit(0)
    try:
        outcome = birdkit(["parse-routes", "--format", "jsonl", str(fifo)]).clean(0)
    finally:
        os.waitpid(writer, 0)
    assert len(outcome.stdout.splitlines()) >= 3
