"""Hostile input for the fleet commands: apply, verify, peermap from-kubernetes, lab and matrix. Every probe is
refused before a node is touched: no namespace, no BIRD directory, no state, no output file appears, nothing
recorded is removed and no process is signalled."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from birdkit.runtime import BirdMatrix

from .probe import Outcome, birdkit

#: a private file's content; a probe that points at it must never print it
SECRET = "root:$6$probe-hash-4f7a:19000:0:99999:7:::"
#: a name no other test and no real lab uses, so the places it could create are easy to watch
GHOST = f"bkprobe{os.getpid() % 10000}"
#: stands for the probe's canary folder in hostile states: probes run `lab down` on a damaged state, so what it
#: names must be harmless if a check ever regressed (never '/', '/etc' or pid -1 there; readers test those)
CANARY = "/CANARY-PLACEHOLDER"
NODES = (
    f"nodes: [{{name: vm1, address: 198.18.0.1/24, netns: {GHOST}a}},"
    f" {{name: vm2, address: 198.18.0.2/24, netns: {GHOST}b}}]\n"
)


def namespaces() -> list[str]:
    """The namespaces a probe could have made (other sessions' come and go meanwhile)."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return sorted(name for name in (line.split()[0] for line in listed.splitlines() if line.strip())
                  if name.startswith(GHOST))


def bird_dirs() -> list[Path]:
    """Every BIRD directory a netns node called ``GHOST...`` would get (host and matrix trees)."""
    roots = [Path("/"), *Path(os.environ.get("BIRDKIT_CACHE", "/var/cache/birdkit")).glob("*-bird*")]
    return [path for root in roots for path in (root / "run/birdkit/nodes").glob(f"{GHOST}*")]


@pytest.fixture
def untouched(tmp_path: Path) -> Iterator[Path]:
    """A work directory; the probe must leave the host's namespaces as they were and give no node called
    ``GHOST...`` a BIRD directory."""
    before = namespaces()
    yield tmp_path
    assert namespaces() == before
    assert bird_dirs() == []


@pytest.fixture
def private(tmp_path: Path) -> Path:
    """A file only its owner may read, holding :data:`SECRET`."""
    path = tmp_path / "shadow"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


def hostile_file(tmp_path: Path, kind: str, suffix: str = ".yaml") -> str:
    """A path that is no usable input: a device, a FIFO, a kernel file, a directory, a symlink loop, bytes
    that are not UTF-8, JSON cut short or nested past any stack."""
    path = tmp_path / f"input{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "latin1":
        path.write_bytes(b"version: 1\n# caf\xe9\n" + NODES.encode())
    elif kind == "truncated":
        path.write_text('{"version": 1, "nodes": [{"name": "vm1", "addr')
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    else:
        return {"zero": "/dev/zero", "environ": "/proc/self/environ", "directory": str(tmp_path)}[kind]
    return str(path)


#: (symlink loops and links into /proc: see test_every_command)
KINDS = ["zero", "directory", "fifo", "latin1", "truncated", "deep"]


def refused(outcome: Outcome, *, says: str | None = None) -> Outcome:
    """Exit 2, a clean message, quickly, and no secret of the environment."""
    outcome.clean(2, says=says).shows_none_of("PROBE_SECRET_VALUE", SECRET)
    assert outcome.seconds < 10
    return outcome


ENV = {"PROBE_SECRET": "PROBE_SECRET_VALUE"}


# ---------------------------------------------------------------- apply and verify


COMMANDS = [["apply"], ["apply", "--dry-run"], ["verify"]]


@pytest.mark.parametrize(("command", "kind"), [(COMMANDS[index % 3], kind) for index, kind in enumerate(KINDS)])
def test_apply_and_verify_refuse_a_peer_map_that_is_no_file(command: list[str], kind: str, untouched: Path) -> None:
    suffix = ".json" if kind in ("truncated", "deep") else ".yaml"
    refused(birdkit([*command, hostile_file(untouched, kind, suffix)], env=ENV))


