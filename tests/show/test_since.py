"""Route and protocol times (the ``since`` column): every format BIRD prints is read on every path, and a date
or time no clock can show (month 13, February 30, hour 25) is refused the same way everywhere, from the one
definition in :mod:`birdkit.show.values`, naming the line and what was expected."""

from __future__ import annotations

import calendar
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit import Bird
from birdkit.errors import ImpossibleValueError
from birdkit.show import values
from birdkit.show.parse import parse_protocols, parse_routes
from birdkit.show.stream import iter_route_json, iter_routes
from birdkit.testing.birdc import SINCE_FORMATS, bird_time

from .fake_bird import FakeBird, transcript
from .transcripts import check_route_json

ROUTES = """1007-Table master4:
 198.51.100.0/24      unicast [upstream {since} from 198.18.0.9] * (100) [AS64500i]
 \tvia 198.18.0.1 on veth0
1008-\tType: BGP univ
1012-\tBGP.origin: IGP
 \tBGP.as_path: 64500
 \tBGP.next_hop: 198.18.0.1
 \tBGP.local_pref: 100
1007-203.0.113.0/24       blackhole [static1 {since}] * (200)
1008-\tType: static univ
""" + "0000 \n"
PROTOCOLS = """2002-Name       Proto      Table      State  Since         Info
1002-device1    Device     ---        up     {since}
""" + "0000 \n"
IMPOSSIBLE = [
    "2024-13-01 25:00:00",  # month 13, hour 25
    "2023-02-29",  # not a leap year
    "1900-02-29 10:00:00",  # a century that is not a leap year
    "2024-04-31",
    "2024-00-10",
    "24:00:00.000",
    "23:60:00",
    "12:30:61",
    "2024-01-01 23:59:59.1234567",  # more digits than microseconds
    "Jun31",
    "Feb30",
    "Foo12",
    "31-04-2024 10:00:00",
    "29-02-2023 10:00:00",
    "12-13-2024 10:00:00",  # month 13 in old long's day-month-year order
]


def routes_on_every_path(text: str, tmp_path: Path) -> list[object]:
    """The routes of ``text`` read by the reference parser, the stream (Routes and JSON) and the socket client,
    which must all agree."""
    routes = parse_routes(text)
    assert list(iter_routes(text.splitlines())) == routes
    check_route_json(iter_route_json(text.splitlines()), routes)
    greeting, _ = transcript("receiver-2.0.12.txt")
    socket_path = tmp_path / "bird.ctl"
    with FakeBird(socket_path, greeting, {"show route all": text.splitlines()}), Bird(socket_path, timeout=5) as bird:
        assert list(bird.routes()) == routes
    return routes  # type: ignore[return-value]


@pytest.mark.parametrize(
    "since",
    ["11:17:53.186", "11:17:53.186123", "11:17:53", "12:46", "2023-04-29", "2024-02-29", "2000-02-29",
     "2025-03-28 15:14:04", "2025-03-28 15:14:04.123", "2025-03-28 15:14:04.123456", "2016-12-31 23:59:60",
     # BIRD 1.x's old short (an event 20 h to 360 days old, then a year) and old long
     "Jun13", "Feb29", "Dec31", "2019", "04-12-2026 12:00:00", "29-02-2024 10:00:00"],
)  # fmt: skip
def test_every_time_bird_prints_is_read(since: str, tmp_path: Path) -> None:
    routes = routes_on_every_path(ROUTES.format(since=since), tmp_path)
    assert [route.since for route in routes] == [since, since]  # type: ignore[attr-defined]
    assert parse_protocols(PROTOCOLS.format(since=since))[0].since == since


@pytest.mark.parametrize("since", IMPOSSIBLE)
def test_an_impossible_time_is_refused_on_every_path(since: str, tmp_path: Path) -> None:
    text = ROUTES.format(since=since)
    readers = {
        "reference": lambda: parse_routes(text, path="r.txt"),
        "stream": lambda: list(iter_routes(text.splitlines(), path="r.txt")),
        "jsonl": lambda: list(iter_route_json(text.splitlines(), path="r.txt")),
    }
    for name, read in readers.items():
        with pytest.raises(ImpossibleValueError) as error:
            read()
        assert error.value.span is not None and error.value.span.line == 2, name
        assert f"time {since!r}: expected" in str(error.value) and "month 01-12" in str(error.value), name
    greeting, _ = transcript("receiver-2.0.12.txt")
    socket_path = tmp_path / "bird.ctl"
    with (
        FakeBird(socket_path, greeting, {"show route all": text.splitlines()}),
        Bird(socket_path, timeout=5) as bird,
        pytest.raises(ImpossibleValueError, match=r"time .*: expected"),
    ):
        list(bird.routes())
    with pytest.raises(ImpossibleValueError) as error:
        parse_protocols(PROTOCOLS.format(since=since), path="p.txt")
    assert error.value.span is not None and error.value.span.line == 2


def test_an_impossible_time_after_good_routes_names_its_line() -> None:
    good = ROUTES.format(since="11:17:53.186").splitlines()[:-1]
    bad = ROUTES.format(since="2024-13-01 25:00:00").splitlines()[1:]
    text = "\n".join(good + bad) + "\n"
    for read in (parse_routes, lambda t: list(iter_routes(t.splitlines()))):
        with pytest.raises(ImpossibleValueError) as error:
            read(text)
        assert error.value.span is not None and error.value.span.line == len(good) + 1


@settings(max_examples=150, deadline=None)
@given(st.datetimes(datetime(1970, 1, 1), datetime(2199, 12, 31)), st.sampled_from(SINCE_FORMATS))
def test_every_real_moment_in_every_format_is_a_time_bird_prints(moment: datetime, time_format: str) -> None:
    since = bird_time(moment, time_format)
    assert values.since(since) == since
    routes = parse_routes(ROUTES.format(since=since))
    assert list(iter_routes(ROUTES.format(since=since).splitlines())) == routes
    assert routes[0].since == since


_FIELD = st.integers(0, 99)


@settings(max_examples=300, deadline=None)
@given(st.integers(1000, 9999), _FIELD, _FIELD, _FIELD, _FIELD, _FIELD)
def test_a_date_and_time_is_refused_exactly_when_no_clock_shows_it(
    year: int, month: int, day: int, hour: int, minute: int, second: int
) -> None:
    since = f"{year}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
    real_day = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
    real = real_day and hour < 24 and minute < 60 and second <= 60  # 60: a leap second
    text = ROUTES.format(since=since)
    if real:
        assert values.since(since) == since
        assert list(iter_routes(text.splitlines())) == parse_routes(text)
    else:
        with pytest.raises(values.ImpossibleValue):
            values.since(since)
        for read in (parse_routes, lambda t: list(iter_routes(t.splitlines()))):
            with pytest.raises(ImpossibleValueError):
                read(text)
