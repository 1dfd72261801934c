"""birdkit.Bird against a fake control socket serving transcripts recorded from real BIRD 2.0.12/2.17.6/3.1.8."""

from __future__ import annotations

import re
import socket
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import birdkit.show.client as client_module
from birdkit import Bird, iter_routes
from birdkit.errors import BirdError, BirdkitError, ControlSocketError
from birdkit.show.client import default_socket, route_command

from .fake_bird import FIXTURES, FakeBird, transcript
from .transcripts import check_route_json

VERSIONS = ("2.0.12", "2.17.6", "3.1.8")
# a route line as BIRD prints it on the socket: code or continuation space, net (or blank), dest, '['
ROUTE_LINE = re.compile(r"^(?:1007-| )(\S*)\s+(unicast|blackhole|unreachable|prohibited) \[")


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    return tmp_path / "bird.ctl"


def printed_routes(reply: list[str]) -> list[tuple[str, str]]:
    """(net, dest) of every route line in a raw reply, counted by a regex independent of the parser."""
    routes, net = [], ""
    for line in reply:
        match = ROUTE_LINE.match(line)
        if match:
            net = match[1] or net
            routes.append((net, match[2]))
    return routes


@pytest.mark.parametrize("version", VERSIONS)
def test_greeting_gives_version_and_routes_stream_every_printed_route(socket_path: Path, version: str) -> None:
    greeting, replies = transcript(f"receiver-{version}.txt")
    with FakeBird(socket_path, greeting, replies) as server, Bird(socket_path, timeout=5) as bird:
        assert bird.version == version
        routes = list(bird.routes())
        json_routes = list(bird.route_json())
        assert server.received == ["show route all", "show route all"]
    expected = printed_routes(replies["show route all"])
    assert len(expected) == 7
    assert [(route.prefix, route.dest) for route in routes] == expected
    assert all(route.table == "master4" and route.protocol == "upstream" for route in routes)
    check_route_json(json_routes, routes)


@pytest.mark.parametrize("version", VERSIONS)
def test_command_returns_deframed_reply(socket_path: Path, version: str) -> None:
    greeting, replies = transcript(f"receiver-{version}.txt")
    with FakeBird(socket_path, greeting, replies), Bird(socket_path, timeout=5) as bird:
        reply = bird.command("show status")
    assert [line.code for line in reply] == [1000, 1011, 1011, 1011, 1011, 1011, 13]
    assert reply[0].text == f"BIRD {version}"
    assert reply[-1].last and reply[-1].text == "Daemon is up and running"
    assert not any(line.last for line in reply[:-1])


def test_routes_selectors_become_the_command(socket_path: Path) -> None:
    greeting, replies = transcript("receiver-2.0.12.txt")
    with FakeBird(socket_path, greeting, replies) as server, Bird(socket_path, timeout=5) as bird:
        routes = list(bird.routes(protocol="upstream"))
    assert server.received == ["show route all protocol upstream"]
    assert len(routes) == len(printed_routes(replies["show route all protocol upstream"])) == 7


def test_route_command_builds_bird_syntax() -> None:
    assert route_command() == "show route all"
    assert route_command(all=False, table="all") == "show route table all"
    assert (
        route_command(prefix="10.0.0.0/8", table="t1", where="bgp_path.len > 1", primary=True, protocol="b")
        == "show route 10.0.0.0/8 table t1 where bgp_path.len > 1 all primary protocol b"
    )
    assert route_command(for_address="192.0.2.1", filter="f", filtered=True, all=False) == (
        "show route for 192.0.2.1 filter f filtered"
    )
    assert route_command(table="master4", count=True) == "show route table master4 count"
    assert route_command(protocol="odd name", all=False) == "show route protocol 'odd name'"


@pytest.mark.parametrize(
    "selectors",
    [{"prefix": "10.0.0.0/8; down"}, {"protocol": "a\nb"}, {"table": "x'y"}, {"where": "1\n2"}],
)
def test_route_command_rejects_injection(selectors: dict[str, str]) -> None:
    with pytest.raises(BirdkitError):
        route_command(**selectors)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", VERSIONS)
def test_error_reply_raises_bird_error_and_connection_stays_usable(socket_path: Path, version: str) -> None:
    greeting, replies = transcript(f"receiver-{version}.txt")
    with FakeBird(socket_path, greeting, replies), Bird(socket_path, timeout=5) as bird:
        with pytest.raises(BirdError) as parse_error:
            bird.command("show nonsense")
        assert parse_error.value.code == 9001
        assert parse_error.value.text.startswith("syntax error")
        with pytest.raises(BirdError) as not_found:
            list(bird.routes(prefix="192.0.2.0/24"))
        assert (not_found.value.code, not_found.value.text) == (8001, "Network not found")
        assert bird.command("show status")[-1].text == "Daemon is up and running"


