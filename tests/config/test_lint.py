"""Lint rules: a good and a bad fixture per rule, real BIRD agreeing with the rules BIRD itself enforces,
and the walkthrough's acceptance scenarios."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from birdkit.config.lint import RULES, Severity, lint_config, lint_fleet
from birdkit.config.parse import load_config, parse_config
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"
WALKTHROUGH = FIXTURES / "walkthrough"
SINGLE_FILE_RULES = sorted(rule for rule in RULES if not rule.startswith("fleet-"))
FLEET_RULES = sorted(rule for rule in RULES if rule.startswith("fleet-"))
#: the target each rule's fixtures are linted for (only the keyword rule depends on it)
TARGETS = {"keyword-protocol-name": "3.1.8"}
#: rules whose bad fixture real BIRD refuses too (the others are legal configs that do not work as meant)
BIRD_REFUSES = {
    "undefined-filter", "undefined-function", "undefined-template", "undefined-table", "undefined-symbol",
    "duplicate-protocol", "keyword-protocol-name", "bgp-no-local-as", "ebgp-no-policy", "static-no-channel",
}  # fmt: skip


def _rules(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {finding.rule for finding in findings}


def _fleet(folder: Path) -> list:  # type: ignore[type-arg]
    return lint_fleet([load_config(path) for path in sorted(folder.glob("*.conf"))])


def test_every_rule_is_documented_and_has_fixtures() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id and rule.doc and "\n" not in rule.doc
        if rule_id in FLEET_RULES:
            assert sorted((FIXTURES / rule_id / "good").glob("*.conf")), rule_id
            assert sorted((FIXTURES / rule_id / "bad").glob("*.conf")), rule_id
        else:
            assert (FIXTURES / rule_id / "good.conf").is_file(), rule_id
            assert (FIXTURES / rule_id / "bad.conf").is_file(), rule_id


@pytest.mark.parametrize("rule", SINGLE_FILE_RULES)
def test_good_fixture_is_clean(rule: str) -> None:
    findings = lint_config(load_config(FIXTURES / rule / "good.conf"), target=TARGETS.get(rule))
    assert findings == []


@pytest.mark.parametrize("rule", SINGLE_FILE_RULES)
def test_bad_fixture_breaks_its_rule(rule: str) -> None:
    path = FIXTURES / rule / "bad.conf"
    findings = lint_config(load_config(path), target=TARGETS.get(rule))
    assert rule in _rules(findings)
    for finding in findings:
        assert finding.span is not None and finding.span.path == str(path)
        assert finding.severity is RULES[finding.rule].severity


@pytest.mark.parametrize("rule", FLEET_RULES)
def test_fleet_fixtures(rule: str) -> None:
    assert _fleet(FIXTURES / rule / "good") == []
    assert rule in _rules(_fleet(FIXTURES / rule / "bad"))


@pytest.mark.matrix
@pytest.mark.parametrize("rule", SINGLE_FILE_RULES)
def test_real_bird_agrees_with_the_fixtures(rule: str, bird_matrix: BirdMatrix) -> None:
    """Good fixtures pass `bird -p`; bad fixtures of rules that mirror BIRD's own checks fail it."""
    good = (FIXTURES / rule / "good.conf").read_text()
    bad = (FIXTURES / rule / "bad.conf").read_text()
    for version in ("2.0.12", "3.1.8"):
        runtime = bird_matrix.get(version)
        assert runtime.check(good).ok, f"BIRD {version} rejects {rule}/good.conf"
        if rule in BIRD_REFUSES and (rule != "keyword-protocol-name" or version == TARGETS[rule]):
            assert not runtime.check(bad).ok, f"BIRD {version} accepts {rule}/bad.conf"


