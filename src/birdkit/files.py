"""The files a user names: read bounded (regular files only, size limit, UTF-8 checked) and written atomically
(owner, group, mode and symlinks kept; a reader or BIRD sees the old content or the new, never half of it)."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from birdkit.errors import FileError
from birdkit.span import Span

#: the largest config file (each include too) birdkit reads; real full-table configs stay far below
MAX_CONFIG_BYTES = 64 << 20
#: the largest peer map
MAX_PEERMAP_BYTES = 4 << 20
#: the largest password file (BIRD cannot hold a string of 4096 bytes or more)
MAX_SECRET_BYTES = 4095
#: the largest `kubectl get nodes -o json` output (a Node takes about 5 to 15 KB; a cluster has at most 5000)
MAX_NODE_LIST_BYTES = 128 << 20
#: the largest template of `gen --templates`
MAX_TEMPLATE_BYTES = 1 << 20
#: the largest state file birdkit itself wrote (the lab's lab.json and fabric.json)
MAX_STATE_BYTES = 4 << 20

# kernel file systems: their "files" are devices, process state or endless streams, never user input
_KERNEL_ROOTS = ("/proc/", "/sys/", "/dev/")

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def _open_checked(name: str, what: str, kinds: tuple[int, ...]) -> int:
    """A read-only descriptor of ``name``, refused unless its kind is one of ``kinds`` (kernel files never)."""
    real = os.path.realpath(name)
    if real.startswith(_KERNEL_ROOTS):
        raise FileError(f"cannot read {what} {name}: {real} is a kernel file, not a {what}", path=name)
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        raise FileError(f"cannot read {what} {name}: {error.strerror}", path=name) from None
    kind = stat.S_IFMT(os.fstat(handle).st_mode)
    if kind not in kinds:
        os.close(handle)
        raise FileError(f"cannot read {what} {name}: it is {_KINDS.get(kind, 'not a regular file')}", path=name)
    return handle


def open_stream(path: str | os.PathLike[str], *, what: str = "file") -> BinaryIO:
    """``path`` opened for reading as a binary stream: a regular file or a FIFO (output piped in by name);
    directories, devices, sockets and kernel files raise :class:`FileError`. The caller bounds what it reads."""
    handle = _open_checked(os.fspath(path), what, (stat.S_IFREG, stat.S_IFIFO))
    os.set_blocking(handle, True)
    return os.fdopen(handle, "rb")


def read_bytes(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> bytes:
    """The content of the regular file ``path``, at most ``limit`` bytes.

    Directories, FIFOs, devices, sockets and files under /proc, /sys and /dev raise :class:`FileError`
    without reading anything (a FIFO is opened non-blocking, so it cannot stall); so does a longer file.
    ``what`` names the file in messages (``config``, ``peer map``, ``password file``).
    """
    name = os.fspath(path)
    handle = _open_checked(name, what, (stat.S_IFREG,))
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(handle, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise FileError(f"cannot read {what} {name}: {error.strerror}", path=name) from None
    finally:
        os.close(handle)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileError(
            f"{what} {name} is larger than {_size(limit)}", hint=f"birdkit reads {what}s up to that size", path=name
        )
    return data


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text; an invalid byte raises :class:`FileError` at its ``file:line:column``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
        raise FileError(
            f"not valid UTF-8: byte 0x{data[error.start]:02x}",
            span=Span(name, line, column),
            hint="save the file as UTF-8",
        ) from None


def read_text(path: str | os.PathLike[str], *, limit: int, what: str = "file", lossless: bool = False) -> str:
    """:func:`read_bytes` decoded as UTF-8.

    ``lossless`` keeps bytes that are not UTF-8 as surrogates (``surrogateescape``), the way BIRD reads a config
    (it accepts any byte in comments and strings): :func:`write_atomically` writes them back unchanged.
    Otherwise such a byte raises :class:`FileError` at its ``file:line:column``.
    """
    data = read_bytes(path, limit=limit, what=what)
    return data.decode("utf-8", "surrogateescape") if lossless else decode_utf8(data, os.fspath(path))


def parse_json(text: str, name: str) -> Any:
    """JSON ``text`` from the file ``name``; a syntax error or nesting deeper than Python's stack raises
    :class:`FileError` at its ``file:line:column`` (the message never quotes the text)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(f"not valid JSON: {error.msg}", span=Span(name, error.lineno, error.colno)) from None
    except RecursionError:
        raise FileError(f"{name}: not valid JSON: nested too deeply", path=name) from None


