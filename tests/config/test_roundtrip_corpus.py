"""Corpus round trip: every real config BIRD accepts still passes BIRD, parses equal and keeps its comments
after ``format_config``."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.config.trivia import scan_comments
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix, BirdRuntime, CheckResult

pytestmark = [pytest.mark.corpus, pytest.mark.matrix]


def _comment_texts(text: str) -> Counter[str]:
    return Counter(comment.text.rstrip() for comment in scan_comments(text, None))


def _configs(corpus_dir: Path) -> list[Path]:
    return sorted((corpus_dir / "configs").glob("*.conf"))


def test_corpus_configs_survive_formatting(corpus_dir: Path, bird_matrix: BirdMatrix) -> None:
    checked: list[str] = []
    failures: list[str] = []
    for path in _configs(corpus_dir):
        text = path.read_text(encoding="utf-8", errors="replace")
        accepting = [v for v in TARGET_VERSIONS if bird_matrix.get(v).check(text).ok]
        if not accepting:
            continue
        checked.append(path.name)
        try:
            original = parse_config(text, path.name, target=accepting[-1])
        except BirdkitError as error:
            failures.append(f"{path.name}: accepted by BIRD {accepting} but does not parse: {error.message}")
            continue
        formatted = format_config(original)
        if parse_config(formatted, path.name, target=accepting[-1]) != original:
            failures.append(f"{path.name}: the formatted text parses to a different AST")
        if _comment_texts(formatted) != _comment_texts(text):
            lost = _comment_texts(text) - _comment_texts(formatted)
            failures.append(f"{path.name}: comments changed, e.g. {list(lost)[:3]}")
        for version in accepting:
            result = bird_matrix.get(version).check(formatted)
            if not result.ok:
                failures.append(f"{path.name}: BIRD {version} rejects the formatted text: {result.message}")
    assert len(checked) >= 20, f"only {len(checked)} corpus configs are accepted by BIRD; is the corpus complete?"
    assert not failures, "\n".join(failures)


def test_corpus_bundle_files_round_trip(corpus_dir: Path) -> None:
    """Multi-file bundles: every file that parses as a whole config round-trips and keeps its comments."""
    checked = 0
    failures: list[str] = []
    for path in sorted((corpus_dir / "bundles").rglob("*")):
        if not path.is_file() or path.name == "BUNDLE.json":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            original = parse_config(text, path.name)
        except BirdkitError:
            continue
        checked += 1
        formatted = format_config(original)
        if parse_config(formatted, path.name) != original:
            failures.append(f"{path}: the formatted text parses to a different AST")
        if _comment_texts(formatted) != _comment_texts(text):
            failures.append(f"{path}: comments changed")
        if format_config(parse_config(formatted)) != formatted:
            failures.append(f"{path}: formatting is not idempotent")
    assert checked >= 10
    assert not failures, "\n".join(failures)


def _bundle_texts(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "BUNDLE.json"
    }


def _check_bundle(runtime: BirdRuntime, texts: dict[str, str], main: str, prefix: str) -> CheckResult:
    """``bird -p`` on a multi-file bundle, its absolute include prefix mapped onto a work folder."""
    work = runtime.workdir()
    try:
        inner = runtime.inner_path(work)
        for relative, text in texts.items():
            if prefix not in ("", "."):
                text = text.replace(f'"{prefix}', f'"{inner}/')
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return runtime.check_file(work / main)
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: bundles whose formatted text BIRD rejects because of a parser bug, not a formatter bug (strict: a fixed bug
#: makes the test fail until the entry is removed)
KNOWN_PARSER_BUGS: dict[str, str] = {}


def test_corpus_bundles_pass_bird_after_formatting(corpus_dir: Path, bird_matrix: BirdMatrix) -> None:
    """Every bundle BIRD accepts is still accepted once each of its whole-config files is formatted."""
    checked: list[str] = []
    failures: list[str] = []
    for meta_path in sorted((corpus_dir / "bundles").glob("*/BUNDLE.json")):
        folder = meta_path.parent
        meta = json.loads(meta_path.read_text())
        main = "bird.conf" if (folder / "bird.conf").is_file() else meta["files"][0][1]
        prefix = meta.get("prefix", ".")
        texts = _bundle_texts(folder)
        accepting = [v for v in TARGET_VERSIONS if _check_bundle(bird_matrix.get(v), texts, main, prefix).ok]
        if not accepting:
            continue
        checked.append(folder.name)
        formatted = dict(texts)
        for relative, text in texts.items():
            try:
                formatted[relative] = format_config(parse_config(text, relative, target=accepting[-1]))
            except BirdkitError:
                continue  # a fragment included inside a block: left as it is
        assert formatted != texts, f"{folder.name}: no file of the bundle was formatted"
        rejected = {
            version: result.message
            for version in accepting
            if not (result := _check_bundle(bird_matrix.get(version), formatted, main, prefix)).ok
        }
        if folder.name in KNOWN_PARSER_BUGS:
            if not rejected:
                failures.append(f"{folder.name} passes now: remove it from KNOWN_PARSER_BUGS")
        elif rejected:
            failures.append(f"{folder.name}: BIRD rejects the formatted bundle: {rejected}")
    assert len(checked) >= 5, f"only {checked} bundles are accepted by BIRD"
    assert not failures, "\n".join(failures)
