"""Round-trip properties of the formatter over hypothesis-built ASTs, one test per node family.

For every family: ``parse(format(ast)) == ast`` (trivia included, spans excluded) and formatting the
re-parsed tree gives the same text again (idempotence).
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.testing import syntax

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

#: CI runs at least this many examples per family
EXAMPLES = int(__import__("os").environ.get("BIRDKIT_EXAMPLES", "500"))


def _printed(expression: ast.Node) -> ast.FilterDef:
    """A filter printing ``expression``: a place every expression can stand."""
    return ast.FilterDef("f_x", (), ast.Block((ast.Print((expression,)),)))


_FAMILIES: dict[str, st.SearchStrategy[ast.Config]] = {
    "top level": syntax.configs(),
    "protocols": syntax.configs(syntax.protocols()),
    "channels": syntax.configs(syntax.channels().map(lambda channel: ast.Protocol("bgp", "p_x", (channel,)))),
    "static routes": syntax.configs(
        syntax.statement_list(syntax.static_routes(), min_size=1).map(
            lambda routes: ast.Protocol("static", None, routes)
        )
    ),
    "filters": syntax.configs(syntax.filters()),
    "functions": syntax.configs(syntax.functions()),
    "filter statements": syntax.configs(
        syntax.statement_list(syntax.filter_statements(), min_size=1).map(
            lambda statements: ast.FilterDef("f_x", (), ast.Block(statements))
        )
    ),
    "expressions": syntax.configs(syntax.expressions().map(_printed)),
    "literals": syntax.configs(syntax.literals().map(_printed)),
    "quitbird (2.0.7)": syntax.configs(
        st.lists(st.one_of(syntax.nums, syntax.strings), max_size=2).map(
            lambda args: ast.FilterDef("f_x", (), ast.Block((ast.Quitbird(tuple(args)),)))
        )
    ),
}
#: the families of constructs only older BIRDs read, parsed for such a version (the others for the newest)
_TARGETS = {"quitbird (2.0.7)": "2.0.7"}


def assert_round_trip(config: ast.Config, target: str | None = None) -> None:
    """The two properties, with the printed text in the failure message."""
    text = format_config(config)
    reparsed = parse_config(text, target=target)
    assert reparsed == config, f"parse(format(ast)) differs; the text was:\n{text}"
    assert format_config(reparsed) == text, f"formatting is not idempotent; the text was:\n{text}"


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(_FAMILIES))
def test_parse_of_format_is_identity(family: str) -> None:
    @settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_FAMILIES[family])
    def check(config: Any) -> None:
        assert_round_trip(config, _TARGETS.get(family))

    check()


def _classes_in(node: Any, seen: set[str]) -> None:
    seen.add(type(node).__name__)
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, ast.Node):
                _classes_in(child, seen)


def test_strategies_cover_every_node_class() -> None:
    """The families together build every AST node class, so the properties above exercise every printer."""
    seen: set[str] = set()
    for family in _FAMILIES.values():

        @settings(
            max_examples=100, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
        )
        @given(family)
        def collect(config: ast.Config) -> None:
            _classes_in(config, seen)

        collect()
    every = {
        name
        for name, cls in vars(ast).items()
        if isinstance(cls, type) and issubclass(cls, ast.Node) and cls not in (ast.Node, ast.Statement)
    }
    assert every - seen == set()
