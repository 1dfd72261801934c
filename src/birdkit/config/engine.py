"""The config parser's engine: Lark's LALR tables kept on disk, a context-free lexer, the LALR loop, and
compiled replays of repeated statements.

Lark is the reference. It compiles ``bird.lark`` into LALR tables; the engine saves what it needs of them in
the user's cache, so parsing a valid config never imports Lark.

* :func:`lex` cuts the text with one regex of every terminal, in Lark's order, line by line, a batch at a time
  as the parser reaches it.
* :func:`parse` runs the tables; :class:`TokenFeed` turns a name into a keyword where the parser state accepts
  that keyword. That is what Lark's contextual lexer does whenever the state accepts the token :func:`lex`
  found; on any other token it raises :class:`EngineMismatch`, and the caller parses again with Lark's own
  per-state lexers (:func:`contextual_tokens`), which also find the syntax errors.
* :func:`parse_statements` reads one top-level statement at a time, and runs a statement shaped like an
  earlier one as Python code made from that one's parser actions (:func:`compile_trace`).
* :func:`reducers` apply Lark's tree-building rules (kept children, placeholders, inlined rules, positions)
  and call the AST builder's method for each rule.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from birdkit.resources import grammar_path
from birdkit.span import Span

#: grammar start rule for each context an ``include`` can appear in
START_RULES = ("config", "proto_body", "channel_body", "block_body", "fstmt_body")

END = "$END"


class EngineMismatch(Exception):
    """The fast path stops here: parse again with Lark's contextual lexer."""


class SplitWord(Exception):
    """Lark's contextual lexer cut a keyword off the front of a longer word (``identity`` read as ``id``
    ``entity`` where only ``id`` may follow); BIRD's lexer never splits a word."""

    def __init__(self, word: str, line: int, column: int, expected: list[str]) -> None:
        super().__init__(f"{word!r} at {line}:{column}")
        self.word, self.line, self.column, self.expected = word, line, column, expected


class StackOverflow(Exception):
    """The parser's stack outgrew BIRD's (bison's YYMAXDEPTH): BIRD stops here with "memory exhausted"."""

    def __init__(self, token: Token) -> None:
        super().__init__(f"parser stack overflow at {token[2]}:{token[3]}")
        self.token = token


#: how many entries BIRD's parser stack holds (bison's YYMAXDEPTH, the same in every BIRD version), counted
#: in this grammar's states: measured with `bird -p` on nested parentheses and nested `if` blocks
MAX_STACK_DEPTH = 10000
# entries BIRD's stack holds below the first statement's, beyond this grammar's
_BIRD_STACK_BASE = 2
# tokens for which BIRD's stack holds more entries than this grammar's while they are open: a brace and `filter`
# (mid-rule actions); measured against `bird -p` (tests/hostile/test_fidelity.py)
_BIRD_EXTRA_ENTRIES = {"LBRACE": 1, "FILTER": 2}
# before 2.0.11 a block's brace opened no scope (no mid-rule action): only the outermost open brace holds an extra
# entry, so 2.0.7 takes 2497 nested blocks where 2.0.12 and later take 1997
_BIRD_EXTRA_ENTRIES_UNSCOPED = {"FILTER": 2}


class Token(tuple):  # type: ignore[type-arg]
    """A token: ``(type, text, line, column, end_column)``; ``str(token)`` is its text."""

    __slots__ = ()

    type = property(itemgetter(0))
    value = property(itemgetter(1))
    line = property(itemgetter(2))
    column = property(itemgetter(3))
    end_line = property(itemgetter(2))
    end_column = property(itemgetter(4))

    def __str__(self) -> str:
        return self[1]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Token({self[0]}, {self[1]!r}, {self[2]}:{self[3]})"


class Kept(NamedTuple):
    """A matched symbol the tree builder keeps as a child."""

    position: int  # its place in the rule's expansion
    splice: bool  # an inlined rule (``_name``, ``x*``): its children take its place
    placeholders: int  # ``None`` children (for ``[optional]`` parts not matched) before it


class RuleShape(NamedTuple):
    """How a rule turns its matched symbols into the children its builder method receives."""

    method: str  # the builder method: the rule's alias, template or name
    keep: tuple[Kept, ...]
    trailing_placeholders: int
    expand_single: bool  # ``?rule``: a single child stands for the rule
    inlined: bool  # ``_rule``: its children go into the parent's


class Rule(NamedTuple):
    """What the LALR loop needs of a rule."""

    size: int  # symbols to pop
    origin: str  # the nonterminal it reduces to
    passes_through: bool  # it passes its single child through unchanged


