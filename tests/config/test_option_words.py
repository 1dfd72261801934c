"""Words inside an option: after its first word, a bare word is a keyword or a name defined above it.

BIRD's lexer turns any other word into an undefined symbol, and no option takes one, so `next hop selfx;` and
`scan time foo;` are syntax errors. birdkit used to check only an option's first word and accepted both.
The live test measures each case with real `bird -p` of every target version; the plain test checks birdkit.
"""

from __future__ import annotations

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError, BirdSyntaxError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

HEAD = "router id 198.18.0.1;\nprotocol device {}\n"
BGP = "protocol bgp b {{ local as 65001; neighbor 198.18.0.2 as 65002; {} }}\n"

#: case id -> (config text, accepted by every target version)
CASES: dict[str, tuple[str, bool]] = {
    "misspelt-next-hop-self": (BGP.format("ipv4 { import all; export none; next hop selfx; };"), False),
    "next-hop-self": (BGP.format("ipv4 { import all; export none; next hop self; };"), True),
    "undefined-name-for-a-time": ("protocol kernel { ipv4; scan time foo; }\n", False),
    "defined-constant-for-a-time": ("define scan_every = 20;\nprotocol kernel { ipv4; scan time scan_every; }\n", True),
    "constant-defined-below": ("protocol kernel { ipv4; scan time later; }\ndefine later = 20;\n", False),
    "misspelt-switch-in-a-nested-block": (
        'protocol ospf v2 o { ipv4; area 0 { interface "eth*" { type broadcastt; }; }; }\n', False
    ),
    "switch-in-a-nested-block": (
        'protocol ospf v2 o { ipv4; area 0 { interface "eth*" { type broadcast; }; }; }\n', True
    ),
    "defined-table-in-a-channel": ("ipv4 table t1;\nprotocol static st { ipv4 { table t1; }; }\n", True),
    "igp-table-defined": ("ipv4 table t2;\n" + BGP.format("ipv4 { import all; export none; igp table t2; };"), True),
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
    text, accepted = CASES[case]
    assert _birdkit_accepts(text, version) == accepted


def test_a_misspelt_keyword_is_named_where_bird_names_it_with_a_hint() -> None:
    with pytest.raises(BirdSyntaxError) as caught:
        check_config("bird.conf", text=HEAD + CASES["misspelt-next-hop-self"][0])
    error = caught.value
    line = CASES["misspelt-next-hop-self"][0]
    assert error.span is not None and (error.span.line, error.span.column) == (3, line.index("selfx") + 1)
    assert "selfx" in error.message and error.hint is not None and "'self'" in error.hint


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_real_bird_gives_the_measured_verdicts(bird_matrix: BirdMatrix, version: str) -> None:
    runtime = bird_matrix.get(version)
    wrong = []
    for case, (text, accepted) in sorted(CASES.items()):
        result = runtime.check(HEAD + text)
        if result.ok != accepted:
            wrong.append(f"{case}: bird {version} says {result.message or 'ok'}")
    assert not wrong
