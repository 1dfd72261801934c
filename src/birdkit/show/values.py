"""The values BIRD can print in birdc output, and the one check of each: addresses, prefixes, router ids,
AS numbers, communities (standard, large, extended), attribute numbers, preferences, counters, times.

Every reply parser (the reference :mod:`birdkit.show.parse`, the streaming :mod:`birdkit.show.stream`, and so
the socket client) calls these, so a value no BIRD can print (``198.18.0.0/99``, ``300.18.0.1``, a community
part of 10^9) is refused the same way everywhere: :class:`ImpossibleValue`, which each parser reports at its
line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from socket import AF_INET, AF_INET6, AddressFamily, inet_pton

U16 = 0xFFFF
U32 = 0xFFFF_FFFF
#: AS numbers are 32-bit
MAX_ASN = U32
#: a standard community is two 16-bit halves
MAX_COMMUNITY_PART = U16
#: a large community is three 32-bit parts
MAX_LARGE_COMMUNITY_PART = U32
#: BGP's MED and LOCAL_PREF are 32-bit
MAX_ATTRIBUTE_NUMBER = U32
#: route and channel preferences are 16-bit
MAX_PREFERENCE = U16
#: MPLS labels are 20-bit
MAX_MPLS_LABEL = (1 << 20) - 1
#: BIRD prints a multipath next hop's weight as 1 to 256
MAX_WEIGHT = 256
#: counters (routes, updates, limits), interface indexes and MTUs are 32-bit
MAX_COUNTER = U32
#: TCP ports
MAX_PORT = U16
#: prefix length of each address family
MAX_PREFIX_LENGTH = {AF_INET: 32, AF_INET6: 128}


def at_most(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to ``limit`` as BIRD prints them (no leading zero),
    to be followed by a non-digit: ``limit``, then the numbers as long that leave it at a smaller digit, then
    the shorter ones."""
    digits = str(limit)
    alternatives = [digits]
    for index in range(len(digits) - 1, -1, -1):
        low = 1 if index == 0 and len(digits) > 1 else 0
        if int(digits[index]) > low:
            rest = len(digits) - index - 1
            alternatives.append(f"{digits[:index]}[{low}-{int(digits[index]) - 1}][0-9]{{{rest}}}")
    if len(digits) > 1:
        alternatives.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}|0")
    return "(?:" + "|".join(alternatives) + ")"


#: regular-expression twins of :func:`network` for the streaming parser's record patterns, which must refuse an
#: impossible network without a Python call per route; tests hold them equal to :func:`prefix`
_OCTET = at_most(255)
_IPV4 = rf"(?:{_OCTET}\.){{3}}{_OCTET}"
_H = "[0-9a-fA-F]{1,4}+"
_IPV6 = (
    rf"(?:(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,7}}:|(?:{_H}:){{1,6}}:{_H}|(?:{_H}:){{1,5}}(?::{_H}){{1,2}}"
    rf"|(?:{_H}:){{1,4}}(?::{_H}){{1,3}}|(?:{_H}:){{1,3}}(?::{_H}){{1,4}}|(?:{_H}:){{1,2}}(?::{_H}){{1,5}}"
    rf"|{_H}:(?::{_H}){{1,6}}|:(?:(?::{_H}){{1,7}}|:)|(?:{_H}:){{6}}{_IPV4}|(?:{_H}:){{1,5}}:{_IPV4}"
    rf"|::(?:{_H}:){{0,5}}{_IPV4})"
)
#: a one-word network BIRD can print, to be followed by a blank: an IPv4 or IPv6 prefix of a length its family
#: holds, or a word without ``/`` (an MPLS label); anything else does not match
ONE_WORD_NETWORK = (
    rf"(?:{_IPV4}/{at_most(MAX_PREFIX_LENGTH[AF_INET])}|{_IPV6}/{at_most(MAX_PREFIX_LENGTH[AF_INET6])}"
    r"|[^\s\[/]++)"
)


