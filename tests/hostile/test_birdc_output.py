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


def test_jsonl_is_one_record_per_line_until_the_error_then_the_error() -> None:
    broken = ROUTES + b"this is not a route line\n"
    outcome = birdkit(["parse-routes", "--format", "jsonl", "-"], stdin=broken).clean(1)
    *routes, last = [json.loads(line) for line in outcome.stdout.splitlines()]
    assert len(routes) >= 3 and all(route["prefix"] for route in routes)
    line = broken.count(b"\n")
    assert last["error"]["line"] == line and last["error"]["path"] == "<stdin>" and last["exit_code"] == 1


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


ROUTE = (
    "Table master4:\n"
    "{net}        unicast [bgp1 2024-01-01 from {source}] * ({preference}) [AS65001i]\n"
    "\tvia {gateway} on eth0\n"
    "\tType: BGP univ\n"
    "\tBGP.origin: IGP\n"
    "\tBGP.as_path: {path}\n"
    "\tBGP.next_hop: {next_hop}\n"
    "\tBGP.med: {med}\n"
    "\tBGP.local_pref: {local_pref}\n"
    "\tBGP.community: {community}\n"
    "\tBGP.originator_id: {originator}\n"
    "\tBGP.cluster_list: {cluster}\n"
    "\tBGP.ext_community: {ext}\n"
    "\tBGP.large_community: {large}\n"
)
VALID = {
    "net": "198.18.0.0/24",
    "source": "198.18.1.1",
    "preference": "100",
    "gateway": "198.18.1.1",
    "path": "65001 4200000000 4294967295",
    "next_hop": "198.18.1.1 fe80::1",
    "med": "4294967295",
    "local_pref": "100",
    "community": "(65535,0) (0,65535)",
    "originator": "198.18.1.2",
    "cluster": "198.18.1.3",
    "ext": "(rt, 65000, 4294967295) (ro, 198.18.0.1, 65535) (rt, 4200000000, 7) (generic, 0xffffffff, 0x0)",
    "large": "(4294967295, 0, 1)",
}
#: one value no BIRD can print per case, and what the error says
IMPOSSIBLE = {
    "net": ("198.18.0.0/99", "prefix '198.18.0.0/99': expected a length of 0 to 32"),
    "net-octet": ("300.18.0.1/24", "expected an IPv4 address, not '300.18.0.1'"),
    "net-v6": ("2001:db8::1::/64", "expected an IPv6 address"),
    "net-v6-length": ("2001:db8::/129", "expected a length of 0 to 128"),
    "source": ("198.18.1.256", "from address"),
    "preference": ("65536", "preference 65536: expected at most 65535"),
    "gateway": ("1.2.3", "gateway"),
    "path": ("65001 4294967296", "AS number 4294967296: expected at most 4294967295"),
    "next_hop": ("198.18.1.999", "BGP next hop"),
    "med": ("4294967296", "4294967296: expected at most 4294967295"),
    "local_pref": ("99999999999", "expected at most 4294967295"),
    "community": ("(1000000000,1)", "community part 1000000000: expected at most 65535"),
    "community-value": ("(1,65536)", "community part 65536: expected at most 65535"),
    "originator": ("2001:db8::1", "originator id"),
    "cluster": ("1.2.3.4 5.6.7.888", "cluster id"),
    "ext": ("(ro, 198.18.0.1, 65536)", "expected a value of at most 65535"),
    "ext-generic": ("(generic, 0x1ffffffff, 0x0)", "32-bit hex"),
    "large": ("(4294967296, 0, 1)", "large community part 4294967296: expected at most 4294967295"),
}


def route_text(**changes: str) -> str:
    return ROUTE.format(**{**VALID, **changes})


def test_the_valid_edges_parse_alike() -> None:
    """The largest values BIRD prints pass both parsers (through the stream's fast typed path) alike."""
    from birdkit.show.parse import parse_routes
    from birdkit.show.stream import RouteReader

    reader = RouteReader()
    streamed = list(reader.routes([route_text()]))
    assert streamed == parse_routes(route_text()) and reader.typed_records == 1
    assert streamed[0].bgp is not None and streamed[0].bgp.med == 4294967295
    birdkit(["parse-routes", "-"], stdin=route_text().encode()).clean(0)


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_impossible_values_are_refused_by_both_parsers_alike(case: str) -> None:
    from birdkit.errors import ImpossibleValueError
    from birdkit.show.parse import parse_routes
    from birdkit.show.stream import iter_routes

    value, says = IMPOSSIBLE[case]
    text = route_text(**{case.split("-")[0]: value})
    with pytest.raises(ImpossibleValueError) as reference:
        parse_routes(text, path="routes.txt")
    with pytest.raises(ImpossibleValueError) as streamed:
        list(iter_routes(text.splitlines(keepends=True), path="routes.txt"))
    assert str(reference.value) == str(streamed.value)
    assert "routes.txt:2:1: " in str(streamed.value) and says in str(streamed.value)
    assert "no BIRD prints this value" in str(streamed.value)


