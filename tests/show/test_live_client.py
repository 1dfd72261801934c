"""Live: configure, check, timeout, confirm, undo and error replies through birdkit.Bird on every BIRD version
that reads BIRD 2/3 configs (1.6.8's replies are tested in test_live_bird1.py)."""

from __future__ import annotations

import time

import pytest

from birdkit import Bird
from birdkit.cli.main import main
from birdkit.errors import BirdError
from birdkit.lab.netns import Fabric
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

pytestmark = pytest.mark.live


def config(*prefixes: str) -> str:
    routes = "".join(f"  route {prefix} blackhole;\n" for prefix in prefixes)
    return f"router id 198.18.0.1;\nprotocol device {{}}\nprotocol static s1 {{\n  ipv4;\n{routes}}}\n"


BROKEN_CONFIG = "router id 198.18.0.1;\nprotocol device {\n  nonsense;\n}\n"


def prefixes(bird: Bird) -> set[str]:
    """The prefixes BIRD shows; a dump cut short by a reconfiguration (8004) is asked for again."""
    for _ in range(5):
        try:
            return {route.prefix for route in bird.routes(all=False)}
        except BirdError as error:
            if error.code != 8004:
                raise
    raise AssertionError("show route was stopped by reconfigurations five times")


def wait_for(bird: Bird, wanted: set[str], timeout: float = 10.0) -> set[str]:
    deadline = time.monotonic() + timeout
    seen = prefixes(bird)
    while seen != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = prefixes(bird)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_configure_confirm_undo_and_timeout(version: str, bird_matrix: BirdMatrix, fabric: Fabric) -> None:
    bird = bird_matrix.get(version)
    node = fabric.add_node("n1")
    daemon = fabric.start_bird(bird, node, config("10.1.0.0/24"))
    config_file = bird.inner_path(daemon.config_path)
    with Bird(daemon.socket_path, timeout=15) as client:
        assert client.version == bird.version

        checked = client.configure(check=True)
        assert (checked.code, checked.status, checked.config_file) == (20, "ok", config_file)

        daemon.config_path.write_text(config("10.1.0.0/24", "10.9.0.0/24"))
        loaded = client.configure(timeout=60)
        assert (loaded.status, loaded.undo_in, loaded.config_file) == ("reconfigured", 60, config_file)
        assert wait_for(client, {"10.1.0.0/24", "10.9.0.0/24"}) == {"10.1.0.0/24", "10.9.0.0/24"}
        assert client.confirm().status == "confirmed"
        assert client.confirm().status == "nothing-to-do"

        daemon.config_path.write_text(config("10.8.0.0/24"))
        assert client.configure(timeout=60).status == "reconfigured"
        assert wait_for(client, {"10.8.0.0/24"}) == {"10.8.0.0/24"}
        assert client.undo().status == "reconfigured"
        assert wait_for(client, {"10.1.0.0/24", "10.9.0.0/24"}) == {"10.1.0.0/24", "10.9.0.0/24"}

        # not confirmed in time: BIRD undoes it by itself and says so asynchronously
        assert client.configure(timeout=1).undo_in == 1
        assert wait_for(client, {"10.1.0.0/24", "10.9.0.0/24"}) == {"10.1.0.0/24", "10.9.0.0/24"}
        assert any("timeout expired" in notice for notice in client.notices)

        daemon.config_path.write_text(BROKEN_CONFIG)
        with pytest.raises(BirdError) as broken:
            client.configure()
        assert broken.value.code == 8002
        assert broken.value.text.startswith(f"{config_file}:3:")
        with pytest.raises(BirdError) as broken_check:
            client.configure(check=True)
        assert broken_check.value.code == 8002
        assert prefixes(client) == {"10.1.0.0/24", "10.9.0.0/24"}


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_error_replies_and_typed_commands(
    version: str, bird_matrix: BirdMatrix, fabric: Fabric, capsys: pytest.CaptureFixture[str]
) -> None:
    bird = bird_matrix.get(version)
    node = fabric.add_node("n1")
    daemon = fabric.start_bird(bird, node, config("10.1.0.0/24", "10.2.0.0/24"))
    with Bird(daemon.socket_path, timeout=15) as client:
        with pytest.raises(BirdError) as parse_error:
            client.command("show nonsense")
        assert parse_error.value.code == 9001
        with pytest.raises(BirdError) as not_found:
            list(client.routes(prefix="192.0.2.0/24"))
        assert (not_found.value.code, not_found.value.text) == (8001, "Network not found")
        with pytest.raises(BirdError) as no_table:
            list(client.routes(table="nosuch"))
        assert no_table.value.code == 9001

        status = client.status()
        assert (status.version, status.router_id, status.message) == (
            bird.version,
            "198.18.0.1",
            "Daemon is up and running",
        )
        names = {protocol.name: protocol for protocol in client.protocols()}
        assert names["s1"].proto == "Static" and names["s1"].state == "up"
        assert names["s1"].channels[0].routes is not None
        assert names["s1"].channels[0].routes.imported == 2
        count = client.route_count(table="master4")
        assert [(table.table, table.routes, table.networks) for table in count.tables] == [("master4", 2, 2)]
        interfaces = {interface.name: interface for interface in client.interfaces()}
        assert interfaces["eth0"].addresses[0].prefix == "198.18.0.1/24"

    capsys.readouterr()
    assert main(["show", "status", "--socket", str(daemon.socket_path)]) == 0
    assert "198.18.0.1" in capsys.readouterr().out
    assert main(["show", "routes", "--socket", str(daemon.socket_path), "--table", "nosuch"]) == 1
    assert "9001" in capsys.readouterr().err
