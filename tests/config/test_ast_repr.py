"""Nodes share one ``__repr__`` (attrs' format, spans left out) instead of one generated per class."""

from __future__ import annotations

from birdkit.config import ast
from birdkit.span import Span


def test_repr_shows_fields_in_order_and_leaves_out_the_span() -> None:
    node = ast.Binary("=", ast.Symbol("source", span=Span("x", 1, 1)), ast.Num("1"), span=Span("x", 1, 1))
    assert repr(node) == "Binary(op='=', left=Symbol(name='source'), right=Num(text='1'))"


def test_repr_of_a_statement_includes_its_trivia() -> None:
    node = ast.Include("a.conf", blank_line_before=True)
    assert repr(node) == "Include(comments_before=(), trailing_comment=None, blank_line_before=True, path='a.conf')"
