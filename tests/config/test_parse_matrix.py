"""Acceptance 2: `birdkit check --target V` agrees with `bird -p` of V on the parse-matrix snippets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError
from birdkit.runtime import BirdMatrix

pytestmark = pytest.mark.corpus

#: cells where the build EXPECTED.tsv was made with differs from the BIRD users run: that 2.0.7 was built
#: without libssh, so it has no RPKI protocol, while Debian's and Ubuntu's 2.0.7 (the walkthrough's) have it;
#: test_real_2_0_7_has_rpki_unlike_the_parse_matrix_build checks them against the matrix's real 2.0.7
BUILD_DIFFERENCES = {("rpki.conf", "2.0.7"), ("rpki_keep.conf", "2.0.7")}


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
        if (verdict == "ok" or "syntax error" in verdict) and (row[0], version) not in BUILD_DIFFERENCES
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
    assert not disagreements


@pytest.mark.live
@pytest.mark.matrix
def test_real_2_0_7_has_rpki_unlike_the_parse_matrix_build(bird_matrix: BirdMatrix, corpus_dir: Path) -> None:
    """The cells set aside above: Debian's 2.0.7 accepts them, and so does `check --target 2.0.7`."""
    runtime = bird_matrix.get("2.0.7")
    for name, version in sorted(BUILD_DIFFERENCES):
        path = corpus_dir / "parse-matrix" / name
        assert runtime.check(path.read_text()).ok
        check_config(path, target=version)
