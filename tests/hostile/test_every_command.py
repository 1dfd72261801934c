"""The categories every reading command must survive, probed across commands where the other hostile tests probe
one: symlink loops and links into /proc, file names with terminal controls, input cut mid-statement, nesting past
the stack in JSON and TOML peer maps, files over the size limit, and private files that must not be quoted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from birdkit.files import MAX_CONFIG_BYTES

from .probe import birdkit

CONFIG = b"router id 1.2.3.4;\nprotocol device {}\n"
PEERMAP = b"version: 1\nnodes: [{name: vm1, address: 198.18.0.1/24}, {name: vm2, address: 198.18.0.2/24}]\n"
ROUTES = (Path(__file__).resolve().parents[1] / "fixtures" / "client" / "receiver-2.17.6.birdc-route-all.txt")

#: command -> (argv before the file, a valid input, the exit code of that valid input)
READERS: dict[str, tuple[list[str], bytes]] = {
    "check": (["check"], CONFIG),
    "fmt": (["fmt", "--check"], CONFIG),
    "lint": (["lint"], CONFIG),
    "parse-routes": (["parse-routes"], ROUTES.read_bytes()),
    "parse-protocols": (["parse-protocols"], b"Name       Proto      Table      State  Since         Info\n"),
    "gen": (["gen", "--explain", "vm1"], PEERMAP),
    "apply": (["apply", "--dry-run"], PEERMAP),
    "verify": (["verify"], PEERMAP),
    "lab up": (["lab", "up"], PEERMAP),
    "matrix check": (["matrix", "check"], CONFIG),
    "peermap from-kubernetes": (["peermap", "from-kubernetes"], b'{"items": []}'),
}


def suffix(command: str) -> str:
    return ".yaml" if command in ("gen", "apply", "verify", "lab up") else ".json" if "kubernetes" in command else ""


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_symlink_loop_is_a_clean_refusal(command: str, tmp_path: Path) -> None:
    loop = tmp_path / f"loop{suffix(command)}"
    loop.symlink_to(loop)
    outcome = birdkit([*READERS[command][0], str(loop)], env={"BIRDKIT_STATE": str(tmp_path / "state")})
    outcome.clean(2, says="Too many levels of symbolic links")
    assert outcome.seconds < 10 and not (tmp_path / "state").exists()


@pytest.mark.parametrize("command", sorted(READERS))
def test_an_innocent_name_linked_into_proc_is_refused_unread(command: str, tmp_path: Path) -> None:
    link = tmp_path / f"innocent{suffix(command)}"
    link.symlink_to("/proc/self/environ")
    outcome = birdkit([*READERS[command][0], str(link)], env={"PROBE_SECRET": "PROBE_SECRET_VALUE",
                                                             "BIRDKIT_STATE": str(tmp_path / "state")})
    outcome.clean(2, says="kernel file").shows_none_of("PROBE_SECRET_VALUE")


@pytest.mark.parametrize(
    "command", [["check"], ["fmt"], ["lint"], ["parse-routes"], ["parse-protocols"], ["peermap", "from-kubernetes"]]
)
def test_a_closed_standard_input_is_a_clean_refusal(command: list[str]) -> None:
    birdkit([*command, "-"], closed=(0,)).clean(2, says="cannot read standard input: it is closed")


@pytest.mark.parametrize(
    "command",
    [["check"], ["fmt"], ["lint", "--json"], ["parse-routes", "--format", "json"], ["gen", "--explain", "vm1"]],
)
@pytest.mark.parametrize("output", ["/dev/full", "closed"])
def test_an_output_that_cannot_be_written_is_a_clean_error(command: list[str], output: str, tmp_path: Path) -> None:
    path = tmp_path / f"input{'.yaml' if command[0] == 'gen' else ''}"
    path.write_bytes(READERS[command[0]][1])
    if output == "closed":
        birdkit([*command, str(path)], closed=(1,)).clean(2, says="standard output is closed")
    else:
        birdkit([*command, str(path)], stdout=output).clean(2, says="No space left on device")


@pytest.mark.parametrize("command", ["check", "fmt", "lint", "parse-routes", "gen"])
def test_a_file_name_with_terminal_controls_is_shown_escaped(command: str, tmp_path: Path) -> None:
    argv, valid = READERS[command]
    path = tmp_path / f"caf\udce9\x1b]0;pwned\x07\x1b[2J{suffix(command)}"
    path.write_bytes(valid.replace(b"{}", b"{\n}") if command == "fmt" else valid)
    outcome = birdkit([*argv, os.fsdecode(path), *(["--json"] if command == "lint" else [])])
    assert outcome.code in (0, 1) and "Traceback" not in outcome.stderr
    assert "\x1b" not in outcome.stdout + outcome.stderr and "\x07" not in outcome.stdout + outcome.stderr


def test_gen_escapes_an_output_directory_with_terminal_controls(tmp_path: Path) -> None:
    peermap = tmp_path / "peermap.yaml"
    peermap.write_bytes(PEERMAP)
    outcome = birdkit(["gen", str(peermap), "-o", str(tmp_path / "out\x1b[2J")]).clean(0, says="out\\x1b[2J")
    assert "\x1b" not in outcome.stdout + outcome.stderr


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
@pytest.mark.parametrize("target", ["99", "2.0.12\x1b[2J"])
def test_an_unknown_target_is_a_usage_error(command: str, target: str) -> None:
    outcome = birdkit([command, "--target", target, "-"], stdin=CONFIG).clean(2, says="unknown BIRD version")
    assert "\x1b" not in outcome.stderr


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
def test_a_config_cut_mid_statement_is_a_located_error(command: str, tmp_path: Path) -> None:
    path = tmp_path / "cut.conf"
    path.write_bytes(b"router id 1.2.3.4;\nprotocol bgp peer1 {\n  local as 65000;\n  neighbor 198.18.0.")
    outcome = birdkit([command, str(path)]).clean(1, says=f"{path}:4:")
    assert path.read_bytes().endswith(b"198.18.0.") and outcome.seconds < 10


@pytest.mark.parametrize("command", [["check"], ["fmt"], ["lint"], ["matrix", "check"]])
def test_a_config_over_the_size_limit_is_refused_unread(command: list[str], tmp_path: Path) -> None:
    path = tmp_path / "huge.conf"
    with path.open("wb") as stream:
        stream.truncate(MAX_CONFIG_BYTES + 1)  # sparse: no disk used
    birdkit([*command, str(path)]).clean(2, says="larger than 64 MiB")


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ("deep.toml", "x = " + "[" * 100_000 + "]" * 100_000, "not valid TOML: nested too deeply"),
        ("cut.json", '{"version": 1, "nodes": [{"name": "vm1", "addr', "not valid JSON"),
        ("cut.toml", 'version = 1\n[[nodes]]\nname = "vm1', "not valid TOML"),
        ("cut.yaml", "version: 1\nnodes: [{name: vm1, address: 198.18", "not valid YAML"),
    ],
)
def test_gen_refuses_deep_and_truncated_peer_maps_and_writes_nothing(
    name: str, text: str, says: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(text)
    outcome = birdkit(["gen", str(path), "-o", str(tmp_path / "out")]).clean(2, says=says)
    assert not (tmp_path / "out").exists() and outcome.seconds < 10


@pytest.mark.parametrize(
    ("kind", "says"),
    [("zero", "kernel file"), ("fifo", "it is a FIFO"), ("latin1", "not valid UTF-8"), ("huge", "larger than 1 MiB")],
)
def test_gen_refuses_a_template_that_is_no_file(kind: str, says: str, tmp_path: Path) -> None:
    (tmp_path / "peermap.yaml").write_bytes(PEERMAP)
    templates = tmp_path / "templates"
    templates.mkdir()
    main = templates / "main.j2"
    if kind == "zero":
        main.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(main)
    elif kind == "latin1":
        main.write_bytes(b"# caf\xe9 {{ x }}\n")
    else:
        main.write_bytes(b"#" * (2 << 20))
    out = tmp_path / "out"
    outcome = birdkit(["gen", str(tmp_path / "peermap.yaml"), "-o", str(out), "--templates", str(templates)])
    outcome.clean(2, says=says)
    assert not (tmp_path / "out").exists() and outcome.seconds < 10


def test_a_private_peer_map_named_by_a_symlink_is_not_quoted_when_it_is_not_yaml(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$probe-hash-4f7a:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    link = tmp_path / "peermap.json"
    link.symlink_to(secret)
    birdkit(["gen", str(link), "-o", str(tmp_path / "out")]).clean(2, says="not valid JSON").shows_none_of(
        "probe-hash"
    )
