"""Version fixtures: one snippet per statement or option (tests/fixtures/versions/*.conf) with the verdict of
each config target in the matrix (VERDICTS.tsv, recorded from real `bird -p`). Live, every snippet on every
available version gives its recorded verdict, and `birdkit check --target` gives the same one."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "versions"


def recorded() -> dict[tuple[str, str], str]:
    with (FOLDER / "VERDICTS.tsv").open() as table:
        header, *rows = list(csv.reader(table, delimiter="\t"))
    return {(row[0], version): verdict for row in rows for version, verdict in zip(header[1:], row[1:], strict=True)}


VERDICTS = recorded()


def test_every_snippet_has_a_verdict_for_every_target() -> None:
    snippets = {path.name for path in FOLDER.glob("*.conf")}
    assert {name for name, _ in VERDICTS} == snippets
    assert {version for _, version in VERDICTS} == set(TARGET_VERSIONS)
    # the fixtures tell versions apart: not every snippet has one verdict everywhere
    assert sum(len({VERDICTS[(name, v)] for v in TARGET_VERSIONS}) > 1 for name in snippets) >= 8


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_check_target_gives_the_recorded_verdict(version: str) -> None:
    wrong = []
    for (name, for_version), verdict in sorted(VERDICTS.items()):
        if for_version != version:
            continue
        try:
            check_config(FOLDER / name, target=version)
            ours = "ok"
        except BirdkitError:
            ours = "error"
        if ours != verdict:
            wrong.append(f"{name}: recorded {verdict}, birdkit {ours}")
    assert not wrong


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_real_bird_gives_the_recorded_verdict(bird_matrix: BirdMatrix, version: str) -> None:
    runtime = bird_matrix.get(version)
    wrong = []
    for (name, for_version), verdict in sorted(VERDICTS.items()):
        if for_version != version:
            continue
        result = runtime.check((FOLDER / name).read_text())
        if ("ok" if result.ok else "error") != verdict:
            wrong.append(f"{name}: recorded {verdict}, bird -p {result.message}")
    assert not wrong
