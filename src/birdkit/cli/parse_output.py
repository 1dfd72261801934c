"""The ``birdkit parse-routes`` and ``birdkit parse-protocols`` commands, and the route/protocol renderers."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from orjson import OPT_SORT_KEYS, dumps

from birdkit.cli.output import EXIT_OK, JSON_ERRORS, format_table, print_json
from birdkit.files import open_stream, stdin_stream
from birdkit.show.framing import CheckedText
from birdkit.show.models import AsPathSegment, NextHop, Protocol, Route, route_json, to_json
from birdkit.terminal import json_printable

EPILOG = """\
examples:
  birdc show route all | birdkit parse-routes                  aligned table (the default)
  birdc show route all | birdkit parse-routes --format jsonl   one JSON object per route, streamed
  birdkit parse-routes routes.txt --format json | jq '.[] | select(.primary) | .prefix'
  birdc show protocols all | birdkit parse-protocols --format json
  socat - UNIX:/run/bird/bird.ctl <<< 'show route all' | birdkit parse-routes

Input is plain `birdc` text or raw control-socket text (4-digit reply codes), BIRD 2.x or 3.x; FILE
defaults to `-` (stdin). jsonl and json stream: a route is printed as soon as it is parsed, so a full
table never sits in memory (the table format needs every row for its column widths).
Route JSON fields: prefix dest protocol since table from_address primary sync_error preference info
next_hops[gateway interface mpls onlink weight table] source scope bgp[origin as_path[kind asns]
next_hop med local_pref communities[asn value] large_communities[global_admin local1 local2]
ext_communities[kind admin value] originator_id cluster_list] other_attributes[[name, value]].
With --format json, stdout stays one valid JSON array when an error stops the parse after the first route
(the routes before the error; the error goes to stderr and the exit code is 1); an error before it prints
the error object below instead. Output cut short (no final newline, a socket reply without its final
`0000 ` line) is an error.
exit codes: 0 parsed, 1 output that BIRD would not print (file:line and a hint), 2 unreadable FILE
""" + JSON_ERRORS

ROUTE_FORMATS = ("table", "jsonl", "json")
PROTOCOL_FORMATS = ("table", "json")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the arguments of ``parse-routes`` or ``parse-protocols`` (``name``) to ``parser``."""
    what = "show route [all]" if name == "parse-routes" else "show protocols [all]"
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help=f"`{what}` output; - for stdin")
    formats = ROUTE_FORMATS if name == "parse-routes" else PROTOCOL_FORMATS
    parser.add_argument("--format", choices=formats, default="table", help="output format (default: table)")
    parser.set_defaults(command=name)


def run(args: argparse.Namespace) -> int:
    """Parse FILE (or stdin) and print it in the chosen format."""
    stream = stdin_stream() if args.file == "-" else open_stream(args.file, what="birdc output")
    path = "<stdin>" if args.file == "-" else args.file
    text = CheckedText(stream, path)
    with stream:
        if args.command == "parse-routes" and args.format == "table":
            from birdkit.show.stream import iter_routes

            write_routes(iter_routes(text, path=path), args.format)
        elif args.command == "parse-routes":
            from birdkit.show.stream import iter_route_json

            write_route_json(iter_route_json(text, path=path), args.format)
        else:
            from birdkit.show.parse import parse_protocols

            write_protocols(parse_protocols(text.read(), path=path), args.format)
    return EXIT_OK


# -- routes --------------------------------------------------------------------------------------------


#: routes per aligned block of ``--format table``: the table streams block by block (each with its header), so a
#: full table, or a socket that never stops sending, keeps memory bounded as jsonl does
TABLE_BLOCK = 10_000


def write_routes(routes: Iterable[Route], fmt: str, stream: TextIO | None = None) -> int:
    """Print ``routes`` as ``table``, ``jsonl`` or ``json`` (see :func:`write_route_json`); return the count."""
    if fmt != "table":
        return write_route_json(map(route_json, routes), fmt, stream)
    out = stream or sys.stdout
    remaining = iter(routes)
    count = 0
    while block := list(itertools.islice(remaining, TABLE_BLOCK)):
        out.write(routes_table(block) + "\n")
        count += len(block)
    if not count:
        out.write(routes_table([]) + "\n")
    return count


