"""Fidelity on the edges: `check --target V` agrees with real `bird -p` of V on line endings, characters between
words, bytes that are not UTF-8, string sizes and nesting depth, for every version of the matrix."""

from __future__ import annotations

import threading

import pytest

from birdkit.config.parse import check_config
from birdkit.errors import BirdkitError
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

BASE = "router id 1.2.3.4;\nprotocol device {\n}\nprotocol static s1 { ipv4; route 10.0.0.0/8 blackhole; }\n"


def described(value: bytes) -> bytes:
    return BASE.encode() + b'protocol static s2 { description "' + value + b'"; ipv4; route 10.1.0.0/16 blackhole; }\n'


def parentheses(depth: int) -> bytes:
    return f"define x = {'(' * depth}1{')' * depth};\n{BASE}".encode()


def if_blocks(depth: int) -> bytes:
    return ("filter f {\n" + "if true then {\n" * depth + "accept;\n" + "}\n" * depth + "}\n" + BASE).encode()


def bare_ifs(depth: int) -> bytes:
    return ("filter f {\n" + "if true then " * depth + "accept;\n}\n" + BASE).encode()


def function_blocks(depth: int) -> bytes:
    return ("function f() {\n" + "if true then {\n" * depth + "print 1;\n" + "}\n" * depth + "}\n" + BASE).encode()


#: probe name -> config bytes; `bird -p` of every version decides which are valid
PROBES: dict[str, bytes] = {
    "lf": BASE.encode(),
    "crlf": BASE.replace("\n", "\r\n").encode(),
    "lone-cr": BASE.replace("\n", "\r").encode(),
    "cr-in-comment": b"# windows\r\n" + BASE.encode(),
    "form-feed": BASE.encode() + b"define x = 1;\x0c\n",
    "vertical-tab": BASE.encode() + b"define x = 1;\x0b\n",
    "nul": BASE.encode() + b"define x = 1;\x00\n",
    "tab-between-words": BASE.encode() + b"define\tx\t=\t1;\n",
    "not-utf8-in-comment": BASE.encode() + b"# caf\xe9 \xff\n",
    "not-utf8-in-string": described(b"caf\xe9"),
    "control-in-string": described(b"a\x01\x1b[31mb"),
    "tab-in-string": described(b"a\tb"),
    "bidi-in-string": described("a\u202eb".encode()),
    "string-4095-bytes": described(b"a" * 4095),
    "string-4096-bytes": described(b"a" * 4096),
    "string-4095-bytes-multibyte": described("é".encode() * 2047 + b"a"),
    "string-4096-bytes-multibyte": described("é".encode() * 2048),
    "string-100000-bytes": described(b"a" * 100_000),
    "parentheses-9992": parentheses(9992),
    "parentheses-9993": parentheses(9993),
    "if-blocks-1997": if_blocks(1997),
    "if-blocks-1998": if_blocks(1998),
    "bare-ifs-3329": bare_ifs(3329),
    "bare-ifs-3330": bare_ifs(3330),
    "function-blocks-1997": function_blocks(1997),
    "function-blocks-1998": function_blocks(1998),
    # before 2.0.11 a brace opened no scope: BIRD's stack held one entry less per block
    "function-blocks-2497": function_blocks(2497),
    "function-blocks-2498": function_blocks(2498),
    "parentheses-300": parentheses(300),
    "if-blocks-300": if_blocks(300),
}