@attrs.frozen(eq=False)
class Tables:
    """What the engine needs of Lark's parser. A shift is a state (>= 0), a reduce is ``~rule_index``."""

    actions: dict[int, dict[str, int]]
    gotos: dict[int, dict[str, int]]
    rules: list[Rule]
    shapes: list[RuleShape]
    starts: dict[str, tuple[int, int]]  # start rule -> (start state, accepting state)
    terminals: list[tuple[str, str]]  # (name, regex) in Lark's lexer order, keywords and ignored ones excluded
    ignored: list[tuple[str, str]]  # (name, regex) of %ignore terminals
    keywords: dict[str, dict[str, str]]  # regex terminal -> {its text: keyword terminal}
    statement_lists: dict[str, str]  # start rule -> the inlined rule collecting its statements

    @property
    def lexer(self) -> re.Pattern[str]:
        """One regex for every terminal: ignored text first (no group), then the token as a named group."""
        return _compiled_lexer(self)


@lru_cache(maxsize=4)
def _compiled_lexer(tables: Tables) -> re.Pattern[str]:
    skip = "|".join(regex for _, regex in tables.ignored)
    alternatives = "|".join(f"(?P<{name}>{regex})" for name, regex in tables.terminals)
    return re.compile(f"(?:{skip})*+(?:{alternatives})")  # possessive: never backtrack into a comment


@lru_cache(maxsize=4)
def _ignorable(tables: Tables) -> re.Pattern[str]:
    # possessive, like the lexer's prefix: a failed match must not retry every split of a run of blanks
    return re.compile("(?:" + "|".join(regex for _, regex in tables.ignored) + ")*+")


# ---------------------------------------------------------------- tables


