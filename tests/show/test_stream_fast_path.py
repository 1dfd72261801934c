"""The streaming parser's fast path: memo sharing never leaks state between routes, the first route comes
out before the input is read to its end, and routes built the fast way (their field dicts installed whole)
are the same frozen, hashable values as routes built by ``__init__``, with the same JSON."""

from __future__ import annotations

import io
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.errors import OutputParseError
from birdkit.show.models import BgpAttributes, NextHop, Route, from_json, route_json, to_json
from birdkit.show.parse import parse_routes
from birdkit.show.stream import _CHUNK_LINES, _SHARING_PAUSE, RouteReader, iter_route_json, iter_routes
from birdkit.testing import render_routes
from birdkit.testing import routes as route_listings
from birdkit.testing.birdc import Version

from .transcripts import check_route_json


def _static_route_lines(count: int) -> Iterator[str]:
    """``count`` routes of 2.x ``show route all`` (plain text), the i-th with MED i (every body distinct)."""
    for index in range(count):
        yield f"10.{index >> 8 & 255}.{index & 255}.0/24   unicast [up1 12:00:00.000] * (100) [AS65001i]"
        yield "\tvia 198.18.0.1 on eth0"
        yield "\tType: BGP univ"
        yield f"\tBGP.med: {index}"


def test_a_plain_route_gets_every_field_from_its_text() -> None:
    text = (
        "Table master4:\n"
        "10.0.0.0/24          unicast [static1 2024-01-01 from 198.18.0.7] * (200) [AS65001i]\n"
        "\tvia 198.18.0.1 on eth0\n"
        "\tType: static univ\n"
        "                     blackhole [static2 2024-01-02] (200)\n"
    )
    first, second = iter_routes(io.StringIO(text))
    assert first == Route(
        prefix="10.0.0.0/24",
        dest="unicast",
        protocol="static1",
        since="2024-01-01",
        table="master4",
        from_address="198.18.0.7",
        primary=True,
        preference=200,
        info="(200) [AS65001i]",
        next_hops=(NextHop(gateway="198.18.0.1", interface="eth0"),),
        source="static",
        scope="univ",
    )
    assert second == Route(
        prefix="10.0.0.0/24",
        dest="blackhole",
        protocol="static2",
        since="2024-01-02",
        table="master4",
        preference=200,
        info="(200)",
    )


def test_the_same_route_text_in_two_tables_keeps_each_table() -> None:
    route = "10.0.0.0/24          unicast [static1 2024-01-01] * (200)\n\tvia 198.18.0.1 on eth0\n"
    text = f"Table master4:\n{route}Table blue:\n{route}"
    assert [(r.table, r.prefix) for r in iter_routes(text.splitlines())] == [
        ("master4", "10.0.0.0/24"),
        ("blue", "10.0.0.0/24"),
    ]


def test_a_tab_between_network_and_destination_takes_the_general_path_to_the_same_route() -> None:
    spaced = "10.0.0.0/24          unicast [static1 2024-01-01] * (200)\n\tvia 198.18.0.1 on eth0\n"
    tabbed = spaced.replace("          ", "\t", 1)
    assert list(iter_routes(tabbed.splitlines())) == list(iter_routes(spaced.splitlines())) == parse_routes(spaced)


def test_each_3x_route_keeps_its_own_internal_values_line() -> None:
    lines: list[str] = []
    for index in range(3):
        lines += [
            f"10.0.{index}.0/24          unicast [up1 12:00:00.000] * (100) [AS65001i]",
            "\tvia 198.18.0.1 on eth0",
            "\tpreference: 100",
            "\tsource: BGP",
            "\tbgp_med: 7",
            f"\tInternal route handling values: 0L 2G 0S id {index}",
        ]
    # not the last line: this record takes the general path
    lines += [
        "10.0.9.0/24          unicast [up1 12:00:00.000] * (100) [AS65001i]",
        "\tInternal route handling values: 0L 2G 0S id 9",
        "\tbgp_med: 7",
    ]
    routes = list(iter_routes(lines))
    internal = "Internal route handling values"
    assert [route.other_attributes for route in routes] == [
        (("preference", "100"), (internal, "0L 2G 0S id 0")),
        (("preference", "100"), (internal, "0L 2G 0S id 1")),
        (("preference", "100"), (internal, "0L 2G 0S id 2")),
        ((internal, "0L 2G 0S id 9"),),
    ]
    assert [(route.prefix, route.source, route.bgp) for route in routes] == [
        ("10.0.0.0/24", "BGP", BgpAttributes(med=7)),
        ("10.0.1.0/24", "BGP", BgpAttributes(med=7)),
        ("10.0.2.0/24", "BGP", BgpAttributes(med=7)),
        ("10.0.9.0/24", None, BgpAttributes(med=7)),
    ]
    assert routes == parse_routes("\n".join(lines) + "\n")


def test_bodies_stay_right_when_the_memo_tables_are_cleared() -> None:
    routes = list(iter_routes(_static_route_lines(10_000)))
    assert [route.bgp for route in routes] == [BgpAttributes(med=index) for index in range(10_000)]
    assert routes[9_999].prefix == "10.39.15.0/24"


