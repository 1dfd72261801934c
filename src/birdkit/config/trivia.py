"""Comments and blank lines of a BIRD config: found in the text, then attached to AST statements."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

import attrs

from birdkit.config import ast
from birdkit.errors import BirdSyntaxError
from birdkit.span import Span

_INTERESTING = re.compile(r'"[^"\n]*"?|#[^\n]*|/\*')

#: container field of each node class that holds statements, and whether the class has ``comments_end``
_CONTAINER_FIELDS: dict[type, str] = {
    ast.Config: "statements",
    ast.Protocol: "items",
    ast.Channel: "items",
    ast.OptionBlock: "items",
    ast.Table: "options",
    ast.Block: "statements",
    ast.Case: "arms",
    ast.CaseArm: "statements",
}

Position = tuple[int, int]


def scan_comments(text: str, path: str | None) -> list[ast.Comment]:
    """Every ``#`` and ``/* */`` comment outside strings, with spans; rejects nested or open block comments."""
    if "#" not in text and "/*" not in text:
        return []
    line_starts: list[int] = []  # offsets where lines start, found on the first comment

    def span_at(offset: int, end: int) -> Span:
        if not line_starts:
            line_starts.extend([0, *(match.end() for match in re.finditer("\n", text))])
        line = bisect.bisect_right(line_starts, offset)
        end_line = bisect.bisect_right(line_starts, end)
        return Span(path, line, offset - line_starts[line - 1] + 1, end_line, end - line_starts[end_line - 1] + 1)

    def source_line(offset: int) -> str:
        return text[text.rfind("\n", 0, offset) + 1 :].split("\n", 1)[0]

    comments: list[ast.Comment] = []
    position = 0
    while (match := _INTERESTING.search(text, position)) is not None:
        token = match.group()
        if token.startswith('"'):
            position = match.end()
            continue
        if token.startswith("#"):
            comments.append(ast.Comment(token.rstrip("\r"), span=span_at(match.start(), match.end())))
            position = match.end()
            continue
        close = text.find("*/", match.end())
        if close < 0:
            raise BirdSyntaxError(
                "unterminated block comment",
                span=span_at(match.start(), match.start()),
                source_line=source_line(match.start()),
                hint="close it with '*/'",
            )
        nested = text.find("/*", match.end(), close)
        if nested >= 0:
            raise BirdSyntaxError(
                "comment nesting not supported",
                span=span_at(nested, nested),
                source_line=source_line(nested),
                hint="BIRD block comments cannot contain '/*'",
            )
        comments.append(ast.Comment(text[match.start() : close + 2], span=span_at(match.start(), close + 2)))
        position = close + 2
    return comments


def with_blank_lines(items: tuple[Any, ...], lines: list[str]) -> tuple[Any, ...]:
    """Mark statements separated from the previous sibling by at least one empty line."""
    result = list(items)
    for index in range(1, len(result)):
        previous, current = result[index - 1].span, result[index].span
        if previous is None or current is None or previous.end_line is None or previous.end_line >= current.line - 1:
            continue
        if any(not line.strip() for line in lines[previous.end_line : current.line - 1]):
            result[index] = attrs.evolve(result[index], blank_line_before=True)
    return tuple(result)


def attach_trivia(node: Any, comments: list[ast.Comment], lines: list[str]) -> Any:
    """Return ``node`` with every comment attached as trivia to the statement it belongs to."""
    if not comments:
        return node
    attached, leftovers = _distribute(node, sorted(comments, key=_start))
    if leftovers and hasattr(attached, "comments_end"):
        attached = attrs.evolve(attached, comments_end=(*attached.comments_end, *leftovers))
    return attached


def _start(node: Any) -> Position:
    span = node.span
    return (span.line, span.column) if span is not None else (0, 0)


def _contains(span: Span | None, position: Position) -> bool:
    if span is None or span.end_line is None or span.end_column is None:
        return False
    return (span.line, span.column) <= position < (span.end_line, span.end_column)


#: the fields of each node class that can hold child nodes (filled on first use)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: Any) -> list[tuple[str, int | None, Any]]:
    fields = _CHILD_FIELDS.get(node.__class__)
    if fields is None:
        fields = _CHILD_FIELDS[node.__class__] = ast.node_fields(node.__class__)
    found: list[tuple[str, int | None, Any]] = []
    for name in fields:
        value = getattr(node, name)
        if value.__class__ is tuple:
            found.extend((name, index, item) for index, item in enumerate(value))
        elif value is not None:
            found.append((name, None, value))
    return found


