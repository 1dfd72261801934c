"""The built collection: the peer-map inventory plugin (hosts, groups, ansible_host) and its documentation."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from .fleet import BIN, REPO, build_collection

EXAMPLE = REPO / "examples" / "ansible"

pytestmark = pytest.mark.skipif(not (BIN / "ansible-inventory").exists(), reason="ansible-core is not installed")


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_collection(tmp_path_factory.mktemp("collection"))


def ansible(collections: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], capture_output=True, text=True, env=env, cwd=cwd)


def test_the_example_inventory_groups_reflectors_and_clients(collections: Path) -> None:
    result = ansible(collections, "ansible-inventory", "-i", "fleet.birdkit.yml", "--list", cwd=EXAMPLE)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert sorted(listing["route_reflectors"]["hosts"]) == ["rr1", "rr2"]
    assert sorted(listing["route_reflector_clients"]["hosts"]) == ["worker1", "worker2", "worker3", "worker4"]
    assert len(listing["bird"]["hosts"]) == 6
    worker = listing["_meta"]["hostvars"]["worker3"]
    assert worker["birdkit_router_id"] == "198.18.0.13" and worker["birdkit_pod_cidrs"] == ["10.0.13.0/24"]
    assert worker["birdkit_peermap"] == str((REPO / "examples" / "route-reflectors.yaml").resolve())


def test_ansible_host_and_user_come_from_the_ssh_transport(collections: Path, tmp_path: Path) -> None:
    (tmp_path / "peermap.yaml").write_text(yaml.safe_dump({
        "version": 1,
        "nodes": [
            {"name": "a", "address": "198.18.0.1/24", "transport": "ssh", "host": "a.example.net", "user": "ops",
             "port": 2222},
            {"name": "b", "address": "198.18.0.2/24", "transport": "local"},
        ],
    }))
    (tmp_path / "fleet.birdkit.yml").write_text(
        "plugin: birdkit.bird.peermap\npeermap: peermap.yaml\n"
        "keyed_groups:\n  - key: birdkit_asn | string\n    prefix: as\n")
    result = ansible(collections, "ansible-inventory", "-i", "fleet.birdkit.yml", "--list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    a, b = listing["_meta"]["hostvars"]["a"], listing["_meta"]["hostvars"]["b"]
    assert (a["ansible_host"], a["ansible_user"], a["ansible_port"]) == ("a.example.net", "ops", 2222)
    assert b["ansible_connection"] == "local" and "ansible_host" not in b
    assert sorted(listing["as_65000"]["hosts"]) == ["a", "b"]
    assert listing["birdkit_transport_ssh"]["hosts"] == ["a"]


def test_a_bad_peer_map_fails_with_its_location(collections: Path, tmp_path: Path) -> None:
    (tmp_path / "peermap.yaml").write_text("version: 1\nnodes:\n  - {name: a, address: 198.18.0.1}\n")
    (tmp_path / "fleet.birdkit.yml").write_text("plugin: birdkit.bird.peermap\npeermap: peermap.yaml\n")
    result = ansible(collections, "ansible-inventory", "-i", "fleet.birdkit.yml", "--list", cwd=tmp_path)
    assert result.returncode != 0
    output = result.stderr.replace("\n", " ")
    assert "peermap.yaml:3:" in output and "has no prefix length" in output


@pytest.mark.parametrize("plugin", ["birdkit.bird.config", "birdkit.bird.facts"])
def test_module_documentation_loads(collections: Path, plugin: str, tmp_path: Path) -> None:
    result = ansible(collections, "ansible-doc", "--json", plugin, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[plugin]["doc"]["options"]
