"""Peer-map validation: every rule gives its exact located message, exits 2 and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from birdkit.cli.main import main
from birdkit.errors import PeermapError
from birdkit.gen.peermap import load_peermap, parse_peermap, peermap_from_data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gen"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def at(text: str, line: int, needle: str, occurrence: int = 1) -> str:
    """``line:column`` of the ``occurrence``-th ``needle`` on 1-based ``line`` of ``text``."""
    source = text.splitlines()[line - 1]
    column = -1
    for _ in range(occurrence):
        column = source.index(needle, column + 1)
    return f"{line}:{column + 1}"


# (peer map text, line of the culprit, text at the culprit, expected message after "file:line:col: ")
CASES = {
    "duplicate name": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24}
  - {name: vm1, address: 198.18.0.2/24}
""", 4, "vm1", "nodes[1].name: vm1 is already used by nodes[0]"),
    "duplicate router id": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, router_id: 10.9.9.9}
  - {name: vm2, address: 198.18.0.2/24, router_id: 10.9.9.9}
""", 4, "10.9.9.9", "nodes[1].router_id: 10.9.9.9 is already used by nodes[0]"),
    "asn zero": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, asn: 0}
""", 3, "0}", "nodes[0].asn: 0 is not a valid ASN"),
    "asn too large": (
        """version: 1
defaults:
  asn: 4294967296
nodes:
  - {name: vm1, address: 198.18.0.1/24}
""", 3, "4294967296", "defaults.asn: 4294967296 is not a valid ASN"),
    "asn AS_TRANS": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, asn: 23456}
""", 3, "23456", "nodes[0].asn: 23456 is not a valid ASN (AS_TRANS)"),
    "asn text": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, asn: sixty}
""", 3, "sixty", "nodes[0].asn: 'sixty' is not a valid ASN"),
    "overlapping pod cidrs": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, pod_cidrs: [10.0.0.0/23]}
  - {name: vm2, address: 198.18.0.2/24, pod_cidrs: [10.0.1.0/24]}
""", 4, "10.0.1.0/24", "nodes[1].pod_cidrs[0]: 10.0.1.0/24 overlaps nodes[0].pod_cidrs[0] 10.0.0.0/23"),
    "overlap, wider one later": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, pod_cidrs: [10.0.2.0/24, 10.0.1.0/24]}
  - {name: vm2, address: 198.18.0.2/24, pod_cidrs: [10.0.0.0/16]}
""", 4, "10.0.0.0/16", "nodes[1].pod_cidrs[0]: 10.0.0.0/16 overlaps nodes[0].pod_cidrs[1] 10.0.1.0/24"),
    "pod cidr on the underlay": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, pod_cidrs: [10.0.1.0/24]}
  - {name: vm2, address: 198.18.0.2/24, pod_cidrs: [198.18.0.128/25]}
""", 4, "198.18.0.128/25", "nodes[1].pod_cidrs[0]: 198.18.0.128/25 overlaps the underlay 198.18.0.0/24 of nodes[0]"),
    "neighbor off the subnet": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24}
  - {name: vm2, address: 198.18.1.2/24}
""", 4, "198.18.1.2/24",
        "nodes[1].address: 198.18.1.2 is not on the subnet of its peer nodes[0] (198.18.0.0/24) "
        "and multihop is not set"),
    "extra peer off the subnet": (
        """version: 1
nodes:
  - name: vm1
    address: 198.18.0.1/24
    extra_peers:
      - {name: tor1, address: 198.18.7.1, asn: 64512}
""", 6, "198.18.7.1",
        "nodes[0].extra_peers[0].address: 198.18.7.1 is not on the subnet of its peer nodes[0] (198.18.0.0/24) "
        "and multihop is not set"),
    "quote in a name": (
        """version: 1
nodes:
  - {name: 'vm"1', address: 198.18.0.1/24}
""", 3, "'vm", """nodes[0].name: 'vm"1' contains a double quote, which would end the BIRD string"""),
    "newline in a description": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, description: "rack\\n1"}
