"""The BIRD releases that accept each option birdkit keeps token by token, and each version-bound attribute.

Each release was read off the grammar (``*/config.Y``) of every BIRD tag, and checked with real ``bird -p``
on the documentation snippets (tests/fixtures/versions/doc).
"""

from __future__ import annotations

import attrs

Version = tuple[int, int, int]

_V3: Version = (3, 0, 0)
_V31: Version = (3, 1, 0)


@attrs.frozen
class OptionGate:
    """``words`` (an option's leading words, or their start) in ``scope`` needs ``since_2`` on the 2.x line and
    ``since_3`` on the 3.x line (None: no release of that line). A ``form`` gates only the option written with
    an option block (``block``: ``bfd { ... };``) or with a flag set (``flags``: ``debug latency { ping };``).

    ``scope`` is ``top``, ``table``, ``cli``, ``protocol`` (the protocol level of any protocol), ``channel``
    (any channel), a protocol type (anywhere inside it) or ``TYPE channel``.
    """

    scope: str
    words: str
    since_2: Version | None
    since_3: Version | None = _V3
    form: str = ""


def _gates(scope: str, since_2: Version | None, since_3: Version | None, *words: str) -> list[OptionGate]:
    return [OptionGate(scope, word, since_2, since_3) for word in words]


OPTION_GATES: tuple[OptionGate, ...] = (
    # global options
    *_gates("top", (2, 0, 8), _V3, "hostname"),
    *_gates("top", None, _V3, "log fixed"),
    OptionGate("top", "debug latency", None, _V3, form="flags"),
    OptionGate("top", "cli", (2, 16, 0), None, form="flags"),
    *_gates("cli", None, _V3, "restrict"),
    *_gates("cli", None, _V31, "v2 attributes"),
    # routing tables
    *_gates("table", (2, 15, 0), _V3, "debug"),
    *_gates(
        "table",
        None,
        _V3,
        "cork threshold",
        "export settle time",
        "route refresh export settle time",
        "digest settle time",
    ),
    # every protocol and channel
    *_gates("protocol", (2, 17, 0), _V31, "hostname"),
    *_gates("protocol", None, None, "restart time limit"),  # documented so in 3.1, read as 'restart time'
    *_gates("protocol", None, _V3, "restart time"),
    *_gates("channel", (2, 0, 8), _V3, "debug", "rpki reload"),
    *_gates("channel", None, None, "export block"),  # documented in 3.1, in no grammar
    # babel
    *_gates("babel", (2, 0, 9), _V3, "authentication", "password"),
    *_gates("babel", (2, 13, 0), _V3, "extended next hop"),
    *_gates("babel", (2, 14, 0), _V3, "rtt cost", "rtt min", "rtt max", "rtt decay", "send timestamps"),
    *_gates("babel", (2, 17, 0), _V31, "next hop prefer"),
    # bfd
    *_gates("bfd", (2, 0, 8), _V3, "accept"),
    *_gates("bfd", (2, 0, 10), _V3, "strict bind"),
    *_gates("bfd", (2, 16, 0), _V3, "zero udp6 checksum rx"),
    # bgp
    *_gates("bgp", None, None, "advertise ipv4"),  # documented in 2.0.7, in no grammar
    *_gates("bgp", (2, 0, 8), _V3, "advertise hostname", "allow as sets", "enforce first as"),
    OptionGate("bgp", "bfd", (2, 0, 8), _V3, form="block"),
    *_gates("bgp", (2, 0, 9), _V3, "free bind"),
    *_gates("bgp", (2, 0, 11), _V3, "min hold time", "min keepalive time", "next hop prefer"),
    *_gates("bgp", (2, 13, 0), _V3, "allow bgp_med"),
    *_gates("bgp", (2, 14, 0), _V3, "enable enhanced route refresh"),
    *_gates(
        "bgp",
        (2, 15, 0),
        _V3,
        "require route refresh",
        "require enhanced route refresh",
        "require as4",
        "require extended messages",
        "require hostname",
        "require graceful restart",
        "require long lived graceful restart",
        "require extended next hop",
        "require add paths",
        "send hold time",
    ),
    *_gates(
        "bgp",
        (2, 17, 0),
        _V31,
        "authentication",
        "keys",
        "link local next hop format",
        "min graceful restart time",
        "max graceful restart time",
        "min long lived stale time",
        "max long lived stale time",
    ),
    *_gates("bgp", None, _V3, "tx size warning"),
    *_gates("bgp channel", None, _V3, "export settle time"),
    # the rest, by protocol
    *_gates("bmp", (2, 16, 0), _V3, "tx buffer limit"),
    *_gates("kernel", (2, 0, 9), _V3, "netlink rx buffer"),
    *_gates("ospf", (2, 0, 8), _V3, "ptp address"),
    *_gates("pipe", None, _V3, "max generation"),
    *_gates("radv", (2, 14, 0), _V3, "custom option"),
    *_gates("rip", (2, 0, 8), _V3, "demand circuit"),
    *_gates("rpki", (2, 0, 8), _V3, "ignore max length"),
    *_gates("rpki", (2, 15, 0), _V3, "local address"),
    *_gates("rpki", (2, 16, 0), _V3, "min version", "max version", "authentication", "password"),
    OptionGate("rpki", "transport tcp", (2, 16, 0), _V3, form="block"),
)

#: route attributes only the 3.x line registers (read from BIRD 3.1.8's sources; every 2.x target refuses them).
#: Those 3.x registers hidden (``.hidden = 1``: babel_seqno, bgp_as4_path, bgp_mp_reach_nlri, rip_from, ...) are
#: not here: filters of no release may name them.
_THREE_ONLY_ATTRIBUTES = (
    "babel_router_id", "bgp_add_path_rx", "bgp_afi", "bgp_extended_next_hop", "bgp_mpls_label_stack",
    "bgp_peer_type", "krt_features", "krt_lock", "radv_preference", "radv_lifetime",
)
#: route attributes some releases lack: name -> (since on 2.x, since on 3.x), None where that line has none
ATTRIBUTE_SINCE: dict[str, tuple[Version | None, Version | None]] = {
    "gw_mpls": ((2, 0, 9), _V3),
    "onlink": ((2, 0, 12), (3, 2, 0)),
    "bgp_otc": ((2, 0, 11), _V3),
    "mpls_label": ((2, 14, 0), _V3),
    "mpls_policy": ((2, 14, 0), _V3),
    "mpls_class": ((2, 14, 0), _V3),
    "ra_preference": ((2, 0, 0), None),
    "ra_lifetime": ((2, 0, 0), None),
    "gw_mpls_stack": ((2, 15, 0), None),
    "local_metric": (None, (3, 2, 0)),
    **{name: (None, _V3) for name in _THREE_ONLY_ATTRIBUTES},
}


def _matches(name: str, words: str) -> bool:
    return name == words or name.startswith(words + " ")


def option_gate(scopes: tuple[str, ...], name: str, forms: frozenset[str]) -> OptionGate | None:
    """The gate of the option whose leading words are ``name`` in any of ``scopes`` and written in ``forms``
    (``block``, ``flags``), if it has one: the first that matches."""
    for gate in OPTION_GATES:
        if gate.scope in scopes and _matches(name, gate.words) and (not gate.form or gate.form in forms):
            return gate
    return None