@pytest.fixture(scope="module")
def verdicts(bird_matrix: BirdMatrix) -> dict[tuple[str, str], bool]:
    """(version, probe) -> whether real `bird -p` of that version accepts the probe (run in parallel)."""
    found: dict[tuple[str, str], bool] = {}

    def judge(version: str) -> None:
        runtime = bird_matrix.get(version)
        for name, data in PROBES.items():
            work = runtime.workdir()
            try:
                (work / "bird.conf").write_bytes(data)
                found[(version, name)] = runtime.check_file(work / "bird.conf").ok
            finally:
                for path in work.iterdir():
                    path.unlink()
                work.rmdir()

    threads = [threading.Thread(target=judge, args=(version,)) for version in TARGET_VERSIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def ours(data: bytes, version: str, tmp_path_factory: pytest.TempPathFactory) -> bool:
    path = tmp_path_factory.mktemp("probe") / "bird.conf"
    path.write_bytes(data)
    try:
        check_config(path, target=version)
    except BirdkitError:
        return False
    return True


@pytest.mark.matrix
@pytest.mark.parametrize("probe", sorted(PROBES))
def test_check_agrees_with_bird_on_every_edge(
    probe: str, bird_matrix: BirdMatrix, verdicts: dict[tuple[str, str], bool], tmp_path_factory: pytest.TempPathFactory
) -> None:
    for version in TARGET_VERSIONS:
        assert ours(PROBES[probe], version, tmp_path_factory) == verdicts[(version, probe)], (
            f"{probe}: bird -p {version} says {'ok' if verdicts[(version, probe)] else 'invalid'}"
        )


def test_the_edges_give_clean_located_errors(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("probe") / "bird.conf"
    expectations = {
        "crlf": ("1:19", "unexpected character '\\r'", "Unix line endings"),
        "string-4096-bytes": ("5:34", "a string of 4096 bytes", "below 4096 bytes"),
        "parentheses-9993": ("1:10006", "nested too deeply", "10000 entries"),
    }
    for probe, (where, message, hint) in expectations.items():
        path.write_bytes(PROBES[probe])
        with pytest.raises(BirdkitError) as caught:
            check_config(path, target="2.0.12")
        text = str(caught.value)
        assert f"{path}:{where}: {message}" in text and hint in text, text
        assert len(text) < 1000


def defines(count: int) -> bytes:
    """``count`` constants on one line: 9,000 make about 100 KB, 80,000 about 1 MB."""
    return BASE.encode() + "".join(f"define c{index} = {index}; " for index in range(count)).encode() + b"\n"


#: probe name -> config bytes for the lexer's limits (line, comment, symbol, number and string lengths) and
#: dense single-line input; every target version of the matrix decides which are valid
LEXER_PROBES: dict[str, bytes] = {
    "line-100k": defines(9000),
    "line-1m": defines(80000),
    "comment-1m": BASE.encode() + b"# " + b"c" * 1_000_000 + b"\n",
    "block-comment-1m": BASE.encode() + b"/* " + b"c" * 1_000_000 + b" */\n",
    "symbol-64": BASE.encode() + b"define " + b"s" * 64 + b" = 1;\n",
    "symbol-65": BASE.encode() + b"define " + b"s" * 65 + b" = 1;\n",
    "symbol-65-protocol": BASE.encode() + b"protocol static " + b"p" * 65 + b" { ipv4; }\n",
    "symbol-65-quoted": BASE.encode() + b"protocol static '" + b"p" * 65 + b"' { ipv4; }\n",
    "symbol-65-used": BASE.encode() + b"protocol static s2 { ipv4 { import where " + b"q" * 65 + b" = 1; }; }\n",
    "symbol-1m": BASE.encode() + b"define " + b"s" * 1_000_000 + b" = 1;\n",
    "number-4294967295": BASE.encode() + b"define x = 4294967295;\n",
    "number-4294967296": BASE.encode() + b"define x = 4294967296;\n",
    "number-12-digits": BASE.encode() + b"define x = 000000000001;\n",
    "number-1m-digits": BASE.encode() + b"define x = " + b"9" * 1_000_001 + b";\n",
    "hex-number-9-digits": BASE.encode() + b"define x = 0xfffffffff;\n",
    "string-1m": described(b"d" * 1_000_000),
    "dense-braces": b"{" * 1_000_000,
    "dense-parentheses": b"(" * 1_000_000,
    "dense-brackets": b"[" * 1_000_000,
    "dense-letters": b"x" * 1_000_000,
    "dense-digits": b"1" * 1_000_000,
}


@pytest.fixture(scope="module")
def lexer_verdicts(bird_matrix: BirdMatrix) -> dict[tuple[str, str], bool]:
    """(target version, probe) -> whether real `bird -p` of that version accepts the lexer probe."""
    found: dict[tuple[str, str], bool] = {}
    for version in TARGET_VERSIONS:
        runtime = bird_matrix.get(version)
        work = runtime.workdir()
        try:
            for name, data in LEXER_PROBES.items():
                (work / "bird.conf").write_bytes(data)
                found[(version, name)] = runtime.check_file(work / "bird.conf").ok
        finally:
            for path in work.iterdir():
                path.unlink()
            work.rmdir()
    return found


@pytest.mark.matrix
@pytest.mark.parametrize("probe", sorted(LEXER_PROBES))
def test_check_agrees_with_bird_on_lexer_limits(
    probe: str, lexer_verdicts: dict[tuple[str, str], bool], tmp_path_factory: pytest.TempPathFactory
) -> None:
    for version in TARGET_VERSIONS:
        assert ours(LEXER_PROBES[probe], version, tmp_path_factory) == lexer_verdicts[(version, probe)], (
            f"{probe}: bird -p {version} says {'ok' if lexer_verdicts[(version, probe)] else 'invalid'}"
        )


def test_lexer_limits_give_bird_s_reasons(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The reason and place BIRD gives (`Symbol too long`, `Number out of range`), without echoing a huge token."""
    path = tmp_path_factory.mktemp("probe") / "bird.conf"
    expectations = {
        "symbol-65-used": "5:42: symbol too long",
        "symbol-1m": "5:1: symbol too long",
        "dense-letters": "1:1: symbol too long",
        "number-1m-digits": "5:12: number out of range",
        "hex-number-9-digits": "5:12: number out of range",
        "dense-braces": "1:1: unexpected '{'",
    }
    for probe, says in expectations.items():
        path.write_bytes(LEXER_PROBES[probe])
        with pytest.raises(BirdkitError) as caught:
            check_config(path, target="2.0.12")
        assert f"{path}:{says}" in str(caught.value)
        assert len(str(caught.value)) < 1000
