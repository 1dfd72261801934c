"""BIRD config text (and its includes) to the typed AST: the public API, includes and syntax errors with hints."""

from __future__ import annotations

import contextlib
import gc
import glob
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from birdkit.config import ast, engine
from birdkit.config.build import AstBuilder
from birdkit.config.semantic import check_semantics
from birdkit.config.trivia import attach_trivia, scan_comments
from birdkit.config.versions import MAX_SYMBOL_LENGTH, Version, braces_open_scopes, check_gates, gate_versions
from birdkit.errors import BirdSyntaxError, ConfigError, FileError
from birdkit.files import MAX_CONFIG_BYTES, read_text
from birdkit.span import Span, shortened
from birdkit.stack import deep_stack

if TYPE_CHECKING:
    import lark

    from birdkit.config.engine import Token

#: BIRD's include nesting limit
MAX_INCLUDE_DEPTH = 8


# ---------------------------------------------------------------- public API


@deep_stack
def parse_config(text: str, path: str | os.PathLike[str] | None = None, *, target: str | None = None) -> ast.Config:
    """Parse one BIRD config text into a :class:`~birdkit.config.ast.Config` (includes stay ``Include``).

    ``target`` is a BIRD version (``"2.0.12"``, ``"2.17"``, ``"3"``); syntax that version rejects raises
    :class:`~birdkit.errors.BirdSyntaxError`. The default is the newest version; ``"any"`` takes what some
    supported version accepts.
    """
    versions = gate_versions(target)
    source = str(path) if path is not None else None
    with _building_a_tree():
        config = _parse_text(text, source, "config", versions)
        assert isinstance(config, ast.Config)
        check_gates(config, versions, text)
    return config


@deep_stack
def load_config(
    path: str | os.PathLike[str],
    *,
    target: str | None = None,
    include_map: Mapping[str, str] | None = None,
    text: str | None = None,
) -> ast.Config:
    """Read ``path`` (or take its ``text``) and expand its includes (globs, relative paths, depth 8) into one
    :class:`Config`.

    Each node's ``span.path`` names the file it came from. ``include_map`` maps an absolute include prefix
    onto a local folder (``{"/etc/bird/": "bundle/"}``) to check a config away from its host. A file that
    cannot be read raises :class:`~birdkit.errors.FileError` (an include that cannot: ``ConfigError``).
    """
    loader = _Loader(gate_versions(target), dict(include_map or {}))
    with _building_a_tree():
        return loader.load(Path(path), text)


@deep_stack
def check_config(
    source: str | os.PathLike[str],
    *,
    text: str | None = None,
    target: str | None = None,
    include_map: Mapping[str, str] | None = None,
) -> ast.Config:
    """What ``birdkit check`` does: load ``source`` (or parse ``text`` named ``source``), then apply the
    checks ``bird -p`` makes after parsing (symbols defined before use, a protocol present, ...)."""
    loader = _Loader(gate_versions(target), dict(include_map or {}))
    with _building_a_tree():
        config = loader.load(Path(source), text)
        check_semantics(config, loader.versions[0], loader.sources)
    return config


