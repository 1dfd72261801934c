"""Acceptance 3: for every corpus config, `bird -p` of 2.0.7, 2.0.12, 2.17.6 and 3.1.8 and `birdkit check --target`
give the same verdict (real BIRD, run through the test bed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

pytestmark = [pytest.mark.live, pytest.mark.matrix]


#: verdicts about the machine, not the language: 2.0.7 opens `log "FILE"` while it parses
ABOUT_THIS_MACHINE = ("Unable to open log file",)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_bird_and_birdkit_agree_on_every_corpus_config(bird_matrix: BirdMatrix, corpus_dir: Path, version: str) -> None:
    runtime = bird_matrix.get(version)
    disagreements = []
    configs = sorted((corpus_dir / "configs").glob("*.conf"))
    assert len(configs) > 100
    for path in configs:
        text = path.read_text(errors="replace")
        bird = runtime.check(text)
        if bird.message.startswith(ABOUT_THIS_MACHINE):
            continue
        try:
            check_config(path, text=text, target=version)
            ours = "ok"
        except BirdkitError as error:
            ours = str(error).splitlines()[0]
        if bird.ok != (ours == "ok"):
            disagreements.append(f"{path.name}: bird={'ok' if bird.ok else bird.message!r} birdkit={ours!r}")
    print(f"\nBIRD {version}: {len(configs)} configs, disagreements:", *disagreements, sep="\n  ")
    assert not disagreements


OWN_FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "config").glob("*.conf"))


@pytest.mark.parametrize("version", TARGET_VERSIONS)
@pytest.mark.parametrize("fixture", OWN_FIXTURES, ids=lambda path: path.name)
def test_bird_and_birdkit_agree_on_own_fixtures(bird_matrix: BirdMatrix, version: str, fixture: Path) -> None:
    text = fixture.read_text()
    bird = bird_matrix.get(version).check(text)
    try:
        check_config(fixture, text=text, target=version)
        ours = "ok"
    except BirdkitError as error:
        ours = str(error)
    assert bird.ok == (ours == "ok"), f"bird: {bird.message}\nbirdkit: {ours}"

