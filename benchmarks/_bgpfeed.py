"""A minimal BGP speaker that feeds a BIRD a table shaped like a real full table (used by routes.py).

BIRD's own filters cannot build AS_SETs or give every route its own attribute values cheaply, so the
routes reach the benchmarked BIRD over iBGP from this speaker, exactly as a router would send them:
one UPDATE per route, 4-byte AS numbers, MP_REACH_NLRI for IPv6. The table (see :func:`table`) is a
pure function of the prefix count and a seed:

* IPv4 and (one route in five) IPv6 prefixes of realistic lengths;
* AS paths drawn from at least 20,000 distinct paths of 1-12 hops, 16- and 32-bit ASNs, prepends and a
  few AS_SETs;
* origin, MED and local_pref vary; every route has its own communities (0-20; one in fifty 60-80, so
  BIRD wraps the line) and large communities (0-6), derived from the prefix; one in eight has extended
  communities;
* one prefix in eight also comes from a second session, as a second, non-primary route.

Run as ``python bgpfeed.py ROUTES SEED LOCAL REMOTE [LOCAL REMOTE …]`` inside the feeder's namespace:
session k sends its share of the table from LOCAL to REMOTE (port 179), then keeps the sessions up
until it is killed. It prints ``sent N`` once every UPDATE is written.
"""

from __future__ import annotations

import ipaddress
import random
import select
import socket
import struct
import sys
import time
from collections.abc import Iterator
from typing import NamedTuple

LOCAL_AS = 65000
HOLD_TIME = 240
#: distinct AS paths in the pool routes draw from (the issue asks for at least 20,000)
PATHS = 24_000
IPV6_SHARE = 5  # one route in five is IPv6
SECOND_ROUTE = 8  # one prefix in eight has a second route

ORIGIN_IGP, ORIGIN_EGP, ORIGIN_INCOMPLETE = 0, 1, 2
AS_SET, AS_SEQUENCE = 1, 2


class Route(NamedTuple):
    """One route the speaker announces."""

    #: (IP version, address as an int, prefix length)
    network: tuple[int, int, int]
    origin: int
    #: segments (kind, asns)
    as_path: tuple[tuple[int, tuple[int, ...]], ...]
    med: int | None
    local_pref: int
    communities: tuple[tuple[int, int], ...]
    large_communities: tuple[tuple[int, int, int], ...]
    #: (type, subtype, 6 value bytes)
    ext_communities: tuple[tuple[int, int, bytes], ...]


def _asn(rng: random.Random) -> int:
    """A public-looking ASN: mostly 16-bit, one in four 32-bit."""
    if rng.random() < 0.25:
        return rng.randrange(131_072, 4_199_999_999)
    return rng.randrange(1, 64_495)


def path_pool(rng: random.Random) -> list[tuple[tuple[int, tuple[int, ...]], ...]]:
    """PATHS distinct AS paths: 1-12 hops (mostly 3-6), one in seven with a prepend, a few with an AS_SET."""
    transits = [_asn(rng) for _ in range(60)]
    paths: set[tuple[tuple[int, tuple[int, ...]], ...]] = set()
    while len(paths) < PATHS:
        hops = min(12, max(1, round(rng.gauss(4.5, 1.8))))
        asns = [rng.choice(transits) if index < hops - 1 and rng.random() < 0.6 else _asn(rng) for index in range(hops)]
        if rng.random() < 1 / 7:
            where = rng.randrange(len(asns))
            asns[where:where] = [asns[where]] * rng.randint(1, 4)
        segments: tuple[tuple[int, tuple[int, ...]], ...] = ((AS_SEQUENCE, tuple(asns[:12])),)
        if rng.random() < 0.005:
            segments += ((AS_SET, tuple(sorted({_asn(rng) for _ in range(rng.randint(2, 4))}))),)
        paths.add(segments)
    return sorted(paths)


