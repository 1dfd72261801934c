"""Version fixtures: a snippet for every statement and option BIRD's documentation (2.0.7 to 3.1) defines, with
the verdict of each config target in the matrix (VERDICTS.tsv, recorded from real `bird -p` by
tests/fixtures/versions/record_verdicts.py). Single snippets are tests/fixtures/versions/*.conf; the documentation
snippets are grouped in tests/fixtures/versions/doc/*.conf, each starting at a `#== name` line. INVENTORY.tsv maps
every documented option to its snippets and lists, in its KNOWN-DISAGREEMENTS section, where birdkit's
`check --target` still differs from real BIRD and why. Live, every snippet on every version gives its recorded
verdict, and what `birdkit fmt` prints of an accepted snippet is accepted by the same versions."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from birdkit.config.format import format_config
from birdkit.config.parse import check_config, parse_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix, BirdRuntime

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "versions"
_MARKER = re.compile(r"^#== (\S+)\n", re.MULTILINE)
_DISAGREEMENTS = "# KNOWN-DISAGREEMENTS"
#: the verdict of a snippet a version accepts or refuses at random (2.0.7 reads a password's dates into a partly
#: uninitialised struct tm): live either is fine, and birdkit must accept it
FLAKY = "flaky"


def load_snippets(folder: Path = FOLDER) -> dict[str, str]:
    """Every snippet by name: ``x.conf`` for a single file, ``doc/x.conf#name`` for one of a grouped file."""
    snippets = {path.name: path.read_text() for path in sorted(folder.glob("*.conf"))}
    for path in sorted((folder / "doc").glob("*.conf")):
        parts = _MARKER.split(path.read_text())
        for name, text in zip(parts[1::2], parts[2::2], strict=True):
            key = f"doc/{path.name}#{name}"
            assert key not in snippets, f"snippet {key} appears twice"
            snippets[key] = text
    return snippets


