"""Where the shipped data lives: the Lark grammars (installed wheel or source checkout) and templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def grammars_dir() -> Path:
    """The folder holding ``*.lark``: inside the installed package, else the checkout's top-level ``grammars/``."""
    for candidate in (_PACKAGE_DIR / "grammars", _PACKAGE_DIR.parent.parent / "grammars"):
        if (candidate / "bird.lark").is_file() or (candidate / "birdc.lark").is_file():
            return candidate
    raise FileNotFoundError(f"birdkit grammars not found next to {_PACKAGE_DIR}")


def grammar_path(name: str) -> Path:
    """The path of one grammar, e.g. ``grammar_path("bird.lark")``."""
    return grammars_dir() / name


def templates_dir() -> Path:
    """The generator's packaged Jinja2 templates."""
    return _PACKAGE_DIR / "gen" / "templates"