@contextlib.contextmanager
def _building_a_tree() -> Iterator[None]:
    """Pause Python's cycle collector: an AST has no reference cycles, so while one is built the collector
    frees nothing, yet it rescans the growing tree again and again (a sixth of the time on a large config)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------- parsing one text


def _parse_text(
    text: str, path: str | None, start: str, versions: tuple[Version, ...], lines: list[str] | None = None
) -> Any:
    """Parse one text; its parser stack may grow as far as the most lenient of ``versions`` lets it."""
    comments = scan_comments(text, path)
    lines = text.splitlines() if lines is None else lines
    tables = engine.tables()
    scoped = all(braces_open_scopes(version) for version in versions)
    try:
        inspect = _token_sizes(path, lines) if _MAYBE_LONG_STRING.search(text) else None
        lexed = engine.lex(text, tables, inspect)
        builder = AstBuilder(path, lines)
        result = engine.parse_statements(tables, AstBuilder, builder, lexed, start, scoped_braces=scoped)
    except BirdSyntaxError:
        raise
    except engine.EngineMismatch:  # a token Lark's lexer may cut otherwise: it decides
        result = _parse_contextually(text, path, lines, start, scoped_braces=scoped)
    except engine.StackOverflow as overflow:
        raise _too_deep(overflow, path, lines) from None
    except Exception as error:  # tokens cut as Lark would, so Lark fails here too: report its error
        raise _first_error(error, text, path, start) from None
    return attach_trivia(result.value, comments, lines)


def _parse_contextually(
    text: str, path: str | None, lines: list[str], start: str, *, scoped_braces: bool = True
) -> Any:
    """The exact path: Lark's contextual lexer feeding the same tables; errors are reported as Lark sees them."""
    parser = engine.lark_parser()
    tables = engine.tables_of(parser)
    try:
        tokens = engine.contextual_tokens(text, tables, parser)
        reducers = engine.reducers(tables, AstBuilder)
        return engine.parse(tables, reducers, AstBuilder(path, lines), start, tokens, scoped_braces=scoped_braces)
    except engine.StackOverflow as overflow:
        raise _too_deep(overflow, path, lines) from None
    except engine.SplitWord as split:
        source_line = lines[split.line - 1] if 0 < split.line <= len(lines) else ""
        raise BirdSyntaxError(
            f"unexpected name {shortened(split.word)}, expected {_expected_words(split.expected)}",
            span=Span(path, split.line, split.column),
            source_line=source_line,
            hint="a keyword must stand on its own; is a space or ';' missing?",
        ) from None
    except Exception as error:
        raise _first_error(error, text, path, start) from None


#: the longest string BIRD reads: every version aborts (a crash, not an error) on a string of 4096 bytes or more
MAX_STRING_BYTES = 4095
# a string that may be that long (4096 bytes are at least 1024 characters); the tokens then tell for sure
_MAYBE_LONG_STRING = re.compile(r'"[^"\n]{1023,}"')
# a symbol that may be longer than BIRD's (searched for only once the text failed: it costs)
_MAYBE_LONG_SYMBOL = re.compile(rf"[A-Za-z0-9_']{{{MAX_SYMBOL_LENGTH + 1}}}")


def _token_sizes(path: str | None, lines: list[str]) -> Callable[[engine.Batch], None]:
    """A check of each batch of tokens as it is cut, as BIRD's lexer makes it: a string BIRD would crash on,
    or a symbol longer than BIRD's limit, stops the parse there."""

    def check(batch: engine.Batch) -> None:
        cuts, numbers, signatures = batch
        if "STRING" not in signatures and "NAME" not in signatures and "QNAME" not in signatures:
            return
        for (_, value, column, _), line, signature in zip(cuts, numbers, signatures, strict=True):
            if signature == "STRING":
                size = len(value.encode("utf-8", "surrogateescape")) - 2
                if size <= MAX_STRING_BYTES:
                    continue
                message = f"a string of {size} bytes: BIRD crashes on strings of {MAX_STRING_BYTES + 1} bytes or more"
                hint = f"keep strings (descriptions, paths) below {MAX_STRING_BYTES + 1} bytes"
            elif signature in ("NAME", "QNAME") and len(value.strip("'")) > MAX_SYMBOL_LENGTH:
                message = f"symbol too long: BIRD's symbols have at most {MAX_SYMBOL_LENGTH} characters"
                hint = "shorten the name"
            else:
                continue
            raise BirdSyntaxError(
                message,
                span=Span(path, line, column),
                source_line=lines[line - 1] if 0 < line <= len(lines) else "",
                hint=hint,
            )

    return check


def _too_deep(overflow: engine.StackOverflow, path: str | None, lines: list[str]) -> BirdSyntaxError:
    line, column = overflow.token[2], overflow.token[3]
    return BirdSyntaxError(
        "nested too deeply: BIRD's parser stack overflows here (bird -p says 'memory exhausted')",
        span=Span(path, line, column),
        source_line=lines[line - 1] if 0 < line <= len(lines) else "",
        hint=f"BIRD's parser holds {engine.MAX_STACK_DEPTH} entries: about 2000 nested blocks (2500 before "
        "BIRD 2.0.11) or 9990 parentheses",
    )


