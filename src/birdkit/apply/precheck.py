"""The fleet check run before any config is written or pushed: our parser, fleet lint, and real `bird -p`.

`birdkit gen --check` and `birdkit apply` (always) call :func:`check_fleet`, so a config that BIRD or the
fleet's own consistency rules would refuse never reaches a file or a node.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from birdkit.config.lint import Finding, Severity, lint_fleet
from birdkit.config.parse import parse_config
from birdkit.errors import BirdkitError, RuntimeMissingError
from birdkit.gen.policy import originated
from birdkit.runtime import BirdMatrix, BirdRuntime

if TYPE_CHECKING:
    from birdkit.gen.peermap import Peermap


def check_fleet(
    peermap: Peermap, configs: Mapping[str, str], files: Mapping[str, str], warn: Callable[[str], None]
) -> list[str]:
    """Problems found in the generated ``configs`` (node -> text, shown as ``files[node]``); empty when clean.

    Lint warnings go to ``warn`` and do not count as problems. `bird -p` runs with each node's BIRD version
    (the newest installed one when that version is not here) and is skipped, with a warning, when no BIRD is
    installed.
    """
    problems: list[str] = []
    parsed = []
    for name, text in configs.items():
        try:
            parsed.append(parse_config(text, path=files[name]))
        except BirdkitError as error:
            problems.append(str(error))
    if not problems:
        findings = lint_fleet(parsed, outside=outside_addresses(peermap), anycast=anycast_prefixes(peermap))
        problems += _lint_problems(findings, warn)
    return problems + _bird_check(peermap, configs, files, warn)


def outside_addresses(peermap: Peermap) -> list[str]:
    """The addresses of ``extra_peers``: routers outside the fleet by design (top-of-rack and such)."""
    return [str(peer.address) for node in peermap.nodes for peer in node.extra_peers]


def anycast_prefixes(peermap: Peermap) -> list[str]:
    """Prefixes several nodes blackhole on purpose: their policy's announced CIDRs and pod aggregates."""
    return [str(net) for node in peermap.nodes for net in originated(peermap, node)]


def _lint_problems(findings: Iterable[Finding], warn: Callable[[str], None]) -> list[str]:
    problems = []
    for finding in findings:
        if finding.severity is Severity.ERROR:
            problems.append(finding.render())
        else:
            warn(finding.render())
    return problems


def _bird_check(
    peermap: Peermap, configs: Mapping[str, str], files: Mapping[str, str], warn: Callable[[str], None]
) -> list[str]:
    matrix = BirdMatrix.discover()
    if not matrix.versions:
        warn("check: BIRD is not installed; `bird -p` skipped")
        return []

    def runtime_for(version: str) -> BirdRuntime:
        try:
            return matrix.get(version)
        except RuntimeMissingError:
            return matrix.get(matrix.versions[-1])

    versions = {node.name: node.bird_version for node in peermap.nodes}

    def check(name: str) -> str | None:
        runtime = runtime_for(versions[name])
        result = runtime.check(configs[name])
        if result.ok:
            return None
        where = f"{files[name]}:{result.line}:{result.column}" if result.line else files[name]
        return f"{where}: bird -p (BIRD {runtime.version}): {result.message}"

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return [problem for problem in pool.map(check, configs) if problem]
