"""The formatter: a printer for every node class, golden identity files, the documented layout, and
the ``birdkit fmt`` command."""

from __future__ import annotations

import inspect
import os
import stat
from pathlib import Path

import attrs
import pytest

from birdkit.cli.main import main
from birdkit.config import ast
from birdkit.config.format import INLINE_PRINTERS, STATEMENT_PRINTERS, format_config, format_node
from birdkit.config.parse import parse_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, VERSIONS, BirdMatrix

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "format"
GOLDEN_FILES = sorted(GOLDEN.glob("*.conf"))


def _node_classes() -> list[type[ast.Node]]:
    return [
        cls
        for _, cls in inspect.getmembers(ast, inspect.isclass)
        if issubclass(cls, ast.Node) and cls.__module__ == ast.__name__ and cls not in (ast.Node, ast.Statement)
    ]


def test_every_node_class_has_exactly_one_printer() -> None:
    classes = _node_classes()
    assert len(classes) > 40
    for cls in classes:
        kinds = [cls in STATEMENT_PRINTERS, cls in INLINE_PRINTERS]
        assert kinds.count(True) == 1, f"{cls.__name__} needs exactly one printer"
        if issubclass(cls, ast.Statement):
            assert cls in STATEMENT_PRINTERS, f"{cls.__name__} is a statement and must print to lines"
    assert set(STATEMENT_PRINTERS) | set(INLINE_PRINTERS) <= set(classes)


def test_an_unknown_node_fails_loudly() -> None:
    @attrs.frozen
    class Mystery(ast.Statement):
        pass

    @attrs.frozen
    class MysteryExpr(ast.Node):
        pass

    with pytest.raises(TypeError, match="Mystery"):
        format_config(ast.Config((Mystery(),)))
    with pytest.raises(TypeError, match="MysteryExpr"):
        format_config(ast.Config((ast.Define("c_x", MysteryExpr()),)))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.name for p in GOLDEN_FILES])
def test_golden_file_prints_back_unchanged(path: Path) -> None:
    text = path.read_text()
    assert format_config(parse_config(text, path)) == text


@pytest.mark.matrix
@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.name for p in GOLDEN_FILES])
def test_golden_files_are_valid_bird(path: Path, bird_matrix: BirdMatrix) -> None:
    """Valid on the core versions; on every config target, `check --target` gives real BIRD's verdict."""
    text = path.read_text()
    for version in TARGET_VERSIONS:
        result = bird_matrix.get(version).check(text)
        assert result.ok or version not in VERSIONS, f"BIRD {version}: {result.message} at line {result.line}"
        try:
            parse_config(text, path, target=version)
        except BirdkitError as error:
            assert not result.ok, f"BIRD {version} accepts it, check --target {version} says {error}"
        else:
            assert result.ok, f"check --target {version} accepts it, BIRD {version} says {result.message}"


MESSY = """\
# top comment
log syslog all;router id 198.20.0.1;



protocol device {
}
protocol static {
\tipv4;   # the channel
\t\troute 10.0.1.0/24 blackhole;
  # closing comment
 }
filter f { if net.len>24 then reject; else { accept; } }
"""

CANONICAL = """\
# top comment
log syslog all;
router id 198.20.0.1;

protocol device {}
protocol static {
    ipv4;  # the channel
    route 10.0.1.0/24 blackhole;
    # closing comment
}
filter f {
    if net.len > 24 then reject;
    else {
        accept;
    }
}
"""


def test_messy_text_gets_the_documented_layout() -> None:
    formatted = format_config(parse_config(MESSY))
    assert formatted == CANONICAL
    assert format_config(parse_config(formatted)) == formatted


def test_grouping_the_tree_needs_gets_parentheses() -> None:
    one, two, three = ast.Num("1"), ast.Num("2"), ast.Num("3")
    assert format_node(ast.Binary("*", ast.Binary("+", one, two), three)) == "(1 + 2) * 3"
    assert format_node(ast.Binary("-", one, ast.Binary("-", two, three))) == "1 - (2 - 3)"
    assert format_node(ast.Binary("-", ast.Binary("-", one, two), three)) == "1 - 2 - 3"
    assert format_node(ast.Binary("=", ast.Binary("=", one, two), three)) == "(1 = 2) = 3"
    assert format_node(ast.Not(ast.Binary("~", ast.Symbol("net"), ast.Symbol("S")))) == "!(net ~ S)"


def test_quoted_names_and_ipv6_case_labels() -> None:
    text = "protocol static 'my-static.1' {\n    ipv4;\n}\n"
    assert format_config(parse_config(text)) == text
    label = ast.Case(ast.Symbol("bgp_next_hop"), (ast.CaseArm((ast.Ip("2001:db8::22"),), (ast.Accept(),)),))
    printed = format_node(label)
    assert "2001:db8::22 :" in printed
    assert parse_config(f"filter f {{\n{printed}\n}}\n").filters()[0].body.statements[0] == label


# ---------------------------------------------------------------- birdkit fmt


def test_fmt_check_exits_1_when_a_file_would_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = tmp_path / "messy.conf"
    messy.write_text(MESSY)
    clean = tmp_path / "clean.conf"
    clean.write_text(CANONICAL)
    assert main(["fmt", "--check", str(clean)]) == 0
    assert main(["fmt", "--check", str(clean), str(messy)]) == 1
    assert f"would reformat {messy}" in capsys.readouterr().err
    assert messy.read_text() == MESSY


def test_fmt_write_replaces_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    messy = tmp_path / "bird.conf"
    messy.write_text(MESSY)
    os.chmod(messy, 0o640)
    inode_before = messy.stat().st_ino
    assert main(["fmt", "--write", str(messy)]) == 0
    assert messy.read_text() == CANONICAL
    assert stat.S_IMODE(messy.stat().st_mode) == 0o640
    assert messy.stat().st_ino != inode_before, "--write must rename a new file into place"
    assert [p.name for p in tmp_path.iterdir()] == ["bird.conf"], "no temp file may be left behind"


def test_fmt_diff_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = tmp_path / "bird.conf"
    messy.write_text(MESSY)
    assert main(["fmt", "--diff", str(messy)]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith(f"--- {messy} (original)")
    assert "+    ipv4;  # the channel" in diff and "-\tipv4;   # the channel" in diff
    assert main(["fmt", str(messy)]) == 0
    assert capsys.readouterr().out == CANONICAL


def test_fmt_reports_syntax_errors_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.conf"
    broken.write_text("protocol static {\n    ipv4\n}\n")
    assert main(["fmt", "--write", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "Traceback" not in err
    assert broken.read_text() == "protocol static {\n    ipv4\n}\n"
    assert main(["fmt", str(tmp_path / "missing.conf")]) == 2


def test_fmt_write_changes_nothing_when_one_file_does_not_parse(tmp_path: Path) -> None:
    messy = tmp_path / "a.conf"
    messy.write_text(MESSY)
    broken = tmp_path / "b.conf"
    broken.write_text("router id 1.2.3.4\n")
    assert main(["fmt", "--write", str(messy), str(broken)]) == 1
    assert messy.read_text() == MESSY