def _grammar_text() -> str:
    return grammar_path("bird.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _cache_folder() -> Path | None:
    """``$XDG_CACHE_HOME/birdkit`` (``~/.cache/birdkit``), else a per-user folder in the temp folder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (Path(base) / "birdkit", None):
        if folder is None:
            import tempfile

            folder = Path(tempfile.gettempdir()) / f"birdkit-{os.getuid()}"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            owned = folder.stat().st_uid == os.getuid()  # not a folder someone else left in /tmp
        except OSError:
            continue
        if owned and os.access(folder, os.W_OK):
            return folder
    return None


@lru_cache(maxsize=1)
def lark_parser() -> Any:
    """The Lark LALR parser of ``bird.lark`` (its compiled grammar cached on disk between runs)."""
    import lark

    text = _grammar_text()
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
        "maybe_placeholders": True,
        "start": list(START_RULES),
    }
    folder = _cache_folder()
    if folder is not None:
        digest = _digest(f"{lark.__version__}\0{text}")
        try:
            return lark.Lark(text, cache=str(folder / f"bird-lark-{digest}.cache"), **options)
        except OSError:
            pass
    return lark.Lark(text, **options)


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The tables, read from the user's cache; built with Lark (and saved) on the first run."""
    text = _grammar_text()
    # what the tables are made from: the grammar, Lark, Python's marshal, and this module's own code
    engine_code = zlib.crc32(Path(__file__).read_bytes())
    key = f"{engine_code}\0{sys.version_info[:2]}\0{_lark_version()}\0{text}"
    folder = _cache_folder()
    path = folder / f"bird-tables-{_digest(key)}.marshal" if folder else None
    if path is not None:
        try:
            saved_key, fields = marshal.loads(path.read_bytes())
            if saved_key == key:
                return _named(fields)
        except (OSError, EOFError, ValueError, TypeError):
            pass
    built = tables_of(lark_parser())
    if path is not None:
        from birdkit.errors import FileError
        from birdkit.files import write_atomically

        with contextlib.suppress(OSError, FileError):
            write_atomically(path, marshal.dumps((key, _plain(built))))
    return built


def _plain(tables: Tables) -> dict[str, Any]:
    """The tables' fields as marshal can save them (plain tuples for the named ones)."""
    fields = attrs.asdict(tables, recurse=False)
    fields["rules"] = [tuple(rule) for rule in tables.rules]
    fields["shapes"] = [(shape[0], tuple(map(tuple, shape.keep)), *shape[2:]) for shape in tables.shapes]
    return fields


def _named(fields: dict[str, Any]) -> Tables:
    """The tables :func:`_plain` saved."""
    fields["rules"] = list(map(Rule._make, fields["rules"]))
    fields["shapes"] = [
        RuleShape(method, tuple(map(Kept._make, keep)), *rest) for method, keep, *rest in fields["shapes"]
    ]
    return Tables(**fields)


def _digest(text: str) -> str:
    """A short name for a cache file (the file also holds what it was made from, checked on reading)."""
    return f"{zlib.crc32(text.encode()):08x}{len(text):x}"


def _lark_version() -> str:
    """Lark's version, read from its source without importing it (importing costs 20 ms)."""
    from importlib.util import find_spec

    spec = find_spec("lark")
    try:
        source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    except OSError:
        source = ""
    found = re.search(r"^__version__\s*[:=].*?['\"]([^'\"]+)['\"]", source, re.MULTILINE)
    return found.group(1) if found else "?"


@lru_cache(maxsize=2)
def tables_of(parser: Any) -> Tables:
    """The tables of one Lark parser (state numbers match that parser's contextual lexers)."""
    from lark.lexer import PatternRE, PatternStr
    from lark.parsers.lalr_analysis import Reduce

    table = parser.parser.parser._parse_table
    rule_list = list(parser.rules)
    index = {rule: number for number, rule in enumerate(rule_list)}
    actions: dict[int, dict[str, int]] = {}
    gotos: dict[int, dict[str, int]] = {}
    for state, row in table.states.items():
        actions[state], gotos[state] = {}, {}
        for symbol, (action, argument) in row.items():
            if action is Reduce:
                actions[state][str(symbol)] = ~index[argument]
            elif symbol.isupper() or symbol == END:
                actions[state][str(symbol)] = argument
            else:
                gotos[state][str(symbol)] = argument
    shapes = [_rule_shape(rule) for rule in rule_list]
    rules = [
        Rule(len(rule.expansion), str(rule.origin.name), _passes_through(shape, len(rule.expansion)))
        for rule, shape in zip(rule_list, shapes, strict=True)
    ]
    starts = {name: (table.start_states[name], table.end_states[name]) for name in START_RULES}
    statement_lists = {
        str(rule.origin.name): str(rule.expansion[0].name)
        for rule in rule_list
        if rule.origin.name in START_RULES and len(rule.expansion) == 1 and rule.expansion[0].name.startswith("_")
    }

    # the terminals of Lark's lexer, with keywords folded into the regex terminal that also matches them
    ignore = set(parser.lexer_conf.ignore)
    ordered = sorted(parser.terminals, key=lambda x: (-x.priority, -x.pattern.max_width, -len(x.pattern.value), x.name))
    keywords: dict[str, dict[str, str]] = {}
    folded: set[str] = set()
    for regex_terminal in (terminal for terminal in ordered if isinstance(terminal.pattern, PatternRE)):
        for word in (terminal for terminal in ordered if isinstance(terminal.pattern, PatternStr)):
            text = word.pattern.value
            if word.priority != regex_terminal.priority:
                continue
            match = re.match(regex_terminal.pattern.to_regexp(), text)
            if match is not None and match.group() == text:
                keywords.setdefault(str(regex_terminal.name), {})[str(text)] = str(word.name)
                if word.pattern.flags <= regex_terminal.pattern.flags:
                    folded.add(word.name)
    terminals = [
        (str(terminal.name), str(terminal.pattern.to_regexp()))
        for terminal in ordered
        if terminal.name not in folded and terminal.name not in ignore
    ]
    ignored = [
        (str(terminal.name), str(terminal.pattern.to_regexp())) for terminal in ordered if terminal.name in ignore
    ]
    return Tables(actions, gotos, rules, shapes, starts, terminals, ignored, keywords, statement_lists)


def _rule_shape(rule: Any) -> RuleShape:
    """How Lark's tree builder (with placeholders) turns one rule's matched symbols into children."""
    options = rule.options
    size = len(rule.expansion)
    placeholders = [0] * (size + 1)
    if options.empty_indices:
        flags = "".join(str(int(flag)) for flag in options.empty_indices)
        placeholders = [len(ones) for ones in flags.split("0")]
    keep: list[Kept] = []
    pending = 0
    for position, symbol in enumerate(rule.expansion):
        pending += placeholders[position]
        if options.keep_all_tokens or not (symbol.is_term and symbol.filter_out):
            keep.append(Kept(position, not symbol.is_term and symbol.name.startswith("_"), pending))
            pending = 0
    return RuleShape(
        str(rule.alias or options.template_source or rule.origin.name),
        tuple(keep),
        pending + placeholders[size],
        bool(options.expand1 and not rule.alias),
        rule.origin.name.startswith("_"),
    )


def _passes_through(shape: RuleShape, size: int) -> bool:
    """``?rule: other`` with nothing dropped: the reduction keeps its one child's value and extent."""
    return shape.expand_single and size == 1 and shape.keep == (Kept(0, False, 0),) and not shape.trailing_placeholders


# ---------------------------------------------------------------- lexers


#: a token cut from its line: (type, text, column, end column); lines that repeat share them
Cut = tuple[str, str, int, int]


#: tokens cut ahead of the parser at a time: a text that goes wrong early (a megabyte of ``{`` on one line) is
#: not cut whole before its first token is read
LEX_BATCH = 4096
#: a line longer than this is cut :data:`LEX_BATCH` tokens at a time, and not remembered for reuse
LONG_LINE = 4096

#: a batch of tokens cut: their cuts, lines and signatures (see :class:`Lexed`)
Batch = tuple[list[Cut], list[int], list[str]]


class Lexed:
    """A text's tokens, cut without parser context (keywords still typed as names), as the parser reaches them.

    ``cuts[i]`` is token i, ``lines[i]`` its line, and ``signatures[i]`` its type, or its text for a word
    that some parser state reads as a keyword; once the text is cut whole, ``signatures`` ends with ``$END``.
    The lists grow in place: call :meth:`reach` before reading past their end.
    """

    __slots__ = ("_batches", "cuts", "lines", "signatures")

    def __init__(self, batches: Iterator[Batch]) -> None:
        self.cuts: list[Cut] = []
        self.lines: list[int] = []
        self.signatures: list[str] = []
        self._batches: Iterator[Batch] | None = batches

    def reach(self, index: int) -> bool:
        """Cut tokens until token ``index`` is there; False when the text ends before it (``$END`` at the
        end of ``signatures``)."""
        cuts = self.cuts
        while len(cuts) <= index:
            batch = None if self._batches is None else next(self._batches, None)
            if batch is None:
                if self._batches is not None:
                    self._batches = None
                    self.signatures.append(END)
                return False
            cuts += batch[0]
            self.lines += batch[1]
            self.signatures += batch[2]
        return True

    def token(self, index: int) -> Token:
        """Token ``index`` (reached) with its line."""
        kind, value, column, end = self.cuts[index]
        line = self.lines[index]
        return tuple.__new__(Token, (kind, value, line, column, end))


def lex(text: str, tables: Tables, inspect: Callable[[Batch], None] | None = None) -> Lexed:
    """The tokens of ``text``, cut as the parser reaches them (see :class:`Lexed`); ``inspect`` sees each batch
    as it is cut (and may raise). No token spans lines, so without block comments the text is cut line by
    line, and a line that repeats an earlier one is cut once (its cuts are shared)."""
    batches = _whole_batches(text, tables) if "/*" in text else _line_batches(text, tables)
    return Lexed(batches if inspect is None else _inspected(batches, inspect))


def _inspected(batches: Iterator[Batch], inspect: Callable[[Batch], None]) -> Iterator[Batch]:
    for batch in batches:
        inspect(batch)
        yield batch


def _line_batches(text: str, tables: Tables) -> Iterator[Batch]:
    cuts: list[Cut] = []
    lines: list[int] = []
    signatures: list[str] = []
    seen: dict[str, tuple[list[Cut], list[str]]] = {}
    lexer, ignorable, keywords = tables.lexer, _ignorable(tables), tables.keywords
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > LONG_LINE:
            position: int | None = 0
            while position is not None:
                cut, signature, position = _cut_line(line, lexer, ignorable, keywords, position, LEX_BATCH)
                yield [*cuts, *cut], [*lines, *[number] * len(cut)], [*signatures, *signature]
                cuts, lines, signatures = [], [], []
            continue
        known = seen.get(line)
        if known is None:
            known = seen[line] = _cut_line(line, lexer, ignorable, keywords)[:2]
        if known[0]:
            cuts += known[0]
            lines += [number] * len(known[0])
            signatures += known[1]
            if len(cuts) >= LEX_BATCH:
                yield cuts, lines, signatures
                cuts, lines, signatures = [], [], []
    yield cuts, lines, signatures


def _cut_line(
    line: str,
    lexer: re.Pattern[str],
    ignorable: re.Pattern[str],
    keywords: dict[str, dict[str, str]],
    start: int = 0,
    most: int | None = None,
) -> tuple[list[Cut], list[str], int | None]:
    """The tokens of ``line`` from ``start`` on, at most ``most`` of them, and where the rest starts (``None``
    when the line is cut to its end)."""
    cut: list[Cut] = []
    signatures: list[str] = []
    position = start
    for match in islice(lexer.finditer(line, start), most):
        if match.start() != position:  # found past text that holds no token: checked below
            break
        kind = match.lastgroup
        assert kind is not None
        token_start, position = match.start(kind), match.end()
        value = line[token_start:position]
        cut.append((kind, value, token_start + 1, position + 1))
        signatures.append(value if kind in keywords and value in keywords[kind] else kind)
    else:
        if most is not None and len(cut) == most:
            return cut, signatures, position
    if ignorable.fullmatch(line, position) is None:
        raise EngineMismatch("no terminal matches here")
    return cut, signatures, None


def _whole_batches(text: str, tables: Tables) -> Iterator[Batch]:
    keywords = tables.keywords
    cuts: list[Cut] = []
    lines: list[int] = []
    signatures: list[str] = []
    line, line_start, position = 1, 0, 0
    for match in tables.lexer.finditer(text):
        if match.start() != position:  # found past text that holds no token: checked below
            break
        kind = match.lastgroup
        assert kind is not None
        start = match.start(kind)
        if start != position:
            breaks = text.count("\n", position, start)
            if breaks:
                line += breaks
                line_start = text.rindex("\n", position, start) + 1
        position = match.end()
        value = text[start:position]
        cuts.append((kind, value, start - line_start + 1, position - line_start + 1))
        lines.append(line)
        signatures.append(value if kind in keywords and value in keywords[kind] else kind)
        if len(cuts) >= LEX_BATCH:
            yield cuts, lines, signatures
            cuts, lines, signatures = [], [], []
    if _ignorable(tables).fullmatch(text, position) is None:
        raise EngineMismatch("no terminal matches here")
    yield cuts, lines, signatures


#: a function from the parser's state to the next token and its type (``$END`` at the end)
NextToken = Callable[[int], tuple[Any, str]]


class TokenFeed:
    """Pre-cut tokens served from ``position``, a word typed as the keyword the state accepts (as Lark's
    contextual lexer types it); a token the state cannot take raises :class:`EngineMismatch`."""

    __slots__ = ("actions", "keywords", "lexed", "lookahead", "position")

    def __init__(self, lexed: Lexed, tables: Tables) -> None:
        self.lexed = lexed
        self.actions = tables.actions
        self.keywords = tables.keywords
        self.position = 0
        self.lookahead = 0  # index of the last token served (the token count for the end)

    def __call__(self, state: int) -> tuple[Any, str]:
        position = self.lookahead = self.position
        if position >= len(self.lexed.cuts) and not self.lexed.reach(position):
            return None, END
        self.position = position + 1
        token = self.lexed.token(position)
        kind = token[0]
        row = self.actions[state]
        if kind in self.keywords:
            keyword = self.keywords[kind].get(token[1])
            if keyword is not None and keyword in row:
                return token, keyword
        if kind not in row:
            raise EngineMismatch(f"the fast lexer's {kind} is not what Lark would cut here")
        return token, kind


def contextual_tokens(text: str, tables: Tables, parser: Any) -> NextToken:
    """Lark's own contextual lexing (its per-state scanners and keyword callbacks), one token at a time."""
    from lark import Token as LarkToken

    lexers = parser.parser.lexer.lexers
    new_token: Any = LarkToken._future_new
    keyword_types = {keyword for words in tables.keywords.values() for keyword in words.values()}
    scanners: dict[int, tuple[Any, ...]] = {}
    cursor = {"position": 0, "line": 1, "line_start": 0}
    length = len(text)

    def scanner(state: int) -> tuple[Any, ...]:
        lexer = lexers[state]
        found = scanners[state] = (
            tuple(lexer.scanner._mres),
            lexer.ignore_types,
            lexer.newline_types,
            dict(lexer.callback),
        )
        return found

    def next_token(state: int) -> tuple[Any, str]:
        position, line, line_start = cursor["position"], cursor["line"], cursor["line_start"]
        patterns, ignored, multiline, retype = scanners.get(state) or scanner(state)
        try:
            while position < length:
                for pattern in patterns:
                    match = pattern.match(text, position)
                    if match is not None:
                        break
                else:
                    raise ValueError("no terminal matches here")
                value, kind = match.group(), match.lastgroup
                start_line, start_column, start_position = line, position - line_start + 1, position
                if kind in multiline:
                    breaks = value.count("\n")
                    if breaks:
                        line += breaks
                        line_start = position + value.rindex("\n") + 1
                position += len(value)
                if kind in ignored:
                    continue
                token = new_token(
                    kind, value, start_position, start_line, start_column, line, position - line_start + 1, position
                )
                if kind in retype:
                    token = retype[kind](token)
                if token.type in keyword_types and _WORD.match(text, position):
                    word = text[start_position : _WORD.match(text, position).end()]  # type: ignore[union-attr]
                    expected = sorted(name for name in tables.actions[state] if name in keyword_types)
                    raise SplitWord(word, start_line, start_column, expected)
                return token, token.type
            return None, END
        finally:
            cursor.update(position=position, line=line, line_start=line_start)

    return next_token


_WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- the LALR loop


def parse(
    tables: Tables,
    reducers: list[Any],
    builder: Any,
    start: str,
    next_token: NextToken,
    *,
    boundary: str | None = None,
    trace: list[int] | None = None,
    scoped_braces: bool = True,
) -> Any:
    """Run the LALR tables from ``start``; each reduction calls ``reducers[rule](builder, symbols)``.

    Returns what the start rule reduced to. With ``boundary`` (the rule that collects top-level statements),
    stops before that rule's first reduction and returns the one statement read. ``trace`` receives the
    actions taken: -1 for a shift, the rule index for a reduction. A token without an action raises KeyError.
    ``scoped_braces`` counts BIRD's stack as 2.0.11 and later do (a brace opens a scope); BIRD's stack
    overflowing raises :class:`StackOverflow`.
    """
    extra_entries = _BIRD_EXTRA_ENTRIES if scoped_braces else _BIRD_EXTRA_ENTRIES_UNSCOPED
    actions, gotos, rules = tables.actions, tables.gotos, tables.rules
    state, end_state = tables.starts[start]
    state_stack = [state]
    value_stack: list[Any] = []
    # stack positions of open braces and filters: BIRD's grammar holds one more entry for each of them
    braces: list[int] = []
    # without scoped braces: stack positions of every open brace (only the outermost is in ``braces``)
    blocks: list[int] = []
    while True:
        token, token_type = next_token(state_stack[-1])
        while True:
            step = actions[state_stack[-1]][token_type]
            if step >= 0:
                if len(state_stack) + len(braces) + _BIRD_STACK_BASE >= MAX_STACK_DEPTH:
                    raise StackOverflow(token)
                if token_type in extra_entries:
                    braces += [len(value_stack)] * extra_entries[token_type]
                elif token_type == "LBRACE":
                    if not blocks:
                        braces.append(len(value_stack))
                    blocks.append(len(value_stack))
                state_stack.append(step)
                value_stack.append(token)
                if trace is not None:
                    trace.append(-1)
                break
            size, origin, passes_through = rules[~step]
            if origin == boundary:
                return value_stack[0]
            if trace is not None:
                trace.append(~step)
            if passes_through:  # ``?rule: other``: the value stays, only the state changes
                del state_stack[-1]
                state = gotos[state_stack[-1]][origin]
                state_stack.append(state)
            else:
                if size:
                    symbols = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                    while braces and braces[-1] >= len(value_stack):
                        del braces[-1]
                    while blocks and blocks[-1] >= len(value_stack):
                        del blocks[-1]
                else:
                    symbols = []
                state = gotos[state_stack[-1]][origin]
                state_stack.append(state)
                value_stack.append(reducers[~step](builder, symbols))
            if token_type == END and state == end_state:
                return value_stack[-1]


# ---------------------------------------------------------------- reductions (Lark's tree-builder rules)

#: the source extent a reduction covers, or None when it covers no token
Pos = Span | None


class Built:
    """A value on the parser's stack with the extent of the text it was reduced from.

    For a rule Lark inlines (``_name``, ``x*``), ``value`` is the list of its kept children.
    """

    __slots__ = ("pos", "value")

    def __init__(self, value: Any, pos: Pos) -> None:
        self.value = value
        self.pos = pos


def _extent(path: str | None, symbols: list[Any]) -> Pos:
    """From the start of the first positioned symbol to the end of the last (Lark's propagate_positions)."""
    for first in symbols:
        if first.__class__ is Built:
            first = first.pos
        if first is None:
            continue
        for last in reversed(symbols):
            if last.__class__ is Built:
                last = last.pos
            if last is not None:
                return tuple.__new__(Span, (path, first.line, first.column, last.end_line, last.end_column))
    return None


def _selector(shape: RuleShape, size: int) -> Any:
    """A function from a rule's matched symbols to the children its builder sees (placeholders included)."""
    keep, trailing_none = shape.keep, shape.trailing_placeholders
    if trailing_none or any(splice or nones for _, splice, nones in keep):

        def select(symbols: list[Any]) -> list[Any]:
            children: list[Any] = []
            for index, splice, nones in keep:
                if nones:
                    children += [None] * nones
                if splice:
                    children += symbols[index].value
                else:
                    children.append(symbols[index])
            if trailing_none:
                children += [None] * trailing_none
            return children

        return select
    indices = tuple(index for index, _, _ in keep)
    if indices == tuple(range(size)):
        return None
    return lambda symbols: [symbols[index] for index in indices]


def _first_symbol(builder: Any, symbols: list[Any]) -> Any:
    return symbols[0]


def builder_method(builder_class: type, shape: RuleShape) -> Any:
    """The method of ``builder_class`` named after the rule (or its alias); missing ones raise when called."""
    name = shape.method
    method = getattr(builder_class, name, None)
    if method is None:

        def method(builder: Any, pos: Pos, children: list[Any]) -> Any:
            raise AttributeError(f"no AST builder for grammar rule {name!r}")

    return method


@lru_cache(maxsize=8)
def reducers(tables: Tables, builder_class: type) -> list[Any]:
    """One reduce callback per rule: select the children as Lark's tree builder would, then call the
    builder method named after the rule with the extent and the children's values."""
    return [
        _first_symbol if passes_through else _reducer(shape, size, builder_method(builder_class, shape))
        for shape, (size, _, passes_through) in zip(tables.shapes, tables.rules, strict=True)
    ]


def _reducer(shape: RuleShape, size: int, method: Any) -> Any:
    expand_single, inlined = shape.expand_single, shape.inlined
    select = _selector(shape, size)

    def reduce(builder: Any, symbols: list[Any]) -> Any:
        pos = _extent(builder.path, symbols)
        children = symbols if select is None else select(symbols)
        if expand_single and len(children) == 1:
            single = children[0]
            if single.__class__ is Built:
                return Built(single.value, single.pos if pos is None else pos)
            return single
        if inlined:
            return Built(children, pos)
        return Built(
            method(builder, pos, [child.value if child.__class__ is Built else child for child in children]), pos
        )

    return reduce


# ---------------------------------------------------------------- statements replayed

#: compiled statement shapes kept per first signature (more would slow the lookup down)
MAX_SHAPES_PER_START = 8

#: a compiled statement: (builder, cuts, lines, index of its first token) -> its value on the parser's stack
Replay = Callable[[Any, list[Cut], list[int], int], Any]

#: the tokens a value covers at compile time: (first token number, last token number), or None for none
TokenRange = tuple[int, int] | None


class Shifted(NamedTuple):
    """While compiling a trace: token ``number`` of the statement, as shifted."""

    number: int


class Variable(NamedTuple):
    """While compiling a trace: a builder method's result, held in the generated code's variable ``name``."""

    name: str
    tokens: TokenRange


class Constant(NamedTuple):
    """While compiling a trace: a value computed at compile time (a rule over keywords alone)."""

    value: Any
    tokens: TokenRange


class Spliced(NamedTuple):
    """While compiling a trace: the children of an inlined rule, to go into the parent's."""

    items: list[TraceValue]
    tokens: TokenRange


class Placeholder(NamedTuple):
    """While compiling a trace: ``None`` for an optional part not matched."""


#: what the parser's value stack holds at one point of a trace
TraceValue = Shifted | Variable | Constant | Spliced | Placeholder

_PLACEHOLDER = Placeholder()


def parse_statements(
    tables: Tables, builder_class: type, builder: Any, lexed: Lexed, start: str, *, scoped_braces: bool = True
) -> Any:
    """Parse ``lexed`` from ``start`` one top-level statement at a time (``scoped_braces``: see :func:`parse`).

    The LALR actions for a statement depend only on its tokens' signatures and the one token after it, so
    a statement whose signatures (lookahead included) equal an earlier one's takes the same actions. From
    the second sighting on, those actions run as compiled code (:func:`compile_trace`) that calls the same
    builder methods on this statement's tokens, skipping the table lookups and the parser's stacks.
    """
    reduce = reducers(tables, builder_class)
    boundary = tables.statement_lists[start]
    feed = TokenFeed(lexed, tables)
    cuts, lines, signatures = lexed.cuts, lexed.lines, lexed.signatures
    seen: dict[tuple[str, ...], list[int]] = {}
    shapes: dict[str, list[tuple[int, tuple[str, ...], Replay]]] = {}
    statements: list[Any] = []
    index = 0
    while lexed.reach(index):
        for length, key, replay in shapes.get(signatures[index], ()):
            lexed.reach(index + length)
            if tuple(signatures[index : index + length + 1]) == key:
                statements.append(replay(builder, cuts, lines, index))
                index += length
                break
        else:
            feed.position = index
            trace: list[int] = []
            statements.append(
                parse(tables, reduce, builder, start, feed, boundary=boundary, trace=trace, scoped_braces=scoped_braces)
            )
            end = feed.lookahead
            key = tuple(signatures[index : end + 1])
            if key not in seen:
                seen[key] = trace
            elif len(known := shapes.setdefault(signatures[index], [])) < MAX_SHAPES_PER_START:
                compiled = compile_trace(trace, key, tables, builder_class)
                if compiled is not None:
                    known.append((end - index, key, compiled))
            index = end
    return _statement_list(tables, reduce, builder, start, statements)


def _statement_list(tables: Tables, reduce: list[Any], builder: Any, start: str, statements: list[Any]) -> Any:
    """What the start rule reduces to over ``statements`` (its inlined list rule collects them in order)."""
    for rule, (size, origin, _) in enumerate(tables.rules):
        if origin == start and size == (1 if statements else 0):
            symbols = [Built(statements, _extent(builder.path, statements))] if statements else []
            return reduce[rule](builder, symbols)
    raise AssertionError(f"no rule reduces {start!r}")


def compile_trace(trace: list[int], key: tuple[str, ...], tables: Tables, builder_class: type) -> Replay | None:
    """Python code doing what the parser did for one statement (``trace`` from :func:`parse`), on any
    statement with the same signatures ``key``. None when the trace holds something this cannot express.

    A rule in ``builder_class.TEXT_RULES`` over keywords (whose text the signature fixes) is computed here,
    once, instead of on every statement.
    """
    keyword_texts = set().union(*tables.keywords.values())
    text_rules: frozenset[str] = getattr(builder_class, "TEXT_RULES", frozenset())
    methods: list[Any] = []
    code: list[str] = []
    spans: dict[tuple[int, int], str] = {}

    def span_code(pos: TokenRange) -> str:
        """A variable holding the span from token ``first`` to token ``last``, made once."""
        if pos is None:
            return "None"
        if pos not in spans:
            first, last = pos
            spans[pos] = f"s{first}_{last}"
            code.append(f"    s{first}_{last} = new(S, (P, l{first}, c{first}[2], l{last}, c{last}[3]))")
        return spans[pos]

    stack: list[TraceValue] = []
    shifted = 0
    for op in trace:
        if op < 0:
            stack.append(Shifted(shifted))
            shifted += 1
            continue
        size, _, passes_through = tables.rules[op]
        if passes_through:
            continue
        symbols = stack[len(stack) - size :]
        del stack[len(stack) - size :]
        shape = tables.shapes[op]
        pos = _static_extent(symbols)
        children: list[TraceValue] = []
        for index, splice, nones in shape.keep:
            children += [_PLACEHOLDER] * nones
            symbol = symbols[index]
            if splice:
                assert isinstance(symbol, Spliced)
                children += symbol.items
            else:
                children.append(symbol)
        children += [_PLACEHOLDER] * shape.trailing_placeholders
        if shape.expand_single and len(children) == 1:
            single = children[0]
            if isinstance(single, (Variable, Constant, Spliced)) and pos is not None:
                single = single._replace(tokens=pos)
            stack.append(single)
        elif shape.inlined:
            stack.append(Spliced(children, pos))
        elif shape.method in text_rules and all(
            isinstance(child, (Placeholder, Constant))
            or (isinstance(child, Shifted) and key[child.number] in keyword_texts)
            for child in children
        ):
            words = [_compile_time_word(child, key) for child in children]
            stack.append(Constant(builder_method(builder_class, shape)(None, None, words), pos))
        else:
            if any(isinstance(child, Spliced) for child in children):
                return None
            variable = f"v{len(code)}"
            arguments = ", ".join(_value_code(child) for child in children)
            span = span_code(pos)
            code.append(f"    {variable} = M[{len(methods)}](B, {span}, [{arguments}])")
            methods.append(builder_method(builder_class, shape))
            stack.append(Variable(variable, pos))
    if len(stack) != 1 or shifted == 0:
        return None
    result = _stack_code(stack[0], span_code)
    body = "\n".join([*code, f"    return {result}"])
    source = "\n".join(
        [
            "def replay(B, C, L, i):",
            f"    {''.join(f'c{n}, ' for n in range(shifted))}= C[i : i + {shifted}]",
            f"    {''.join(f'l{n}, ' for n in range(shifted))}= L[i : i + {shifted}]",
            *(  # tokens the builder methods receive
                f"    t{n} = new(Token, (c{n}[0], c{n}[1], l{n}, c{n}[2], c{n}[3]))"
                for n in range(shifted)
                if re.search(rf"\bt{n}\b", body)
            ),
            "    P = B.path",
            body,
        ]
    )
    # the source holds numbers, variable names and grammar keywords, never text taken from a config
    namespace: dict[str, Any] = {"M": methods, "Built": Built, "S": Span, "Token": Token, "new": tuple.__new__}
    exec(compile(source, "<birdkit statement replay>", "exec"), namespace)
    return namespace["replay"]  # type: ignore[no-any-return]


def _static_extent(symbols: list[TraceValue]) -> TokenRange:
    """:func:`_extent` at compile time: the numbers of the first and last tokens the symbols cover."""
    ranges = [_tokens(entry) for entry in symbols]
    covered = [tokens for tokens in ranges if tokens is not None]
    return (covered[0][0], covered[-1][1]) if covered else None


def _tokens(entry: TraceValue) -> TokenRange:
    if isinstance(entry, Shifted):
        return (entry.number, entry.number)
    if isinstance(entry, Placeholder):
        return None
    return entry.tokens


def _compile_time_word(entry: TraceValue, key: tuple[str, ...]) -> Any:
    """A text rule's child known at compile time: a keyword token (its text fixed by the signature), a
    constant, or a placeholder."""
    if isinstance(entry, Shifted):
        return _text_token(key[entry.number])
    return entry.value if isinstance(entry, Constant) else None


def _text_token(text: str) -> Token:
    return tuple.__new__(Token, (text, text, 0, 0, 0))


def _value_code(entry: TraceValue) -> str:
    """A builder argument: a token, a built value, or a placeholder."""
    if isinstance(entry, Shifted):
        return f"t{entry.number}"
    if isinstance(entry, Variable):
        return entry.name
    if isinstance(entry, Constant):
        return repr(entry.value)
    return "None"


def _stack_code(entry: TraceValue, span_code: Callable[[TokenRange], str]) -> str:
    """A value as the parser's stack holds it (built values keep their extent)."""
    if isinstance(entry, (Variable, Constant)):
        return f"Built({_value_code(entry)}, {span_code(entry.tokens)})"
    if isinstance(entry, Spliced):
        items = ", ".join(_stack_code(item, span_code) for item in entry.items)
        return f"Built([{items}], {span_code(entry.tokens)})"
    return _value_code(entry)