#: a date BIRD prints (``%F`` of a real day: no month 13, no February 30, February 29 in leap years only)
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DATE = (
    r"(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    rf"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP_YEAR}-02-29)"
)
#: hours and minutes; seconds up to 60 (a leap second, as ``localtime`` gives it with right/ zones), then
#: milliseconds or microseconds (``iso … ms|us``, up to 6 digits in a ``%f`` format)
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SECONDS = r":(?:[0-5][0-9]|60)(?:\.[0-9]{1,6}+)?"
#: BIRD 1.x's ``timeformat … old short`` for an event 20 hours to 360 days old: month name and day (``Jun13``)
_MONTH_DAY = (
    r"(?:(?:Jan|Mar|May|Jul|Aug|Oct|Dec)(?:0[1-9]|[12][0-9]|3[01])|(?:Apr|Jun|Sep|Nov)(?:0[1-9]|[12][0-9]|30)"
    r"|Feb(?:0[1-9]|[12][0-9]))"
)
#: BIRD 1.x's ``timeformat … old long`` (``%d-%m-%Y %T``)
_OLD_LONG = (
    r"(?:(?:(?:0[1-9]|[12][0-9]|3[01])-(?:0[13578]|1[02])|(?:0[1-9]|[12][0-9]|30)-(?:0[469]|11)"
    rf"|(?:0[1-9]|1[0-9]|2[0-8])-02)-[0-9]{{4}}|29-02-{_LEAP_YEAR}) {_CLOCK}:(?:[0-5][0-9]|60)"
)
#: a route's or protocol's time as BIRD prints it (``timeformat route|protocol``): ``iso short`` (``%T``, with
#: ms or us), and a date alone for an event older than 20 hours; ``iso long`` (``%F %T``, with ms or us); BIRD
#: 1.x's ``old short`` (``HH:MM``, ``Jun13``, a year alone) and ``old long``, and its default ``HH:MM:SS``;
#: every field within its range; to be followed by a non-digit (times of day first: the common case of a fresh
#: table)
SINCE = (
    rf"(?:{_CLOCK}(?:{_SECONDS})?|{_DATE}(?: {_CLOCK}{_SECONDS})?|{_OLD_LONG}|{_MONTH_DAY}|[0-9]{{4}})(?![0-9])"
)
_SINCE = re.compile(SINCE)


#: what the reply parsers say under an impossible value
HINT = "no BIRD prints this value: is the output edited or corrupted?"


class ImpossibleValue(ValueError):
    """A value no BIRD can print. A ``ValueError``, but one that parsers do not take for an untyped attribute."""


def bounded(value: int, limit: int, what: str) -> int:
    """``value``, unless it is beyond ``limit``."""
    if value > limit:
        raise ImpossibleValue(f"{what} {value}: expected at most {limit}")
    return value


def all_bounded(values: list[int], limit: int, what: str) -> list[int]:
    """``values``, unless one of them is beyond ``limit`` (one C-level ``max``: cheap on a full table)."""
    if values and max(values) > limit:
        return [bounded(value, limit, what) for value in values]
    return values


def address(text: str, what: str = "address") -> str:
    """``text``, an IPv4 or IPv6 address as BIRD prints it (an IPv6 link-local one may carry ``%iface``)."""
    _family(text.partition("%")[0] if "%" in text else text, what)
    return text


def addresses(text: str, what: str = "address") -> tuple[str, ...]:
    """The space-separated addresses of ``text``."""
    return tuple(address(word, what) for word in text.split())


def ipv4(text: str, what: str = "router id") -> str:
    """``text``, an IPv4 address: router ids, originator and cluster ids are 32-bit numbers printed so."""
    try:
        inet_pton(AF_INET, text)
    except OSError:
        raise ImpossibleValue(f"{what} {text!r}: expected an IPv4 address (a.b.c.d, each part 0 to 255)") from None
    return text


def ipv4s(text: str, what: str) -> tuple[str, ...]:
    """The space-separated IPv4 addresses of ``text`` (a cluster list)."""
    return tuple(ipv4(word, what) for word in text.split())


