"""The public strategies: deterministic under a seed, narrowed by their keywords, and drawing only what BIRD
accepts (configs, through real ``bird -p``) or prints (birdc replies, through birdkit's parsers)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.config.versions import parse_target
from birdkit.gen.peermap import peermap_from_data
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix
from birdkit.show.parse import parse_protocols, parse_routes, parse_status
from birdkit.show.stream import iter_routes
from birdkit.testing import (
    ProtocolOutput,
    RouteOutput,
    StatusOutput,
    configs,
    expressions,
    filters,
    peermaps,
    protocol_outputs,
    route_outputs,
    routes,
    status_outputs,
    syntax,
)

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

#: every public strategy, with narrowing keywords exercised
PUBLIC: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "configs": configs,
    "configs 3.1.8 text": lambda: configs(target="3.1.8", as_text=True),
    "configs bgp only": lambda: configs(protocols={"bgp"}, with_filters=False),
    "filters": filters,
    "expressions int": lambda: expressions(kind="int"),
    "peermaps": peermaps,
    "peermaps narrowed": lambda: peermaps(topology="peers", nodes=3, ipv6="only"),
    "routes": routes,
    "routes 3 no bgp": lambda: routes(version="3", bgp=False, kinds=("roa", "flow")),
    "route_outputs": route_outputs,
    "protocol_outputs": protocol_outputs,
    "status_outputs": status_outputs,
    "syntax configs": syntax.configs,
}


def _draws(strategy: st.SearchStrategy[Any], seed_value: int, count: int = 15) -> list[Any]:
    drawn: list[Any] = []

    @seed(seed_value)
    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_strategy_is_deterministic_under_the_seed(name: str) -> None:
    first = _draws(PUBLIC[name](), 20261204)
    assert len(first) == 15
    assert _draws(PUBLIC[name](), 20261204) == first
    assert _draws(PUBLIC[name](), 7) != first, "another seed must draw other values"


def _protocol_types(config: ast.Config) -> list[str]:
    return [s.proto_type for s in config.statements if isinstance(s, ast.Protocol) and not s.is_template]


def _nodes(node: Any) -> list[Any]:
    found = [node]
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, ast.Node):
                found += _nodes(child)
    return found


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(configs(protocols={"bgp", "static"}, with_filters=False))
def test_configs_hold_exactly_the_protocols_asked_for_and_no_filters(config: ast.Config) -> None:
    assert set(_protocol_types(config)) == {"bgp", "static"}
    kinds = {type(node) for node in _nodes(config)}
    assert not kinds & {ast.FilterDef, ast.FunctionDef, ast.PolicyWhere, ast.PolicyFilterName}


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(configs(target="3.1.8", as_text=True))
def test_config_text_is_the_formatted_ast(text: str) -> None:
    assert format_config(parse_config(text)) == text


def test_newer_targets_draw_more() -> None:
    """Declarations in bodies (2.0.11+), return types (2.14+) and bitwise operators (3.x) appear only when the
    target has them."""

    def features(target: str) -> set[str]:
        seen: set[str] = set()
        for config in _draws(configs(target=target), 1, count=40):
            for node in _nodes(config):
                if isinstance(node, ast.Block) and any(isinstance(s, ast.VarDecl) for s in node.statements):
                    seen.add("declaration in body")
                if isinstance(node, ast.FunctionDef) and node.return_type is not None:
                    seen.add("return type")
                if isinstance(node, ast.Binary) and node.op in ("&", "|"):
                    seen.add("bitwise")
        return seen

    assert features("2.0.7") == set()
    assert features("2.0.12") == {"declaration in body"}
    assert features("2.17.6") == {"declaration in body", "return type"}
    assert features("3.1.8") == {"declaration in body", "return type", "bitwise"}


@pytest.mark.parametrize(
    "call",
    [
        lambda: configs(protocols={"ospf"}),
        lambda: configs(protocols=()),
        lambda: routes(version="4"),  # type: ignore[arg-type]
        lambda: routes(kinds=("evpn",)),
        lambda: peermaps(topology="star"),
        lambda: peermaps(nodes=0),
        lambda: peermaps(ipv6="yes"),  # type: ignore[arg-type]
    ],
)
def test_bad_narrowing_keywords_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        call()


@settings(max_examples=80)
@given(peermaps(topology="route-reflectors", nodes=(2, 4), ipv6=False))
def test_peermaps_follow_their_keywords(data: dict[str, Any]) -> None:
    peermap_from_data(data)
    assert data["topology"]["type"] == "route-reflectors"
    assert 2 <= len(data["nodes"]) <= 4
    for node in data["nodes"]:
        assert ipaddress.ip_interface(node["address"]).version == 4
        assert "address6" not in node


@settings(max_examples=80)
@given(routes(version="2", bgp=False, kinds=("vpn",)))
def test_routes_follow_their_keywords(listing: list[Any]) -> None:
    for route in listing:
        assert route.bgp is None
        assert not any(name.startswith("BGP.") for name, _ in route.other_attributes)
        distinguisher, network = route.prefix.split(" ")
        assert ":" in distinguisher and ipaddress.ip_network(network)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route_outputs())
def test_route_outputs_parse_to_their_routes_with_both_parsers(output: RouteOutput) -> None:
    assert parse_routes(output.text) == list(output.routes)
    assert list(iter_routes(output.text.splitlines())) == list(output.routes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocol_outputs())
def test_protocol_outputs_parse_to_their_protocols(output: ProtocolOutput) -> None:
    assert parse_protocols(output.text) == list(output.protocols)


@settings(max_examples=200, deadline=None)
@given(status_outputs())
def test_status_outputs_parse_to_their_status(output: StatusOutput) -> None:
    assert parse_status(output.text) == output.status


# ---------------------------------------------------------------- real BIRD

#: examples drawn per target; every SAMPLE-th goes through `bird -p` on the target and each newer version
EXAMPLES = 500
SAMPLE = 20


def _newer_or_equal(target: str) -> list[str]:
    return [version for version in TARGET_VERSIONS if parse_target(version) >= parse_target(target)]


def _check_sample(bird_matrix: BirdMatrix, target: str, texts: list[str]) -> int:
    checked = 0
    for text in texts[::SAMPLE]:
        for version in _newer_or_equal(target):
            result = bird_matrix.get(version).check(text)
            assert result.ok, f"BIRD {version} rejects a config drawn for {target}: {result.message} " \
                              f"(line {result.line})\n{text}"
            checked += 1
    return checked


@pytest.mark.slow
@pytest.mark.matrix
@pytest.mark.parametrize("target", TARGET_VERSIONS)
def test_drawn_configs_pass_bird_p_on_every_version_they_target(bird_matrix: BirdMatrix, target: str) -> None:
    texts = _draws(configs(target=target, as_text=True), 1204, count=EXAMPLES)
    assert len(texts) == EXAMPLES
    assert _check_sample(bird_matrix, target, texts) == (EXAMPLES // SAMPLE) * len(_newer_or_equal(target))


def _in_config(body: str) -> str:
    return f"router id 198.18.0.1;\nprotocol device {{}}\n{body}"


@pytest.mark.matrix
@pytest.mark.parametrize("target", TARGET_VERSIONS)
def test_drawn_filters_and_expressions_pass_bird_p(bird_matrix: BirdMatrix, target: str) -> None:
    texts = [_in_config(format_config(ast.Config((f,)))) for f in _draws(filters(target), 3, count=100)]
    conditions = _draws(expressions(target), 4, count=100)
    amounts = _draws(expressions(target, kind="int"), 5, count=100)
    texts += [
        _in_config(format_config(ast.Config((ast.FilterDef("f_x", (), ast.Block((
            ast.If(condition, ast.Accept()), ast.Assign("bgp_local_pref", amount), ast.Reject()
        ))),))))
        for condition, amount in zip(conditions, amounts, strict=True)
    ]
    assert _check_sample(bird_matrix, target, texts) == (200 // SAMPLE) * len(_newer_or_equal(target))
