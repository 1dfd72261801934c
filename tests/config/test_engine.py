"""The fast parse engine against the exact path (Lark's contextual lexer feeding the same tables).

Both must build the same AST with the same spans on every input; statements repeated often enough to be
replayed as compiled code included. And a valid config parses without importing Lark.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from birdkit.config import ast, engine
from birdkit.config.build import AstBuilder
from birdkit.config.format import format_config
from birdkit.config.parse import _parse_contextually, parse_config
from birdkit.errors import BirdSyntaxError
from birdkit.testing import syntax

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = int(os.environ.get("BIRDKIT_EXAMPLES", "500"))


def _fast(text: str, start: str = "config") -> Any:
    tables = engine.tables()
    builder = AstBuilder("x.conf", text.splitlines())
    return engine.parse_statements(tables, AstBuilder, builder, engine.lex(text, tables), start).value


def _exact(text: str, start: str = "config") -> Any:
    return _parse_contextually(text, "x.conf", text.splitlines(), start).value


def _spans(node: Any) -> list[tuple[str, Any]]:
    """Every node's class and span, depth first: what equality leaves out."""
    found: list[tuple[str, Any]] = []

    def visit(value: Any) -> None:
        if isinstance(value, tuple):
            for item in value:
                visit(item)
        elif isinstance(value, ast.Node):
            found.append((type(value).__name__, value.span))
            for field in attrs.fields(type(value)):
                visit(getattr(value, field.name))

    visit(node)
    return found


def _assert_same(text: str, start: str = "config") -> None:
    """Same AST and spans; or, where the exact path rejects the text, the fast path rejects it too."""
    try:
        exact = _exact(text, start)
    except Exception:
        with pytest.raises(Exception):  # noqa: B017 - any failure sends the caller to the exact path
            _fast(text, start)
        return
    fast = _fast(text, start)
    assert fast == exact
    assert _spans(fast) == _spans(exact)


def _configs_here() -> list[Path]:
    return sorted(path for path in FIXTURES.rglob("*.conf") if "bad" not in path.parts)