def prefix(text: str) -> str:
    """``text``, an ``address/length`` prefix whose length fits its address family."""
    ip, slash, length = text.partition("/")
    family = _family(ip, f"prefix {text}")
    plain = length.isdigit() and len(length) <= 3 and (length[0] != "0" or length == "0")
    if not (slash and plain and int(length) <= MAX_PREFIX_LENGTH[family]):
        raise ImpossibleValue(
            f"prefix {text!r}: expected a length of 0 to {MAX_PREFIX_LENGTH[family]} after the "
            f"IPv{4 if family == AF_INET else 6} address"
        )
    return text


def network(text: str) -> str:
    """``text``, the network column of a route line: every ``address/length`` in it (a plain prefix, the
    prefix of a VPN, ROA, flow or source-specific net …) is a prefix BIRD can print, a ROA's longest length
    too; other words (route distinguishers, labels, flow operators) are left alone."""
    if " " not in text:
        return prefix(text) if "/" in text else text
    for word in text.split():
        word = word.rstrip(";,")
        if "/" in word and (word[:1].isdigit() or ":" in word):
            net, dash, longest = word.partition("-")
            prefix(net)
            if dash:
                family = AF_INET6 if ":" in net else AF_INET
                number(longest, MAX_PREFIX_LENGTH[family], f"ROA {word!r} longest length")
    return text


def since(text: str) -> str:
    """``text``, a route's or protocol's time (:data:`SINCE`) with a real date and time."""
    if _SINCE.fullmatch(text) is None:
        raise ImpossibleValue(
            f"time {text!r}: expected HH:MM[:SS[.fff]], YYYY-MM-DD or YYYY-MM-DD HH:MM:SS[.fff] (BIRD 1.x also: "
            "Jun13, YYYY, DD-MM-YYYY HH:MM:SS) with a real date and time (month 01-12, a day of that month, "
            "hour 00-23, minute 00-59, second 00-60)"
        )
    return text


def number(word: str, limit: int, what: str) -> int:
    """The decimal number ``word``, at most ``limit``."""
    if not word.isdigit():
        raise ValueError(f"{what} {word!r} is not a number")
    return bounded(int(word), limit, what)


def numbers(words: Iterable[str], limit: int, what: str) -> tuple[int, ...]:
    """The decimal numbers ``words``, each at most ``limit``."""
    return tuple(number(word, limit, what) for word in words)


def ext_community(kind: str, admin: str, value: str) -> None:
    """The widths of an extended community: ``(rt|ro, ASN or IPv4, value)`` (2-byte AS: 32-bit value; IPv4 or
    4-byte AS: 16-bit value), ``(generic, 0x…, 0x…)`` (two 32-bit halves); other kinds are printed raw."""
    shown = f"({kind}, {admin}, {value})"
    if kind in ("rt", "ro"):
        if "." in admin:
            ipv4(admin, f"extended community {shown} administrator")
            width = U16
        elif admin.isdigit() and int(admin) <= U16:
            width = U32
        elif admin.isdigit() and int(admin) <= U32:
            width = U16
        else:
            raise ImpossibleValue(f"extended community {shown}: expected an AS number or IPv4 address first")
        if not value.isdigit() or int(value) > width:
            raise ImpossibleValue(f"extended community {shown}: expected a value of at most {width}")
    elif kind == "generic":
        for part in (admin, value):
            if not (part[:2] == "0x" and len(part) <= 10 and _is_hex(part[2:])):
                raise ImpossibleValue(f"extended community {shown}: expected two 32-bit hex numbers (0x…)")


def _is_hex(text: str) -> bool:
    return bool(text) and all(char in "0123456789abcdefABCDEF" for char in text)


def _family(text: str, what: str) -> AddressFamily:
    family = AF_INET6 if ":" in text else AF_INET
    try:
        inet_pton(family, text)
    except OSError:
        raise ImpossibleValue(
            f"{what}: expected an IPv{4 if family == AF_INET else 6} address, not {text[:45]!r}"
        ) from None
    return family
