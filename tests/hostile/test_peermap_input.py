"""Hostile peer maps through `birdkit gen`: YAML tricks, encodings, sizes, kernel files as passwords, and the
mode of what gen wrote."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from .probe import birdkit

NODES = "nodes: [{name: vm1, address: 198.18.0.1/24}, {name: vm2, address: 198.18.0.2/24}]\n"
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x: &a [*a]\n", "refers to a collection containing it"),
        ("a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB, "alias bomb"),
        ("version: 1\nversion: 1\n" + NODES, "duplicate key 'version'"),
        ("version: true\n" + NODES, "unsupported schema version True"),
        ("version: 1.0\n" + NODES, "unsupported schema version 1.0"),
        ("version: 1\n" + "x: " + "[" * 200 + "]" * 200 + "\n" + NODES, "not valid YAML"),
        ("version: 1\nnodes: [\x00]\n", "is not allowed"),
        ("version: 1\n" + NODES.replace("vm2", "vm\udcff2"), "not valid UTF-8"),
    ],
)
def test_yaml_tricks_are_clean_errors_and_write_nothing(text: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / "peermap.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    birdkit(["gen", str(path), "-o", str(tmp_path / "out")]).clean(2, says=says)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("secret_file", ["/dev/zero", "/proc/self/environ", "/dev/stdin", "/"])
def test_a_password_file_that_is_no_file_is_refused_unread(secret_file: str, tmp_path: Path) -> None:
    path = tmp_path / "peermap.yaml"
    path.write_text(f"version: 1\noptions: {{password: {{file: {secret_file}}}}}\n" + NODES)
    outcome = birdkit(["gen", str(path), "-o", str(tmp_path / "out")], env={"PROBE_SECRET": "s3cr3t-env"})
    outcome.clean(2, says="password file").shows_none_of("s3cr3t-env")
    assert not (tmp_path / "out").exists()


def test_a_huge_password_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"x" * 5000)
    path = tmp_path / "peermap.yaml"
    path.write_text("version: 1\noptions: {password: {file: secret}}\n" + NODES)
    birdkit(["gen", str(path), "-o", str(tmp_path / "out")]).clean(2, says="larger than 4095 bytes")


@pytest.mark.parametrize("peermap", ["/dev/zero", "/proc/self/environ", "/"])
def test_a_peer_map_that_is_no_file_is_refused(peermap: str, tmp_path: Path) -> None:
    birdkit(["gen", peermap, "-o", str(tmp_path / "out")]).clean(2, says="cannot read peer map")


def test_gen_restores_the_mode_of_an_unchanged_private_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("not-a-real-secret\n")
    path = tmp_path / "peermap.yaml"
    path.write_text("version: 1\noptions: {password: {file: secret}}\n" + NODES)
    out = tmp_path / "out"
    birdkit(["gen", str(path), "-o", str(out)]).clean(0)
    config = out / "vm1" / "bird.conf"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    config.chmod(0o644)
    outcome = birdkit(["gen", str(path), "-o", str(out)]).clean(0, says="mode restored")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "not-a-real-secret" not in outcome.stdout + outcome.stderr


def test_gen_refuses_to_cut_a_hard_link_to_its_output(tmp_path: Path) -> None:
    path = tmp_path / "peermap.yaml"
    path.write_text("version: 1\n" + NODES)
    out = tmp_path / "out"
    birdkit(["gen", str(path), "-o", str(out)]).clean(0)
    os.link(out / "vm1" / "bird.conf", tmp_path / "elsewhere.conf")
    path.write_text("version: 1\n" + NODES.replace("198.18.0.2/24", "198.18.0.3/24"))
    birdkit(["gen", str(path), "-o", str(out)]).clean(2, says="hard links")


PASSWORD_FROM_ENV = "version: 1\noptions: {password: {env: BGP_PASSWORD}}\n" + NODES


@pytest.mark.parametrize("weak", ["all", "1", "bgp", ";", "export", "{", "vm2", "*"])
def test_masking_does_not_give_a_weak_password_away(weak: str, tmp_path: Path) -> None:
    """What gen prints does not depend on the password: masked only where it stands, the string after
    `password`, so `export all;` is not turned into `export ***;` by BGP_PASSWORD=all."""
    path = tmp_path / "peermap.yaml"
    path.write_text(PASSWORD_FROM_ENV)
    out = str(tmp_path / "out")
    strong = birdkit(["gen", str(path), "-o", out, "--diff"], env={"BGP_PASSWORD": "Str0ng-Pa55"}).clean(0)
    shown = birdkit(["gen", str(path), "-o", out, "--diff"], env={"BGP_PASSWORD": weak}).clean(0)
    assert shown.stdout == strong.stdout
    assert 'password "***";' in shown.stdout and "export all;" in shown.stdout
    birdkit(["gen", str(path), "-o", out], env={"BGP_PASSWORD": weak}).clean(0)
    written = (tmp_path / "out" / "vm1" / "bird.conf").read_text()
    assert f'password "{weak}";' in written
    (tmp_path / "out" / "vm1" / "bird.conf").write_text(written.replace(f'"{weak}"', '"old-one"'))
    changed = birdkit(["gen", str(path), "-o", out, "--diff"], env={"BGP_PASSWORD": weak}).clean(0)
    assert changed.stdout.count('password "***";') == 2 and "old-one" not in changed.stdout


def test_a_password_with_a_double_quote_is_refused_without_echo(tmp_path: Path) -> None:
    path = tmp_path / "peermap.yaml"
    path.write_text(PASSWORD_FROM_ENV)
    outcome = birdkit(["gen", str(path), "-o", str(tmp_path / "out")], env={"BGP_PASSWORD": 'ab"cd'})
    outcome.clean(2, says="double quote").shows_none_of('ab"cd')
    assert not (tmp_path / "out").exists()
