"""The scope pass: `birdkit check` and `birdkit lint` read the same facts, so they agree on names."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.config import symbols
from birdkit.config.lint import Severity, lint_config
from birdkit.config.parse import check_config, load_config, parse_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: errors `check` finds that no lint rule looks for (protocol rules and 2.14 syntax BIRD enforces itself)
CHECK_ONLY = (
    "no protocol is specified",
    "BGP with secondary option requires sorted table",
    "multihop BGP cannot use direct gateway mode",
    "inheriting configuration for OSPF is not supported",
    "argument 1 of",
    "a 'for' loop variable needs its type",
    "neighbor must be configured",
    "graceful restart time must be",
    "unexpected '",
)

#: names used as the wrong kind of thing: every BIRD of the matrix refuses each (measured with `bird -p`)
WRONG_KIND = {
    # "syntax error, unexpected CF_SYM_UNDEFINED": 'master' is no table name in BIRD 2 and 3
    "master": "filter f { if master = 3 then reject; accept; }\n",
    # "You can't call something which is not a function. Really."
    "filter called": "filter h { accept; }\nfilter f { if h() then accept; reject; }\n",
    # "Filter name required"
    "function as filter": "function g() { return true; }\nprotocol kernel { ipv4 { import filter g; }; }\n",
    # "Table name required"
    "filter as table": "filter h { accept; }\nprotocol kernel { ipv4 { table h; }; }\n",
}


def _check_error(path: Path, text: str | None = None) -> BirdkitError | None:
    try:
        check_config(path, text=text)
    except BirdkitError as error:
        return error
    return None


def _lint_errors(config_text: str, path: str) -> set[tuple[str | None, int, int]]:
    findings = lint_config(parse_config(config_text, path))
    return {(f.span.path, f.span.line, f.span.column) for f in findings if f.severity is Severity.ERROR and f.span}


@pytest.mark.parametrize("case", list(WRONG_KIND))
def test_check_and_lint_both_refuse_a_name_of_the_wrong_kind(case: str) -> None:
    text = "protocol device {}\n" + WRONG_KIND[case]
    error = _check_error(Path("x.conf"), text)
    assert error is not None, case
    assert (error.path, error.line, error.column) in _lint_errors(text, "x.conf"), str(error)


@pytest.mark.matrix
@pytest.mark.parametrize("case", list(WRONG_KIND))
def test_real_bird_refuses_the_wrong_kinds(case: str, bird_matrix: BirdMatrix) -> None:
    text = "protocol device {}\n" + WRONG_KIND[case]
    for version in TARGET_VERSIONS:
        assert not bird_matrix.get(version).check(text).ok, f"BIRD {version} accepts {case}"


def test_names_bird_knows_without_a_definition() -> None:
    assert symbols.predefined("bgp_local_pref", "symbol") and symbols.predefined("RTS_BGP", "symbol")
    assert symbols.predefined("master4", "table") and not symbols.predefined("master", "table")
    assert symbols.predefined("bt_assert", "function") and not symbols.predefined("bt_assert", "symbol")
    assert not symbols.predefined("master", "symbol") and not symbols.predefined("rts_bgp", "symbol")


def test_scan_reports_uses_before_definitions_in_reading_order() -> None:
    config = parse_config(
        "filter f { if a = 1 && g() then accept; reject; }\ndefine a = 1;\nfunction g() { return true; }\n"
        "protocol bgp p from t { local as 1; neighbor 192.0.2.1 as 2; ipv4 { import filter f; export all; }; }\n",
        "x.conf",
    )
    scope = symbols.scan(config)
    undefined = [(p.kind, p.name, p.statement) for p in scope.problems if isinstance(p, symbols.Undefined)]
    assert undefined == [("symbol", "a", 0), ("function", "g", 0), ("template", "t", 3)]
    first = scope.problems[0]
    assert isinstance(first, symbols.Undefined) and first.defined_below == scope.definitions["a"]
    assert set(scope.definitions) == {"f", "a", "g", "p"}


def test_ebgp_is_one_test() -> None:
    assert symbols.is_ebgp(1, 2, (), ())
    assert not symbols.is_ebgp(1, 1, (), ())
    assert symbols.is_ebgp(1, 1, ("external",), ())
    assert not symbols.is_ebgp(1, 2, ("internal",), ())
    assert not symbols.is_ebgp(1, 2, (), ("confederation",))
    assert not symbols.is_ebgp(None, 2, (), ())


def _agreement_cases(corpus: Path | None) -> list[Path]:
    paths = sorted(FIXTURES.rglob("*.conf"))
    if corpus is not None:
        paths += sorted((corpus / "configs").glob("*.conf")) + sorted((corpus / "parse-matrix").glob("*.conf"))
    return paths


def _disagreements(paths: list[Path]) -> tuple[list[str], int]:
    """Check errors lint does not report at the same place, and how many check errors lint did report."""
    missed: list[str] = []
    agreed = 0
    for path in paths:
        error = _check_error(path)
        if error is None or error.message.startswith(CHECK_ONLY):
            continue
        try:
            config = load_config(path)
        except BirdkitError:  # a syntax error: lint never sees the config
            continue
        where = {
            (f.span.path, f.span.line, f.span.column)
            for f in lint_config(config)
            if f.span and f.severity is Severity.ERROR
        }
        if (error.path, error.line, error.column) in where:
            agreed += 1
        else:
            missed.append(str(error).splitlines()[0])
    return missed, agreed


def test_every_check_error_of_the_fixtures_is_a_lint_error_at_the_same_place() -> None:
    missed, agreed = _disagreements(_agreement_cases(None))
    assert not missed, "\n".join(missed)
    assert agreed >= 9


@pytest.mark.corpus
def test_every_check_error_of_the_corpus_is_a_lint_error_at_the_same_place(corpus_dir: Path) -> None:
    missed, agreed = _disagreements(_agreement_cases(corpus_dir))
    assert not missed, "\n".join(missed)
    assert agreed >= 30


def test_a_define_of_itself_is_undefined_and_stands_for_no_value() -> None:
    text = (
        "define a = a;\nrouter id a;\n"
        "protocol bgp p { local as a; neighbor 192.0.2.1 as 2; ipv4 { import all; export all; }; }\n"
    )
    findings = lint_config(parse_config(text, "x.conf"))
    assert [(f.rule, f.span.line if f.span else 0) for f in findings if f.rule == "undefined-symbol"] == [
        ("undefined-symbol", 1)
    ]
    define = parse_config(text, "x.conf").defines()[0]
    assert symbols.asn_value(define.value, {"a": define}) is None