""", 3, '"rack', "nodes[0].description: 'rack\\n1' contains a line break, which BIRD strings cannot hold"),
    "NUL in an extra peer description": (
        """version: 1
nodes:
  - name: vm1
    address: 198.18.0.1/24
    extra_peers:
      - {name: tor1, address: 198.18.0.254, asn: 64512, description: "a\\0b"}
""", 6, '"a', "nodes[0].extra_peers[0].description: 'a\\x00b' contains the control character U+0000"),
    "bidi control in a description": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, description: "rack \\u202e1"}
""", 3, '"rack', "nodes[0].description: 'rack \\u202e1' contains the bidirectional control U+202E, "
        "which hides what BIRD reads"),
    "description too long for BIRD 2": (
        f"""version: 1
nodes:
  - {{name: vm1, address: 198.18.0.1/24, description: {"x" * 4096}}}
""", 3, "xxx", f"nodes[0].description: '{'x' * 60}'... is 4096 bytes long; at most 1024 are allowed "
        "(BIRD 2.x crashes on 4096 and more)"),
    "zone id carrying a config": (
        """version: 1
nodes:
  - name: vm1
    address: fd00::1/64
    router_id: 198.18.0.1
    extra_peers:
      - {name: tor1, address: "fe80::1%eth0 as 1; }; protocol bgp x { neighbor ::1", asn: 64512}
""", 7, '"fe80', "nodes[0].extra_peers[0].address: zone id 'eth0 as 1; }; protocol bgp x { neighbor ::1' is "
        "not an interface name BIRD can read"),
    "zone id on a global address": (
        """version: 1
nodes:
  - name: vm1
    address: fd00::1/64
    router_id: 198.18.0.1
    extra_peers:
      - {name: tor1, address: "fd00::2%eth0", asn: 64512}
""", 7, '"fd00', "nodes[0].extra_peers[0].address: fd00::2%eth0 has a zone id, but only link-local "
        "(fe80::/10) addresses take one"),
    "link-local neighbor without its interface": (
        """version: 1
nodes:
  - name: vm1
    address: fd00::1/64
    router_id: 198.18.0.1
    extra_peers:
      - {name: tor1, address: "fe80::1", asn: 64512}
""", 7, '"fe80', "nodes[0].extra_peers[0].address: link-local fe80::1 needs the interface it is on"),
    "zone id on a node address": (
        """version: 1
nodes:
  - {name: vm1, address: "fd00::1%eth0/64", router_id: 198.18.0.1}
""", 3, '"fd00', "nodes[0].address: 'fd00::1%eth0/64' has a zone id"),
    "keepalive longer than the hold time": (
        """version: 1
defaults:
  timers: {hold: 30, keepalive: 31}
nodes:
  - {name: vm1, address: 198.18.0.1/24}
""", 3, "31", "defaults.timers.keepalive: expected a whole number from 1 to 30, got 31"),
    "interface name with a space": (
        """version: 1
nodes:
  - {name: vm1, address: 198.18.0.1/24, interface: "eth0 x"}
""", 3, '"eth0', "nodes[0].interface: 'eth0 x' is not an interface name"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_peermap_gives_located_message_exits_2_and_writes_nothing(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text, line, needle, message = CASES[case]
    monkeypatch.chdir(tmp_path)
    Path("peermap.yaml").write_text(text)

    code = main(["gen", "peermap.yaml", "-o", "out"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[0] == f"peermap.yaml:{at(text, line, needle)}: {message}"
    assert not Path("out").exists()


def test_error_shows_the_source_line_and_a_caret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text, line, needle, _ = CASES["overlapping pod cidrs"]
    monkeypatch.chdir(tmp_path)
    Path("peermap.yaml").write_text(text)
    with pytest.raises(PeermapError) as caught:
        load_peermap("peermap.yaml")
    lines = str(caught.value).splitlines()
    assert lines[1].strip() == text.splitlines()[line - 1].strip()
    assert lines[2].index("^") - lines[1].index("-") == text.splitlines()[line - 1].index(needle) - 2
    assert lines[3].startswith("hint: ")


def test_toml_errors_name_the_file_and_the_path(tmp_path: Path) -> None:
    path = tmp_path / "peermap.toml"
    path.write_text(
        'version = 1\n'
        '[[nodes]]\nname = "vm1"\naddress = "198.18.0.1/24"\npod_cidrs = ["10.0.0.0/23"]\n'
        '[[nodes]]\nname = "vm2"\naddress = "198.18.0.2/24"\npod_cidrs = ["10.0.1.0/24"]\n'
    )
    with pytest.raises(PeermapError) as caught:
        load_peermap(path)
    assert caught.value.message == (
        f"{path}: nodes[1].pod_cidrs[0]: 10.0.1.0/24 overlaps nodes[0].pod_cidrs[0] 10.0.0.0/23"
    )
    assert caught.value.exit_code == 2


def test_yaml_toml_and_json_give_the_same_model() -> None:
    from_yaml = load_peermap(EXAMPLES / "walkthrough.yaml")
    assert load_peermap(FIXTURES / "walkthrough.toml").nodes == from_yaml.nodes
    assert load_peermap(FIXTURES / "walkthrough.json").nodes == from_yaml.nodes
    assert [node.name for node in from_yaml.nodes] == ["vm1", "vm2"]
    assert str(from_yaml.nodes[1].pod_cidrs[0]) == "10.0.2.0/24"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nodes: []\n", "peermap.yaml:1:1: (top level): missing `version`"),
        ("version: 2\nnodes: []\n", "peermap.yaml:1:10: version: unsupported schema version 2"),
        ("version: 1\nnode: []\n", "peermap.yaml:2:1: node: unknown key"),
        ("version: 1\nnodes:\n  - {name: vm1, adress: 198.18.0.1/24}\n",
         "peermap.yaml:3:17: nodes[0].adress: unknown key"),
        ("version: 1\nnodes:\n  - {name: vm1, address: 198.18.0.1}\n",
         "peermap.yaml:3:26: nodes[0].address: '198.18.0.1' has no prefix length"),
        ("version: 1\nnodes:\n  - {name: vm1, address: 198.18.0.1/24, pod_cidrs: [10.0.1.1/24]}\n",
         "peermap.yaml:3:53: nodes[0].pod_cidrs[0]: 10.0.1.1/24 has host bits set"),
        ("version: 1\nnodes: [{name: a, address: 198.18.0.1/24}]\ntopology: {type: star}\n",
         "peermap.yaml:3:18: topology.type: 'star' is not one of full-mesh, route-reflectors, peers"),
    ],
)
def test_schema_errors(text: str, expected: str) -> None:
    # columns counted by hand: the offending value, or the key itself when the key is wrong
    with pytest.raises(PeermapError) as caught:
        parse_peermap(text, source="peermap.yaml")
    assert str(caught.value).splitlines()[0] == expected


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(PeermapError) as caught:
        parse_peermap("version: 1\nnodes:\n  - {name: vm1, adress: 198.18.0.1/24}\n")
    assert caught.value.hint == "did you mean 'address'?"


def test_route_reflector_clients_must_share_its_as() -> None:
    text = """version: 1
topology: {type: route-reflectors, route_reflectors: [rr]}
nodes:
  - {name: rr, address: 198.18.0.1/24}
  - {name: w1, address: 198.18.0.2/24, asn: 65001}
"""
    with pytest.raises(PeermapError) as caught:
        parse_peermap(text, source="rr.yaml")
    assert str(caught.value).splitlines()[0] == (
        f"rr.yaml:{at(text, 5, '65001')}: nodes[1].asn: 65001 differs from route reflector rr's AS 65000"
    )


def test_names_that_become_the_same_protocol_name_are_rejected() -> None:
    text = "version: 1\nnodes:\n  - {name: a-b, address: 198.18.0.1/24}\n  - {name: a_b, address: 198.18.0.2/24}\n"
    with pytest.raises(PeermapError) as caught:
        parse_peermap(text, source="p.yaml")
    assert caught.value.message == (
        "nodes[1].name: 'a_b' and nodes[0].name 'a-b' both become the BGP protocol name a_b"
    )


def test_multihop_allows_neighbors_off_the_subnet() -> None:
    text = "version: 1\noptions: {multihop: 2}\nnodes:\n  - {name: a, address: 198.18.0.1/24}\n" \
           "  - {name: b, address: 198.18.1.2/24}\n"
    peermap = parse_peermap(text)
    assert peermap.options.multihop == 2


def test_unknown_topology_node_is_located_with_a_suggestion() -> None:
    text = "version: 1\ntopology: {type: peers, peers: [[vm1, vm3]]}\nnodes:\n" \
           "  - {name: vm1, address: 198.18.0.1/24}\n  - {name: vm2, address: 198.18.0.2/24}\n"
    with pytest.raises(PeermapError) as caught:
        parse_peermap(text, source="p.yaml")
    assert str(caught.value).splitlines()[0] == (
        f"p.yaml:{at(text, 2, 'vm3')}: topology.peers[0][1]: no node is called 'vm3'"
    )
    assert caught.value.hint in ("did you mean 'vm1'?", "did you mean 'vm2'?")


def test_transport_defaults_and_ssh_needs_a_host() -> None:
    text = """version: 1
nodes:
  - {name: a, address: 198.18.0.1/24}
  - {name: b, address: 198.18.0.2/24, transport: multipass}
  - {name: c, address: 198.18.0.3/24, transport: ssh, host: c.example.net, user: ubuntu, port: 2222}
"""
    peermap = parse_peermap(text)
    a, b, c = (node.transport for node in peermap.nodes)
    assert (a.kind, a.netns) == ("netns", "a")
    assert (b.kind, b.host) == ("multipass", "b")
    assert (c.kind, c.host, c.user, c.port) == ("ssh", "c.example.net", "ubuntu", 2222)
    with pytest.raises(PeermapError, match=r"nodes\[0\]: transport ssh needs `host`"):
        parse_peermap("version: 1\nnodes:\n  - {name: a, address: 198.18.0.1/24, transport: ssh}\n")


def test_password_never_shows_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BK_TEST_PW", "hunter2-secret")
    peermap = parse_peermap("version: 1\noptions: {password: {env: BK_TEST_PW}}\n"
                            "nodes: [{name: a, address: 198.18.0.1/24}]\n")
    assert peermap.options.password is not None
    assert peermap.options.password.reveal() == "hunter2-secret"
    assert "hunter2" not in repr(peermap)
    monkeypatch.setenv("BK_TEST_PW", 'bad"secret')
    with pytest.raises(PeermapError) as caught:
        parse_peermap("version: 1\noptions: {password: {env: BK_TEST_PW}}\n"
                      "nodes: [{name: a, address: 198.18.0.1/24}]\n")
    assert "bad" not in str(caught.value)
    assert "$BK_TEST_PW" in str(caught.value)


def test_password_from_a_file_relative_to_the_peermap(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("from-file-pw\n")
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\noptions: {password: {file: secret.txt}}\nnodes: [{name: a, address: 198.18.0.1/24}]\n")
    password = load_peermap(path).options.password
    assert password is not None and password.reveal() == "from-file-pw"


def test_password_file_of_parsed_data_is_read_relative_to_base_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.txt").write_text("base-dir-pw\n")
    monkeypatch.chdir("/")
    data = {"version": 1, "options": {"password": {"file": "secret.txt"}},
            "nodes": [{"name": "a", "address": "198.18.0.1/24"}]}
    password = peermap_from_data(data, base_dir=tmp_path).options.password
    assert password is not None and password.reveal() == "base-dir-pw"
    with pytest.raises(PeermapError, match=r"secret\.txt"):
        peermap_from_data(data)


def test_invalid_peermap_leaves_existing_output_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["gen", str(EXAMPLES / "walkthrough.yaml"), "-o", "out"]) == 0
    before = {path: path.read_bytes() for path in Path("out").rglob("*") if path.is_file()}
    Path("peermap.yaml").write_text(CASES["overlapping pod cidrs"][0])
    assert main(["gen", "peermap.yaml", "-o", "out"]) == 2
    assert {path: path.read_bytes() for path in Path("out").rglob("*") if path.is_file()} == before
