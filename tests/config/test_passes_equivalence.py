"""The tables the post-parse passes walk by (child fields, fast paths) against the AST classes they describe."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.ast import node_fields
from birdkit.config.parse import parse_config
from birdkit.config.symbols import EXPR_PARTS as _EXPR_PARTS
from birdkit.config.versions import _PLAIN_IPV4
from birdkit.errors import BirdSyntaxError
from birdkit.testing import accepted, syntax

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "config"

NODE_CLASSES = sorted(
    (cls for cls in vars(ast).values() if isinstance(cls, type) and attrs.has(cls) and issubclass(cls, ast.Node)),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize(
    ("node_type", "expected"),
    [
        # read off the class definitions in ast.py: trivia, spans and plain values are not children
        (ast.Comment, ()),
        (ast.Num, ()),
        (ast.Protocol, ("items",)),
        (ast.Option, ("words", "block")),
        (ast.BgpEndpoint, ("address", "port", "asn", "extra")),
        (ast.StaticRoute, ("net", "next_hops", "recursive_to", "mpls_label", "attributes", "recursive_labels")),
        (ast.FunctionDef, ("params", "return_type", "local_vars", "body")),
        (ast.MethodCall, ("target", "args")),
        (ast.Config, ("statements",)),
    ],
)
def test_node_fields_of_known_classes(node_type: type, expected: tuple[str, ...]) -> None:
    assert node_fields(node_type) == expected


@pytest.mark.parametrize("node_type", NODE_CLASSES, ids=lambda cls: cls.__name__)
def test_node_fields_are_fields_in_order(node_type: type) -> None:
    names = [field.name for field in attrs.fields(node_type)]
    found = node_fields(node_type)
    assert [name for name in names if name in found] == list(found)
    assert not {"span", "comments_before", "trailing_comment", "comments_end"} & set(found)


def _children_missed(node: Any) -> list[str]:
    """Every field of every node below ``node`` that holds a non-comment node but is not in node_fields."""
    missed: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        listed = node_fields(type(current))
        for field in attrs.fields(type(current)):
            value = getattr(current, field.name)
            values = value if isinstance(value, tuple) else (value,)
            children = [v for v in values if isinstance(v, ast.Node) and not isinstance(v, ast.Comment)]
            if children and field.name not in listed:
                missed.append(f"{type(current).__name__}.{field.name}")
            stack.extend(children)
    return missed


@settings(max_examples=60)
@given(st.one_of(syntax.configs(), accepted.configs()))
def test_node_fields_find_every_child_of_generated_configs(config: ast.Config) -> None:
    assert _children_missed(config) == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.conf")), ids=lambda path: path.name)
def test_node_fields_find_every_child_of_fixtures(path: Path) -> None:
    assert _children_missed(parse_config(path.read_text(), path)) == []


@pytest.mark.parametrize("node_type", list(_EXPR_PARTS), ids=lambda cls: cls.__name__)
def test_expression_parts_are_child_fields(node_type: type) -> None:
    assert set(_EXPR_PARTS[node_type]) <= set(node_fields(node_type))


_OCTETS = st.one_of(st.integers(0, 300).map(str), st.from_regex(r"0[0-9]{1,2}", fullmatch=True), st.just(""))


@settings(max_examples=300)
@given(st.lists(_OCTETS, min_size=3, max_size=5).map(".".join))
def test_plain_ipv4_fast_path_only_takes_what_ipaddress_accepts(text: str) -> None:
    if _PLAIN_IPV4.match(text):
        ipaddress.IPv4Address(text)


@settings(max_examples=100)
@given(st.ip_addresses(v=4))
def test_plain_ipv4_fast_path_takes_every_canonical_address(address: ipaddress.IPv4Address) -> None:
    assert _PLAIN_IPV4.match(str(address))


def _gate_error(text: str, target: str) -> str | None:
    try:
        parse_config(text, "t.conf", target=target)
    except BirdSyntaxError as error:
        return str(error).splitlines()[0]
    return None


def test_gates_report_the_first_error_in_source_order_not_the_shallowest() -> None:
    deep_first = "protocol static { ipv4; route 10.0.0.1/8 blackhole; }\ndefine big = 4294967296;\n"
    assert _gate_error(deep_first, "2.0.12") == (
        "t.conf:1:31: invalid IPv4 prefix 10.0.0.1/8, maybe you wanted 10.0.0.0/8"
    )
    shallow_first = "define big = 4294967296;\nprotocol static { ipv4; route 10.0.0.1/8 blackhole; }\n"
    assert _gate_error(shallow_first, "2.0.12") == "t.conf:1:14: number out of range"


def test_true_in_a_flow_route_is_a_word_and_the_switch_rule_holds_after_it() -> None:
    flow = "protocol static { flow4; route flow4 { dst 10.0.0.0/8 { fragment true; }; }; }\n"
    switch = "protocol bgp { strict bind true; }\n"
    assert _gate_error(flow, "2.17.6") is None
    assert _gate_error(flow + switch, "2.17.6") == (
        "t.conf:2:28: true/false as a switch needs BIRD 2.18; the target is 2.17.6"
    )
