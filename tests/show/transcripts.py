"""Test helpers: split transcripts and interactive sessions into (command, reply) pairs; count what BIRD printed.

The counters here are deliberately independent of birdkit's parsers: small regular expressions over the raw
lines, so a test can compare a parser's result with a count derived another way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs
from orjson import dumps

from birdkit.show.models import Route, to_json

#: the parser each command's reply goes to; ``None``: a command birdkit does not parse
ROUTES, PROTOCOLS, STATUS, COUNT, INTERFACES = "routes", "protocols", "status", "count", "interfaces"
UNSUPPORTED = {
    "show symbols",
    "show static",
    "show ospf",
    "show ospf interface o1",
    "show ospf neighbors",
    "show ospf neighbors o1",
    "show interfaces summary",
    "show rip neighbors",
    "eval 1+2",
    "foo",
    "configure",
    "configure check",
    "configure confirm",
    "configure soft",
    "configure undo",
    "disable sv",
    "enable sv",
    "reload in sv",
    "reload sv",
    "restart sv",
    "restrict",
    "down",
}

_CODE = re.compile(r"^(?:\d{4}[- ]| (?=\t))")
_ROUTE_LINE = re.compile(r"\[\S+ \d[\d:. -]*(?: from \S+)?\](?: [*!])? ")
#: a BIRD 1.x route line with its next hop on it (``10.0.0.0/24 via 192.0.2.1 on eth0 [static1 ...``)
_V1_ROUTE_HOP = re.compile(r"^ ?\S*\s+(?:via|dev) [^\[]*\[")
_COMMUNITY = re.compile(r"\(\d+,\d+\)")
_LARGE_COMMUNITY = re.compile(r"\(\d+, \d+, \d+\)")


def kind_of(command: str) -> str | None:
    """Which parser a command's reply needs (``None`` for commands outside issue 5)."""
    if command in UNSUPPORTED:
        return None
    if command.startswith("show route"):
        return COUNT if command.endswith(" count") else ROUTES
    if command.startswith("show protocols"):
        return PROTOCOLS
    return {"show status": STATUS, "show interfaces": INTERFACES}.get(command, "unknown")


def split_commands(text: str) -> list[tuple[str, str]]:
    """``>>> command`` transcripts and ``bird> command`` sessions -> [(command, reply text)]."""
    pairs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(">>> "):
            pairs.append((line[4:].strip(), []))
        elif line.startswith("bird>") and not line[5:].strip()[:1].isdigit():
            if line[5:].strip():
                pairs.append((line[5:].strip(), []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(lines) + "\n") for command, lines in pairs]


def body_lines(text: str) -> list[str]:
    """The reply's lines with reply codes and socket continuation spaces removed."""
    return [_CODE.sub("", line, count=1) if not line.startswith("bird>") else line for line in text.splitlines()]


def count_route_lines(text: str) -> int:
    """Route lines: not TAB-led, with ``[protocol time[ from ip]]`` followed by the info."""
    return sum(1 for line in body_lines(text) if not line.startswith("\t") and _ROUTE_LINE.search(line))


def count_body_lines(text: str) -> tuple[int, int, int]:
    """(next-hop lines, attribute lines, continuation lines) under the route lines; a next hop on a 1.x route
    line counts as a next-hop line."""
    hops = attributes = continuations = 0
    for line in body_lines(text):
        hops += bool(_V1_ROUTE_HOP.match(line))
        if line.startswith("  ") and "[" not in line and line.strip():
            line = ("\t\t" if line.startswith(" " * 16) else "\t") + line.strip()
        if line.startswith("\t\t"):
            continuations += 1
        elif line.startswith(("\tvia ", "\tdev ")):
            hops += 1
        elif line.startswith("\t"):
            attributes += 1
    return hops, attributes, continuations


def count_communities(text: str) -> tuple[int, int]:
    """(standard, large) community tuples printed anywhere in the text."""
    return len(_COMMUNITY.findall(text)), len(_LARGE_COMMUNITY.findall(text))


def check_routes_account_for_every_line(routes: list[Route], text: str) -> None:
    """Assert that the parsed routes hold every route, next-hop, attribute and community BIRD printed."""
    assert len(routes) == count_route_lines(text)
    hops, attributes, continuations = count_body_lines(text)
    assert sum(len(route.next_hops) for route in routes) == hops
    accounted = 0
    for route in routes:
        accounted += route.source is not None
        accounted += len(route.other_attributes)
        if route.bgp is not None:
            accounted += sum(value is not None for value in attrs.astuple(route.bgp, recurse=False))
    assert accounted == attributes
    raw_text = " ".join(value for route in routes for _, value in route.other_attributes)
    standard, large = count_communities(text)
    raw_standard, raw_large = count_communities(raw_text)
    assert sum(len(route.bgp.communities or ()) for route in routes if route.bgp) == standard - raw_standard
    assert sum(len(route.bgp.large_communities or ()) for route in routes if route.bgp) == large - raw_large
    if continuations:
        assert any(len(route.bgp.communities or ()) > 40 for route in routes if route.bgp)


def check_route_json(json_routes: Iterable[dict[str, Any]], routes: list[Route]) -> None:
    """``json_routes`` (from ``iter_route_json``) write the same JSON text, keys in the same order, as the
    cattrs form of ``routes``."""
    assert [dumps(item) for item in json_routes] == [dumps(to_json(route)) for route in routes]
