"""Hostile files: devices, FIFOs, /proc, directories, huge and non-UTF-8 files, symlinks, hard links, owners,
read-only files and full or read-only file systems, against the bounded reader, the writer and the commands."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from birdkit.errors import FileError
from birdkit.files import MAX_CONFIG_BYTES, read_bytes, read_text, write_atomically

from .probe import birdkit

UNFORMATTED = "router id 1.2.3.4;\nprotocol device {\n}\n"
FORMATTED = "router id 1.2.3.4;\nprotocol device {}\n"
BIRD_UID, BIRD_GID = 102, 105


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.conf"
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "64k") -> Iterator[Path]:
    """A small tmpfs at ``folder`` (root only), unmounted afterwards even when the test fails."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_up(path: Path) -> None:
    """Write to ``path`` until its file system is full."""
    with path.open("wb", buffering=0) as stream, contextlib.suppress(OSError):
        while True:
            stream.write(b"x" * 4096)


# ---------------------------------------------------------------- the reader


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/dev/zero", "kernel file"),
        ("/dev/urandom", "kernel file"),
        ("/proc/self/environ", "kernel file"),
        ("/proc/self/fd/0", "kernel file"),
        ("/sys/kernel/mm/transparent_hugepage/enabled", "kernel file"),
        ("/", "a directory"),
        ("/nonexistent/bird.conf", "No such file"),
    ],
)
def test_reader_refuses_what_is_not_a_regular_file(path: str, says: str) -> None:
    with pytest.raises(FileError, match=says):
        read_bytes(path, limit=1000)


def test_reader_does_not_block_on_a_fifo(fifo: Path) -> None:
    with pytest.raises(FileError, match="a FIFO"):
        read_bytes(fifo, limit=1000)


def test_reader_refuses_a_symlink_into_proc(tmp_path: Path) -> None:
    link = tmp_path / "innocent.conf"
    link.symlink_to("/proc/self/environ")
    with pytest.raises(FileError, match="kernel file"):
        read_bytes(link, limit=1000)


def test_reader_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 1001)
    assert read_bytes(path, limit=1001) == b"x" * 1001
    with pytest.raises(FileError, match="larger than 1000 bytes"):
        read_bytes(path, limit=1000)


def test_reader_names_the_line_and_column_of_a_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_bytes("a: 1\nbé: \xff\n".encode("latin-1").replace(b"\xe9", "é".encode()))
    with pytest.raises(FileError) as caught:
        read_text(path, limit=1000)
    assert (caught.value.line, caught.value.column) == (2, 5)
    assert "0xff" in caught.value.message


def test_lossless_text_keeps_every_byte(tmp_path: Path) -> None:
    data = b"# caf\xe9 \xff\xfe\nrouter id 1.2.3.4;\n"
    source, copy = tmp_path / "a.conf", tmp_path / "b.conf"
    source.write_bytes(data)
    write_atomically(copy, read_text(source, limit=1000, lossless=True))
    assert copy.read_bytes() == data


# ---------------------------------------------------------------- the writer


def test_writer_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    path = tmp_path / "bird.conf"
    path.write_text("old\n")
    os.chown(path, BIRD_UID, BIRD_GID)
    path.chmod(0o640)
    write_atomically(path, "new\n")
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (BIRD_UID, BIRD_GID, 0o640)
    assert path.read_text() == "new\n"