def read_json(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> Any:
    """The JSON document in the regular file ``path``, read like :func:`read_text` and parsed by :func:`parse_json`."""
    return parse_json(read_text(path, limit=limit, what=what), os.fspath(path))


def stdin_stream() -> BinaryIO:
    """Standard input as a binary stream (also when a program replaced ``sys.stdin`` by a text stream); a closed
    standard input (``<&-``) raises :class:`FileError`."""
    import io
    import sys

    if sys.stdin is None:
        raise FileError(
            "cannot read standard input: it is closed", hint="pipe the input in, or name a FILE", path="<stdin>"
        )
    binary = getattr(sys.stdin, "buffer", None)
    return binary if binary is not None else io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


def read_stdin(*, limit: int, what: str = "input", lossless: bool = False) -> str:
    """Standard input (``-``) read like :func:`read_text`: at most ``limit`` bytes, UTF-8 checked or kept."""
    data = stdin_stream().read(limit + 1)
    if len(data) > limit:
        raise FileError(
            f"{what} on stdin is larger than {_size(limit)}",
            hint=f"birdkit reads {what}s up to that size",
            path="<stdin>",
        )
    return data.decode("utf-8", "surrogateescape") if lossless else decode_utf8(data, "<stdin>")


def write_atomically(path: str | os.PathLike[str], data: bytes | str, mode: int | None = None) -> None:
    """Replace ``path`` through a synced temp file in the same directory and a rename.

    A symlink is written through (its target is replaced, the link stays). An existing file keeps its owner,
    group and mode (``mode`` sets the permission bits instead). A read-only file, a file with hard links (a
    rename would cut them) and anything but a regular file raise :class:`FileError` and nothing changes;
    so does a failed write (a full disk): the temp file is removed and the old content stays.
    Text is written as UTF-8, with surrogates (from :func:`read_text` ``lossless``) back as their bytes.
    """
    name = os.fspath(path)
    target = Path(os.path.realpath(name))
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise FileError(f"cannot write {name}: {error.strerror}", path=name) from None
    if existing is not None:
        _check_replaceable(name, existing)
    payload = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    bits = mode if mode is not None else (stat.S_IMODE(existing.st_mode) if existing else 0o644)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        hint = f"is {target.parent} writable?"
        raise FileError(f"cannot write {name}: {error.strerror}", hint=hint, path=name) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
            if existing is not None and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                os.fchown(stream.fileno(), existing.st_uid, existing.st_gid)
            os.fchmod(stream.fileno(), bits)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise FileError(f"cannot write {name}: {error.strerror}; it is unchanged", path=name) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _check_replaceable(name: str, existing: os.stat_result) -> None:
    kind = stat.S_IFMT(existing.st_mode)
    if kind != stat.S_IFREG:
        raise FileError(f"cannot write {name}: it is {_KINDS.get(kind, 'not a regular file')}", path=name)
    if not existing.st_mode & 0o222:
        raise FileError(
            f"cannot write {name}: the file is read-only (mode {stat.S_IMODE(existing.st_mode):04o})",
            hint="make it writable first (chmod u+w) if it should change",
            path=name,
        )
    if existing.st_nlink > 1:
        raise FileError(
            f"cannot write {name}: it has {existing.st_nlink} hard links, and replacing it would cut them",
            hint="write to a copy, or remove the other links first",
            path=name,
        )