def _first_error(error: Exception, text: str, path: str | None, start: str) -> Exception:
    """The error to report: a syntax error anywhere in ``text`` wins over one found while building the AST.

    The AST is built during parsing, so a builder error can come before a syntax error later in the file;
    reparsing with Lark's own tree builder finds that syntax error, with Lark's expectation sets intact.
    """
    import lark

    try:
        engine.lark_parser().parse(text, start=start)
    except lark.UnexpectedInput as syntax:
        found = _syntax_error(syntax, text, path)
        return _refused_token_before(found, text, path) or found
    return error


def _refused_token_before(error: BirdSyntaxError, text: str, path: str | None) -> BirdSyntaxError | None:
    """A token BIRD's lexer refuses (a symbol too long) before the syntax error ``error``: BIRD's lexer stops
    there first. The tokens are cut up to the error only, so a text that fails early costs little."""
    if error.span is None or not _MAYBE_LONG_SYMBOL.search(text):
        return None
    lexed = engine.lex(text, engine.tables(), _token_sizes(path, text.splitlines()))
    index = 0
    try:
        while lexed.reach(index) and (lexed.lines[index], lexed.cuts[index][2]) <= error.span[1:3]:
            index += 1
    except BirdSyntaxError as refused:
        return refused
    except engine.EngineMismatch:
        return None
    return None


# ---------------------------------------------------------------- includes


_CONTAINERS: dict[type, tuple[str, str]] = {
    ast.Config: ("statements", "config"),
    ast.Protocol: ("items", "proto_body"),
    ast.Channel: ("items", "channel_body"),
    ast.OptionBlock: ("items", "block_body"),
    ast.Table: ("options", "block_body"),
    ast.Block: ("statements", "fstmt_body"),
}


@attrs.define
class _Loader:
    """Reads a main file and splices in included files, following BIRD's include rules."""

    #: the versions to gate against (see versions.gate_versions); the first is the one semantics follow
    versions: tuple[Version, ...]
    include_map: dict[str, str]
    sources: dict[str | None, list[str]] = attrs.field(factory=dict)
    included: list[Path] = attrs.field(factory=list)

    def load(self, main: Path, text: str | None = None) -> ast.Config:
        if text is None:
            text = self.read(main)
        config = self.parse(text, str(main), "config")
        if "include" not in text:
            return config  # type: ignore[no-any-return]
        expanded = self.expand(config, main, 1, (main.resolve(),))
        assert isinstance(expanded, ast.Config)
        return expanded

    def parse(self, text: str, path: str, start: str) -> Any:
        lines = self.sources[path] = text.splitlines()
        node = _parse_text(text, path, start, self.versions, lines)
        check_gates(node, self.versions, text)
        return node

    def read(self, path: Path) -> str:
        """The config at ``path`` through the bounded reader; bytes that are not UTF-8 are kept (BIRD accepts
        them in comments and strings)."""
        return read_text(path, limit=MAX_CONFIG_BYTES, what="config", lossless=True)

    def parse_included(self, path: Path, start: str) -> Any:
        """An included file parsed; a syntax error in a file others may not read (``/etc/shadow``) is reported
        without its line or token, so a config cannot show the content of a file its author could not read."""
        text = self.read(path)
        try:
            return self.parse(text, str(path), start)
        except BirdSyntaxError as error:
            if path.stat().st_mode & 0o004:
                raise
            raise BirdSyntaxError(
                "syntax error in an included file that only its owner may read (its text is not shown)",
                span=error.span,
                hint="is this include meant to name a BIRD config?",
            ) from None

    def targets(self, include: ast.Include, base: Path) -> list[Path]:
        written = include.path
        for prefix, folder in self.include_map.items():
            if written.startswith(prefix):
                written = os.path.join(folder, written[len(prefix) :].lstrip("/"))
                break
        pattern = written if os.path.isabs(written) else str(base.parent / written)
        if any(char in written for char in "?*["):
            folder = os.path.dirname(pattern)
            if not any(char in folder for char in "?*[") and not os.path.isdir(folder):
                raise ConfigError(
                    f"unable to match pattern {include.path!r}: no such directory",
                    span=include.span,
                    hint=f"looked in {folder}",
                )
            return [Path(match) for match in sorted(glob.glob(pattern)) if not os.path.isdir(match)]
        target = Path(pattern)
        if not target.is_file():
            raise ConfigError(
                f"cannot open included file {include.path!r}", span=include.span, hint=f"looked for {target}"
            )
        return [target]

    def expand(self, node: Any, base: Path, depth: int, chain: tuple[Path, ...]) -> Any:
        field, start = _CONTAINERS.get(type(node), ("", ""))
        changes: dict[str, Any] = {}
        for attribute in attrs.fields(type(node)):
            value = getattr(node, attribute.name)
            if attribute.name == field and isinstance(value, tuple):
                changes[field] = tuple(self.expand_items(value, base, depth, chain, start))
            elif isinstance(value, ast.Node):
                changes[attribute.name] = self.expand(value, base, depth, chain)
            elif isinstance(value, tuple) and value and isinstance(value[0], ast.Node):
                changes[attribute.name] = tuple(self.expand(item, base, depth, chain) for item in value)
        return attrs.evolve(node, **changes) if changes else node

    def expand_items(
        self, items: Iterable[Any], base: Path, depth: int, chain: tuple[Path, ...], start: str
    ) -> Iterator[Any]:
        for item in items:
            if not isinstance(item, ast.Include):
                yield self.expand(item, base, depth, chain)
                continue
            if depth >= MAX_INCLUDE_DEPTH:
                raise ConfigError(
                    f"includes nested deeper than {MAX_INCLUDE_DEPTH} levels",
                    span=item.span,
                    hint="BIRD stops at 8 levels; look for an include loop",
                )
            for target in self.targets(item, base):
                if target.resolve() in chain:
                    raise ConfigError(f"include loop: {target} includes itself", span=item.span)
                try:
                    fragment = self.parse_included(target, start)
                except FileError as error:
                    raise ConfigError(error.message, span=item.span, hint=error.hint) from None
                expanded = self.expand(fragment, target, depth + 1, (*chain, target.resolve()))
                self.included.append(target)
                yield from getattr(expanded, _CONTAINERS[type(expanded)][0]) or ()


