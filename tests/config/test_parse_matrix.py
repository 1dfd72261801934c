"""Acceptance 2: `birdkit check --target V` agrees with `bird -p` of V on the parse-matrix snippets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError

pytestmark = pytest.mark.corpus

REQUIRED_AGREEMENT = 0.97


def matrix_pairs(corpus: Path) -> list[tuple[str, str, str]]:
    """(snippet file, version, BIRD verdict) for every cell where BIRD said ok or reported a syntax error."""
    folder = corpus / "parse-matrix"
    with (folder / "EXPECTED.tsv").open() as expected:
        header, *rows = list(csv.reader(expected, delimiter="\t"))
    versions = [column.split()[1].removesuffix("-dev") for column in header[1:]]
    return [
        (row[0], version, verdict)
        for row in rows
        for version, verdict in zip(versions, row[1:], strict=True)
        if verdict == "ok" or "syntax error" in verdict
    ]


def test_parse_matrix_agreement(corpus_dir: Path) -> None:
    pairs = matrix_pairs(corpus_dir)
    assert len(pairs) > 600
    disagreements = []
    for name, version, verdict in pairs:
        try:
            check_config(corpus_dir / "parse-matrix" / name, target=version)
            ours = "ok"
        except BirdkitError as error:
            ours = str(error).splitlines()[0]
        if (ours == "ok") != (verdict == "ok"):
            disagreements.append(f"{name} @ {version}: bird={verdict!r} birdkit={ours!r}")
    agreement = 1 - len(disagreements) / len(pairs)
    print(
        f"\nparse-matrix agreement: {agreement:.2%} of {len(pairs)} pairs; disagreements:", *disagreements, sep="\n  "
    )
    assert agreement >= REQUIRED_AGREEMENT
