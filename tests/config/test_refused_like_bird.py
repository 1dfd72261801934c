"""Configs `bird -p` refuses that birdkit used to accept (found by changing one word of valid corpus configs).

- Inside an option, a bare word after the first is a keyword or a name defined above it: BIRD's lexer turns any
  other word into an undefined symbol, which no option takes (`next hop selfx;`, `scan time foo;`).
- A protocol type is one BIRD builds (`protocol kernelz` is refused; `bmp` only 3.x builds, `perf` only 2.x;
  `evpn` came with 2.19 and 3.3, after every target).
- `import`/`export` without a policy takes only limit, keep filtered, table, target or settle (`export stub;`).
- No option repeats a keyword (`route route ...`, `interval 200 ms ms;`), and a method is one BIRD defines.
- A route attribute is one BIRD knows (`bgp_communityz` is refused, not taken for a BGP attribute), in that
  release (`bgp_afi` and the other names only 3.x registers are refused by 2.x; `gw_mpls_stack` came with 2.15,
  `local_metric` with 3.2), and one filters may name (3.x's hidden `bgp_as4_path`, `rip_from`, ... are refused).
- A static route to an IP, VPN or SADR net needs a destination; ROA and flow routes take none.
- A channel of a family BIRD makes no table for (vpn4, roa4, flow4, ipv6 sadr, ...) names one, unless a table of
  that family is declared above (the first one is the family's default).

The live test measures each case with real `bird -p` of every target version; the plain test checks birdkit.
"""

from __future__ import annotations

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError, BirdSyntaxError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

HEAD = "router id 198.18.0.1;\nprotocol device {}\n"
BGP = "protocol bgp b {{ local as 65001; neighbor 198.18.0.2 as 65002; {} }}\n"

ALL = frozenset(TARGET_VERSIONS)
NONE: frozenset[str] = frozenset()
V3 = frozenset(v for v in TARGET_VERSIONS if v.startswith("3."))