def _networks(count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """``count`` distinct prefixes: IPv4 mostly /24 (some /16-/23, a few shorter); IPv6 2000::/3, /32-/48."""
    networks: set[tuple[int, int, int]] = set()
    while len(networks) < count:
        if len(networks) % IPV6_SHARE == IPV6_SHARE - 1:
            length = rng.choice((32, 32, 36, 40, 44, 48, 48, 48, 48))
            address = (1 << 125 | rng.getrandbits(125)) >> (128 - length) << (128 - length)
            networks.add((6, address, length))
            continue
        length = rng.choices((24, 23, 22, 21, 20, 19, 18, 17, 16, 12), (60, 8, 9, 5, 5, 3, 2, 1, 5, 1))[0]
        address = rng.randrange(1 << 24, 224 << 24) >> (32 - length) << (32 - length)
        if address >> 24 not in (10, 127, 198):  # private, loopback, and the benchmark's own 198.18.0.0/15
            networks.add((4, address, length))
    return sorted(networks)


def _route(network: tuple[int, int, int], path: tuple, rng: random.Random) -> Route:
    """The attributes of one route; community values are derived from the prefix, so no two routes share them."""
    version, address, length = network
    key = address >> ((32 if version == 4 else 128) - length) & 0xFFFFFF
    asns = [asn for _, segment in path for asn in segment]
    small = [asn for asn in asns if asn < 65536] or [64_500]
    count = rng.choice((0, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)) if rng.random() > 0.02 else rng.randint(60, 80)
    communities = tuple(sorted({(rng.choice(small), (key * 7 + index * 131) & 0xFFFF) for index in range(count)}))
    large = tuple(
        sorted({(rng.choice(asns), index + 1, key + index) for index in range(rng.choice((0, 0, 1, 2, 3, 6)))})
    )
    ext: tuple[tuple[int, int, bytes], ...] = ()
    if rng.random() < 1 / 8:
        ext = ((0x00, 0x02, struct.pack("!HI", small[0], key)), (0x00, 0x03, struct.pack("!HI", small[-1], key & 0xFF)))
        if rng.random() < 0.2:
            ext += ((0x80, 0x06, struct.pack("!HI", 0, key)),)
    origin = rng.choices((ORIGIN_IGP, ORIGIN_INCOMPLETE, ORIGIN_EGP), (80, 17, 3))[0]
    med = rng.randrange(0, 5000) if rng.random() < 0.4 else None
    local_pref = rng.choice((100, 100, 100, 100, 90, 110, 120, 200, 80, rng.randrange(50, 500)))
    return Route(network, origin, path, med, local_pref, communities, large, ext)


def table(count: int, seed: int) -> tuple[list[Route], list[Route]]:
    """The primary routes of ``count`` prefixes, and the second routes of one prefix in eight."""
    rng = random.Random(seed)
    paths = path_pool(rng)
    first, second = [], []
    for index, network in enumerate(_networks(count, rng)):
        first.append(_route(network, rng.choice(paths), rng))
        if index % SECOND_ROUTE == 3:
            alternative = _route(network, rng.choice(paths), rng)
            second.append(alternative._replace(local_pref=min(alternative.local_pref, first[-1].local_pref) - 10))
    return first, second


# ---------------------------------------------------------------------------------------------------------
# the wire format (RFC 4271, 4760, 6793, 8092, 4360)
# ---------------------------------------------------------------------------------------------------------


def _message(kind: int, body: bytes) -> bytes:
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body


def _attribute(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def _open(router_id: str, afi: int) -> bytes:
    capabilities = struct.pack("!BBHBB", 1, 4, afi, 0, 1) + struct.pack("!BBI", 65, 4, LOCAL_AS)
    parameters = struct.pack("!BB", 2, len(capabilities)) + capabilities
    body = struct.pack("!BHH4sB", 4, LOCAL_AS, HOLD_TIME, socket.inet_aton(router_id), len(parameters))
    return _message(1, body + parameters)


def _nlri(network: tuple[int, int, int]) -> bytes:
    version, address, length = network
    packed = address.to_bytes(4 if version == 4 else 16, "big")
    return bytes([length]) + packed[: (length + 7) // 8]


def update(route: Route, next_hop: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
    """The UPDATE message announcing ``route`` with ``next_hop``."""
    path = b"".join(
        struct.pack("!BB", kind, len(asns)) + struct.pack(f"!{len(asns)}I", *asns) for kind, asns in route.as_path
    )
    attributes = [_attribute(0x40, 1, bytes([route.origin])), _attribute(0x40, 2, path)]
    if route.network[0] == 4:
        attributes.append(_attribute(0x40, 3, next_hop.packed))
    if route.med is not None:
        attributes.append(_attribute(0x80, 4, struct.pack("!I", route.med)))
    attributes.append(_attribute(0x40, 5, struct.pack("!I", route.local_pref)))
    if route.communities:
        attributes.append(_attribute(0xC0, 8, b"".join(struct.pack("!HH", *pair) for pair in route.communities)))
    if route.ext_communities:
        attributes.append(
            _attribute(0xC0, 16, b"".join(struct.pack("!BB", t, s) + v for t, s, v in route.ext_communities))
        )
    if route.large_communities:
        attributes.append(
            _attribute(0xC0, 32, b"".join(struct.pack("!III", *triple) for triple in route.large_communities))
        )
    nlri = _nlri(route.network)
    if route.network[0] == 6:
        reach = struct.pack("!HBB", 2, 1, 16) + next_hop.packed + b"\x00" + nlri
        attributes.append(_attribute(0x80, 14, reach))
        nlri = b""
    encoded = b"".join(attributes)
    return _message(2, struct.pack("!HH", 0, len(encoded)) + encoded + nlri)


KEEPALIVE = _message(4, b"")


def _read_message(connection: socket.socket) -> tuple[int, bytes]:
    header = _read_exactly(connection, 19)
    length, kind = struct.unpack("!HB", header[16:])
    return kind, _read_exactly(connection, length - 19)


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = connection.recv(size - len(data))
        if not more:
            raise SystemExit("bgpfeed: the peer closed the session")
        data += more
    return data


def session(local: str, remote: str, router_id: str) -> socket.socket:
    """An Established session from ``local`` to ``remote`` (OPEN, KEEPALIVE, wait for the peer's)."""
    family = socket.AF_INET6 if ":" in local else socket.AF_INET
    deadline = time.monotonic() + 60
    while True:
        connection = socket.socket(family, socket.SOCK_STREAM)
        connection.bind((local, 0))
        try:
            connection.connect((remote, 179))
            break
        except OSError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    connection.sendall(_open(router_id, 2 if family == socket.AF_INET6 else 1))
    kind, body = _read_message(connection)
    if kind != 1:
        raise SystemExit(f"bgpfeed: expected OPEN, got type {kind}: {body!r}")
    connection.sendall(KEEPALIVE)
    while _read_message(connection)[0] != 4:
        pass
    return connection


def routes_for(session_index: int, family: int, first: list[Route], second: list[Route]) -> Iterator[Route]:
    """Session 0 of a family sends the primary routes of that family, session 1 the second routes."""
    for route in (first, second)[session_index]:
        if route.network[0] == family:
            yield route


def main() -> None:
    """Open every session, send the table, then keep the sessions alive until killed."""
    count, seed, *pairs = sys.argv[1:]
    first, second = table(int(count), int(seed))
    sessions = []
    sent = 0
    ends = list(zip(pairs[::2], pairs[1::2], strict=True))
    for local, remote in ends:
        family = 6 if ":" in local else 4
        index = sum(1 for other, _ in ends[: ends.index((local, remote))] if (":" in other) == (family == 6))
        connection = session(local, remote, f"198.18.1.{len(sessions) + 1}")
        next_hop = ipaddress.ip_address(local)
        buffer = bytearray()
        for route in routes_for(index, family, first, second):
            buffer += update(route, next_hop)
            sent += 1
            if len(buffer) > 1 << 16:
                connection.sendall(buffer)
                buffer.clear()
        connection.sendall(buffer)
        sessions.append(connection)
    print(f"sent {sent}", flush=True)
    try:
        while True:
            readable, _, _ = select.select(sessions, [], [], HOLD_TIME / 4)
            if any(not connection.recv(1 << 16) for connection in readable):
                return
            for connection in sessions:
                connection.sendall(KEEPALIVE)
    except OSError:
        return  # the receiver stopped: the benchmark is over


if __name__ == "__main__":
    main()
