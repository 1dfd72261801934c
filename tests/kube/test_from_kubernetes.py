"""`birdkit peermap from-kubernetes`: Nodes become peer maps that generate and lint clean; bad input names the Node."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from birdkit.cli.main import main
from birdkit.config.lint import Severity, lint_fleet
from birdkit.config.parse import parse_config
from birdkit.errors import PeermapError
from birdkit.gen.kubernetes import KubeOptions, load_node_list, peermap_from_nodes
from birdkit.gen.peermap import parse_peermap
from birdkit.gen.render import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes"
SMALL = FIXTURES / "nodes-3.json"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nodes-500.json, written by the fixture script kept beside the small one."""
    spec = importlib.util.spec_from_file_location("make_nodes", FIXTURES / "make_nodes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("kube")
    module.HERE = out
    module.main()
    assert (out / "nodes-3.json").read_text() == SMALL.read_text(), "make_nodes.py no longer writes nodes-3.json"
    return out / "nodes-500.json"


def nodes(path: Path) -> list[dict[str, Any]]:
    items = json.loads(path.read_text())["items"]
    assert isinstance(items, list)
    return items


def assert_generates_and_lints_clean(yaml_text: str, source: str) -> dict[str, str]:
    peermap = parse_peermap(yaml_text, source=source)
    configs = generate(peermap)
    parsed = [parse_config(text, path=f"{name}.conf") for name, text in configs.items()]
    errors = [f.render() for f in lint_fleet(parsed) if f.severity is Severity.ERROR]
    assert errors == []
    return configs


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["peermap", "from-kubernetes", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_three_dual_stack_nodes_become_a_full_mesh_that_generates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, str(SMALL))
    assert code == 0
    peermap = parse_peermap(out, source="k3.yaml")
    assert [n.name for n in peermap.nodes] == ["cp-1", "worker-1", "worker-2"]
    cp = peermap.node("cp-1")
    assert str(cp.address) == "198.18.0.10/24" and str(cp.address6) == "fd00:198:18::a/64"
    assert [str(c) for c in cp.pod_cidrs] == ["10.64.0.0/24", "fd00:10:64::/64"]
    assert cp.description == "roles: control-plane"
    assert (cp.transport.kind, cp.transport.host) == ("ssh", "198.18.0.10")
    assert peermap.topology.kind == "full-mesh" and peermap.options.ipv6
    assert "# Node worker-2: address from InternalIP /24" in out
    configs = assert_generates_and_lints_clean(out, "k3.yaml")
    assert "route fd00:10:64:2::/64 blackhole" in configs["worker-2"]


def test_five_hundred_calico_nodes_use_the_reflectors_and_annotations(large: Path) -> None:
    result = peermap_from_nodes(load_node_list(large.read_text(), str(large)), KubeOptions(missing_pod_cidr="skip"))
    peermap = result.peermap
    assert len(peermap.nodes) == 498 and result.skipped == ("worker-498", "worker-499")
    assert peermap.topology.kind == "route-reflectors"
    assert peermap.topology.route_reflectors == ("cp-1", "cp-2", "cp-3")
    assert str(peermap.topology.cluster_id) == "244.0.0.1"
    assert {node.asn for node in peermap.nodes} == {64512}
    assert str(peermap.node("worker-300").address) == "198.18.1.54/22"
    text = result.to_yaml()
    assert "2 skipped without pod CIDRs: worker-498, worker-499" in text
    configs = assert_generates_and_lints_clean(text, "k500.yaml")
    assert len(configs) == 498


def test_nodes_without_pod_cidr_fail_by_name_or_peer_when_asked(
    large: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, str(large))
    assert (code, out) == (2, "")
    assert f"{large}: Node worker-498: has no spec.podCIDRs" in err
    assert "--without-pod-cidr" in err and "Traceback" not in err
    code, out, _ = run_cli(capsys, str(large), "--without-pod-cidr", "peer")
    assert code == 0
    joined = parse_peermap(out, source="k.yaml").node("worker-499")
    assert joined.pod_cidrs == ()
    assert "# Node worker-499: address from Calico's annotation; asn from projectcalico.org/ASNumber; " \
           "no spec.podCIDRs: peers, announces nothing" in out


def test_bad_json_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "nodes.json"
    broken.write_text('{"kind": "List", "items": [\n  {"kind": "Node",}\n]}\n')
    code, out, err = run_cli(capsys, str(broken))
    assert (code, out) == (2, "")
    assert err.startswith(f"{broken}:2:")
    assert "not valid JSON" in err and "kubectl get nodes -o json" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n: n[1]["metadata"]["annotations"].update({"projectcalico.org/ASNumber": "sixty"}),
         "Node worker-1: annotation projectcalico.org/ASNumber='sixty' is not an AS number"),
        (lambda n: n[2]["status"].update(addresses=[{"type": "Hostname", "address": "worker-2"}]),
         "Node worker-2: has no InternalIP in status.addresses"),
        (lambda n: n[2]["status"]["addresses"].pop(1),
         "Node worker-2: IPv6 routes need an IPv6 next hop on this node"),
        (lambda n: n[1]["metadata"].update(name="worker_1!"),
         "Node worker_1! name: 'worker_1!' is not a valid name"),
        (lambda n: n[2]["spec"].update(podCIDRs=["10.64.1.0/24"]),
         "Node worker-2 pod_cidrs[0]: 10.64.1.0/24 overlaps Node worker-1 pod_cidrs[0] 10.64.1.0/24"),
        (lambda n: [node["metadata"].setdefault("annotations", {}).update(
            {"projectcalico.org/RouteReflectorClusterID": f"244.0.0.{i}"}) for i, node in enumerate(n)],
         "route reflectors disagree on projectcalico.org/RouteReflectorClusterID"),
    ],
    ids=["asn", "no-internal-ip", "no-ipv6-next-hop", "name", "overlap", "cluster-ids"],
)
def test_validation_errors_name_the_node(change: Any, message: str) -> None:
    items = copy.deepcopy(nodes(SMALL))
    change(items)
    with pytest.raises(PeermapError) as caught:
        peermap_from_nodes(items, source="nodes.json")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_stdin_and_options(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    items = nodes(SMALL)
    items[1]["metadata"]["labels"]["route-reflector"] = "true"
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"kind": "List", "items": items})))
    code, out, _ = run_cli(capsys, "-", "--asn", "64700", "--user", "ubuntu", "--underlay-prefix", "16")
    assert code == 0
    peermap = parse_peermap(out, source="k.yaml")
    assert peermap.topology.route_reflectors == ("worker-1",)
    assert peermap.defaults.asn == 64700 and peermap.node("cp-1").asn == 64700
    assert str(peermap.node("cp-1").address) == "198.18.0.10/16" and peermap.node("cp-1").transport.user == "ubuntu"
    assert "route reflector (label route-reflector=true)" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli(capsys, "--underlay-prefix", "40", str(SMALL))[0] == 2
    code, _, err = run_cli(capsys)
    assert code == 2 and "or --live" in err
    code, _, err = run_cli(capsys, str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
    (tmp_path / "pods.json").write_text(json.dumps({"kind": "List", "items": [{"kind": "Pod"}]}))
    code, _, err = run_cli(capsys, str(tmp_path / "pods.json"))
    assert code == 2 and "items[0] is a Pod, not a Node" in err


def test_live_without_a_cluster_says_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Reading a live cluster cannot run here (no cluster): the command says what is missing, the client or a cluster.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    code, _, err = run_cli(capsys, "--live")
    assert code == 3 and "Traceback" not in err
    assert ("pip install kubernetes" in err) or ("no Kubernetes cluster configured" in err)
