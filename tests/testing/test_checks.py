"""The oracles: assert_bird_accepts runs real BIRD or skips with a reason, assert_round_trip and
assert_same_routes pass on what they should and fail with a message that shows why."""

from __future__ import annotations

import subprocess
import sys

import pytest

from birdkit.config import format as config_format
from birdkit.show.models import Route
from birdkit.testing import assert_bird_accepts, assert_round_trip, assert_same_routes, checks, render_routes

GOOD = "router id 198.18.0.1;\nprotocol device {\n}\n"
BAD = "router id 198.18.0.1;\nprotocol device {\n}\nprotocol kernel {\n  ipv4 { export filter f_missing; };\n}\n"


def _native_bird() -> None:
    try:
        checks.bird_runtime("2.0.12")
    except pytest.skip.Exception as skipped:
        pytest.skip(f"this test needs BIRD 2.0.12 on the host: {skipped}")


def test_bird_accepts_a_valid_config() -> None:
    _native_bird()
    assert_bird_accepts(GOOD, version="2.0.12")


def test_a_rejected_config_fails_with_birds_message_and_a_caret() -> None:
    _native_bird()
    with pytest.raises(AssertionError) as failure:
        assert_bird_accepts(BAD, version="2.0.12")
    message = str(failure.value)
    assert message.startswith("BIRD 2.0.12 rejects the config: bird.conf:5:")
    assert "f_missing" in message
    assert "    ipv4 { export filter f_missing; };\n" in message and message.rstrip().endswith("^")


def test_a_missing_bird_skips_the_pytest_test_with_the_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match=r"cannot check with real BIRD: BIRD 9\.9\.9 is not available"):
        assert_bird_accepts(GOOD, version="9.9.9")


def test_outside_pytest_a_missing_bird_raises_a_clear_error() -> None:
    probe = (
        "import sys\n"
        "from birdkit.testing import assert_bird_accepts\n"
        "from birdkit.errors import RuntimeMissingError\n"
        "assert 'pytest' not in sys.modules\n"
        "try:\n"
        "    assert_bird_accepts('router id 1.1.1.1;', version='9.9.9')\n"
        "except RuntimeMissingError as error:\n"
        "    print(error)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "BIRD 9.9.9 is not available" in completed.stdout
    assert "hint: install bird2, or run `birdkit matrix prepare` as root" in completed.stdout


def test_round_trip_holds_for_commented_text() -> None:
    assert_round_trip("# head\nrouter id 198.18.0.1; # trailing\n\nprotocol device {\n  scan time 10;\n}\n")


def test_round_trip_fails_when_the_formatter_loses_something(monkeypatch: pytest.MonkeyPatch) -> None:
    real = config_format.format_config
    monkeypatch.setattr(checks, "format_config", lambda tree: real(tree).replace("scan time 10", "scan time 11"))
    with pytest.raises(AssertionError, match="parses to a different AST"):
        assert_round_trip("protocol device {\n  scan time 10;\n}\n")


def _route(prefix: str, gateway_protocol: str = "peer1") -> Route:
    return Route(prefix=prefix, dest="unreachable", protocol=gateway_protocol, since="12:00:00.000",
                 table="master4", primary=True, preference=100, info="(100)")


def test_same_routes_in_any_order_and_framing() -> None:
    listing = [_route("10.0.0.0/24"), _route("10.0.1.0/24"), _route("10.0.2.0/24")]
    assert_same_routes(render_routes(listing, "2"), render_routes(listing[::-1], "2", framed=True))


def test_different_routes_are_named_in_the_failure() -> None:
    first = render_routes([_route("10.0.0.0/24"), _route("10.0.1.0/24")], "3")
    second = render_routes([_route("10.0.0.0/24"), _route("10.0.1.0/24", "peer2")], "3")
    with pytest.raises(AssertionError) as failure:
        assert_same_routes(first, second)
    message = str(failure.value)
    assert "1 route(s) only in the first, 1 only in the second" in message
    assert "protocol='peer1'" in message.split("only in the second:")[0]
    assert "protocol='peer2'" in message.split("only in the second:")[1]