def test_the_first_route_comes_before_the_lines_are_read_to_the_end() -> None:
    consumed = 0

    def counted() -> Iterator[str]:
        nonlocal consumed
        for line in _static_route_lines(5_000):
            consumed += 1
            yield line

    first = next(iter_routes(counted()))
    assert first.prefix == "10.0.0.0/24"
    assert consumed <= 200


def test_the_first_route_comes_before_the_file_is_read_to_the_end() -> None:
    source = CountingReader("\n".join(_static_route_lines(5_000)) + "\n")
    first = next(iter_routes(source))
    assert first.bgp == BgpAttributes(med=0)
    assert source.read_so_far <= 16 * 1024


class CountingReader(io.StringIO):
    """A text file that counts the characters read from it."""

    read_so_far = 0

    def read(self, size: int | None = -1) -> str:
        piece = super().read(size)
        self.read_so_far += len(piece)
        return piece


def test_a_stray_attribute_line_fails_before_the_file_is_read_to_the_end() -> None:
    source = CountingReader("\tBGP.med: 5\n" * 100_000)
    with pytest.raises(OutputParseError) as raised:
        next(iter_routes(source, path="dump.txt"))
    assert (raised.value.path, raised.value.line) == ("dump.txt", 1)
    assert source.read_so_far <= 16 * 1024


def test_streamed_routes_are_frozen_and_hash_like_equal_routes() -> None:
    streamed = next(iter_routes(_static_route_lines(1)))
    built = Route(
        prefix="10.0.0.0/24",
        dest="unicast",
        protocol="up1",
        since="12:00:00.000",
        primary=True,
        preference=100,
        info="(100) [AS65001i]",
        next_hops=(NextHop(gateway="198.18.0.1", interface="eth0"),),
        source="BGP",
        scope="univ",
        bgp=BgpAttributes(med=0),
    )
    assert streamed == built
    assert hash(streamed) == hash(built)
    assert {streamed, built} == {built}
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        streamed.prefix = "10.9.9.0/24"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del streamed.dest


@settings(max_examples=100, deadline=None)
@given(
    version=st.sampled_from(["2", "3"]),
    data=st.data(),
    framed=st.booleans(),
)
def test_streamed_routes_equal_routes_built_by_init(version: Version, data: st.DataObject, framed: bool) -> None:
    routes = data.draw(route_listings(version))
    text = render_routes(routes, version, framed=framed)
    streamed = list(iter_routes(text.splitlines()))
    assert streamed == routes
    check_route_json(iter_route_json(text.splitlines()), routes)
    for fast, built in zip(streamed, routes, strict=True):
        assert hash(fast) == hash(built)
        assert to_json(fast) == to_json(built) == route_json(fast)
        assert from_json(Route, to_json(fast)) == fast
        assert attrs.evolve(fast, info="changed") == attrs.evolve(built, info="changed")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            fast.info = "changed"  # type: ignore[misc]
        if fast.bgp is not None:
            assert hash(fast.bgp) == hash(built.bgp)
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                fast.bgp.med = 1  # type: ignore[misc]


def _bird3_record(index: int, med: int) -> str:
    return (
        f"10.{index >> 8 & 255}.{index & 255}.0/24 unicast [up1 12:00:00.000] * (100) [AS65001i]\n"
        "\tvia 198.18.0.1 on eth0\n\tpreference: 100\n\tsource: BGP\n\tbgp_origin: IGP\n"
        f"\tbgp_path: 65001\n\tbgp_med: {med}\n\tInternal route handling values: 0L 2G 0S id {index}\n"
    )


def test_the_whole_record_memo_pauses_on_distinct_records_and_resumes_on_repeated_ones() -> None:
    # repeated records (one MED), distinct ones (long enough to pause the memo), repeated ones again
    meds = [7] * 600 + list(range(20_000)) + [7] * 20_000
    text = "Table master4:\n" + "".join(_bird3_record(index, med) for index, med in enumerate(meds))
    reader = RouteReader()
    streamed = list(reader.routes(text.splitlines()))
    assert [route.bgp.med for route in streamed if route.bgp] == meds
    # the JSON form takes the same paths (memo on, paused, on again) to the same text
    check_route_json(iter_route_json(text.splitlines()), streamed)
    assert [route.other_attributes[-1][1] for route in streamed] == [f"0L 2G 0S id {i}" for i in range(len(meds))]
    for index in [*range(20), *range(590, 610), *range(20_590, 20_610), *range(len(meds) - 20, len(meds))]:
        assert [streamed[index]] == parse_routes("Table master4:\n" + _bird3_record(index, meds[index]))
    # shared: the first stretch, none of the distinct one, the last once the memo's pause is over
    chunk = _CHUNK_LINES // 8
    assert 600 + 20_000 - (_SHARING_PAUSE + 2) * chunk <= reader.shared_records <= 600 + 20_000
