"""Generation: the walkthrough's configs, determinism, atomic output, secrets, templates, protocol names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import birdkit
from birdkit.cli.main import main
from birdkit.config.format import format_config
from birdkit.config.parse import parse_config
from birdkit.gen.peermap import parse_peermap
from birdkit.gen.render import generate
from birdkit.gen.topology import protocol_name
from birdkit.runtime import TARGET_VERSIONS, BirdMatrix

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "gen"
WALKTHROUGH = REPO / "examples" / "walkthrough.yaml"


def _normalized(text: str) -> list[str]:
    """Lines without indentation or trailing blanks: layout-insensitive text comparison."""
    return [line.strip() for line in text.splitlines()]


def test_walkthrough_example_reproduces_the_hand_written_configs_as_text() -> None:
    configs = birdkit.generate(birdkit.load_peermap(WALKTHROUGH))
    assert list(configs) == ["vm1", "vm2"]
    for node in ("vm1", "vm2"):
        hand_written = (FIXTURES / f"walkthrough-{node}.conf").read_text()
        # gen writes the canonical layout, so it matches the hand-written text as `birdkit fmt` prints it
        assert _normalized(configs[node]) == _normalized(format_config(parse_config(hand_written)))


def test_walkthrough_example_reproduces_the_hand_written_configs_as_asts() -> None:
    parse = pytest.importorskip("birdkit.config.parse", reason="config parser (issue 3) not in this tree").parse_config
    configs = birdkit.generate(birdkit.load_peermap(WALKTHROUGH))
    for node in ("vm1", "vm2"):
        hand_written = (FIXTURES / f"walkthrough-{node}.conf").read_text()
        assert parse(configs[node]) == parse(hand_written)


def test_generation_is_deterministic_and_rewrites_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["gen", str(REPO / "examples" / "route-reflectors.yaml"), "-o", str(out)]) == 0
    first = {path: path.read_bytes() for path in sorted(out.rglob("bird.conf"))}
    mtimes = {path: path.stat().st_mtime_ns for path in first}
    assert main(["gen", str(REPO / "examples" / "route-reflectors.yaml"), "-o", str(out)]) == 0
    second = {path: path.read_bytes() for path in sorted(out.rglob("bird.conf"))}
    assert first == second
    assert {path: path.stat().st_mtime_ns for path in second} == mtimes
    assert sorted(p.name for p in out.iterdir()) == ["rr1", "rr2", "worker1", "worker2", "worker3", "worker4"]
    assert "6 config(s)" in capsys.readouterr().out


def test_cli_writes_one_file_per_node_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out)]) == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["vm1", "vm1/bird.conf", "vm2", "vm2/bird.conf"]
    assert (out / "vm1" / "bird.conf").read_text() == birdkit.generate(birdkit.load_peermap(WALKTHROUGH))["vm1"]
    assert (out / "vm1" / "bird.conf").stat().st_mode & 0o777 == 0o644


def test_node_option_generates_only_that_node(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out), "--node", "vm2"]) == 0
    assert [p.name for p in out.iterdir()] == ["vm2"]
    assert main(["gen", str(WALKTHROUGH), "-o", str(out), "--node", "vm3"]) == 2


def test_diff_shows_changes_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out)]) == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(WALKTHROUGH.read_text().replace("10.0.2.0/24", "10.0.3.0/24"))
    capsys.readouterr()
    assert main(["gen", str(changed), "-o", str(out), "--diff"]) == 0
    diff = capsys.readouterr().out
    assert "-    route 10.0.2.0/24 blackhole;" in diff
    assert "+    route 10.0.3.0/24 blackhole;" in diff
    assert "vm1/bird.conf" not in diff
    assert "10.0.2.0/24" in (out / "vm2" / "bird.conf").read_text()


def test_password_is_in_the_config_and_nowhere_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Pa55-w0rd-XYZ"
    monkeypatch.setenv("BGP_PASSWORD", secret)
    peermap = REPO / "examples" / "top-of-rack.yaml"
    out = tmp_path / "out"
    assert main(["gen", str(peermap), "-o", str(out), "--diff"]) == 0
    assert main(["gen", str(peermap), "-o", str(out), "--json"]) == 0
    assert main(["gen", str(peermap), "-o", str(out)]) == 0
    (out / "vm1" / "bird.conf").write_text("stale\n")
    assert main(["gen", str(peermap), "-o", str(out), "--diff"]) == 0
    printed = capsys.readouterr()
    assert secret not in printed.out + printed.err
    assert 'password "***";' in printed.out
    config = (out / "vm2" / "bird.conf").read_text()
    assert f'password "{secret}";' in config
    assert (out / "vm2" / "bird.conf").stat().st_mode & 0o777 == 0o600


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for _ in range(2):
        assert main(["gen", str(WALKTHROUGH), "-o", str(out)]) == 0
    assert not [p for p in out.rglob(".*")]


def test_templates_directory_overrides_one_section(tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "device.j2").write_text("\nprotocol device {\n  scan time 10;\n}\n")
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out), "--templates", str(templates)]) == 0
    text = (out / "vm1" / "bird.conf").read_text()
    assert "protocol device {\n  scan time 10;\n}" in text
    assert "protocol bgp vm2 {" in text


def test_undefined_template_variable_is_an_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "device.j2").write_text("protocol device { scan time {{ no_such_value }}; }\n")
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out), "--templates", str(templates)]) == 1
    assert "'no_such_value' is undefined" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("vm1", "vm1"), ("peer", "bgp_peer"), ("bgp", "bgp_bgp"), ("kernel1", "bgp_kernel1"), ("rack-1.a", "rack_1_a"),
     ("1st", "bgp_1st"), ("RTS_BGP", "bgp_RTS_BGP"), ("deadbeefdeadbeefdead", "bgp_deadbeefdeadbeefdead")],
)
def test_protocol_names_avoid_keywords_and_bird_names(name: str, expected: str) -> None:
    assert protocol_name(name) == expected


def test_ipv6_pods_over_ipv4_sessions_use_the_nodes_ipv6_next_hop() -> None:
    configs = generate(birdkit.load_peermap(REPO / "examples" / "ipv6.yaml"))
    vm1 = configs["vm1"]
    assert vm1.count("protocol kernel {") == 2
    assert "route fd00:10:0:1::/64 blackhole;" in vm1
    channel = r"ipv6 \{\n\s+import filter import_vm2_ipv6;\n\s+export filter export_vm2_ipv6;\n"
    assert re.search(channel + r"\s+next hop address fd00:198:18::1;\n\s+\};", vm1)


def test_ipv6_only_fleet_has_only_ipv6_channels() -> None:
    peermap = parse_peermap(
        "version: 1\nnodes:\n"
        "  - {name: a, address: 'fd00::1/64', router_id: 10.255.0.1, pod_cidrs: ['fd00:a::/64']}\n"
        "  - {name: b, address: 'fd00::2/64', router_id: 10.255.0.2, pod_cidrs: ['fd00:b::/64']}\n"
    )
    config = generate(peermap)["a"]
    assert "ipv4" not in config
    assert "neighbor fd00::2 as 65000;" in config


def test_route_reflector_sessions() -> None:
    configs = generate(birdkit.load_peermap(REPO / "examples" / "route-reflectors.yaml"))
    rr1 = configs["rr1"]
    bgp = re.findall(r"protocol bgp (\S+) \{", rr1)
    assert bgp == ["rr2", "worker1", "worker2", "worker3", "worker4"]
    assert rr1.count("rr client;") == 4
    assert rr1.count("rr cluster id 198.18.0.1;") == 4
    assert re.findall(r"protocol bgp (\S+) \{", configs["worker3"]) == ["rr1", "rr2"]
    assert "rr client" not in configs["worker3"]
    assert "merge paths on;" in rr1
    assert "export where source = RTS_BGP || source = RTS_STATIC;" in rr1


def test_explicit_peers_topology() -> None:
    peermap = parse_peermap(
        "version: 1\ntopology: {type: peers, peers: [[a, b], [b, c]]}\nnodes:\n"
        "  - {name: a, address: 198.18.0.1/24}\n  - {name: b, address: 198.18.0.2/24}\n"
        "  - {name: c, address: 198.18.0.3/24}\n"
    )
    configs = generate(peermap)
    assert {name: re.findall(r"protocol bgp (\S+) \{", text) for name, text in configs.items()} == {
        "a": ["b"], "b": ["a", "c"], "c": ["b"],
    }


@pytest.mark.matrix
def test_keyword_named_nodes_are_accepted_by_every_bird(bird_matrix: BirdMatrix) -> None:
    peermap = parse_peermap(
        "version: 1\nnodes:\n  - {name: peer, address: 198.18.0.1/24}\n  - {name: kernel1, address: 198.18.0.2/24}\n"
        "  - {name: from, address: 198.18.0.3/24}\n  - {name: 0-rack.b, address: 198.18.0.4/24}\n"
    )
    for text in generate(peermap).values():
        for version in TARGET_VERSIONS:
            result = bird_matrix.get(version).check(text)
            assert result.ok, (version, result.message, text)


def test_no_password_statement_without_a_password() -> None:
    assert 'password "' not in generate(birdkit.load_peermap(WALKTHROUGH))["vm1"]


def test_check_passes_the_walkthrough(tmp_path: Path) -> None:
    assert main(["gen", str(WALKTHROUGH), "-o", str(tmp_path / "out"), "--check"]) == 0
    assert (tmp_path / "out" / "vm2" / "bird.conf").is_file()


def test_check_rejects_a_broken_config_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not BirdMatrix.discover().versions:
        pytest.skip("BIRD is not installed: `bird -p` cannot judge the config")
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "device.j2").write_text("\nprotocol device {\n  no such option;\n}\n")
    out = tmp_path / "out"
    assert main(["gen", str(WALKTHROUGH), "-o", str(out), "--check", "--templates", str(templates)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"{re.escape(str(out / 'vm1' / 'bird.conf'))}:6:3: ", err), err
    assert "nothing written" in err
    assert not out.exists()


def test_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["gen", str(WALKTHROUGH), "-o", str(tmp_path / "out"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [(row["node"], row["peers"], row["pod_cidrs"], row["status"]) for row in summary] == [
        ("vm1", ["vm2"], ["10.0.1.0/24"], "created"), ("vm2", ["vm1"], ["10.0.2.0/24"], "created"),
    ]


def test_output_is_byte_identical_across_processes(tmp_path: Path) -> None:
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed}
        peermap = str(REPO / "examples" / "route-reflectors.yaml")
        argv = [sys.executable, "-m", "birdkit.cli.main", "gen", peermap, "-o", str(out)]
        subprocess.run(argv, check=True, env=env, capture_output=True)
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("bird.conf"))})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 6


def test_output_that_is_a_file_is_a_usage_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["gen", str(WALKTHROUGH), "-o", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"-o {blocker}: not a directory")
    assert "Traceback" not in err


@pytest.mark.matrix
def test_recovery_timers_are_written_and_accepted_by_every_bird(bird_matrix: BirdMatrix) -> None:
    peermap = parse_peermap(
        "version: 1\ndefaults: {asn: 65000, timers: {connect_delay: 1, error_wait: 2}}\n"
        "nodes:\n  - {name: vm1, address: 198.18.0.1/24}\n  - {name: vm2, address: 198.18.0.2/24}\n"
    )
    text = generate(peermap)["vm1"]
    assert "  connect delay time 1;\n" in text
    assert "    error wait time 2, 300;\n" in text
    for version in TARGET_VERSIONS:
        result = bird_matrix.get(version).check(text)
        assert result.ok, (version, result.message)