# ---------------------------------------------------------------- errors


_TERMINAL_WORDS = {
    "NAME": "a name",
    "QNAME": "a quoted name",
    "NUM": "a number",
    "STRING": "a string",
    "IP4": "an IPv4 address",
    "IP6": "an IPv6 address",
    "RD": "a route distinguisher",
    "BYTESTRING": "a byte string",
    "MAC": "a MAC address",
    "ELSECOL": "'else:'",
    "CMP_OP": "a comparison",
    "LOGIC_OP": "'&&' or '||'",
    "BIT_OP": "'&' or '|'",
    "ADD_OP": "'++'",
    "$END": "end of file",
    "SORTED": "'sorted'",
}


@lru_cache(maxsize=1)
def _terminal_patterns() -> dict[str, str]:
    patterns: dict[str, str] = {}
    from lark.lexer import PatternStr

    for terminal in engine.lark_parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            patterns[terminal.name] = f"'{terminal.pattern.value}'"
    return patterns


def describe_terminal(name: str) -> str:
    """A terminal in words (``';'``, ``a name``), never Lark's internal name."""
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    return _terminal_patterns().get(name, "a token")


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    return (
        f"{describe_terminal(token.type).split(' (')[0]} {shortened(str(token))}"
        if token.type in _TERMINAL_WORDS
        else shortened(str(token))
    )


def _expected_words(expected: Iterable[str]) -> str:
    words = sorted({describe_terminal(name) for name in expected})
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words)