#: case id -> (config text, the target versions whose `bird -p` accepts it, as measured)
CASES: dict[str, tuple[str, frozenset[str]]] = {
    "misspelt-next-hop-self": (BGP.format("ipv4 { import all; export none; next hop selfx; };"), NONE),
    "next-hop-self": (BGP.format("ipv4 { import all; export none; next hop self; };"), ALL),
    "undefined-name-for-a-time": ("protocol kernel { ipv4; scan time foo; }\n", NONE),
    "defined-constant-for-a-time": ("define scan_every = 20;\nprotocol kernel { ipv4; scan time scan_every; }\n", ALL),
    "constant-defined-below": ("protocol kernel { ipv4; scan time later; }\ndefine later = 20;\n", NONE),
    "misspelt-switch-in-a-nested-block": (
        'protocol ospf v2 o { ipv4; area 0 { interface "eth*" { type broadcastt; }; }; }\n', NONE
    ),
    "switch-in-a-nested-block": (
        'protocol ospf v2 o { ipv4; area 0 { interface "eth*" { type broadcast; }; }; }\n', ALL
    ),
    "defined-table-in-a-channel": ("ipv4 table t1;\nprotocol static st { ipv4 { table t1; }; }\n", ALL),
    "igp-table-defined": ("ipv4 table t2;\n" + BGP.format("ipv4 { import all; export none; igp table t2; };"), ALL),
    "misspelt-protocol-type": ("protocol kernelz { ipv4; }\n", NONE),
    "protocol-type-missing": ("protocol k1 { ipv4; }\n", NONE),
    "protocol-bmp": ("protocol bmp { station address ip 198.18.0.9 port 1790; }\n", V3),
    "protocol-evpn": ("protocol evpn { }\n", NONE),
    "export-a-keyword": ("protocol kernel { ipv4 { export stub; }; }\n", NONE),
    "import-a-filter-without-filter": ("filter f { accept; }\nprotocol kernel { ipv4 { import f; }; }\n", NONE),
    "import-limit-and-keep-filtered": (
        "protocol kernel { ipv4 { import limit 10 action block; import keep filtered; export all; }; }\n", ALL
    ),
    "three-only-route-attribute": ("filter f { if defined(bgp_afi) then accept; reject; }\n", V3),
    "three-only-attribute-declared": (
        "attribute int bgp_afi;\nfilter f { if defined(bgp_afi) then accept; reject; }\n", ALL
    ),
    "hidden-route-attributes": (
        "filter f { if defined(bgp_as4_path) || defined(rip_from) || defined(babel_seqno) then reject; accept; }\n",
        NONE,
    ),
    "local-metric": ("filter f { if defined(local_metric) then reject; accept; }\n", NONE),  # since 3.2.0
    "gw-mpls-stack": ("filter f { if defined(gw_mpls_stack) then reject; accept; }\n", frozenset({"2.17.6"})),
    "misspelt-bgp-attribute": ("filter f { bgp_communityz = -empty-; accept; }\n", NONE),
    "protocol-attributes": (
        "filter f { bgp_community = -empty-; krt_prefsrc = 198.18.0.1; ospf_metric1 = 1; accept; }\n", ALL
    ),
    "doubled-keyword": ("protocol static { ipv4; route route 198.18.0.0/24 blackhole; }\n", NONE),
    "doubled-unit": ('protocol bfd { interface "*" { interval 200 ms ms; }; }\n', NONE),
    "misspelt-method": ("filter f { bgp_large_community.addz((65000, 1, 1)); accept; }\n", NONE),
    "known-methods": ("filter f { if net.len > 24 || bgp_path.first = 65000 then reject; accept; }\n", ALL),
    "option-starting-with-a-number": ('protocol bfd { interface "*" { 200 ms; }; }\n', NONE),
    "option-starting-with-a-string": ('protocol ospf v2 { ipv4; area 0 { "eth0" { cost 5; }; }; }\n', NONE),
    "ospf-networks-start-with-prefixes": (
        "protocol ospf v2 { ipv4; area 0 { networks { 198.18.0.0/16; 198.19.0.0/16 hidden; }; }; }\n", ALL
    ),
    "route-without-destination": ("protocol static { ipv4; route 198.18.0.0/24; }\n", NONE),
    "route-with-attributes-only": ("protocol static { ipv4; route 198.18.0.0/24 { bgp_med = 1; }; }\n", NONE),
    "roa-route-with-destination": (
        "roa4 table r4;\nprotocol static { roa4; route 198.18.0.0/16 max 24 as 65000 blackhole; }\n", NONE
    ),
    "roa-route": ("roa4 table r4;\nprotocol static { roa4; route 198.18.0.0/16 max 24 as 65000; }\n", ALL),
    "vpn-channel-without-table": ("protocol static { vpn4; route 1:1 198.18.0.0/24 blackhole; }\n", NONE),
    "vpn-channel-with-declared-table": (
        "vpn4 table v4;\nprotocol static { vpn4; route 1:1 198.18.0.0/24 blackhole; }\n", ALL
    ),
    "vpn-channel-with-table-declared-below": (
        "protocol static { vpn4; route 1:1 198.18.0.0/24 blackhole; }\nvpn4 table v4;\n", NONE
    ),
    "vpn-channel-table-in-template": (
        "vpn4 table v4;\ntemplate static t { vpn4 { table v4; }; }\n"
        "protocol static from t { vpn4; route 1:1 198.18.0.0/24 blackhole; }\n",
        ALL,
    ),
}


def _birdkit_accepts(text: str, version: str) -> bool:
    try:
        check_config("bird.conf", text=HEAD + text, target=version)
    except BirdkitError:
        return False
    return True


@pytest.mark.parametrize("version", TARGET_VERSIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_birdkit_gives_the_measured_verdict(case: str, version: str) -> None:
    text, accepting = CASES[case]
    assert _birdkit_accepts(text, version) == (version in accepting)


def test_a_misspelt_keyword_is_named_where_bird_names_it_with_a_hint() -> None:
    with pytest.raises(BirdSyntaxError) as caught:
        check_config("bird.conf", text=HEAD + CASES["misspelt-next-hop-self"][0])
    error = caught.value
    line = CASES["misspelt-next-hop-self"][0]
    assert error.span is not None and (error.span.line, error.span.column) == (3, line.index("selfx") + 1)
    assert "selfx" in error.message and error.hint is not None and "'self'" in error.hint


def test_a_misspelt_protocol_type_is_named_with_the_type_it_is_closest_to() -> None:
    with pytest.raises(BirdSyntaxError) as caught:
        check_config("bird.conf", text=HEAD + CASES["misspelt-protocol-type"][0])
    assert caught.value.message == "unknown protocol type 'kernelz'"
    assert caught.value.hint == "did you mean 'kernel'?"


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_real_bird_gives_the_measured_verdicts(bird_matrix: BirdMatrix, version: str) -> None:
    runtime = bird_matrix.get(version)
    wrong = []
    for case, (text, accepting) in sorted(CASES.items()):
        result = runtime.check(HEAD + text)
        if result.ok != (version in accepting):
            wrong.append(f"{case}: bird {version} says {result.message or 'ok'}")
    assert not wrong
