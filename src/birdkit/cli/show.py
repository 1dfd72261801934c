"""The ``birdkit show`` command: status, protocols, routes and interfaces of a running BIRD, over its socket."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from birdkit.cli.output import EXIT_OK, JSON_ERRORS, format_table, print_json, seconds
from birdkit.cli.parse_output import write_protocols, write_route_json, write_routes
from birdkit.errors import ControlSocketError, RuntimeMissingError
from birdkit.show.client import DEFAULT_SOCKETS, Bird, default_socket
from birdkit.show.models import Interface, Status, to_json

EPILOG = f"""\
examples:
  birdkit show status                                   the daemon at {DEFAULT_SOCKETS[0]}
  birdkit show protocols --all --socket /run/bird/bird6.ctl
  birdkit show routes --protocol upstream               aligned table with next hops, AS paths, communities
  birdkit show routes --table master6 --format jsonl    one JSON object per route, streamed from the socket
  birdkit show routes --all --format json | jq 'length' every table
  birdkit show interfaces --format json

Routes are always asked for with their attributes (`show route all`), so every field is typed; --all
means every table for routes and the detailed `show protocols all` for protocols.
JSON field names are those of `birdkit parse-routes` / `parse-protocols` (see their --help).
--socket defaults to {DEFAULT_SOCKETS[0]} (or {DEFAULT_SOCKETS[1]}); `bird -s PATH` sets another.
exit codes: 0 ok, 1 BIRD replied with an error or went away mid-reply, 3 no BIRD listening at the socket
""" + JSON_ERRORS

WHATS = ("status", "protocols", "routes", "interfaces")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the ``show`` arguments to ``parser``."""
    parser.add_argument("what", choices=WHATS, help="what to show")
    parser.add_argument("--socket", metavar="PATH", help=f"BIRD's control socket (default: {DEFAULT_SOCKETS[0]})")
    parser.add_argument("--table", metavar="T", help="routes: only this table")
    parser.add_argument("--protocol", metavar="P", help="routes: only from this protocol; protocols: only this one")
    parser.add_argument("--all", action="store_true", help="routes: every table; protocols: details")
    parser.add_argument(
        "--format", choices=("table", "json", "jsonl"), default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "--timeout",
        type=seconds(),
        default=30.0,
        metavar="S",
        help="seconds a reply may take (for routes: each line); default 30",
    )


def run(args: argparse.Namespace) -> int:
    """Connect to BIRD, run the command, print the reply in the chosen format."""
    socket_path = args.socket or str(default_socket())
    try:
        bird = Bird(socket_path, timeout=args.timeout)
    except ControlSocketError as error:
        raise RuntimeMissingError(error.message, hint=error.hint) from None
    with bird:
        if args.what == "routes":
            table = "all" if args.all and args.table is None else args.table
            if args.format == "table":
                write_routes(bird.routes(table=table, protocol=args.protocol), args.format)
            else:
                write_route_json(bird.route_json(table=table, protocol=args.protocol), args.format)
        elif args.what == "protocols":
            protocols = bird.protocols(args.protocol, all=args.all)
            if args.format == "jsonl":
                _write_jsonl(protocols)
            else:
                write_protocols(protocols, args.format)
        elif args.what == "status":
            _write_status(bird.status(), args.format)
        else:
            _write_interfaces(bird.interfaces(), args.format)
    return EXIT_OK


def _write_status(status: Status, fmt: str) -> None:
    if fmt == "jsonl":
        _write_jsonl([status])
        return
    if fmt == "json":
        print_json(to_json(status), sys.stdout)
        return
    rows = [
        ("version", status.version),
        ("router id", status.router_id),
        ("hostname", status.hostname),
        ("server time", status.server_time),
        ("last reboot", status.last_reboot),
        ("last reconfiguration", status.last_reconfiguration),
        ("status", status.message),
        *(("", line) for line in status.details),
    ]
    sys.stdout.write(format_table(["field", "value"], rows) + "\n")


def _write_jsonl(items: Sequence[object]) -> None:
    for item in items:
        sys.stdout.write(json.dumps(to_json(item), separators=(",", ":")) + "\n")


def _write_interfaces(interfaces: list[Interface], fmt: str) -> None:
    if fmt == "jsonl":
        _write_jsonl(interfaces)
        return
    if fmt == "json":
        print_json(to_json(interfaces), sys.stdout)
        return
    rows = [
        (
            interface.name,
            "up" if interface.up else "down",
            interface.index,
            interface.mtu,
            " ".join(interface.flags) or None,
            " ".join(address.prefix for address in interface.addresses) or None,
        )
        for interface in interfaces
    ]
    sys.stdout.write(format_table(["name", "state", "index", "mtu", "flags", "addresses"], rows) + "\n")
