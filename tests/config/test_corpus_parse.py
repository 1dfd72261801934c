"""Acceptance 1: every corpus config that some real BIRD accepts is accepted by `birdkit check` at that version."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError

pytestmark = pytest.mark.corpus

#: MANIFEST column -> the BIRD version that produced it
VERDICT_COLUMNS = {"bird_p": "2.0.12", "bird_p_2_17_1": "2.17.1", "bird_p_3_1_4": "3.1.4"}


class CorpusCase(NamedTuple):
    """One (file, version) pair with BIRD's verdict and how to check it (a bundle maps its include prefix)."""

    name: str
    version: str
    bird_ok: bool
    main: Path
    include_map: dict[str, str]


def bird_accepted(verdict: str) -> bool:
    """MANIFEST verdict text -> accepted? (``needs-include ... || with includes (...): ok`` counts as ok)."""
    if "|| with includes" in verdict:
        verdict = verdict.split("|| with includes", 1)[1].split(":", 1)[1]
    return verdict.strip().startswith("ok")


def _bundle_for(row: dict[str, str]) -> str | None:
    for column in VERDICT_COLUMNS:
        if "(bundles/" in row[column]:
            return row[column].split("(bundles/", 1)[1].split(")", 1)[0]
    return None


def corpus_cases(corpus: Path) -> Iterator[CorpusCase]:
    """Every (config, version) pair of MANIFEST.tsv."""
    with (corpus / "MANIFEST.tsv").open() as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    for row in rows:
        main, include_map = corpus / row["local_file"], {}
        bundle_name = _bundle_for(row)
        if bundle_name is not None:
            bundle = corpus / "bundles" / bundle_name
            meta = json.loads((bundle / "BUNDLE.json").read_text())
            local = next((local for path, local in meta["files"] if path == row["path"]), Path(row["path"]).name)
            main = bundle / "_validate_main.conf" if (bundle / "_validate_main.conf").exists() else bundle / local
            include_map = {meta["prefix"]: str(bundle)}
        for column, version in VERDICT_COLUMNS.items():
            yield CorpusCase(row["local_file"], version, bird_accepted(row[column]), main, include_map)


def birdkit_accepts(case: CorpusCase) -> tuple[bool, str]:
    """`birdkit check --target` on one case: (accepted, first line of the error)."""
    try:
        check_config(case.main, target=case.version, include_map=case.include_map)
    except BirdkitError as error:
        return False, str(error).splitlines()[0]
    return True, ""


def test_every_config_bird_accepts_parses(corpus_dir: Path) -> None:
    accepted = [case for case in corpus_cases(corpus_dir) if case.bird_ok]
    assert len(accepted) > 90
    failures = [
        f"{case.name} @ {case.version}: {message}"
        for case in accepted
        for ok, message in [birdkit_accepts(case)]
        if not ok
    ]
    assert not failures, "\n".join(failures)


def test_most_configs_bird_rejects_are_rejected(corpus_dir: Path) -> None:
    rejected = [case for case in corpus_cases(corpus_dir) if not case.bird_ok]
    wrongly_accepted = [f"{case.name} @ {case.version}" for case in rejected if birdkit_accepts(case)[0]]
    print("accepted although BIRD rejects:", *wrongly_accepted, sep="\n  ")
    assert len(wrongly_accepted) <= 0.02 * len(rejected)
