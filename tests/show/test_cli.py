"""``birdkit parse-routes``, ``parse-protocols`` and ``show`` on outputs recorded from real BIRD 2.0.12/2.17.6/3.1.8."""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from birdkit.cli.main import main
from birdkit.show.models import Route

from .fake_bird import FIXTURES, FakeBird, transcript

VERSIONS = ("2.0.12", "2.17.6", "3.1.8")
# birdc prints route lines unindented, the net column blank for a network's further routes
PLAIN_ROUTE_LINE = re.compile(r"^(\S*)\s+(unicast|blackhole|unreachable|prohibited) \[(\S+) ")
# the receiver fixtures: 7 prefixes exported by the exporter (see tests/fixtures/client/README.md)
RECEIVED = {
    "10.1.0.0/24": ("unicast", "65001 65001 65001", None),
    "10.2.0.0/24": ("unicast", "65001", "(65001,100) (65001,200)"),
    "10.3.0.0/24": ("unicast", "65001", "(65001,1,2) (65001,3,4)"),
    "10.4.0.0/24": ("unicast", "65001", "(rt,65001,7)"),
    "10.50.0.0/16": ("unicast", "65001", None),
    "203.0.113.0/24": ("blackhole", "65001", "(65535,666)"),
    "203.0.113.128/25": ("unreachable", "65001", "(65001,999)"),
}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        original = sys.stdin
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(argv)
    finally:
        if stdin is not None:
            sys.stdin = original
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def plain_routes(path: Path) -> list[tuple[str, str, str]]:
    """(net, dest, protocol) of every route line in birdc text, by a regex independent of birdkit."""
    routes, net = [], ""
    for line in path.read_text().splitlines():
        match = PLAIN_ROUTE_LINE.match(line)
        if match:
            net = match[1] or net
            routes.append((net, match[2], match[3]))
    return routes