@pytest.mark.parametrize("version", VERSIONS)
def test_bird_dying_mid_stream_is_a_clear_error_not_a_hang(socket_path: Path, version: str) -> None:
    greeting, replies = transcript(f"receiver-{version}.txt")
    third_route_line = [i for i, line in enumerate(replies["show route all"]) if ROUTE_LINE.match(line)][3]
    cut = {"show route all": third_route_line}
    with FakeBird(socket_path, greeting, replies, cut=cut), Bird(socket_path, timeout=5) as bird:
        started = time.monotonic()
        received = []
        with pytest.raises(ControlSocketError, match=r"closed the control socket .* 'show route all'"):
            for route in bird.routes():
                received.append(route)
        assert time.monotonic() - started < 2
        assert bird.closed
        with pytest.raises(ControlSocketError, match="closed"):
            bird.command("show status")
    assert len(received) < 7


def test_silent_bird_times_out(socket_path: Path) -> None:
    greeting, replies = transcript("receiver-3.1.8.txt")
    with FakeBird(socket_path, greeting, replies, stall={"show route all": 3}), Bird(socket_path, timeout=0.3) as bird:
        started = time.monotonic()
        with pytest.raises(ControlSocketError, match=r"sent nothing for 0\.3 s"):
            list(bird.routes())
        assert time.monotonic() - started < 3


@pytest.mark.slow
def test_routes_are_yielded_while_the_reply_is_still_arriving(socket_path: Path) -> None:
    count = 30_000
    replies = {"show route all": lambda: _generated_routes(count)}
    stall = {"show route all": 5 * count}  # of 7 * count lines: the parser may read ahead in batches
    server = FakeBird(socket_path, "0001 BIRD 2.0.12 ready.", replies, stall=stall)
    with server, Bird(socket_path, timeout=60) as bird:
        started = time.monotonic()
        stream = bird.routes()
        first = next(stream)
        # the server holds the rest back for 30 s unless released: the first route came before that
        assert time.monotonic() - started < 10
        assert first.prefix == "10.0.0.0/32"
        server.release()
        assert 1 + sum(1 for _ in stream) == count


def test_abandoned_stream_is_drained_before_the_next_command(socket_path: Path) -> None:
    greeting, replies = transcript("receiver-3.1.8.txt")
    with FakeBird(socket_path, greeting, replies), Bird(socket_path, timeout=5) as bird:
        next(bird.routes())
        assert bird.command("show status")[0].text == "BIRD 3.1.8"
        assert len(list(bird.routes())) == 7


def test_async_notices_are_set_aside(socket_path: Path) -> None:
    greeting, replies = transcript("receiver-2.0.12.txt")
    reply = replies["show route all"]
    replies["show route all"] = ["+Config timeout expired, starting undo", *reply[:5], "+Reconfigured", *reply[5:]]
    with FakeBird(socket_path, greeting, replies), Bird(socket_path, timeout=5) as bird:
        assert len(list(bird.routes())) == 7
        assert bird.notices == ["Config timeout expired, starting undo", "Reconfigured"]


def test_missing_socket_says_where_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ControlSocketError) as error:
        Bird(tmp_path / "nowhere.ctl")
    assert "nowhere.ctl" in str(error.value)
    assert error.value.hint is not None and "--socket" in error.value.hint


def test_stale_socket_file_is_refused_with_a_hint(socket_path: Path) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path))
    stale.close()
    with pytest.raises(ControlSocketError) as error:
        Bird(socket_path, timeout=5)
    assert "cannot connect" in str(error.value)
    assert error.value.hint is not None and "is BIRD running" in error.value.hint


def test_something_that_is_not_bird(socket_path: Path) -> None:
    with FakeBird(socket_path, "SSH-2.0-OpenSSH_9.2", {}), pytest.raises(ControlSocketError, match="greet"):
        Bird(socket_path, timeout=5)


