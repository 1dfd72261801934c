"""Every name in ``birdkit.__all__`` resolves, lazily at run time and with its real type for mypy users."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import birdkit

# a user's code, right and wrong; mypy --strict must pass the first and report each line marked "error:" of the second
RIGHT = '''\
import birdkit

config = birdkit.parse_config("router id 198.18.0.1;\\n", path="bird.conf")
text: str = birdkit.format_config(config)
findings: list[birdkit.Finding] = birdkit.lint_config(config)
try:
    birdkit.load_config("/etc/bird/bird.conf")
except birdkit.BirdkitError as error:
    line: int | None = error.line
'''
WRONG = '''\
import birdkit

config = birdkit.parse_config("router id 198.18.0.1;\\n")
lines: int = birdkit.format_config(config)  # error: Incompatible types in assignment
birdkit.parse_config(config)  # error: Argument 1 to "parse_config" has incompatible type
birdkit.no_such_name  # error: Module has no attribute "no_such_name"
'''


def test_every_public_name_resolves() -> None:
    missing = [name for name in birdkit.__all__ if getattr(birdkit, name, None) is None]
    assert missing == []


def test_import_is_lazy() -> None:
    heavy = "('lark', 'jinja2', 'cattrs', 'yaml')"
    probe = f"import sys, birdkit; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def _type_checking_names() -> dict[str, str]:
    """Public name -> "module:attribute" as the ``if TYPE_CHECKING:`` block of birdkit/__init__.py imports it."""
    tree = ast.parse(Path(birdkit.__file__).read_text())
    (block,) = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    imported: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    for node in block.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            (target,) = node.targets
            assert isinstance(target, ast.Name)
            imported[target.id] = imported.pop(node.value.id)
    return imported


def test_type_checkers_see_the_names_the_lazy_table_loads() -> None:
    lazy = {name: target if ":" in target else f"{target}:{name}" for name, target in birdkit._EXPORTS.items()}
    assert _type_checking_names() == lazy


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """mypy --strict on right.py, wrong.py and reveal.py (reveal_type of every public name), as a user runs it."""
    work = tmp_path_factory.mktemp("mypy-user")
    public = [name for name in birdkit.__all__ if name != "__version__"]
    (work / "right.py").write_text(RIGHT)
    (work / "wrong.py").write_text(WRONG)
    (work / "reveal.py").write_text("import birdkit\n" + "".join(f"reveal_type(birdkit.{n})\n" for n in public))
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(work / "cache"), "right.py", "wrong.py",
         "reveal.py"],
        cwd=work, capture_output=True, text=True, check=False, timeout=300,
    )
    return completed.stdout + completed.stderr


def test_mypy_accepts_right_use_of_the_public_api(mypy_output: str) -> None:
    assert [line for line in mypy_output.splitlines() if line.startswith("right.py")] == []


def test_mypy_reports_each_wrong_use(mypy_output: str) -> None:
    reported = [line for line in mypy_output.splitlines() if line.startswith("wrong.py")]
    for number, line in enumerate(WRONG.splitlines(), start=1):
        if "# error: " in line:
            expected = line.split("# error: ")[1]
            assert any(f"wrong.py:{number}: error: {expected}" in found for found in reported), mypy_output
    assert len(reported) == WRONG.count("# error: "), mypy_output


def test_no_public_name_is_any_for_mypy(mypy_output: str) -> None:
    revealed = [line for line in mypy_output.splitlines() if line.startswith("reveal.py")]
    assert len(revealed) == len(birdkit.__all__) - 1, mypy_output
    assert [line for line in revealed if 'Revealed type is "Any"' in line or "error:" in line] == []
