"""Routing policy: golden configs per feature, canonical layout, real `bird -p`, the Python model, --explain, errors."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

import pytest

from birdkit.apply.precheck import anycast_prefixes, outside_addresses
from birdkit.cli.main import main
from birdkit.config.format import format_config
from birdkit.config.lint import Severity, lint_config, lint_fleet
from birdkit.config.parse import parse_config
from birdkit.errors import PeermapError
from birdkit.gen.peermap import Peermap, load_peermap, parse_peermap
from birdkit.gen.policy import Route, compile_node, explain
from birdkit.gen.render import generate
from birdkit.gen.topology import peer_groups
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "fixtures" / "gen" / "policy"
FEATURES = sorted(path.stem for path in GOLDEN.glob("*.yaml"))
EXAMPLES = ["policy", "top-of-rack", "route-reflectors", "ipv6"]
#: set BIRDKIT_REGEN_GOLDEN=1 to rewrite the expected configs (then review the diff)
REGEN = os.environ.get("BIRDKIT_REGEN_GOLDEN") == "1"


def _load(stem: str) -> Peermap:
    os.environ.setdefault("BGP_PASSWORD", "golden-secret")
    path = GOLDEN / f"{stem}.yaml" if stem in FEATURES else REPO / "examples" / f"{stem}.yaml"
    return load_peermap(path)


@pytest.mark.parametrize("feature", FEATURES)
def test_golden_config_per_feature(feature: str) -> None:
    configs = generate(_load(feature))
    folder = GOLDEN / feature
    if REGEN:
        folder.mkdir(exist_ok=True)
        for name, text in configs.items():
            (folder / f"{name}.conf").write_text(text)
    assert sorted(p.stem for p in folder.glob("*.conf")) == sorted(configs)
    for name, text in configs.items():
        assert text == (folder / f"{name}.conf").read_text(), f"{feature}/{name}.conf differs"


@pytest.mark.parametrize("stem", FEATURES + EXAMPLES)
def test_generated_configs_parse_and_pass_fleet_lint(stem: str) -> None:
    peermap = _load(stem)
    configs = generate(peermap)
    parsed = [parse_config(text, path=f"{name}/bird.conf") for name, text in configs.items()]
    findings = lint_fleet(parsed, outside=outside_addresses(peermap), anycast=anycast_prefixes(peermap))
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == []
    assert not [f for f in findings if f.rule == "ebgp-export-all"]


@pytest.mark.parametrize("stem", FEATURES + EXAMPLES)
def test_generated_configs_are_in_the_formatters_canonical_layout(stem: str) -> None:
    for text in generate(_load(stem)).values():
        assert format_config(parse_config(text)) == text


@pytest.mark.matrix
def test_every_golden_config_is_accepted_by_every_bird(bird_matrix: BirdMatrix) -> None:
    for stem in FEATURES + EXAMPLES:
        for name, text in generate(_load(stem)).items():
            for version in TARGET_VERSIONS:
                result = bird_matrix.get(version).check(text)
                assert result.ok, (stem, name, version, result.message, result.line)


def test_walkthrough_stays_open_and_everything_else_is_safe() -> None:
    walkthrough = generate(load_peermap(REPO / "examples" / "walkthrough.yaml"))
    assert "filter" not in walkthrough["vm1"]
    assert walkthrough["vm1"].count("import all;") == 1
    top_of_rack = generate(_load("top-of-rack"))["vm1"]
    assert "import all;" not in top_of_rack
    assert top_of_rack.count("export all;") == 1  # the kernel's: `defaults.kernel.export: all`


def test_the_filters_in_the_config_are_the_models_filters() -> None:
    peermap = _load("announce")
    for node in peermap.nodes:
        compiled = compile_node(peermap, node, peer_groups(peermap)[node.name], peermap.families())
        text = generate(peermap)[node.name]
        for found in compiled.filters:
            body = "\n".join(f"    {line}" for line in found.lines())
            assert f"filter {found.name} {{\n{body}\n}}" in text


def _filter(peermap: Peermap, node: str, name: str):  # type: ignore[no-untyped-def]
    compiled = compile_node(peermap, peermap.node(node), peer_groups(peermap)[node], peermap.families())
    return next(found for found in compiled.filters if found.name == name)


def _net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_model_fleet_import_in_a_mesh() -> None:
    peermap = _load("mesh")
    from_n2 = _filter(peermap, "n1", "import_n2_ipv4")
    assert from_n2.decide(Route(_net("10.0.2.0/24"))).accepted
    assert from_n2.decide(Route(_net("10.1.2.0/25"))).accepted
    assert not from_n2.decide(Route(_net("10.0.2.0/27"))).accepted  # longer than max_length /26
    assert not from_n2.decide(Route(_net("10.0.3.0/24"))).accepted  # n3's, not n2's
    assert not from_n2.decide(Route(_net("10.0.1.0/24"))).accepted  # our own, announced back
    assert not from_n2.decide(Route(_net("0.0.0.0/0"))).accepted
    assert not from_n2.decide(Route(_net("192.0.2.0/24"))).accepted
    assert from_n2.decide(Route(_net("10.0.3.0/24"))).reason == "owned by another node, not by n2"


def test_model_behind_a_reflector_checks_the_originator() -> None:
    peermap = _load("reflectors")
    from_rr = _filter(peermap, "c1", "import_rr1_ipv4")
    c2, rr1 = ipaddress.IPv4Address("198.18.0.12"), ipaddress.IPv4Address("198.18.0.1")
    assert from_rr.decide(Route(_net("10.0.12.0/24"), originator_id=c2)).accepted  # reflected
    assert not from_rr.decide(Route(_net("10.0.12.0/24"))).accepted  # rr1 claims c2's CIDR as its own
    assert from_rr.decide(Route(_net("10.0.1.0/24"))).accepted
    assert from_rr.decide(Route(_net("10.0.1.0/24"), originator_id=rr1)).accepted
    assert not from_rr.decide(Route(_net("10.0.1.0/24"), originator_id=c2)).accepted  # c2 claims rr1's CIDR
    assert not from_rr.decide(Route(_net("10.0.11.0/24"), originator_id=c2)).accepted  # our own, reflected back
    from_c2 = _filter(peermap, "rr1", "import_c2_ipv4")  # the reflector checks the owner's session
    assert from_c2.decide(Route(_net("10.0.12.0/24"))).accepted
    assert not from_c2.decide(Route(_net("10.0.11.0/24"))).accepted
    assert from_rr.decide(Route(_net("0.0.0.0/0"))).reason == "not a pod CIDR from its owner"  # allowed, not accepted
    to_c1 = _filter(peermap, "rr1", "export_c1_ipv4")
    assert to_c1.decide(Route(_net("10.0.12.0/24"), source="bgp")).accepted
    assert not to_c1.decide(Route(_net("198.18.0.0/24"), source="direct")).accepted
    assert not to_c1.decide(Route(_net("10.0.12.0/24"), source="kernel")).accepted


def test_model_rules_and_sets() -> None:
    peermap = _load("rules")
    upstream = _filter(peermap, "n1", "import_upstream_ipv4")
    decision = upstream.decide(Route(_net("192.0.2.0/24")))
    assert decision.accepted and decision.sets.med == 50 and decision.reason == "rule nodes[0].extra_peers[0]" \
        ".policy.import[0]"
    assert not upstream.decide(Route(_net("198.51.100.0/24"))).accepted  # not-in 203.0.113.0/24: reject
    assert upstream.decide(Route(_net("203.0.113.0/25"))).accepted  # in, and not equal
    assert not upstream.decide(Route(_net("203.0.113.0/24"))).accepted  # equal: falls to the accept list
    assert not upstream.decide(Route(_net("10.0.2.0/24"))).accepted  # a fleet pod CIDR, whatever the rules say
    fleet = _filter(peermap, "n1", "import_n2_ipv4")
    assert not fleet.decide(Route(_net("10.0.2.128/26"))).accepted
    assert fleet.decide(Route(_net("10.0.2.0/24"))).sets.local_pref == 200


def test_explain_names_every_session_and_the_deciding_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gen", str(GOLDEN / "rules.yaml"), "--explain", "n1"]) == 0
    out = capsys.readouterr().out
    assert out == explain(_load("rules"), "n1")
    assert "session upstream: upstream at 198.18.0.254, AS 64600 (eBGP extra peer)" in out
    assert "accept 192.0.2.0/24: rule nodes[0].extra_peers[0].policy.import[0]" in out
    assert "reject a fleet pod CIDR or longer: a fleet pod CIDR: only its owner announces it" in out
    assert main(["gen", str(GOLDEN / "rules.yaml"), "--explain", "n9"]) == 2


def test_open_policy_to_an_extra_peer_is_a_lint_warning() -> None:
    peermap = parse_peermap(
        "version: 1\nnodes:\n  - name: a\n    address: 198.18.0.1/24\n"
        "    extra_peers: [{name: up, address: 198.18.0.254, asn: 64512, policy: open}]\n"
    )
    findings = lint_config(parse_config(generate(peermap)["a"]))
    assert [(f.rule, f.severity) for f in findings] == [("ebgp-export-all", Severity.WARNING)]


def test_session_options_reach_the_right_sessions() -> None:
    configs = generate(_load("session"))
    n2 = configs["n2"]
    bgp = dict(re.findall(r"protocol bgp (\S+) \{(.*?)\n\}", n2, re.S))
    assert "passive on;" in bgp["n1"] and "passive on;" not in bgp["n3"]  # the higher address is passive
    assert "import limit 100 action warn;" in bgp["n3"] and "import limit" not in bgp["n1"]
    assert "allow local as 2;" in bgp["n3"]
    assert all("source address 198.18.0.2;" in body and "add paths on;" in body for body in bgp.values())
    assert all(body.count("graceful restart on;") == 1 for body in bgp.values())


BAD = {
    "unknown-peer": (
        "  policy: {peers: {tor9: {pods: fleet}}}\n",
        r"peermap.yaml:\d+:\d+: defaults.policy.peers.tor9: no node or extra peer is called 'tor9'",
    ),
    "shadowed-rule": (
        "  policy:\n    import:\n      - {cidr: 10.0.0.0/8, match: in, action: reject}\n"
        "      - {cidr: 10.0.2.0/24, match: equal, action: accept}\n",
        r"peermap.yaml:7:\d+: defaults.policy.import\[1\]: this rule can never match",
    ),
    "not-in-everything": (
        "  policy:\n    export: [{cidr: 0.0.0.0/0, match: not-in, action: accept}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.export\[0\]: not-in 0.0.0.0/0 can never match",
    ),
    "longer-than-max-length": (
        "  policy:\n    import: [{cidr: 10.0.2.1/32, match: equal, action: accept}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.import\[0\].cidr: this rule can never match: 10.0.2.1/32 is longer",
    ),
    "wrong-family": (
        "  policy:\n    import: [{cidr: 'fd00::/8', match: in, action: reject}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.import\[0\].cidr: fd00::/8 is IPv6 but this fleet routes only IPv4",
    ),
    "set-unknown-attribute": (
        "  policy:\n    import: [{cidr: 10.0.0.0/8, match: in, action: accept, set: {colour: 3}}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.import\[0\].set.colour: unknown key",
    ),
    "set-on-reject": (
        "  policy:\n    import: [{cidr: 10.0.0.0/8, match: in, action: reject, set: {med: 3}}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.import\[0\].set: `set` needs `action: accept`",
    ),
    "bad-community": (
        "  policy: {communities: ['65000:70000']}\n",
        r"peermap.yaml:4:\d+: defaults.policy.communities\[0\]: '65000:70000' is not a community",
    ),
    "next-hop-without-reflectors": (
        "  policy: {next_hop: self}\n",
        r"peermap.yaml:4:\d+: defaults.policy.next_hop: next_hop only applies to route reflectors",
    ),
    "max-length-below-pod-cidr": (
        "  policy: {max_length: {ipv4: 16}}\n",
        r"peermap.yaml:4:\d+: defaults.policy.max_length.ipv4: /16 is shorter than a's pod CIDR 10.0.1.0/24",
    ),
    "unknown-match": (
        "  policy:\n    import: [{cidr: 10.0.0.0/8, match: within, action: accept}]\n",
        r"peermap.yaml:5:\d+: defaults.policy.import\[0\].match: 'within' is not one of equal, in, not-equal, not-in",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_policy_errors_are_located_peer_map_errors_and_write_nothing(case: str, tmp_path: Path) -> None:
    policy, expected = BAD[case]
    text = (
        "version: 1\ndefaults:\n  asn: 65000\n" + policy
        + "nodes:\n  - {name: a, address: 198.18.0.1/24, pod_cidrs: [10.0.1.0/24]}\n"
        "  - {name: b, address: 198.18.0.2/24, pod_cidrs: [10.0.2.0/24]}\n"
    )
    with pytest.raises(PeermapError) as raised:
        parse_peermap(text)
    assert re.search(expected, str(raised.value)), str(raised.value)
    source = tmp_path / "peermap.yaml"
    source.write_text(text)
    out = tmp_path / "out"
    assert main(["gen", str(source), "-o", str(out)]) == 2
    assert not out.exists()
