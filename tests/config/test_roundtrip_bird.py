"""Generated configs, formatted, must be accepted by real BIRD (the version drawn for and the newest) and round-trip."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix
from birdkit.testing import accepted

pytestmark = [pytest.mark.matrix, pytest.mark.filterwarnings("ignore:Generating overly large repr")]


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(TARGET_VERSIONS).flatmap(lambda target: st.tuples(st.just(target), accepted.configs(target))))
def test_generated_configs_pass_bird_p(bird_matrix: BirdMatrix, drawn: tuple[str, ast.Config]) -> None:
    target, config = drawn
    text = format_config(config)
    assert parse_config(text) == config
    for version in (target, TARGET_VERSIONS[-1]):
        result = bird_matrix.get(version).check(text)
        assert result.ok, f"BIRD {version} rejects the generated config: {result.message} (line {result.line})\n{text}"


def test_bird_rejects_what_the_strategies_avoid(bird_matrix: BirdMatrix) -> None:
    """The guard rails of bird_configs() are real: BIRD refuses configs that break them."""
    undefined_filter = "router id 1.1.1.1;\nprotocol device {}\nprotocol kernel { ipv4 { export filter f_x; }; }\n"
    ebgp_without_policy = "router id 1.1.1.1;\nprotocol bgp p_x { local as 1; neighbor 192.0.2.1 as 2; ipv4; }\n"
    for version in TARGET_VERSIONS:
        runtime = bird_matrix.get(version)
        assert not runtime.check(undefined_filter).ok
        assert not runtime.check(ebgp_without_policy).ok