def raw_reply(version: str, command: str) -> str:
    _, replies = transcript(f"receiver-{version}.txt")
    return "\n".join(replies[command]) + "\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_routes_jsonl_one_object_per_printed_route(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / f"receiver-{version}.birdc-route-all.txt"
    code, out, _ = run_cli(["parse-routes", str(path), "--format", "jsonl"], capsys)
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert [(o["prefix"], o["dest"], o["protocol"]) for o in objects] == plain_routes(path)
    by_prefix = {o["prefix"]: o for o in objects}
    assert by_prefix["10.1.0.0/24"]["bgp"]["as_path"] == [{"kind": "sequence", "asns": [65001, 65001, 65001]}]
    assert by_prefix["10.2.0.0/24"]["bgp"]["communities"] == [
        {"asn": 65001, "value": 100},
        {"asn": 65001, "value": 200},
    ]
    assert by_prefix["10.3.0.0/24"]["bgp"]["large_communities"][1] == {"global_admin": 65001, "local1": 3, "local2": 4}
    assert by_prefix["10.4.0.0/24"]["bgp"]["med"] == 50
    assert by_prefix["10.4.0.0/24"]["bgp"]["origin"] == "Incomplete"
    assert by_prefix["10.2.0.0/24"]["next_hops"] == [
        {"gateway": "198.18.0.1", "interface": "eth0", "mpls": [], "onlink": False, "weight": None, "table": None}
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_raw_socket_text_and_birdc_text_give_the_same_routes(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    plain = FIXTURES / f"receiver-{version}.birdc-route-all.txt"
    _, from_plain, _ = run_cli(["parse-routes", str(plain), "--format", "jsonl"], capsys)
    raw = raw_reply(version, "show route all")
    code, from_raw, _ = run_cli(["parse-routes", "--format", "jsonl"], capsys, stdin=raw)
    assert code == 0

    def without_age(out: str) -> list[dict[str, object]]:
        return [{k: v for k, v in json.loads(line).items() if k != "since"} for line in out.splitlines()]

    assert without_age(from_raw) == without_age(from_plain)
    assert len(from_raw.splitlines()) == 7


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_routes_json_is_one_list(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / f"exporter-{version}.birdc-route-all.txt"
    code, out, _ = run_cli(["parse-routes", str(path), "--format", "json"], capsys)
    assert code == 0
    routes = json.loads(out)
    assert [(r["prefix"], r["dest"], r["protocol"]) for r in routes] == plain_routes(path)
    multipath = next(r for r in routes if r["prefix"] == "10.50.0.0/16")
    assert sorted((hop["gateway"], hop["weight"]) for hop in multipath["next_hops"]) == [
        ("198.18.0.2", 3),
        ("198.18.0.3", 1),
    ]


def test_parse_routes_of_nothing_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["parse-routes", "--format", "json"], capsys, stdin="0000 \n")[:2] == (0, "[]\n")
    assert run_cli(["parse-routes", "--format", "jsonl"], capsys, stdin="")[:2] == (0, "")


def test_the_route_table_streams_in_blocks_with_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block is written before the next is read: a full table or a socket that never stops keeps memory bounded."""
    from birdkit.cli import parse_output
    from birdkit.show.stream import iter_routes

    monkeypatch.setattr(parse_output, "TABLE_BLOCK", 2)
    text = (FIXTURES / f"receiver-{VERSIONS[-1]}.birdc-route-all.txt").read_text()
    routes = list(iter_routes(text.splitlines(keepends=True)))[:3]
    pulled = 0

    def route_source() -> Iterator[Route]:
        nonlocal pulled
        for route in itertools.islice(itertools.cycle(routes), 7):
            pulled += 1
            yield route

    pulled_at_each_write = []

    class Watching(io.StringIO):
        def write(self, text: str) -> int:
            pulled_at_each_write.append(pulled)
            return super().write(text)

    out = Watching()
    assert parse_output.write_routes(route_source(), "table", out) == 7
    assert pulled_at_each_write == [2, 4, 6, 7]
    assert out.getvalue().count("PREFIX") == 4  # each block has its header


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_routes_table_is_aligned(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["parse-routes", str(FIXTURES / f"receiver-{version}.birdc-route-all.txt")], capsys)
    assert code == 0
    header, *rows = out.splitlines()
    assert len(rows) == len(RECEIVED)
    columns = ["PREFIX", "TYPE", "PROTOCOL", "PREF", "NEXT HOP", "AS PATH", "COMMUNITIES"]
    starts = [re.search(rf"(?<!\S){column}(?!\S)", header).start() for column in columns]  # type: ignore[union-attr]
    assert starts == sorted(starts)
    for row in rows:
        cells = [row[start:end].strip() for start, end in zip(starts, [*starts[1:], None], strict=True)]
        prefix, dest, protocol, preference, next_hop, as_path, communities = cells
        assert row[:1] == "*"
        expected_dest, expected_path, expected_communities = RECEIVED[prefix]
        assert (dest, protocol, preference, as_path) == (expected_dest, "upstream", "100", expected_path)
        assert communities == (expected_communities or "-")
        assert next_hop == ("198.18.0.1%eth0" if dest == "unicast" else "-")


def test_parse_routes_reports_bad_input_like_a_compiler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Table master4:\n10.0.0.0/8  unicast [b 12:00:00.000] * (100)\n\tvia 192.0.2.1 on eth0\nhello\n")
    code, _, err = run_cli(["parse-routes", str(bad), "--format", "jsonl"], capsys)
    assert code == 1
    assert err.startswith(f"{bad}:4:")
    assert "hint:" in err and "Traceback" not in err
    code, _, err = run_cli(["parse-routes", str(tmp_path / "missing.txt")], capsys)
    assert code == 2 and "missing.txt" in err


@pytest.mark.parametrize("version", VERSIONS)
def test_parse_protocols(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / f"receiver-{version}.birdc-protocols-all.txt"
    code, out, _ = run_cli(["parse-protocols", str(path), "--format", "json"], capsys)
    assert code == 0
    protocols = {p["name"]: p for p in json.loads(out)}
    assert set(protocols) == {"device1", "upstream"}
    upstream = protocols["upstream"]
    assert (upstream["proto"], upstream["state"], upstream["info"]) == ("BGP", "up", "Established")
    assert (upstream["bgp"]["neighbor_address"], upstream["bgp"]["neighbor_as"]) == ("198.18.0.1", 65001)
    assert upstream["channels"][0]["routes"]["imported"] == len(RECEIVED)

    code, table, _ = run_cli(["parse-protocols", str(path)], capsys)
    assert code == 0
    header, *rows = table.splitlines()
    assert header.split() == ["NAME", "PROTO", "TABLE", "STATE", "SINCE", "INFO", "ROUTES"]
    upstream_row = next(row for row in rows if row.startswith("upstream"))
    assert upstream_row.endswith(f"ipv4: {len(RECEIVED)} imported, 0 exported")
    assert "Established" in upstream_row


def test_parse_protocols_reads_raw_socket_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["parse-protocols", "--format", "json"], capsys, stdin=raw_reply("3.1.8", "show protocols"))
    assert code == 0
    assert [(p["name"], p["proto"]) for p in json.loads(out)] == [("device1", "Device"), ("upstream", "BGP")]


def test_help_teaches_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("parse-routes", "parse-protocols", "show"):
        code, out, _ = run_cli([command, "--help"], capsys)
        assert code == 0
        assert "examples:" in out and "exit codes:" in out


@pytest.fixture
def fake_receiver(tmp_path: Path) -> tuple[Path, FakeBird]:
    greeting, replies = transcript("receiver-2.17.6.txt")
    return tmp_path / "bird.ctl", FakeBird(tmp_path / "bird.ctl", greeting, replies)


def test_show_routes_status_protocols_interfaces(
    fake_receiver: tuple[Path, FakeBird], capsys: pytest.CaptureFixture[str]
) -> None:
    socket_path, server = fake_receiver
    with server:
        code, out, _ = run_cli(["show", "routes", "--socket", str(socket_path), "--protocol", "upstream"], capsys)
        assert code == 0 and len(out.splitlines()) == 1 + len(RECEIVED)
        as_jsonl = ["show", "routes", "--socket", str(socket_path), "--protocol", "upstream", "--format", "jsonl"]
        code, out, _ = run_cli(as_jsonl, capsys)
        assert code == 0 and sorted(json.loads(line)["prefix"] for line in out.splitlines()) == sorted(RECEIVED)
        code, out, _ = run_cli(["show", "status", "--socket", str(socket_path), "--format", "json"], capsys)
        assert code == 0 and json.loads(out)["router_id"] == "198.18.0.2"
        code, out, _ = run_cli(["show", "status", "--socket", str(socket_path)], capsys)
        assert "router id" in out and "Daemon is up and running" in out
        code, out, _ = run_cli(["show", "protocols", "--socket", str(socket_path), "--format", "jsonl"], capsys)
        assert [json.loads(line)["name"] for line in out.splitlines()] == ["device1", "upstream"]
        detailed = ["show", "protocols", "--all", "--protocol", "upstream", "--socket", str(socket_path)]
        code, out, _ = run_cli(detailed, capsys)
        assert code == 0 and "ipv4: 7 imported" in out
        code, out, _ = run_cli(["show", "interfaces", "--socket", str(socket_path)], capsys)
        assert code == 0 and re.search(r"^eth0\s+up\s+2\s+1500\s", out, re.MULTILINE)
    assert server.received == [
        "show route all protocol upstream",
        "show route all protocol upstream",
        "show status",
        "show status",
        "show protocols",
        "show protocols all upstream",
        "show interfaces",
    ]


def test_show_errors(fake_receiver: tuple[Path, FakeBird], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["show", "status", "--socket", str(tmp_path / "none.ctl")], capsys)
    assert code == 3
    assert "none.ctl" in err and "hint:" in err and "Traceback" not in err
    socket_path, server = fake_receiver
    with server:
        code, _, err = run_cli(["show", "routes", "--socket", str(socket_path), "--table", "nosuch"], capsys)
    assert code == 1 and "9001" in err