def test_writer_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real" / "bird.conf"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "bird.conf"
    link.symlink_to(target)
    write_atomically(link, "new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"


def test_writer_refuses_to_cut_hard_links(tmp_path: Path) -> None:
    path, other = tmp_path / "bird.conf", tmp_path / "other.conf"
    path.write_text("old\n")
    os.link(path, other)
    with pytest.raises(FileError, match="2 hard links"):
        write_atomically(path, "new\n")
    assert other.read_text() == path.read_text() == "old\n"
    assert os.stat(path).st_ino == os.stat(other).st_ino


def test_writer_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "bird.conf"
    path.write_text("old\n")
    path.chmod(0o444)
    with pytest.raises(FileError, match="read-only"):
        write_atomically(path, "new\n")
    assert path.read_text() == "old\n"


def test_writer_on_a_full_disk_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        path = disk / "bird.conf"
        path.write_text("old\n")
        with pytest.raises(FileError) as caught:
            write_atomically(path, "x" * (256 << 10))
        assert "No space left" in str(caught.value) and ".tmp" not in str(caught.value)
        assert path.read_text() == "old\n"
        assert sorted(p.name for p in disk.iterdir()) == ["bird.conf"]


def test_writer_on_a_read_only_file_system(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        path = disk / "bird.conf"
        path.write_text("old\n")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        with pytest.raises(FileError, match="Read-only file system") as caught:
            write_atomically(path, "new\n")
        assert ".tmp" not in str(caught.value)
        assert path.read_text() == "old\n"


# ---------------------------------------------------------------- the commands


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
@pytest.mark.parametrize("path", ["/dev/zero", "/proc/self/environ", "/", "/nonexistent.conf"])
def test_config_commands_refuse_unreadable_paths(command: str, path: str) -> None:
    birdkit([command, path]).clean(2, says="cannot read config")


@pytest.mark.parametrize("command", ["check", "fmt", "lint"])
def test_config_commands_refuse_a_fifo(command: str, fifo: Path) -> None:
    birdkit([command, str(fifo)]).clean(2, says="it is a FIFO")


def test_check_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.conf"
    with path.open("wb") as stream:
        stream.truncate(MAX_CONFIG_BYTES + 1)  # sparse: no disk used
    birdkit(["check", str(path)]).clean(2, says="larger than 64 MiB")


def test_fmt_keeps_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bird.conf"
    path.write_bytes(b"# caf\xe9\n" + UNFORMATTED.encode())
    birdkit(["fmt", "--write", str(path)]).clean(0)
    assert path.read_bytes() == b"# caf\xe9\n" + FORMATTED.encode()


def test_fmt_write_keeps_owner_mode_and_symlink(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    target = tmp_path / "etc-bird" / "bird.conf"
    target.parent.mkdir()
    target.write_text(UNFORMATTED)
    os.chown(target, BIRD_UID, BIRD_GID)
    target.chmod(0o640)
    link = tmp_path / "bird.conf"
    link.symlink_to(target)
    birdkit(["fmt", "--write", str(link)]).clean(0)
    info = target.stat()
    assert link.is_symlink() and target.read_text() == FORMATTED
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (BIRD_UID, BIRD_GID, 0o640)


def test_fmt_write_refuses_read_only_and_hard_linked_files(tmp_path: Path) -> None:
    read_only = tmp_path / "ro.conf"
    read_only.write_text(UNFORMATTED)
    read_only.chmod(0o444)
    birdkit(["fmt", "--write", str(read_only)]).clean(2, says="read-only")
    linked = tmp_path / "linked.conf"
    linked.write_text(UNFORMATTED)
    os.link(linked, tmp_path / "other.conf")
    birdkit(["fmt", "--write", str(linked)]).clean(2, says="hard links")
    assert read_only.read_text() == linked.read_text() == UNFORMATTED


def test_fmt_write_on_a_full_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        path = disk / "bird.conf"
        path.write_text(UNFORMATTED)
        fill_up(disk / "filler")
        outcome = birdkit(["fmt", "--write", str(path)]).clean(2, says="No space left on device")
        assert ".tmp" not in outcome.stderr
        assert sorted(p.name for p in disk.iterdir()) == ["bird.conf", "filler"]
        assert path.read_text() == UNFORMATTED


def test_an_included_private_file_is_not_shown(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hashhashhash:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    main = tmp_path / "bird.conf"
    main.write_text(f'include "{secret}";\n')
    birdkit(["check", str(main)]).clean(1, says="only its owner may read").shows_none_of("hashhash", "root:")


def test_an_included_proc_file_is_refused_unread(tmp_path: Path) -> None:
    main = tmp_path / "bird.conf"
    main.write_text('include "/proc/self/environ";\n')
    birdkit(["check", str(main)], env={"PROBE_SECRET": "s3cr3t-value"}).clean(1, says="kernel file").shows_none_of(
        "s3cr3t-value"
    )


def test_check_and_lint_read_stdin() -> None:
    birdkit(["check", "-"], stdin=FORMATTED.encode()).clean(0, says="<stdin>: ok")
    birdkit(["lint", "-"], stdin=FORMATTED.encode()).clean(0, says="0 error(s)")


def test_an_ssh_host_is_never_read_as_an_option() -> None:
    from birdkit.apply.transport import SshTransport

    argv = SshTransport("vm1", "-oProxyCommand=touch /tmp/pwned").ssh_argv(["true"])
    assert argv.index("--") < argv.index("-oProxyCommand=touch /tmp/pwned")


def test_a_netns_transport_creates_nothing_until_it_writes(tmp_path: Path) -> None:
    from birdkit.apply.transport import NetnsTransport, transport_for
    from birdkit.gen.peermap import Transport as NodeTransport
    from birdkit.runtime import BirdRuntime

    runtime = BirdRuntime("2.0.12", tmp_path)
    transport = transport_for("ghost", NodeTransport("netns", netns="bkt-ghost"), "2.0.12", lambda _: runtime)
    assert isinstance(transport, NetnsTransport)
    assert not transport.state_dir.exists()
    transport.put_file(transport.layout.config_path, b"router id 1.2.3.4;\n")
    assert (transport.state_dir / "bird.conf").read_bytes() == b"router id 1.2.3.4;\n"