def write_route_json(routes: Iterable[dict[str, Any]], fmt: str, stream: TextIO | None = None) -> int:
    """Print the JSON form of routes (``route_json``, or ``iter_route_json``'s) as ``jsonl`` or ``json``: both
    stream, written by orjson (compact, UTF-8); return the count."""
    out = stream or sys.stdout
    count = 0
    if fmt == "jsonl":
        for route in routes:
            out.write(json_printable(dumps(route).decode()) + "\n")
            count += 1
        return count
    try:
        for route in routes:
            text = json_printable(dumps(route, option=OPT_SORT_KEYS).decode())
            out.write(("," if count else "[") + "\n  " + text)
            count += 1
    finally:  # an error after the first route still leaves valid JSON (the routes before it)
        if count:
            out.write("\n]\n")
    if not count:  # an error before the first route prints nothing here: the CLI prints it as JSON
        out.write("[]\n")
    return count


def routes_table(routes: list[Route]) -> str:
    """Aligned columns: best mark, prefix, dest, protocol, preference, next hops, AS path, communities.

    A TABLE column appears when the routes come from more than one table.
    """
    several_tables = len({route.table for route in routes}) > 1
    headers = [*(["table"] if several_tables else []), "", "prefix", "type", "protocol", "pref"]
    headers += ["next hop", "as path", "communities"]
    rows = []
    for route in routes:
        mark = "*" if route.primary else "!" if route.sync_error else ""
        row: list[object] = [route.table] if several_tables else []
        row += [mark, route.prefix, route.dest or None, route.protocol, route.preference]
        row += [_next_hops(route.next_hops), _as_path(route), _communities(route)]
        rows.append(row)
    return format_table(headers, rows)


def _next_hops(next_hops: tuple[NextHop, ...]) -> str | None:
    parts = []
    for hop in next_hops:
        text = hop.gateway or f"dev {hop.interface}"
        if hop.gateway and hop.interface:
            text += f"%{hop.interface}"
        if hop.weight is not None:
            text += f" w{hop.weight}"
        parts.append(text)
    return ", ".join(parts) or None


_SEGMENT_BRACKETS = {"set": ("{", "}"), "confed_sequence": ("(", ")"), "confed_set": ("({", "})")}


def _segment(segment: AsPathSegment) -> str:
    asns = " ".join(str(asn) for asn in segment.asns)
    opening, closing = _SEGMENT_BRACKETS.get(segment.kind, ("", ""))
    return f"{opening}{asns}{closing}"


def _as_path(route: Route) -> str | None:
    if route.bgp is None or route.bgp.as_path is None:
        return None
    return " ".join(_segment(segment) for segment in route.bgp.as_path) or "(empty)"


def _communities(route: Route) -> str | None:
    if route.bgp is None:
        return None
    texts = [f"({c.asn},{c.value})" for c in route.bgp.communities or ()]
    texts += [f"({c.global_admin},{c.local1},{c.local2})" for c in route.bgp.large_communities or ()]
    texts += [f"({c.kind},{c.admin},{c.value})" for c in route.bgp.ext_communities or ()]
    return " ".join(texts) or None


# -- protocols -----------------------------------------------------------------------------------------


def write_protocols(protocols: list[Protocol], fmt: str, stream: TextIO | None = None) -> None:
    """Print ``protocols`` as ``table`` or ``json``."""
    out = stream or sys.stdout
    if fmt == "json":
        print_json(to_json(protocols), out)
    else:
        out.write(protocols_table(protocols) + "\n")


def protocols_table(protocols: list[Protocol]) -> str:
    """Aligned columns like ``show protocols``; with details, a ROUTES column per channel."""
    detailed = any(protocol.channels for protocol in protocols)
    headers = ["name", "proto", "table", "state", "since", "info", *(["routes"] if detailed else [])]
    rows = []
    for protocol in protocols:
        row: list[object] = [protocol.name, protocol.proto, protocol.table, protocol.state, protocol.since]
        row.append(protocol.info or None)
        if detailed:
            row.append(_channel_routes(protocol))
        rows.append(row)
    return format_table(headers, rows)


def _channel_routes(protocol: Protocol) -> str | None:
    parts = []
    for channel in protocol.channels:
        if channel.routes is not None:
            counts = channel.routes
            parts.append(f"{channel.name}: {counts.imported or 0} imported, {counts.exported or 0} exported")
    return "; ".join(parts) or None