@pytest.mark.parametrize("version", VERSIONS)
def test_configure_replies(socket_path: Path, version: str) -> None:
    greeting, replies = transcript(f"configure-{version}.txt")
    config_file = replies["configure check"][0].removeprefix("0002-Reading configuration from ")
    with FakeBird(socket_path, greeting, replies) as server, Bird(socket_path, timeout=5) as bird:
        checked = bird.configure(check=True)
        assert (checked.code, checked.status, checked.config_file) == (20, "ok", config_file)
        with_timeout = bird.configure(timeout=60)
        assert (with_timeout.status, with_timeout.message, with_timeout.undo_in) == ("reconfigured", "Reconfigured", 60)
        assert bird.confirm().status == "confirmed"
        assert bird.undo().status == "reconfigured"
        assert bird.configure(soft=True).undo_in is None
        with pytest.raises(BirdError) as error:
            bird.configure()
        assert error.value.code == 8002
        assert error.value.text == f"{config_file}:3:3 syntax error, unexpected CF_SYM_UNDEFINED"
        assert error.value.hint is not None
    assert server.received == [
        "configure check",
        "configure timeout 60",
        "configure confirm",
        "configure undo",
        "configure soft",
        "configure",
    ]


def test_configure_argument_mistakes() -> None:
    bird = Bird.__new__(Bird)
    with pytest.raises(BirdkitError, match="check"):
        bird.configure(check=True, timeout=5)
    with pytest.raises(BirdkitError, match="at least 1"):
        bird.configure(timeout=0)


def _generated_routes(count: int) -> Iterator[str]:
    yield "1007-Table master4:"
    for index in range(count):
        net = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}/32"
        yield f" {net:<20} unicast [b 12:00:00.000] * (100) [AS65001i]"
        yield " \tvia 198.18.0.1 on eth0"
        yield "1008-\tType: BGP univ"
        yield "1012-\tBGP.origin: IGP"
        yield f" \tBGP.as_path: 65001 {index}"
        yield " \tBGP.next_hop: 198.18.0.1"
        yield " \tBGP.community: (65001,1) (65001,2)"
    yield "0000 "


@pytest.mark.slow
def test_streaming_memory_does_not_grow_with_the_table(socket_path: Path) -> None:
    def peak(count: int) -> tuple[int, int]:
        replies = {"show route all": lambda: _generated_routes(count)}
        with FakeBird(socket_path, "0001 BIRD 2.0.12 ready.", replies), Bird(socket_path, timeout=10) as bird:
            tracemalloc.start()
            seen = sum(1 for _ in bird.routes())
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        socket_path.unlink()
        return seen, top

    small_count, small_peak = peak(12_000)
    large_count, large_peak = peak(36_000)
    assert (small_count, large_count) == (12_000, 36_000)
    # keeping 24,000 more Route objects would cost over 20 MB; the stream's bounded caches may fill up
    # a little more, but its peak does not grow with the routes
    assert large_peak - small_peak < 6_000_000


def test_default_socket_is_a_debian_path() -> None:
    assert str(default_socket()) in ("/run/bird/bird.ctl", "/var/run/bird/bird.ctl")


def test_fixtures_are_real_transcripts() -> None:
    for name in ("receiver", "exporter", "configure"):
        for version in VERSIONS:
            assert (FIXTURES / f"{name}-{version}.txt").read_text().startswith(f"0001 BIRD {version} ready.")


@settings(max_examples=60, deadline=None)
@given(
    version=st.sampled_from(VERSIONS),
    receive_size=st.integers(min_value=1, max_value=400),
    notice_positions=st.lists(st.integers(min_value=0, max_value=80), max_size=3),
)
def test_any_receive_boundaries_and_notices_give_the_same_routes(
    version: str, receive_size: int, notice_positions: list[int]
) -> None:
    greeting, replies = transcript(f"receiver-{version}.txt")
    reply = replies["show route all"]
    expected = list(iter_routes(reply))
    with_notices = list(reply)
    notices = [f"notice {index}" for index in range(len(notice_positions))]
    for position, notice in zip(sorted(notice_positions, reverse=True), notices, strict=True):
        with_notices.insert(min(position, len(reply) - 1), "+" + notice)
    replies["show route all"] = with_notices
    with tempfile.TemporaryDirectory() as directory, pytest.MonkeyPatch.context() as patch:
        patch.setattr(client_module, "_RECEIVE_SIZE", receive_size)
        socket_path = Path(directory) / "bird.ctl"
        with FakeBird(socket_path, greeting, replies), Bird(socket_path, timeout=5) as bird:
            assert bird.version == version
            assert list(bird.routes()) == expected
            assert sorted(bird.notices) == sorted(notices)
            assert bird.command("show status")[-1].text == "Daemon is up and running"


def test_an_unknown_selector_is_a_type_error_as_for_any_keyword() -> None:
    with pytest.raises(TypeError, match="tabel"):
        route_command(tabel="master4")  # type: ignore[call-arg]