@pytest.mark.parametrize("framed", [False, True], ids=["birdc", "socket"])
def test_the_issue_s_impossible_route_exits_1(framed: bool) -> None:
    text = (
        "Table master4:\n300.18.0.1/24        unicast [static1 2024-01-01] * (200)\n\tdev eth0\n"
        "\tBGP.community: (1000000000,1)\n"
    )
    if framed:  # a raw control-socket reply: reply codes, continuation lines, the final 0000 line
        lines = text.splitlines()
        text = "".join(f"1007-{line}\n" if index == 1 else f" {line}\n" for index, line in enumerate(lines)) + "0000 \n"
    for command in (["parse-routes", "-"], ["parse-routes", "--format", "jsonl", "-"]):
        birdkit(command, stdin=text.encode()).clean(1, says="<stdin>:2:1: prefix 300.18.0.1/24")


PROTOCOLS_ALL = """\
Name       Proto      Table      State  Since         Info
upstream   BGP        ---        up     13:21:44.727  Established
  BGP state:          Established
    Neighbor address: {address}
    Neighbor AS:      {asn}
    Local AS:         65002
    Neighbor ID:      {neighbor_id}
  Channel ipv4
    State:          UP
    Preference:     {preference}
    Import limit:   {limit}
    Routes:         {routes} imported, 0 exported, 5 preferred
"""
PROTOCOL_VALUES = {"address": "198.18.0.1", "asn": "4294967295", "neighbor_id": "198.18.0.1",
                   "preference": "65535", "limit": "4294967295", "routes": "5"}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("address", "198.18.0.300", 4),
        ("asn", "4294967296", 5),
        ("neighbor_id", "fe80::1", 7),
        ("preference", "65536", 10),
        ("limit", "4294967296", 11),
        ("routes", "4294967296", 12),
    ],
)
def test_impossible_values_in_protocols_exit_1(field: str, value: str, line: int) -> None:
    text = PROTOCOLS_ALL.format(**{**PROTOCOL_VALUES, field: value})
    birdkit(["parse-protocols", "-"], stdin=PROTOCOLS_ALL.format(**PROTOCOL_VALUES).encode()).clean(0)
    birdkit(["parse-protocols", "-"], stdin=text.encode()).clean(1, says=f"<stdin>:{line}:1: ")


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        ("status", "BIRD 2.0.12\nRouter ID is 300.1.1.1\nCurrent server time is 2024-01-01 00:00:00\n"
         "Last reboot on 2024-01-01 00:00:00\nLast reconfiguration on 2024-01-01 00:00:00\n"
         "Daemon is up and running\n", "router id '300.1.1.1'"),
        ("interfaces", "eth0 up (index=2)\n\tMultiAccess Broadcast Multicast AdminUp LinkUp MTU=1500\n"
         "\t198.18.0.1/33 (Preferred, scope site)\n", "expected a length of 0 to 32"),
        ("interfaces", "eth0 up (index=4294967296)\n\tMultiAccess AdminUp LinkUp MTU=1500\n",
         "interface index 4294967296"),
        ("route_count", "5 of 4294967296 routes for 5 networks in table master4\n", "route count 4294967296"),
    ],
)  # fmt: skip
def test_impossible_values_in_other_replies_are_errors(kind: str, text: str, says: str) -> None:
    from birdkit.errors import ImpossibleValueError
    from birdkit.show import parse

    with pytest.raises(ImpossibleValueError) as caught:
        getattr(parse, f"parse_{kind}")(text, path="reply.txt")
    assert says in str(caught.value) and "reply.txt:" in str(caught.value)


def test_the_stream_s_patterns_hold_the_limits_of_the_one_check() -> None:
    """The regex twins in birdkit.show.values (the stream's typed path) agree with the checks they mirror."""
    import ipaddress
    import random
    import re

    from birdkit.show import values

    for limit in (9, 32, 128, 255, values.U16, values.U32):
        pattern = re.compile(values.at_most(limit) + r"\Z")
        numbers = [*range(0, 1100), limit - 1, limit, limit + 1, limit * 10, *random.sample(range(10**11), 2000)]
        assert [n for n in numbers if bool(pattern.match(str(n))) != (n <= limit)] == []
        assert not pattern.match("01")
    network = re.compile(values.ONE_WORD_NETWORK + r"\Z")  # a blank follows it in the stream's patterns
    generator = random.Random(14)
    for _ in range(3000):
        bits = generator.choice((32, 128))
        length = generator.randint(0, bits)
        base = generator.getrandbits(bits) >> (bits - length) << (bits - length) if length else 0
        text = str(ipaddress.ip_network((base, length)) if bits == 32 else ipaddress.IPv6Network((base, length)))
        for candidate in (text, text.replace("/", "/1"), "1" + text, text.replace(":", ":1:", 1), text + "0"):
            try:
                values.prefix(candidate)
                valid = True
            except ValueError:
                valid = False
            assert bool(network.match(candidate)) == valid, candidate