@pytest.mark.parametrize("path", _configs_here(), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_fixture_configs_parse_alike(path: Path) -> None:
    text = path.read_text()
    try:
        _exact(text)
    except Exception:
        pytest.skip("not a valid config on its own")
    # three copies: the second compiles each statement shape, the third replays it
    _assert_same(text + "\n" + text + "\n" + text)


def test_corpus_configs_parse_alike(corpus_dir: Path) -> None:
    checked = 0
    for path in sorted((corpus_dir / "configs").rglob("*.conf")):
        text = path.read_text(errors="replace")
        try:
            _exact(text)
        except Exception:
            continue
        _assert_same(text + "\n" + text + "\n" + text)
        checked += 1
    assert checked > 20


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(syntax.configs())
def test_generated_configs_parse_alike(config: ast.Config) -> None:
    text = format_config(config)
    _assert_same(text + text + text)


def test_fragments_parse_alike() -> None:
    body = "neighbor 198.18.0.2 as 65001;\nipv4 { import all; export where net ~ [ 10.0.0.0/8+ ]; };\n"
    _assert_same(body * 3, "proto_body")
    _assert_same("if net = 10.0.0.0/8 then accept;\nreject;\n" * 3, "fstmt_body")


def test_statement_replay_is_used_and_keeps_each_statements_values() -> None:
    text = "".join(
        f"protocol bgp peer{index} {{ local as 65000; neighbor 198.18.0.{index + 2} as {65001 + index};\n"
        f"  ipv4 {{ import all; export where source = RTS_STATIC; }};\n}}\n"
        for index in range(5)
    )
    config = _fast(text)
    assert [statement.name for statement in config.statements] == [f"peer{index}" for index in range(5)]
    assert [statement.items[1].asn.text for statement in config.statements] == [
        str(65001 + index) for index in range(5)
    ]
    assert [statement.span.line for statement in config.statements] == [1, 4, 7, 10, 13]
    _assert_same(text)


def test_trace_compiles_to_code_that_calls_the_builder() -> None:
    tables = engine.tables()
    text = "protocol device { scan time 10; }\nprotocol device { scan time 20; }\n"
    lexed = engine.lex(text, tables)
    trace: list[int] = []
    feed = engine.TokenFeed(lexed, tables)
    builder = AstBuilder(None, text.splitlines())
    first = engine.parse(
        tables, engine.reducers(tables, AstBuilder), builder, "config", feed, boundary="__config_star_0", trace=trace
    )
    key = tuple(lexed.signatures[: feed.lookahead + 1])
    replay = engine.compile_trace(trace, key, tables, AstBuilder)
    assert replay is not None
    second = replay(builder, lexed.cuts, lexed.lines, feed.lookahead)
    assert first.value.items[0].words[2].text == "10"
    assert second.value.items[0].words[2].text == "20"
    assert second.value.span.line == 2


def test_a_word_lark_would_split_is_an_error_as_in_bird() -> None:
    # after 'router' only the keyword 'id' fits: Lark's contextual lexer would read 'identity' as 'id' 'entity'
    # (and accept the line); the fast lexer sees one name the state cannot take, and the exact path refuses
    # the split, as BIRD does ("1:8 syntax error, unexpected CF_SYM_UNDEFINED, expecting ID")
    text = "router identity;\nprotocol device { }\n"
    with pytest.raises(engine.EngineMismatch):
        _fast(text)
    with pytest.raises(BirdSyntaxError) as caught:
        parse_config(text)
    assert (caught.value.line, caught.value.column) == (1, 8)
    assert "'identity'" in str(caught.value) and "'id'" in str(caught.value)


def test_a_valid_config_parses_without_importing_lark(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    program = (
        "import sys; from birdkit.config.parse import parse_config; "
        "parse_config('protocol device { }'); print('lark' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", program], env=environment, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", program], env=environment, capture_output=True, text=True)
    assert (first.stdout.strip(), second.stdout.strip()) == ("True", "False")
    assert list((tmp_path / "birdkit").glob("bird-tables-*.marshal"))


@pytest.mark.timeout(10)
def test_blanks_before_a_bad_character_do_not_stall_the_lexer() -> None:
    # a run of blanks the regex could split many ways must not be retried split by split (it used to be)
    text = "protocol device { }" + " \t" * 100 + "@\n"
    with pytest.raises(BirdSyntaxError) as caught:
        parse_config(text)
    assert (caught.value.line, caught.value.column) == (1, 220)


# ---------------------------------------------------------------- the builder and the tables


def _needs_a_builder(rule: engine.Rule, shape: engine.RuleShape) -> bool:
    """A reduction calls the builder unless it passes its child through, is inlined, or is a ``?rule``
    that always has exactly one child."""
    one_child = (
        len(shape.keep) == 1
        and not shape.keep[0].splice
        and not shape.keep[0].placeholders
        and not shape.trailing_placeholders
    )
    return not (rule.passes_through or shape.inlined or (shape.expand_single and one_child))


def test_every_grammar_rule_has_a_builder_and_every_builder_a_rule() -> None:
    tables = engine.tables()
    needed = {
        shape.method for rule, shape in zip(tables.rules, tables.shapes, strict=True) if _needs_a_builder(rule, shape)
    }
    missing = sorted(name for name in needed if not callable(getattr(AstBuilder, name, None)))
    assert not missing, f"grammar rules without an AstBuilder method: {missing}"
    builders = {name for name in vars(AstBuilder) if not name.startswith("_") and callable(getattr(AstBuilder, name))}
    assert builders - needed == set(), "AstBuilder methods no grammar rule calls"


def test_text_rules_are_the_builders_that_keep_words_as_written() -> None:
    words_as_written = AstBuilder.net_kw
    assert {name for name in vars(AstBuilder) if vars(AstBuilder)[name] is words_as_written} == AstBuilder.TEXT_RULES


def test_tables_survive_the_cache_file() -> None:
    built = engine.tables_of(engine.lark_parser())
    loaded = engine._named(marshal.loads(marshal.dumps(engine._plain(built))))
    assert attrs.asdict(loaded, recurse=False) == attrs.asdict(built, recurse=False)
    assert all(isinstance(shape, engine.RuleShape) for shape in loaded.shapes)
    assert all(isinstance(kept, engine.Kept) for shape in loaded.shapes for kept in shape.keep)
    assert all(isinstance(rule, engine.Rule) for rule in loaded.rules)


def _lark_internal(root: Any, path: str) -> Any:
    """``root.a.b`` for ``path`` "a.b", failing with what changed and what to do."""
    import lark

    value = root
    for name in path.split("."):
        assert hasattr(value, name), (
            f"Lark {lark.__version__} has no {path} (missing {name!r} on {type(value).__name__}): the engine "
            "reads this private part of Lark; adapt config/engine.py or keep Lark in the range pyproject.toml pins"
        )
        value = getattr(value, name)
    return value


def test_the_private_parts_of_lark_the_engine_reads_are_still_there() -> None:
    import re

    from lark.lexer import PatternRE, PatternStr, TerminalDef
    from lark.parsers.lalr_analysis import Reduce, Shift

    parser = engine.lark_parser()
    table = _lark_internal(parser, "parser.parser._parse_table")
    states = _lark_internal(table, "states")
    assert isinstance(states, dict) and states
    for row in states.values():
        for symbol, (action, argument) in row.items():
            assert isinstance(symbol, str) and action in (Shift, Reduce)
            assert isinstance(argument, int) if action is Shift else hasattr(argument, "origin")
    for name in ("start_states", "end_states"):
        assert set(engine.START_RULES) <= set(_lark_internal(table, name)), name
    for rule in _lark_internal(parser, "rules"):
        for attribute in ("origin.name", "expansion", "alias", "options.empty_indices", "options.keep_all_tokens"):
            _lark_internal(rule, attribute)
        for attribute in ("options.expand1", "options.template_source"):
            _lark_internal(rule, attribute)
        for symbol in rule.expansion:
            for attribute in ("name", "is_term", "filter_out") if symbol.is_term else ("name", "is_term"):
                _lark_internal(symbol, attribute)
    assert isinstance(_lark_internal(parser, "lexer_conf.ignore"), (list, tuple, set, frozenset))
    for terminal in _lark_internal(parser, "terminals"):
        assert isinstance(terminal, TerminalDef) and isinstance(terminal.pattern, (PatternRE, PatternStr))
        for attribute in ("name", "priority", "pattern.value", "pattern.flags", "pattern.max_width"):
            _lark_internal(terminal, attribute)
        re.compile(terminal.pattern.to_regexp())
    lexers = _lark_internal(parser, "parser.lexer.lexers")
    for state in engine.tables_of(parser).actions:
        lexer = lexers[state]
        assert all(isinstance(pattern, re.Pattern) for pattern in _lark_internal(lexer, "scanner._mres"))
        for attribute in ("ignore_types", "newline_types", "callback"):
            _lark_internal(lexer, attribute)
    _lark_internal(__import__("lark").Token, "_future_new")