def test_keyword_names_depend_on_the_target() -> None:
    config = load_config(FIXTURES / "keyword-protocol-name" / "bad.conf")
    assert [f.severity for f in lint_config(config, target="3.1.8") if f.rule == "keyword-protocol-name"] == [
        Severity.ERROR
    ]
    assert "keyword-protocol-name" not in _rules(lint_config(config, target="2.17.6"))
    assert "keyword-protocol-name" not in _rules(lint_config(config, target="3.3.2"))
    without_target = [f for f in lint_config(config) if f.rule == "keyword-protocol-name"]
    assert [f.severity for f in without_target] == [Severity.WARNING]


def test_next_hop_rule_accepts_the_other_providers() -> None:
    bad = (FIXTURES / "bgp-nexthop-unresolvable" / "bad.conf").read_text()
    providers = {
        "static": "protocol static { ipv4; route 198.18.0.0/24 via 198.18.0.254; }\n",
        "kernel learn": "protocol kernel { ipv4 { import all; export all; }; learn; }\n",
        "ospf": 'protocol ospf v2 { ipv4; area 0 { interface "eth0"; }; }\n',
        "direct session": None,
    }
    for name, extra in providers.items():
        if extra is None:
            text = bad.replace("neighbor 198.18.0.2 as 65000;", "neighbor 198.18.0.2 as 65000;\n    direct;")
        else:
            text = bad + extra
        assert "bgp-nexthop-unresolvable" not in _rules(lint_config(parse_config(text, "x.conf"))), name
    blackhole = bad + "protocol static { ipv4; route 198.18.0.0/24 blackhole; }\n"
    assert "bgp-nexthop-unresolvable" in _rules(lint_config(parse_config(blackhole, "x.conf")))


# ---------------------------------------------------------------- the walkthrough (acceptance)


def _line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_walkthrough_configs_lint_clean_as_a_fleet() -> None:
    assert _fleet(WALKTHROUGH) == []


def test_walkthrough_without_direct_warns_about_next_hops(tmp_path: Path) -> None:
    text = (WALKTHROUGH / "vm1.conf").read_text()
    without_direct = re.sub(r"protocol direct \{.*?\n\}\n\n", "", text, flags=re.S)
    assert "protocol direct" not in without_direct
    vm1 = _write(tmp_path, "vm1.conf", without_direct)
    findings = lint_fleet([load_config(vm1), load_config(WALKTHROUGH / "vm2.conf")])
    assert [(f.rule, f.severity) for f in findings] == [("bgp-nexthop-unresolvable", Severity.WARNING)]
    finding = findings[0]
    assert finding.span is not None
    assert (finding.span.path, finding.span.line) == (str(vm1), _line_of(vm1, "neighbor 198.20.0.2"))
    assert "198.20.0.2" in finding.message and "master4" in finding.message


def test_changed_neighbor_as_gives_the_asymmetry_error(tmp_path: Path) -> None:
    text = (
        (WALKTHROUGH / "vm1.conf").read_text().replace("neighbor 198.20.0.2 as 65000", "neighbor 198.20.0.2 as 65001")
    )
    vm1 = _write(tmp_path, "vm1.conf", text)
    vm2 = WALKTHROUGH / "vm2.conf"
    findings = lint_fleet([load_config(vm1), load_config(vm2)])
    asymmetric = [f for f in findings if f.rule == "fleet-asymmetric-session"]
    assert len(asymmetric) == 1
    message = asymmetric[0].message
    assert f"{vm1}:{_line_of(vm1, 'neighbor 198.20.0.2')}" in message
    assert f"{vm2}:{_line_of(vm2, 'local 198.20.0.2')}" in message
    assert "65001" in message and "65000" in message
    assert asymmetric[0].severity is Severity.ERROR