def _syntax_error(error: lark.UnexpectedInput, text: str, path: str | None) -> BirdSyntaxError:
    import lark

    lines = text.splitlines()
    line = max(getattr(error, "line", 1) or 1, 1)
    column = max(getattr(error, "column", 1) or 1, 1)
    if isinstance(error, lark.UnexpectedEOF):
        line = max(len(lines), 1)
        column = len(lines[-1]) + 1 if lines else 1
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    span = Span(path, line, column)
    offset = _offset(lines, line, column)
    if isinstance(error, lark.UnexpectedCharacters):
        position = error.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        message = f"unexpected character {char!r}"
        return BirdSyntaxError(message, span=span, source_line=source_line, hint=_hint_for_char(char, text, offset))
    if isinstance(error, lark.UnexpectedToken):
        token = error.token
        expected = set(error.accepts or error.expected)
        message = f"unexpected {_describe_token(token)}, expected {_expected_words(expected)}"
        hint = _hint(token, expected, text, offset, source_line)
        return BirdSyntaxError(message, span=span, source_line=source_line, hint=hint)
    expected = set(getattr(error, "expected", ()) or ())
    message = "unexpected end of file" + (f", expected {_expected_words(expected)}" if expected else "")
    hint = "a block or statement is not closed (missing '}' or ';')"
    return BirdSyntaxError(message, span=span, source_line=source_line, hint=hint)


def _offset(lines: list[str], line: int, column: int) -> int:
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


def _hint_for_char(char: str, text: str, offset: int) -> str | None:
    if char == '"':
        return "strings end on the same line; BIRD strings have no escapes"
    if char == "'":
        return "quoted names may hold only letters, digits, '_', '-', '.' and ':'"
    if char == "/" and text.startswith("/*", offset):
        return "block comments cannot nest and must be closed with '*/'"
    if char == "\r":
        return "BIRD reads Unix line endings only: convert the file (dos2unix, or sed -i 's/\\r$//')"
    if char and char in "\f\v\x00":
        return "BIRD takes only spaces, tabs and newlines between words"
    return None


def _hint(token: Token, expected: set[str], text: str, offset: int, source_line: str) -> str | None:
    before = text[:offset].rstrip()
    value = str(token)
    if value.lower() in ("router", "id") and value != value.lower():
        return "keywords are lowercase: write 'router id'"
    if token.type == "NAME" and value != value.lower() and value.lower() in _all_keywords():
        return f"keywords are lowercase: write {value.lower()!r}"
    if (token.type == "COLON" and before.endswith("else")) or (
        value == "else" and text[offset + 4 :].lstrip().startswith(":")
    ):
        return "write 'else:' without a space inside case"
    if token.type == "COMMA" and "SEMICOLON" in expected and _inside_function_params(before):
        return "function parameters are separated by ';', as in function f(int a; int b)"
    if token.type == "SEMICOLON" and before.endswith("}"):
        return "inside filters and functions a '{ ... }' block takes no ';' after it"
    if "SEMICOLON" in expected and before.endswith("}"):
        return "a block inside a protocol (channel, route, interface, ...) must end with '};', as in ipv4 { ... };"
    if token.type == "$END":
        return "the file ends inside a block or statement: a '}' or ';' is missing"
    if token.type == "SEMICOLON" and before.endswith(";") and "RBRACE" in expected:
        return "an empty statement ';' is not allowed inside a filter or function"
    if (
        "SEMICOLON" in expected
        and token.line is not None
        and token.line > 1
        and not source_line[: max((token.column or 1) - 1, 0)].strip()
    ):
        return "the previous statement is missing its ';'"
    return _unterminated_line_hint(text, token.line)


def _unterminated_line_hint(text: str, error_line: int | None) -> str | None:
    """Point at an earlier line that ends without ';', '{' or '}': the usual cause of a confusing error."""
    lines = text.splitlines()
    for number in range((error_line or 1) - 1, 0, -1):
        code = lines[number - 1].split("#", 1)[0].rstrip()
        if code:
            ends_a_value = (code[-1].isalnum() or code[-1] in ")]\"'") and code.split()[-1] not in ("then", "else")
            return f"line {number} does not end with ';': is it missing there?" if ends_a_value else None
    return None


def _inside_function_params(before: str) -> bool:
    start = before.rfind("function")
    return start >= 0 and before.count("(", start) > before.count(")", start)


@lru_cache(maxsize=1)
def _all_keywords() -> frozenset[str]:
    return frozenset(pattern.strip("'") for pattern in _terminal_patterns().values() if pattern[1:-1].isalpha())