@pytest.mark.parametrize(
    ("node", "says"),
    [
        ("transport: ssh, host: '-oProxyCommand=touch /tmp/pwned'", "is not a host or user name"),
        ("transport: ssh, host: vm1, user: '-oProxyCommand=x'", "is not a host or user name"),
        ("transport: multipass, host: '--help'", "is not a host or user name"),
        ("netns: '../../etc'", "is not a valid name"),
        ("netns: 'a/b'", "is not a valid name"),
        ("netns: '" + "n" * 300 + "'", "is not a valid name"),
    ],
)
def test_a_node_that_would_reach_outside_is_refused_before_anything_runs(node: str, says: str, untouched: Path) -> None:
    command = COMMANDS[len(node) % 3]
    peermap = untouched / "peermap.yaml"
    peermap.write_text(f"version: 1\nnodes:\n  - {{name: vm1, address: 198.18.0.1/24, {node}}}\n")
    refused(birdkit([*command, str(peermap)]), says=says)
    peermap.unlink()
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["apply", "--jobs", "0"], "--jobs: a whole number from 1 to 1024, not 0"),
        (["apply", "--jobs", "-1"], "--jobs"),
        (["apply", "--timeout", "0"], "--timeout: a whole number from 2 to 86400, not 0"),
        (["apply", "--timeout", "1e9"], "--timeout"),
        (["apply", "--dry-run", "--node", "ghost"], "unknown node(s): ghost"),
        (["verify", "--node", "ghost"], "unknown node(s): ghost"),
        (["verify", "--wait", "nan"], "--wait: zero or a positive number of seconds, not 'nan'"),
        (["verify", "--wait", "inf"], "--wait"),
        (["verify", "--wait", "-1"], "--wait"),
    ],
)
def test_flags_out_of_range_are_usage_errors(flags: list[str], says: str, untouched: Path) -> None:
    peermap = untouched / "peermap.yaml"
    peermap.write_text("version: 1\n" + NODES)
    refused(birdkit([*flags, str(peermap)]), says=says)
    peermap.unlink()


def test_a_fleet_of_a_million_nodes_is_refused_quickly(untouched: Path) -> None:
    peermap = untouched / "peermap.json"
    nodes = [{"name": f"n{index}", "address": "198.18.0.1/24"} for index in range(100_000)]
    peermap.write_text(json.dumps({"version": 1, "nodes": nodes}))
    refused(birdkit(["verify", str(peermap)]), says="larger than 4 MiB")
    peermap.write_text(json.dumps({"version": 1, "nodes": nodes[:5001]}))
    refused(birdkit(["apply", "--dry-run", str(peermap)]), says="5001 nodes: a peer map holds at most 5000")
    peermap.unlink()


def test_a_private_peer_map_is_not_quoted_in_json_errors(private: Path, untouched: Path) -> None:
    link = untouched / "peermap.json"
    link.symlink_to(private)
    refused(birdkit(["verify", str(link)]), says="not valid JSON")
    link.unlink()


# ---------------------------------------------------------------- peermap from-kubernetes


@pytest.mark.parametrize("kind", KINDS)
def test_from_kubernetes_refuses_a_node_list_that_is_no_file(kind: str, untouched: Path) -> None:
    output = untouched / "peermap.yaml"
    source = hostile_file(untouched, kind, ".json")
    refused(birdkit(["peermap", "from-kubernetes", source, "-o", str(output)], env=ENV))
    assert not output.exists()


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"items": [' + b"{}," * 1_000_000 + b"{}]}", "1000001 Nodes: a peer map holds at most 5000"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"items": [{"metadata": {"name": "a\\u001b]0;x\\u0007"}}]}', "has no spec.podCIDRs"),
    ],
    ids=["latin1", "million-nodes", "deep", "escapes"],
)
def test_from_kubernetes_refuses_hostile_stdin(stdin: bytes, says: str, untouched: Path) -> None:
    outcome = refused(birdkit(["peermap", "from-kubernetes", "-", "-o", str(untouched / "p.yaml")], stdin=stdin),
                      says=says)
    assert "\x1b" not in outcome.stderr


def test_from_kubernetes_does_not_hold_a_full_mesh_of_every_pair(tmp_path: Path) -> None:
    """5000 Nodes on separate subnets: the first unreachable pair is reported at once, in bounded memory
    (it used to list all 12.5 million pairs first: 900 MB and 5 s; 20000 Nodes took 14 GB)."""
    items = [
        {"metadata": {"name": f"w{index}"}, "spec": {"podCIDRs": [f"10.{index // 256}.{index % 256}.0/24"]},
         "status": {"addresses": [{"type": "InternalIP", "address": f"198.18.{index // 250}.{index % 250 + 1}"}]}}
        for index in range(5000)
    ]
    source = tmp_path / "nodes.json"
    source.write_text(json.dumps({"items": items}))
    refused(birdkit(["peermap", "from-kubernetes", str(source), "-o", str(tmp_path / "p.yaml")]),
            says="is not on the subnet of its peer")
    assert not (tmp_path / "p.yaml").exists()


