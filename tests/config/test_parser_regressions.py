"""Regressions for four parser conformance bugs: next-hop options after `%iface`, RD case labels, one statement per
case arm in BIRD 3, and the BGP role words 2.0.12 accepts as names.

EXPECTED holds the verdicts of `bird -p` measured on 2.0.7, 2.0.12, 2.17.6 and 3.1.8; the live test re-measures them and
checks that `birdkit check --target` agrees, the plain test checks birdkit against the table without BIRD.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.format import format_config
from birdkit.config.keywords import ROLE_WORDS, reserved_names
from birdkit.config.parse import check_config, parse_config
from birdkit.errors import BirdkitError, BirdSyntaxError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

ALL = frozenset(TARGET_VERSIONS)
V2 = frozenset({"2.0.7", "2.0.12", "2.17.6"})
#: declarations and blocks inside a filter body: 2.0.11 and later
SINCE_2_0_11 = frozenset({"2.0.12", "2.17.6", "3.1.8"})
SINCE_2_16 = frozenset({"2.17.6", "3.1.8"})

DEVICE = "protocol device {}\n"


def _static(family: str, route: str) -> str:
    return f"{DEVICE}protocol static st {{ {family}; {route} }}\n"


def _case(arms: str, subject: str = "net.len") -> str:
    # `x` declared before the body: 2.0.7 takes declarations there only
    return f"{DEVICE}filter f int x; {{ case {subject} {{ {arms} }} accept; }}\n"


def _role_word(word: str) -> frozenset[str]:
    return V2 - {"2.0.7"} if word == "peer" else V2


#: case id -> (config text, the versions whose `bird -p` accepts it, as measured)
EXPECTED: dict[str, tuple[str, frozenset[str]]] = {
    # bug 1: next-hop options, also right after `%iface`; recursive routes with a label stack
    "onlink-after-iface": (_static("ipv6", "route 2001:db8::/32 via fe80::1%eth0 onlink;"), ALL),
    "mpls-after-iface": (_static("ipv6", "route 2001:db8::/32 via fe80::1%eth0 mpls 100/200;"), ALL),
    "onlink-after-quoted-iface": (_static("ipv6", "route 2001:db8::/32 via fe80::1%'eth0' onlink yes;"), ALL),
    "onlink-switch": (_static("ipv4", "route 10.0.0.0/8 via 192.0.2.1 onlink yes;"), ALL),
    "mpls-stack": (_static("ipv4", "route 10.0.0.0/8 via 192.0.2.1 mpls 100/200;"), ALL),
    "multipath-options": (
        _static("ipv4", "route 10.0.0.0/8 via 192.0.2.1 weight 2 bfd via 192.0.2.2 mpls 7 onlink weight 3;"),
        ALL,
    ),
    "recursive-mpls": (_static("ipv4", "route 10.0.0.0/8 recursive 192.0.2.1 mpls 100/200;"), ALL),
    # bug 2: a route distinguisher (range) as a case label, followed by the label's ':'
    "rd-range-label": (_case("100000:100..100000:200: accept;", "bgp_path.len"), SINCE_2_16),
    "rd-label": (f"define r = 1:2;\n{_case('1:2: accept;', 'r')}", SINCE_2_16),
    "ipv6-like-rd": (f"{DEVICE}define a = 1:2::3;\ndefine b = 1:2:3:4:5:6:7:8;\n", ALL),
    # bug 3: BIRD 3 reads `labels: cmd`, exactly one statement that is not a declaration
    "arm-two-statements-symbol": (_case("0: bgp_local_pref = 0; bgp_local_pref = 0;"), V2),
    "arm-two-statements-print": (_case("0: x = 1; print x;"), V2),
    "else-two-statements": (_case("0: x = 1; else: x = 2; x = 3;"), V2),
    "arm-empty-before-label": (_case("0: 1: x = 1;"), V2),
    "arm-empty-at-end": (_case("0: x = 1; else:"), V2),
    "arm-declaration": (_case("0: int y = 3;"), V2 & SINCE_2_0_11),
    "arm-block": (_case("0: { x = 1; x = 2; }"), SINCE_2_0_11),
    "arms-one-statement-each": (_case("0: x = 1; 1, 2: x = 2; else: x = 3;"), ALL),
    # bug 4: 2.0.12 takes the BGP role keywords as names; `roles` stays a keyword. 2.0.7 predates roles: only
    # `peer` (of pipes) is a keyword there
    **{f"protocol-named-{word}": (f"protocol device {word} {{}}\n", _role_word(word)) for word in sorted(ROLE_WORDS)},
    **{f"constant-named-{word}": (f"{DEVICE}define {word} = 5;\n", _role_word(word)) for word in sorted(ROLE_WORDS)},
    "constant-named-peer-used": (
        f"{DEVICE}define peer = 5;\nfilter f {{ if net.len = peer then accept; }}\n", _role_word("peer")
    ),
    "protocol-named-roles": ("protocol device roles {}\n", frozenset({"2.0.7", "2.17.6"})),
    # 2.0.7's bird -p folds a `case` on a constant and crashes when an arm is chosen
    "case-constant-picks-arm": (f"{DEVICE}filter f {{ case 1 {{ 1: accept; }} reject; }}\n", ALL - {"2.0.7"}),
    "case-constant-else": (f"{DEVICE}filter f {{ case 7 {{ 1: accept; else: reject; }} }}\n", ALL - {"2.0.7"}),
    "case-constant-in-range": (
        f"{DEVICE}define c = 2;\nfilter f {{ case c + 1 {{ 1..5: accept; }} reject; }}\n", ALL - {"2.0.7"}
    ),
    "case-constant-misses": (f"{DEVICE}define c = 2;\nfilter f {{ case c * 3 {{ 1..5: accept; }} reject; }}\n", ALL),
    "case-route-value": (f"{DEVICE}filter f {{ case net.len {{ 1: accept; else: reject; }} }}\n", ALL),
}


def _birdkit_accepts(text: str, version: str) -> bool:
    try:
        check_config("bird.conf", text=text, target=version)
    except BirdkitError:
        return False
    return True


@pytest.mark.parametrize("version", TARGET_VERSIONS)
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_birdkit_check_gives_the_measured_verdict(case: str, version: str) -> None:
    text, accepting = EXPECTED[case]
    assert _birdkit_accepts(text, version) == (version in accepting)


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_real_bird_gives_the_measured_verdict_and_birdkit_agrees(
    bird_matrix: BirdMatrix, version: str, case: str
) -> None:
    text, accepting = EXPECTED[case]
    result = bird_matrix.get(version).check(text)
    assert result.ok == (version in accepting), result.message
    assert _birdkit_accepts(text, version) == result.ok, result.message


# ---------------------------------------------------------------- AST shapes


def _route(route: str, family: str = "ipv6") -> ast.StaticRoute:
    config = parse_config(_static(family, route))
    protocol = config.statements[1]
    assert isinstance(protocol, ast.Protocol)
    (static_route,) = protocol.static_routes()
    assert parse_config(format_config(config)) == config
    return static_route


def test_onlink_after_interface_is_a_next_hop_option() -> None:
    route = _route("route 2001:db8::/32 via fe80::1%eth0 onlink;")
    assert route.next_hops == (ast.NextHop(ast.Ip("fe80::1"), "eth0", (ast.Word("onlink"),)),)


def test_mpls_stack_after_interface_is_a_next_hop_option() -> None:
    route = _route("route 2001:db8::/32 via fe80::1%'e.1' mpls 100/200 weight 2;")
    words = (ast.Word("mpls"), ast.Num("100"), ast.Punct("/"), ast.Num("200"), ast.Word("weight"), ast.Num("2"))
    assert route.next_hops == (ast.NextHop(ast.Ip("fe80::1"), "e.1", words),)


def test_recursive_route_keeps_its_label_stack() -> None:
    text = "route 10.0.0.0/8 recursive 192.0.2.1 mpls 100/200;"
    route = _route(text, "ipv4")
    assert (route.kind, route.recursive_to) == ("recursive", ast.Ip("192.0.2.1"))
    assert route.recursive_labels == (ast.Num("100"), ast.Num("200"))
    assert text in format_config(parse_config(_static("ipv4", text)))


def _arms(text: str, target: str | None = None) -> tuple[ast.CaseArm, ...]:
    config = parse_config(text, target=target)
    statement = next(s for s in config.statements if isinstance(s, ast.FilterDef)).body.statements[-2]
    assert isinstance(statement, ast.Case)
    return statement.arms


def test_rd_range_case_label_is_one_label() -> None:
    (arm,) = _arms(_case("100000:100..100000:200: accept;", "bgp_path.len"))
    assert arm.labels == (ast.Range(ast.Rd("100000:100"), ast.Rd("100000:200")),)
    assert arm.statements == (ast.Accept(),)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(0, 99))
def test_rd_case_labels_end_at_the_colon(asn: int, value: int, number: int) -> None:
    arms = _arms(_case(f"{asn}:{value}: x = 1; {number}: x = 2;", "x"))
    assert [arm.labels for arm in arms] == [(ast.Rd(f"{asn}:{value}"),), (ast.Num(str(number)),)]


@settings(max_examples=120, deadline=None)
@given(st.ip_addresses(v=6), st.booleans())
def test_ipv6_literals_are_not_read_as_route_distinguishers(address: ipaddress.IPv6Address, exploded: bool) -> None:
    text = address.exploded if exploded else address.compressed
    define = parse_config(f"define a = {text};").statements[0]
    assert isinstance(define, ast.Define)
    assert define.value == ast.Ip(text)


def test_bird3_rejects_a_second_statement_in_a_case_arm_where_it_starts() -> None:
    text = "filter f {\n  case net.len {\n    0: bgp_local_pref = 0;\n    bgp_local_pref = 0;\n  }\n  accept;\n}\n"
    (arm,) = _arms(text, target="2.17.6")
    assert [type(s) for s in arm.statements] == [ast.Assign, ast.Assign]
    with pytest.raises(BirdSyntaxError) as raised:
        parse_config(text, target="3.1.8")
    assert raised.value.span is not None
    assert (raised.value.span.line, raised.value.span.column) == (4, 5)


def test_bird3_rejects_an_empty_case_arm() -> None:
    arms = _arms(_case("0: 1: x = 1;"), target="2.17.6")
    assert [len(arm.statements) for arm in arms] == [0, 1]
    with pytest.raises(BirdSyntaxError, match="exactly one statement"):
        parse_config(_case("0: 1: x = 1;"), target="3.1.8")


def test_role_words_name_protocols_in_2_0_12_only_among_keyword_strict_versions() -> None:
    protocol = parse_config("protocol device peer {}", target="2.0.12").statements[0]
    assert isinstance(protocol, ast.Protocol) and protocol.name == "peer"
    with pytest.raises(BirdSyntaxError, match="keyword"):
        parse_config("protocol device peer {}", target="3.1.8")
    assert not ROLE_WORDS & reserved_names((2, 0, 12))
    assert reserved_names((2, 0, 11)) >= ROLE_WORDS
    assert reserved_names((3, 1, 8)) >= ROLE_WORDS
    assert "roles" in reserved_names((2, 0, 12))
