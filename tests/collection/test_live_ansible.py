"""Live Ansible (pinned ansible-core) against three namespace nodes over real sshd, with the collection as built.

The tests run in file order on one fleet, as a rollout would: check mode first, a first run (changed=3), a
second (changed=0), a wrong AS number on one node (that node rolled back, the others applied), and a failing
canary that stops the rollout before the second batch. The playbook is examples/ansible/site.yml itself.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.bird_clock import last_reconfiguration, same_reconfiguration

from birdkit.gen.peermap import load_peermap
from birdkit.gen.render import generate
from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix

from .fleet import REPO, SshFleet, build_collection, missing_tools

pytestmark = [pytest.mark.live, pytest.mark.slow]

SITE = REPO / "examples" / "ansible" / "site.yml"
PASSWORD = "s3cret-Bgp-Pa55"
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@pytest.fixture(scope="module")
def fleet(
    bird_matrix: BirdMatrix, tmp_path_factory: pytest.TempPathFactory, netns_prefix: str
) -> Iterator[SshFleet]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("ansible")
    collections = build_collection(workdir)
    with Fabric.create(f"{netns_prefix}{os.urandom(2).hex()}") as fabric:
        built = SshFleet.build(fabric, workdir, bird_matrix.get("2.0.12"), ["n1", "n2", "n3"], collections)
        (workdir / "password.txt").write_text(PASSWORD + "\n")
        yield built


def peermap(fleet: SshFleet, **descriptions: str) -> dict[str, object]:
    data = fleet.peermap_data(options={"password": {"file": "password.txt"}})
    for node in data["nodes"]:
        if node["name"] in descriptions:
            node["description"] = descriptions[node["name"]]
    return data


def rendered(fleet: SshFleet) -> dict[str, str]:
    """Every node's config from the peer map the inventory points at."""
    return generate(load_peermap(fleet.workdir / "peermap.yaml"))


def recap(output: str) -> dict[str, tuple[int, int, int]]:
    """host -> (ok, changed, failed) from PLAY RECAP."""
    return {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(5))) for m in RECAP.finditer(output)}


def configs(fleet: SshFleet) -> dict[str, str]:
    return {name: daemon.config_path.read_text() for name, daemon in fleet.daemons.items()}


def reconfigured(fleet: SshFleet) -> dict[str, float]:
    """Each node's last reconfiguration, in seconds; compare two reads with :func:`same_times`."""
    return {name: last_reconfiguration(daemon.birdc("show status")) for name, daemon in fleet.daemons.items()}


def same_times(now: dict[str, float], before: dict[str, float]) -> bool:
    """No node reconfigured between the two reads."""
    return now.keys() == before.keys() and all(same_reconfiguration(now[name], before[name]) for name in now)


def wrong_asn(config: str) -> str:
    """The node's config with every neighbor's AS number wrong: it parses and lints, but no session comes up."""
    wrong, count = re.subn(r"(neighbor \S+ as) 65000;", r"\1 65099;", config)
    assert count == 2
    return wrong


def run(fleet: SshFleet, *args: str) -> tuple[int, str]:
    result = fleet.ansible_playbook(SITE, *args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.returncode, output


def test_check_diff_shows_the_change_masks_the_password_and_touches_nothing(fleet: SshFleet) -> None:
    fleet.write_inventory(peermap(fleet))
    before, times = configs(fleet), reconfigured(fleet)
    code, output = run(fleet, "--check", "--diff")
    assert code == 0, output
    assert {host: changed for host, (_, changed, _) in recap(output).items()} == {"n1": 1, "n2": 1, "n3": 1}
    assert "+protocol bgp" in output and "neighbor 198.18.0.3 as 65000;" in output
    assert 'password "***";' in output
    assert PASSWORD not in output
    assert configs(fleet) == before and same_times(reconfigured(fleet), times)


def test_first_run_changes_three_and_the_second_none(fleet: SshFleet) -> None:
    code, output = run(fleet)
    assert code == 0, output
    assert sum(changed for _, changed, _ in recap(output).values()) == 3, output
    wanted = rendered(fleet)
    assert configs(fleet) == wanted
    for daemon in fleet.daemons.values():
        assert daemon.birdc("show protocols").count("Established") == 2
    times = reconfigured(fleet)
    code, output = run(fleet)
    assert code == 0, output
    assert sum(changed for _, changed, _ in recap(output).values()) == 0, output
    assert same_times(reconfigured(fleet), times)
    assert output.count("2/2 BGP sessions Established") == 3, output
    assert PASSWORD not in output


def test_wrong_asn_fails_and_rolls_back_that_node_and_the_others_apply(fleet: SshFleet) -> None:
    applied = configs(fleet)
    inventory = fleet.write_inventory(peermap(fleet, n3="rack 3"))
    wanted = rendered(fleet)
    (inventory / "host_vars" / "n3.yml").write_text(
        _with_vars(inventory / "host_vars" / "n3.yml", birdkit_timeout=6, birdkit_config=wrong_asn(wanted["n3"])))
    # n1 and n2 in the first batch, n3 (wrong AS numbers for its neighbors) in the second.
    code, output = run(fleet, "-e", '{"birdkit_serial": [2, 1]}', "-e", "birdkit_timeout=20")
    assert code != 0, output
    results = recap(output)
    assert results["n3"][2] == 1 and results["n1"][1:] == (1, 0) and results["n2"][1:] == (1, 0), output
    assert '"outcome": "rolled-back"' in output and "Bad peer AS" in output
    after = configs(fleet)
    assert after["n3"] == applied["n3"], "n3 is back on its previous file"
    assert after["n1"] == wanted["n1"] and after["n2"] == wanted["n2"]
    assert 'description "rack 3";' in after["n1"]
    assert "65099" not in fleet.daemons["n3"].birdc("show protocols all")
    deadline = time.monotonic() + 40  # the neighbors' error wait doubled while n3 sent wrong OPENs
    while fleet.daemons["n3"].birdc("show protocols").count("Established") < 2:
        assert time.monotonic() < deadline, fleet.daemons["n3"].birdc("show protocols")
        time.sleep(0.5)
    (inventory / "host_vars" / "n3.yml").write_text(_with_vars(inventory / "host_vars" / "n3.yml"))


def test_a_failing_canary_stops_the_rollout_before_the_second_batch(fleet: SshFleet) -> None:
    inventory = fleet.write_inventory(peermap(fleet, n1="canary", n3="rack 3"))
    wanted = rendered(fleet)
    before = configs(fleet)
    assert before["n2"] != wanted["n2"] and before["n3"] != wanted["n3"], "the later batches would change"
    (inventory / "host_vars" / "n1.yml").write_text(
        _with_vars(inventory / "host_vars" / "n1.yml", birdkit_timeout=6, birdkit_config=wrong_asn(wanted["n1"])))
    code, output = run(fleet)
    assert code != 0, output
    assert set(recap(output)) == {"n1"}, output
    assert recap(output)["n1"][2] == 1
    assert configs(fleet) == before


def _with_vars(path: Path, **extra: object) -> str:
    """``path``'s host vars without earlier test overrides, plus ``extra``."""
    import yaml

    data = {k: v for k, v in yaml.safe_load(path.read_text()).items() if not k.startswith("birdkit_")}
    return yaml.safe_dump({**data, **extra}, sort_keys=False)