def test_from_kubernetes_keeps_a_read_only_or_hard_linked_output(tmp_path: Path) -> None:
    source = tmp_path / "nodes.json"
    source.write_text(json.dumps({"items": [
        {"metadata": {"name": "w1"}, "spec": {"podCIDRs": ["10.0.1.0/24"]},
         "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.1"}]}}]}))
    output = tmp_path / "p.yaml"
    output.write_text("old\n")
    output.chmod(0o444)
    refused(birdkit(["peermap", "from-kubernetes", str(source), "-o", str(output)]), says="read-only")
    output.chmod(0o644)
    os.link(output, tmp_path / "other.yaml")
    refused(birdkit(["peermap", "from-kubernetes", str(source), "-o", str(output)]), says="hard links")
    assert output.read_text() == "old\n"


# ---------------------------------------------------------------- lab


LAB_NODE = {
    "name": "vm1", "netns": f"{GHOST}-vm1", "pod_netns": f"{GHOST}-vm1_pod", "address": "198.18.0.1",
    "prefixlen": 24, "router_id": "198.18.0.1", "pod_cidr": "10.0.1.0/24", "pod_ip": "10.0.1.10",
    "bird_version": "2.0.12", "bird_dir": "", "interface": "eth0",
}


def lab_state(**node: object) -> str:
    return json.dumps({"name": GHOST, "backend": "netns", "underlay": "198.18.0.0/24",
                       "nodes": [{**LAB_NODE, **node}]})


def fabric_state(**fields: object) -> str:
    return json.dumps({"prefix": GHOST, "namespaces": [f"{GHOST}-vm1"], "pids": [], "paths": [], **fields})


@pytest.fixture
def lab_dir(tmp_path: Path) -> Path:
    """``$BIRDKIT_STATE/lab`` of a probe, with a canary the lab never made (a damaged state must not remove it)."""
    (tmp_path / "canary").mkdir()
    (tmp_path / "canary" / "keep").write_text("keep\n")
    directory = tmp_path / "state" / "lab"
    directory.mkdir(parents=True)
    return directory


def run_lab(lab_dir: Path, *args: str) -> Outcome:
    return birdkit(["lab", *args], env={"BIRDKIT_STATE": str(lab_dir.parent), **ENV})


ACTIONS = ["status", "ping", "blackhole", "down"]


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (b'{"name": "bkl", "backend": "netns", "underl', "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
        (b" " * (5 << 20), "larger than 4 MiB"),
        (b"[1, 2]", "is damaged"),
        (b'{"name": "bkl"}', "is damaged"),
        (lab_state(bird_dir=CANARY).encode(), "is not a directory the lab makes"),
        (lab_state(bird_dir=f"/run/birdkit/nodes/../../..{CANARY}").encode(), "is not a directory the lab makes"),
        (lab_state(netns="../../bkprobe-canary").encode(), "namespace names"),
        (lab_state(prefixlen="24").encode(), "prefixlen of the wrong type"),
    ],
    ids=["truncated", "latin1", "deep", "huge", "list", "missing", "outside", "dotdot", "netns", "type"],
)
def test_a_damaged_lab_state_is_refused_and_nothing_is_removed(state: bytes, says: str, lab_dir: Path) -> None:
    state = state.replace(CANARY.encode(), str(lab_dir.parents[1] / "canary").encode())
    (lab_dir / "lab.json").write_bytes(state)
    before = namespaces()
    refused(run_lab(lab_dir, "down" if b"bird_dir" in state else ACTIONS[len(state) % 4]), says=says)
    assert (lab_dir / "lab.json").read_bytes() == state
    assert (lab_dir.parents[1] / "canary" / "keep").exists() and namespaces() == before


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"pids": ["1"]}, "'1' is not a process id"),
        ({"paths": [CANARY]}, "is not a directory the lab makes"),
        ({"paths": [f"/run/birdkit/../..{CANARY}"]}, "is not a directory the lab makes"),
        ({"namespaces": ["../../x"]}, "is not one of prefix"),
        ({"namespaces": ["default"]}, "is not one of prefix"),
        ({"prefix": 7}, "expected an object"),
    ],
)
def test_lab_down_refuses_a_fabric_state_that_names_what_the_lab_never_made(
    fields: dict[str, object], says: str, lab_dir: Path
) -> None:
    (lab_dir / "fabric").mkdir()
    state = fabric_state(**fields).replace(CANARY, str(lab_dir.parents[1] / "canary"))
    (lab_dir / "fabric" / "fabric.json").write_text(state)
    before = namespaces()
    refused(run_lab(lab_dir, "down"), says=says)
    assert (lab_dir / "fabric" / "fabric.json").exists() and namespaces() == before
    assert (lab_dir.parents[1] / "canary" / "keep").exists()


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"pids": [-1]}, "-1 is not a process id"),
        ({"pids": [1]}, "1 is not a process id"),
        ({"paths": ["/"]}, "'/' is not a directory the lab makes"),
        ({"paths": ["/etc"]}, "'/etc' is not a directory the lab makes"),
        ({"paths": ["/run/birdkit/../../etc"]}, "is not a directory the lab makes"),
    ],
)
def test_the_fabric_state_reader_refuses_what_would_harm_the_host(
    fields: dict[str, object], says: str, tmp_path: Path
) -> None:
    """Only the reader sees these: a probe must never run `lab down` on them (kill(-1), rmtree('/etc'))."""
    from birdkit.errors import BirdkitError
    from birdkit.lab.netns import read_fabric_state

    state_file = tmp_path / "fabric.json"
    state_file.write_text(fabric_state(**fields))
    with pytest.raises(BirdkitError, match=re.escape(says)):
        read_fabric_state(state_file)