def test_finding_renders_like_a_compiler() -> None:
    path = FIXTURES / "undefined-filter" / "bad.conf"
    finding = next(f for f in lint_config(load_config(path)) if f.rule == "undefined-filter")
    line = _line_of(path, "export filter to_host")
    source = path.read_text().splitlines()[line - 1]
    text = finding.render(source)
    assert text.startswith(f"{path}:{line}:")
    assert "error[undefined-filter]" in text and "to_host" in text
    assert source.strip() in text and "^" in text
    data = finding.to_json()
    assert (data["rule"], data["severity"], data["line"]) == ("undefined-filter", "error", line)


@pytest.mark.corpus
@pytest.mark.matrix
def test_no_errors_on_corpus_configs_bird_accepts(corpus_dir: Path, bird_matrix: BirdMatrix) -> None:
    """Real BIRD is the oracle for error-level rules: a config it accepts must not get an error."""
    checked = 0
    false_errors: list[str] = []
    for path in sorted((corpus_dir / "configs").glob("*.conf")):
        text = path.read_text(encoding="utf-8", errors="replace")
        accepting = [v for v in TARGET_VERSIONS if bird_matrix.get(v).check(text).ok]
        if not accepting:
            continue
        checked += 1
        findings = lint_config(parse_config(text, path.name, target=accepting[-1]), target=accepting[-1])
        false_errors += [f.render() for f in findings if f.severity is Severity.ERROR]
    assert checked >= 20
    assert not false_errors, "\n".join(false_errors)


def test_next_hop_rule_follows_pipes_and_igp_tables() -> None:
    bad = (FIXTURES / "bgp-nexthop-unresolvable" / "bad.conf").read_text()
    in_table = bad.replace("ipv4 {\n        import all;", "ipv4 {\n        table pods;\n        import all;")
    in_table = in_table.replace("protocol device {}", "ipv4 table pods;\n\nprotocol device {}")
    direct = "protocol direct { ipv4; }\n"
    pipe = "protocol pipe { table master4; peer table pods; import all; export all; }\n"
    assert "bgp-nexthop-unresolvable" in _rules(lint_config(parse_config(in_table + direct, "x.conf")))
    assert "bgp-nexthop-unresolvable" not in _rules(lint_config(parse_config(in_table + direct + pipe, "x.conf")))
    link_local = bad.replace("neighbor 198.18.0.2 as 65000;", "neighbor fe80::2%eth0 as 65000;")
    assert "bgp-nexthop-unresolvable" not in _rules(lint_config(parse_config(link_local, "x.conf")))


@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_keyword_rule_matches_real_bird(version: str, bird_matrix: BirdMatrix) -> None:
    """For each name, lint --target V reports an error exactly when BIRD V refuses the protocol name."""
    runtime = bird_matrix.get(version)
    for name in ("peer", "bgp", "export", "rr", "customer", "table", "threads", "upstream", "vm1", "roles", "trie"):
        text = f"router id 192.0.2.1;\nprotocol device {name} {{}}\n"
        refused = not runtime.check(text).ok
        flagged = "keyword-protocol-name" in _rules(lint_config(parse_config(text, "x.conf"), target=version))
        assert flagged == refused, f"{name!r} on {version}: BIRD refuses={refused}, lint flags={flagged}"


def test_a_neighbor_outside_the_fleet_is_an_error_unless_named_outside(tmp_path: Path) -> None:
    text = (WALKTHROUGH / "vm1.conf").read_text()
    extra = "\nprotocol bgp tor {\n    local as 65000;\n    neighbor 198.18.0.254 as 64999;\n"
    extra += "    ipv4 { import all; export all; };\n}\n"
    vm1 = _write(tmp_path, "vm1.conf", text + extra)
    configs = [load_config(vm1), load_config(WALKTHROUGH / "vm2.conf")]
    unknown = [f for f in lint_fleet(configs) if f.rule == "fleet-unknown-neighbor"]
    assert [f.span.line if f.span else None for f in unknown] == [_line_of(vm1, "neighbor 198.18.0.254")]
    assert [f for f in lint_fleet(configs, outside=["198.18.0.254"]) if f.rule == "fleet-unknown-neighbor"] == []
