"""The same hostile input through the public Python API (``import birdkit``): every function either works or
raises one of birdkit's own errors, never a raw UnicodeDecodeError, RecursionError, MemoryError, KeyError, and
never hangs."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import birdkit
from birdkit.errors import BirdkitError, PeermapError
from birdkit.gen.peermap import Peermap

#: text inputs: bytes that are not UTF-8 (as surrogateescape keeps them), controls, depth, size, truncation
TEXTS = {
    "not-utf8": "router id 1.2.3.4;\n# caf\udce9 \udcff\n",
    "nul": "router id 1.2.3.4;\x00\n",
    "escapes": "protocol \x1b]0;x\x07 {}\n\u202e\n",
    "deep-parens": "define x = " + "(" * 3000 + "1" + ")" * 3000 + ";\n",
    "deep-braces": "{" * 100_000,
    "truncated": "1007-10.0.0.0/24 unicast [up 13:21:44.727] * (100) [AS65001i]\n\tvia 198.18.0.",
    "long-line": "# " + "x" * (2 << 20) + "\n",
    "empty": "",
}

PARSERS: dict[str, Callable[[str], Any]] = {
    "parse_config": lambda text: birdkit.parse_config(text, path="probe.conf"),
    "parse_config-2.0.12": lambda text: birdkit.parse_config(text, target="2.0.12"),
    "load_config": lambda text: birdkit.load_config("probe.conf", text=text),
    "lint_config": lambda text: birdkit.lint_config(birdkit.parse_config(text)),
    "iter_routes": lambda text: list(birdkit.iter_routes(text.splitlines(keepends=True))),
    "parse_routes": birdkit.parse_routes,
    "parse_protocols": birdkit.parse_protocols,
    "parse_status": birdkit.parse_status,
    "parse_route_count": birdkit.parse_route_count,
    "parse_interfaces": birdkit.parse_interfaces,
}


def birdkit_errors_only(call: Callable[[], Any]) -> BirdkitError | None:
    """Run ``call`` within a few seconds; it may fail only with a BirdkitError, whose text is then safe to show."""
    started = time.monotonic()
    try:
        call()
    except BirdkitError as error:
        text = str(error)
        assert "\x1b" not in text and "\x00" not in text and len(text) < 3000, text[:3000]
        return error
    finally:
        assert time.monotonic() - started < 10
    return None


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_text_parsers_raise_only_birdkit_errors(parser: str) -> None:
    for name, text in TEXTS.items():
        try:
            birdkit_errors_only(lambda text=text: PARSERS[parser](text))  # type: ignore[misc]
        except AssertionError:
            raise
        except BaseException as error:
            pytest.fail(f"{parser}({name}): {type(error).__name__}: {str(error)[:200]}")


def hostile_path(tmp_path: Path, kind: str, suffix: str) -> str:
    path = tmp_path / f"{kind}{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000 if suffix == ".json" else "x = " + "[" * 100_000)
    elif kind == "latin1":
        path.write_bytes(b"version: 1\n# caf\xe9\n")
    else:
        return {"zero": "/dev/zero", "environ": "/proc/self/environ", "directory": str(tmp_path),
                "missing": str(tmp_path / "missing")}[kind]
    return str(path)


LOADERS: dict[str, Callable[[str], Any]] = {
    "load_config": birdkit.load_config,
    "check_config": birdkit.check_config,
    "load_peermap": birdkit.load_peermap,
    "apply_peermap": lambda path: birdkit.apply_peermap(path, dry_run=True),
    "Bird": lambda path: birdkit.Bird(path, timeout=1),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("kind", ["zero", "environ", "directory", "fifo", "loop", "deep", "latin1", "missing"])
def test_loaders_refuse_paths_that_are_no_file(loader: str, kind: str, tmp_path: Path) -> None:
    suffix = {"load_peermap": ".json", "apply_peermap": ".toml"}.get(loader, ".conf")
    path = hostile_path(tmp_path, kind, suffix)
    try:
        birdkit_errors_only(lambda: LOADERS[loader](path))
    except AssertionError:
        raise
    except BaseException as error:
        pytest.fail(f"{loader}({kind}): {type(error).__name__}: {str(error)[:200]}")


@pytest.fixture
def fleet(tmp_path: Path) -> Peermap:
    path = tmp_path / "peermap.json"
    path.write_text(json.dumps({"version": 1, "nodes": [
        {"name": "vm1", "address": "198.18.0.1/24", "netns": "bkprobe-lib1"},
        {"name": "vm2", "address": "198.18.0.2/24", "netns": "bkprobe-lib2"},
    ]}))
    return birdkit.load_peermap(path)


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda fleet: birdkit.verify_peermap(fleet, wait=math.nan), "wait must be zero or a positive number"),
        (lambda fleet: birdkit.verify_peermap(fleet, wait=-1), "wait must be zero or a positive number"),
        (lambda fleet: birdkit.verify_peermap(fleet, nodes=["ghost"]), "unknown node(s): ghost"),
        (lambda fleet: birdkit.apply_peermap(fleet, nodes=["ghost"], dry_run=True), "unknown node(s): ghost"),
        (lambda fleet: birdkit.apply_peermap(fleet, jobs=0, dry_run=True), "jobs must be at least 1"),
        (lambda fleet: birdkit.apply_peermap(fleet, timeout=0, dry_run=True), "at least 2 seconds"),
        (lambda fleet: birdkit.Bird("/nonexistent.ctl", timeout=math.inf), "positive number of seconds"),
    ],
    ids=["wait-nan", "wait-negative", "verify-ghost", "apply-ghost", "jobs-0", "timeout-0", "timeout-inf"],
)
def test_out_of_range_arguments_raise_birdkit_errors_before_any_node_is_reached(
    call: Callable[[Any], Any], says: str, fleet: Any
) -> None:
    error = birdkit_errors_only(lambda: call(fleet))
    assert error is not None and says in error.message


def test_a_peer_map_of_more_than_5000_nodes_is_refused_without_listing_every_pair(tmp_path: Path) -> None:
    nodes = [{"name": f"n{index}", "address": f"198.{18 + index // 65536}.{index // 256 % 256}.{index % 256}/16"}
             for index in range(5001)]
    path = tmp_path / "peermap.json"
    path.write_text(json.dumps({"version": 1, "nodes": nodes}))
    error = birdkit_errors_only(lambda: birdkit.load_peermap(path))
    assert isinstance(error, PeermapError) and "at most 5000" in error.message