@pytest.mark.parametrize("bird_dir", ["/", "/etc", "/run/birdkit/nodes/../../../etc"])
def test_the_lab_state_reader_refuses_bird_dirs_outside_the_lab(bird_dir: str, tmp_path: Path) -> None:
    """Only the reader sees these: a probe must never run `lab down` on them."""
    from birdkit.errors import BirdkitError
    from birdkit.lab.walkthrough import load_state

    (tmp_path / "lab.json").write_text(lab_state(bird_dir=bird_dir))
    with pytest.raises(BirdkitError, match="is not a directory the lab makes"):
        load_state(tmp_path)


@pytest.mark.parametrize("target", ["private", "/dev/zero", "fifo", "directory"])
def test_a_lab_state_that_is_no_file_is_refused_unread(target: str, lab_dir: Path, private: Path) -> None:
    state = lab_dir / "lab.json"
    if target == "private":
        state.symlink_to(private)
    elif target == "fifo":
        os.mkfifo(state)
    elif target == "directory":
        state.mkdir()
    else:
        state.symlink_to(target)
    refused(run_lab(lab_dir, "down"))
    assert os.path.lexists(state)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--timeout", "nan"], "--timeout: a positive number of seconds, not 'nan'"),
        (["--timeout", "-1"], "--timeout"),
        (["--nodes", "0"], "a lab has 1 to 250 nodes"),
        (["--bird", "2.0.12,x;y"], "'x;y' is not a BIRD version"),
        (["--name", "../x"], "a lab name is a lowercase letter"),
        (["--name", "a\x1b[2J"], "a lab name is a lowercase letter"),
        (["--underlay", "bogus"], "expected an IPv4 subnet"),
        (["--underlay", "198.18.0.0/31"], "a lab has 1 to 0 nodes"),
        (["/dev/zero"], "kernel file"),
    ],
)
def test_lab_up_refuses_bad_flags_before_building_anything(flags: list[str], says: str, lab_dir: Path) -> None:
    before = namespaces()
    outcome = refused(run_lab(lab_dir, "up", "--name", GHOST, *flags), says=says)
    assert "\x1b" not in outcome.stderr
    assert namespaces() == before and bird_dirs() == [] and list(lab_dir.iterdir()) == []


def test_lab_up_with_a_peer_map_and_nodes_is_a_usage_error(lab_dir: Path, tmp_path: Path) -> None:
    peermap = tmp_path / "p.yaml"
    peermap.write_text("version: 1\n" + NODES)
    refused(run_lab(lab_dir, "up", "--name", GHOST, str(peermap), "--nodes", "3"), says="--nodes builds the default")
    assert list(lab_dir.iterdir()) == []


# ---------------------------------------------------------------- matrix


@pytest.mark.parametrize("kind", ["zero", "fifo", "loop"])
def test_matrix_check_refuses_a_config_that_is_no_file(kind: str, tmp_path: Path) -> None:
    refused(birdkit(["matrix", "check", hostile_file(tmp_path, kind, ".conf")], env=ENV), says="cannot read config")


@pytest.mark.parametrize(("args", "says"), [(["check"], "needs FILEs"), (["list", "x.conf"], "takes no FILE")])
def test_matrix_usage_errors(args: list[str], says: str) -> None:
    refused(birdkit(["matrix", *args]), says=says)


@pytest.mark.matrix
def test_matrix_check_keeps_non_utf8_bytes_and_escapes_the_name(tmp_path: Path, bird_matrix: BirdMatrix) -> None:
    path = tmp_path / "caf\udce9\x1b[2J.conf"
    path.write_bytes(b"# caf\xe9\nrouter id 1.2.3.4;\nprotocol device {}\n")
    outcome = birdkit(["matrix", "check", os.fsdecode(path)]).clean(0)
    assert "\x1b" not in outcome.stdout and "\\x1b[2J" in outcome.stdout
