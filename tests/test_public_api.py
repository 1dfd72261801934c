"""Every name in ``birdkit.__all__`` resolves: the lazy table and the modules agree."""

from __future__ import annotations

import birdkit


def test_every_public_name_resolves() -> None:
    missing = [name for name in birdkit.__all__ if getattr(birdkit, name, None) is None]
    assert missing == []


def test_import_is_lazy() -> None:
    import subprocess
    import sys

    heavy = "('lark', 'jinja2', 'cattrs', 'yaml')"
    probe = f"import sys, birdkit; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"
