"""Oracles for users' property tests: real ``bird -p``, the formatter's round trip, route-listing equality."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import NoReturn

from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.errors import RuntimeMissingError
from birdkit.runtime import BirdMatrix, BirdRuntime
from birdkit.show.parse import parse_routes
from birdkit.show.stream import iter_routes


@cache
def _matrix() -> BirdMatrix:
    return BirdMatrix.discover()


def _unavailable(reason: str) -> NoReturn:
    """Skip the running pytest test, or raise when pytest is not the caller's framework."""
    if "pytest" in sys.modules:
        import pytest

        pytest.skip(reason)
    raise RuntimeMissingError(reason, hint="install bird2, or run `birdkit matrix prepare` as root")


def bird_runtime(version: str) -> BirdRuntime:
    """The BIRD ``version`` of this machine's matrix (exact, or the newest ``"3"``-prefixed one); skips if none."""
    try:
        return _matrix().get(version)
    except RuntimeMissingError as error:
        _unavailable(f"cannot check with real BIRD: {error.message}")


def assert_bird_accepts(text: str, version: str = "2.0.12", extra_files: Mapping[str, str] | None = None) -> None:
    """Assert that BIRD ``version`` accepts config ``text`` (``bird -p``); ``extra_files`` sit beside it.

    Without that BIRD on this machine the calling pytest test is skipped with the reason (outside pytest,
    :class:`~birdkit.errors.RuntimeMissingError` is raised).
    """
    runtime = bird_runtime(version)
    result = runtime.check(text, extra_files)
    if result.ok:
        return
    in_main_file = result.path is None or result.path == "bird.conf" or result.path.endswith("/bird.conf")
    where = f"{'bird.conf' if in_main_file else result.path}:{result.line}:{result.column}: " if result.line else ""
    snippet = ""
    lines = text.splitlines()
    if in_main_file and result.line and 0 < result.line <= len(lines):
        snippet = f"\n    {lines[result.line - 1]}\n    {' ' * max((result.column or 1) - 1, 0)}^"
    raise AssertionError(f"BIRD {runtime.version} rejects the config: {where}{result.message}{snippet}")


def assert_round_trip(text: str) -> None:
    """Assert that birdkit reads ``text`` and prints it back faithfully.

    ``parse(format(parse(text))) == parse(text)`` (comments included, positions ignored) and formatting is
    idempotent. Raises :class:`~birdkit.errors.BirdSyntaxError` when ``text`` does not parse at all.
    """
    tree = parse_config(text)
    printed = format_config(tree)
    reparsed = parse_config(printed)
    if reparsed != tree:
        raise AssertionError(f"the formatted text parses to a different AST; it was:\n{printed}")
    again = format_config(reparsed)
    if again != printed:
        raise AssertionError(f"formatting is not idempotent: first\n{printed}\nthen\n{again}")


def assert_same_routes(text_a: str, text_b: str) -> None:
    """Assert two ``show route [all]`` replies hold the same routes, in any order.

    Both are read with the reference parser and the streaming parser, which must agree; framing, tabs
    expanded to spaces, banners and prompts do not matter.
    """
    routes = []
    for label, text in (("first", text_a), ("second", text_b)):
        reference = parse_routes(text)
        streamed = list(iter_routes(text.splitlines(keepends=True)))
        if reference != streamed:
            raise AssertionError(f"birdkit's two route parsers disagree on the {label} listing")
        routes.append(Counter(reference))
    only_a = list((routes[0] - routes[1]).elements())
    only_b = list((routes[1] - routes[0]).elements())
    if only_a or only_b:
        shown = [f"  only in the first:  {route}" for route in only_a[:3]]
        shown += [f"  only in the second: {route}" for route in only_b[:3]]
        raise AssertionError(
            f"the listings differ: {len(only_a)} route(s) only in the first, {len(only_b)} only in the second\n"
            + "\n".join(shown)
        )