def real_verdicts(runtime: BirdRuntime, texts: Mapping[str, str]) -> dict[str, tuple[bool, str]]:
    """``bird -p`` of ``runtime`` on each text: name -> (accepted, message). The files are written once into a
    directory the version can see, beside the files the snippets include (doc/*.inc); two checks run at a time."""
    work = runtime.workdir()
    try:
        for included in (FOLDER / "doc").glob("*.inc"):
            shutil.copy(included, work / included.name)
        paths = {}
        for index, (name, text) in enumerate(texts.items()):
            paths[name] = work / f"s{index}.conf"
            paths[name].write_text(text)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(zip(paths, pool.map(runtime.check_file, paths.values()), strict=True))
        return {name: (result.ok, result.message) for name, result in results.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def birdkit_verdict(name: str, text: str, target: str) -> str:
    """``ok`` or ``error``: what ``birdkit check --target`` says of a snippet."""
    try:
        check_config(FOLDER / name.split("#")[0], text=text, target=target)
    except BirdkitError:
        return "error"
    return "ok"


def _table(lines: Iterable[str]) -> list[list[str]]:
    return list(csv.reader(lines, delimiter="\t"))


def recorded() -> dict[tuple[str, str], str]:
    with (FOLDER / "VERDICTS.tsv").open() as table:
        header, *rows = _table(table)
    return {(row[0], version): verdict for row in rows for version, verdict in zip(header[1:], row[1:], strict=True)}


def inventory() -> tuple[list[dict[str, str]], dict[tuple[str, str], str]]:
    """The inventory rows, and the known disagreements: (snippet, version) -> reason."""
    text = (FOLDER / "INVENTORY.tsv").read_text()
    options, _, disagreements = text.partition(f"\n{_DISAGREEMENTS}\n")
    header, *rows = _table(options.splitlines())
    known_header, *known = _table(disagreements.splitlines())
    assert known_header == ["snippet", "version", "reason"]
    return [dict(zip(header, row, strict=True)) for row in rows], {(row[0], row[1]): row[2] for row in known}


SNIPPETS = load_snippets()
VERDICTS = recorded()
ROWS, KNOWN = inventory()


def test_every_snippet_has_a_verdict_for_every_target() -> None:
    assert {name for name, _ in VERDICTS} == set(SNIPPETS)
    assert {version for _, version in VERDICTS} == set(TARGET_VERSIONS)
    assert set(VERDICTS.values()) <= {"ok", "error", FLAKY}
    # the fixtures tell versions apart: not every snippet has one verdict everywhere
    assert sum(len({VERDICTS[(name, v)] for v in TARGET_VERSIONS}) > 1 for name in SNIPPETS) >= 50


def test_every_documented_option_has_a_snippet() -> None:
    listed = [name for row in ROWS for name in row["snippets"].split()]
    assert len(ROWS) >= 500
    assert not [row["doc label"] for row in ROWS if not row["snippets"]]
    assert not set(listed) - set(SNIPPETS), "the inventory names snippets that do not exist"
    assert not {name for name in SNIPPETS if name.startswith("doc/")} - set(listed), "snippets missing from inventory"
    # a documented option is accepted by some version that documents it
    for row in ROWS:
        documented = [v for v in row["documented in"].split(",") if v in TARGET_VERSIONS]
        names = row["snippets"].split()
        if documented and not any(VERDICTS[(name, v)] != "error" for name in names for v in documented):
            assert row["note"], f"{row['doc label']}: no documenting version accepts its snippets, and no note says why"


def test_known_disagreements_name_real_snippets() -> None:
    assert {version for _, version in KNOWN} <= set(TARGET_VERSIONS)
    assert {name for name, _ in KNOWN} <= set(SNIPPETS)
    assert all(reason.strip() for reason in KNOWN.values())


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_check_target_gives_the_recorded_verdict(version: str) -> None:
    wrong, stale = [], []
    for name, text in SNIPPETS.items():
        verdict, ours = VERDICTS[(name, version)], birdkit_verdict(name, text, version)
        verdict = "ok" if verdict == FLAKY else verdict
        if (name, version) in KNOWN:
            if ours == verdict:
                stale.append(f"{name}: listed as a known disagreement, but birdkit now agrees")
        elif ours != verdict:
            wrong.append(f"{name}: recorded {verdict}, birdkit {ours}")
    assert not wrong
    assert not stale


def _accepted_by_both(name: str, version: str) -> bool:
    """Real BIRD ``version`` accepts the snippet and birdkit agrees (so fmt is asked to print it)."""
    return VERDICTS[(name, version)] == "ok" and (name, version) not in KNOWN


def _accepted_somewhere(name: str) -> bool:
    return any(_accepted_by_both(name, version) for version in TARGET_VERSIONS)


def test_fmt_round_trips_every_accepted_snippet() -> None:
    wrong = []
    for name, text in SNIPPETS.items():
        if not _accepted_somewhere(name):
            continue
        try:
            tree = parse_config(text, name, target="any")
            again = parse_config(format_config(tree), name, target="any")
        except BirdkitError as error:
            wrong.append(f"{name}: {error}")
            continue
        if again != tree:
            wrong.append(f"{name}: the formatted text parses to another tree")
    assert not wrong


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_real_bird_gives_the_recorded_verdict(bird_matrix: BirdMatrix, version: str) -> None:
    results = real_verdicts(bird_matrix.get(version), SNIPPETS)
    wrong = [
        f"{name}: recorded {VERDICTS[(name, version)]}, bird -p {message}"
        for name, (ok, message) in results.items()
        if VERDICTS[(name, version)] not in ("ok" if ok else "error", FLAKY)
    ]
    assert not wrong


@pytest.mark.live
@pytest.mark.matrix
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_real_bird_accepts_what_fmt_prints(bird_matrix: BirdMatrix, version: str) -> None:
    formatted = {
        name: format_config(parse_config(text, name, target="any"))
        for name, text in SNIPPETS.items()
        if _accepted_by_both(name, version)
    }
    wrong = [
        f"{name}: bird -p {message}"
        for name, (ok, message) in real_verdicts(bird_matrix.get(version), formatted).items()
        if not ok
    ]
    assert not wrong
