"""Conformance: every birdc output of ../shared/corpus (outputs/ and transcripts/, BIRD 1.x excepted) parses.

For route replies the number of routes must equal an independent count of the route lines BIRD printed,
every next-hop, attribute and continuation line must land in a field or in raw text, and the streaming
parser must give exactly what the reference parser gives.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from birdkit.errors import BirdError
from birdkit.show.parse import parse_interfaces, parse_protocols, parse_route_count, parse_routes, parse_status
from birdkit.show.stream import iter_route_json, iter_routes

from .transcripts import (
    COUNT,
    INTERFACES,
    PROTOCOLS,
    ROUTES,
    STATUS,
    check_route_json,
    check_routes_account_for_every_line,
    kind_of,
    split_commands,
)

pytestmark = pytest.mark.corpus

REPO = Path(__file__).resolve().parents[2]
CORPUS = next(
    (path for path in (REPO.parent / "shared" / "corpus", REPO.parent.parent / "shared" / "corpus")
     if (path / "MANIFEST.tsv").is_file()),
    None,
)

#: outputs that hold one reply without a command line, and which command printed it (from MANIFEST notes)
SINGLE_REPLIES = {
    "birdlggo__bgpmap_case1.txt": ROUTES,
    "birdwatcher__protocols_short_bird3.txt": PROTOCOLS,
    "birdwatcher__routes_bird2_ipv4.txt": ROUTES,
    "birdwatcher__routes_bird3_ipv4.txt": ROUTES,
    "birdwatcher__status2.txt": STATUS,
    "birdwatcher__status4.txt": STATUS,
    "pathvector__show-protocols-all-2.0.9.txt": PROTOCOLS,
    "pathvector__show-protocols-all-bgp-single.txt": PROTOCOLS,
    "pybird__commands-show_status.txt": STATUS,
    "pybird__parse-status-bird-2.0.txt": STATUS,
}

PARSERS = {
    ROUTES: parse_routes,
    PROTOCOLS: parse_protocols,
    STATUS: parse_status,
    COUNT: parse_route_count,
    INTERFACES: parse_interfaces,
}


def _selected_outputs(corpus: Path) -> list[Path]:
    with (corpus / "MANIFEST.tsv").open(newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    return [
        corpus / row["local_file"]
        for row in rows
        if row["local_file"].startswith("outputs/") and not row["bird_version"].startswith("1.")
    ]


def _replies() -> list[tuple[str, str, str, str]]:
    """(id, kind, command, reply text) for every reply the conformance test covers."""
    if CORPUS is None:
        return []
    replies = []
    for path in _selected_outputs(CORPUS):
        text = path.read_text()
        if path.name in SINGLE_REPLIES:
            replies.append((path.name, SINGLE_REPLIES[path.name], "", text))
            continue
        assert "bird>" in text, f"{path.name}: add it to SINGLE_REPLIES with the command that printed it"
        for index, (command, reply) in enumerate(split_commands(text)):
            kind = kind_of(command)
            if kind is not None:
                replies.append((f"{path.name}#{index}:{command}", kind, command, reply))
    for path in sorted((CORPUS / "transcripts").glob("*/*.txt")):
        for index, (command, reply) in enumerate(split_commands(path.read_text())):
            kind = kind_of(command)
            if kind is not None:
                replies.append((f"{path.parent.name}/{path.name}#{index}:{command}", kind, command, reply))
    return replies


REPLIES = _replies()


def test_the_corpus_is_covered(corpus_dir: Path) -> None:
    assert len(REPLIES) > 150
    assert {kind for _, kind, _, _ in REPLIES} == set(PARSERS)
    assert all(kind != "unknown" for _, kind, _, _ in REPLIES), [r[0] for r in REPLIES if r[1] == "unknown"]


@pytest.mark.parametrize(("kind", "command", "text"), [r[1:] for r in REPLIES], ids=[r[0] for r in REPLIES])
def test_corpus_reply_parses(kind: str, command: str, text: str) -> None:
    error_codes = [line[:4] for line in text.splitlines() if line[:1] in "89" and line[:4].isdigit()]
    if error_codes:
        with pytest.raises(BirdError) as raised:
            PARSERS[kind](text)
        assert str(raised.value.code) == error_codes[0]
        return
    result = PARSERS[kind](text)
    if kind == ROUTES:
        assert isinstance(result, list)
        assert list(iter_routes(text.splitlines())) == result
        check_route_json(iter_route_json(text.splitlines()), result)
        check_routes_account_for_every_line(result, text)
    elif kind in (PROTOCOLS, INTERFACES):
        assert result, "a reply with rows gave nothing"
