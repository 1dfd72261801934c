"""Property tests: random valid peer maps give well-formed configs; a sample passes real `bird -p`."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.apply.precheck import outside_addresses
from birdkit.config.lint import lint_fleet
from birdkit.config.parse import parse_config
from birdkit.errors import PeermapError
from birdkit.gen.peermap import peermap_from_data
from birdkit.gen.render import generate
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix
from birdkit.testing import peermaps

PASSWORD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "gen" / "password.txt"
RESERVED = {"peer", "bgp", "from", "static", "table", "ipv4", "kernel1"}
BGP_BLOCK = re.compile(r"^protocol bgp (\S+) \{\n(.*?)^\}", re.M | re.S)


def expected_peers(data: dict[str, Any]) -> dict[str, set[str]]:
    """Who each node should peer with, worked out from the topology definition itself."""
    names = [node["name"] for node in data["nodes"]]
    topology = data["topology"]
    if topology["type"] == "full-mesh":
        peers = {name: set(names) - {name} for name in names}
    elif topology["type"] == "route-reflectors":
        reflectors = set(topology["route_reflectors"])
        peers = {name: (set(names) - {name}) if name in reflectors else set(reflectors) for name in names}
    else:
        peers = {name: set() for name in names}
        for first, second in topology["peers"]:
            peers[first].add(second)
            peers[second].add(first)
    for node in data["nodes"]:
        peers[node["name"]] |= {peer["name"] for peer in node.get("extra_peers", [])}
    return peers


@settings(max_examples=150)
@given(data=peermaps(password_file=str(PASSWORD_FILE)))
def test_every_generated_config_is_well_formed(data: dict[str, Any]) -> None:
    peermap = peermap_from_data(data)
    configs = generate(peermap)
    assert configs == generate(peermap), "generation must be deterministic"
    assert list(configs) == [node["name"] for node in data["nodes"]]
    peers = expected_peers(data)
    addresses = {node["name"]: node["address"].split("/")[0] for node in data["nodes"]}
    addresses |= {p["name"]: p["address"] for node in data["nodes"] for p in node.get("extra_peers", [])}
    for node in data["nodes"]:
        text = configs[node["name"]]
        blocks = BGP_BLOCK.findall(text)
        protocols = [name for name, _ in blocks]
        assert len(protocols) == len(set(protocols)) == len(peers[node["name"]])
        for protocol in protocols:
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", protocol) and protocol not in RESERVED
        neighbors = {re.search(r"neighbor (\S+) as", body)[1] for _, body in blocks}  # type: ignore[index]
        assert neighbors == {addresses[name] for name in peers[node["name"]]}
        for cidr in node["pod_cidrs"]:
            assert f"route {ipaddress.ip_network(cidr)} blackhole;" in text
        assert text.count(" blackhole;") == len(node["pod_cidrs"])
        assert text.count("{") == text.count("}")
        if "password" in data["options"]:
            assert text.count('password "') == len(blocks) - len(node.get("extra_peers", []))


@settings(max_examples=60)
@given(data=peermaps(nodes=(1, 5)))
def test_generated_configs_parse_and_lint_clean_as_a_fleet(data: dict[str, Any]) -> None:
    peermap = peermap_from_data(data)
    configs = generate(peermap)
    parsed = [parse_config(text, path=f"{name}/bird.conf") for name, text in configs.items()]
    # extra peers (top-of-rack routers) are outside the fleet on purpose; nothing else may be reported
    assert [finding.render() for finding in lint_fleet(parsed, outside=outside_addresses(peermap))] == []


@pytest.mark.matrix
@pytest.mark.slow
def test_a_sample_is_accepted_by_bird_on_every_version(bird_matrix: BirdMatrix) -> None:
    @settings(max_examples=20)
    @given(data=peermaps(nodes=(1, 4), password_file=str(PASSWORD_FILE)))
    def accepted(data: dict[str, Any]) -> None:
        for name, text in generate(peermap_from_data(data)).items():
            for version in TARGET_VERSIONS:
                result = bird_matrix.get(version).check(text)
                assert result.ok, f"BIRD {version} rejected {name}: {result.message} (line {result.line})\n{text}"

    accepted()


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5_000_000_000), st.text(max_size=12),
                     st.sampled_from(["198.18.0.1/24", "10.0.1.0/24", "vm1", "full-mesh", "fd00::1/64", 65000]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                       max_leaves=12)
_keys = st.sampled_from(["version", "defaults", "options", "nodes", "topology", "name", "address", "pod_cidrs",
                         "asn", "type", "peers", "route_reflectors", "extra_peers", "password", "timers", "kernel"])
_shapes = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(_keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300)
@given(data=st.one_of(_values, _shapes, st.builds(lambda rest: {"version": 1, **rest},
                                                   st.dictionaries(_keys, _shapes, max_size=4))))
def test_any_input_is_either_valid_or_a_peermap_error(data: Any) -> None:
    try:
        peermap = peermap_from_data(data)
    except PeermapError as error:
        assert error.exit_code == 2
        assert str(error).startswith("<peermap>: ")
    else:
        generate(peermap)


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for key, item in value.items() for p in _leaf_paths(item, (*path, key))]
    if isinstance(value, list):
        return [path] + [p for index, item in enumerate(value) for p in _leaf_paths(item, (*path, index))]
    return [path]


@settings(max_examples=300)
@given(data=peermaps(nodes=(1, 4)), choice=st.data())
def test_one_corrupted_field_gives_a_peermap_error_or_a_valid_map(data: dict[str, Any], choice: st.DataObject) -> None:
    path = choice.draw(st.sampled_from(_leaf_paths(data)[1:]))
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = choice.draw(_scalars)
    try:
        generate(peermap_from_data(data))
    except PeermapError as error:
        assert str(error).startswith("<peermap>: ")