def _owner_finder(children: list[Any]) -> Callable[[Position], int | None]:
    """A function giving the index of the first child whose span holds a position (None: no child does).

    Siblings normally cover disjoint text, so a binary search over their starts finds the one candidate;
    when spans overlap, every child is tried in order.
    """
    spans = sorted(
        ((child.span.line, child.span.column), (child.span.end_line, child.span.end_column), number)
        for number, child in enumerate(children)
        if _contains(child.span, (child.span.line, child.span.column))
    )
    if any(spans[index][0] < spans[index - 1][1] for index in range(1, len(spans))):
        return lambda position: next(
            (number for number, child in enumerate(children) if _contains(child.span, position)), None
        )
    starts = [start for start, _, _ in spans]

    def find(position: Position) -> int | None:
        index = bisect.bisect_right(starts, position) - 1
        if index >= 0 and position < spans[index][1]:
            return spans[index][2]
        return None

    return find


def _distribute(node: Any, comments: list[ast.Comment]) -> tuple[Any, list[ast.Comment]]:
    if not comments:
        return node, []
    children = _children(node)
    owned: dict[int, list[ast.Comment]] = {}
    loose: list[ast.Comment] = []
    owner = _owner_finder([child for _, _, child in children])
    for comment in comments:
        number = owner(_start(comment))
        if number is None:
            loose.append(comment)
        else:
            owned.setdefault(number, []).append(comment)
    changes: dict[str, Any] = {}
    changed_items: dict[str, list[Any]] = {}
    for number, child_comments in owned.items():
        name, index, child = children[number]
        new_child, leftovers = _distribute(child, child_comments)
        loose.extend(leftovers)
        if index is None:
            changes[name] = new_child
        else:
            if name not in changed_items:
                changed_items[name] = list(getattr(node, name))
            changed_items[name][index] = new_child
    changes.update((name, tuple(items)) for name, items in changed_items.items())
    if changes:
        node = attrs.evolve(node, **changes)
    if not loose:
        return node, []
    loose.sort(key=_start)
    container = _CONTAINER_FIELDS.get(type(node))
    if container is not None:
        return _into_container(node, container, loose)
    if isinstance(node, ast.Statement):
        return attrs.evolve(node, comments_before=(*loose, *node.comments_before)), []
    return node, loose


def _into_container(node: Any, field: str, loose: list[ast.Comment]) -> tuple[Any, list[ast.Comment]]:
    items = list(getattr(node, field) or ())
    starts = [_start(item) for item in items]
    end: list[ast.Comment] = []
    for comment in loose:
        position = _start(comment)
        index = bisect.bisect_right(starts, position)
        previous = items[index - 1] if index > 0 else None
        if (
            previous is not None
            and previous.span is not None
            and previous.span.end_line == position[0]
            and previous.trailing_comment is None
        ):
            items[index - 1] = _with_trailing(previous, comment)
        elif index < len(items):
            items[index] = attrs.evolve(items[index], comments_before=(*items[index].comments_before, comment))
        else:
            end.append(comment)
    changes: dict[str, Any] = {}
    if getattr(node, field) is not None:
        changes[field] = tuple(items)
    leftovers: list[ast.Comment] = []
    if end and hasattr(node, "comments_end"):
        changes["comments_end"] = (*node.comments_end, *end)
    else:
        leftovers = end
    node = attrs.evolve(node, **changes) if changes else node
    if leftovers and isinstance(node, ast.Statement):
        return attrs.evolve(node, comments_before=(*node.comments_before, *leftovers)), []
    return node, leftovers


def _with_trailing(statement: Any, comment: ast.Comment) -> Any:
    """A case arm has no brace of its own: a comment after it belongs to its last statement."""
    if isinstance(statement, ast.CaseArm) and statement.statements:
        last = statement.statements[-1]
        if last.span is not None and last.span.end_line == _start(comment)[0] and last.trailing_comment is None:
            return attrs.evolve(statement, statements=(*statement.statements[:-1], _with_trailing(last, comment)))
    return attrs.evolve(statement, trailing_comment=comment)
