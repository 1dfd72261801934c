"""Transports to a node: run argv, put and get files atomically, and reach BIRD there (netns, multipass, ssh, local).

Every transport speaks argv lists. Only :class:`SshTransport` turns argv into one string, with
:func:`shlex.join`, because the remote side of ssh always hands its command to a shell.
"""

from __future__ import annotations

import abc
import os
import shlex
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

import attrs

from birdkit.errors import BirdkitError, FileError, TransportError
from birdkit.files import write_atomically
from birdkit.runtime import BirdRuntime

if TYPE_CHECKING:
    from birdkit.gen.peermap import Transport as NodeTransport

#: how long one command on a node may take unless the caller says otherwise
DEFAULT_TIMEOUT = 60.0


@attrs.frozen
class Result:
    """What a command on a node did: exit status and its output (decoded with surrogateescape, lossless)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        """stderr and stdout together, stripped: what to show when the command failed."""
        return (self.stderr + self.stdout).strip()


@attrs.frozen
class BirdLayout:
    """Where BIRD's files are on a node, as the node's file system sees them."""

    config_path: str = "/etc/bird/bird.conf"
    socket_path: str = "/run/bird/bird.ctl"
    pid_path: str | None = None


class Transport(Protocol):
    """One node, reached somehow: commands, files, and BIRD's programs on it."""

    node: str
    layout: BirdLayout

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` on the node (with root rights where the transport needs sudo)."""
        ...

    def put_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Write ``data`` to ``path`` on the node atomically: a temporary file beside it, then a rename."""
        ...

    def get_file(self, path: str) -> bytes | None:
        """The content of ``path`` on the node, or ``None`` when it does not exist."""
        ...

    def bird_argv(self, program: str, *args: str) -> list[str]:
        """argv (for :meth:`run`) that runs BIRD's ``program`` (``bird`` or ``birdc``) on the node."""
        ...

    def bird_path(self, path: str) -> str:
        """``path`` on the node as BIRD's processes see it (differs under a chroot)."""
        ...

    @property
    def starts_own_bird(self) -> bool:
        """Whether :meth:`start_bird` can start a BIRD of our own here (else the node's own BIRD must run)."""
        ...

    def start_bird(self) -> None:
        """Start BIRD on ``layout``'s config, socket and pid file (only where :attr:`starts_own_bird`)."""
        ...


def check_config(transport: Transport, path: str) -> Result:
    """Run ``bird -p -c PATH`` on the node."""
    return transport.run(transport.bird_argv("bird", "-p", "-c", transport.bird_path(path)))


def birdc(transport: Transport, command: str, *, coded: bool = False, timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run one ``birdc`` command against the node's control socket; ``coded`` adds ``-v`` (reply codes)."""
    flags = ["-v"] if coded else []
    socket = transport.bird_path(transport.layout.socket_path)
    return transport.run(transport.bird_argv("birdc", *flags, "-s", socket, *command.split()), timeout=timeout)


def _execute(argv: Sequence[str], input: bytes | None, timeout: float, node: str) -> Result:
    try:
        completed = subprocess.run(list(argv), input=input, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as error:
        raise TransportError(f"{node}: cannot run {argv[0]!r}: not installed", hint=f"install {argv[0]}") from error
    except subprocess.TimeoutExpired as error:
        raise TransportError(f"{node}: `{argv[0]}` timed out after {timeout:g} s") from error
    return Result(
        completed.returncode,
        completed.stdout.decode(errors="surrogateescape"),
        completed.stderr.decode(errors="surrogateescape"),
    )


class _SystemBird:
    """The node's own BIRD, installed and started by the system: birdkit runs its programs but never starts it."""

    node: str
    #: see :attr:`Transport.starts_own_bird`
    starts_own_bird: ClassVar[bool] = False

    def bird_argv(self, program: str, *args: str) -> list[str]:
        """``program ARGS`` from the node's system BIRD."""
        return [program, *args]

    def bird_path(self, path: str) -> str:
        """Paths are the node's own."""
        return path

    def start_bird(self) -> None:
        """Refuse: the system starts this BIRD."""
        raise TransportError(f"{self.node}: birdkit starts BIRD only on netns nodes; start the node's own BIRD")


class _HostFiles:
    """Files of a node that shares this machine's file system (netns, local)."""

    node: str

    def put_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Write ``data`` to ``path`` atomically."""
        try:
            write_atomically(Path(path), data, mode)
        except FileError as error:
            raise TransportError(f"{self.node}: {error.message}", hint=error.hint) from None

    def get_file(self, path: str) -> bytes | None:
        """The content of ``path``, or ``None`` when it does not exist."""
        try:
            return Path(path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise TransportError(f"{self.node}: cannot read {path}: {error.strerror}") from error


@attrs.define
class LocalTransport(_SystemBird, _HostFiles):
    """This machine itself, with its system BIRD (``sudo -n`` in front of commands when not root)."""

    node: str = "localhost"
    layout: BirdLayout = attrs.field(factory=BirdLayout)
    sudo: bool = attrs.field(factory=lambda: os.geteuid() != 0)

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` here."""
        prefix = ["sudo", "-n"] if self.sudo else []
        return _execute([*prefix, *argv], input, timeout, self.node)


@attrs.define
class NetnsTransport(_HostFiles):
    """A node that is a local network namespace, with our own BIRD whose files live in ``state_dir``.

    ``runtime`` picks the BIRD version (a chrooted one needs ``state_dir`` inside its tree, see
    :meth:`BirdRuntime.workdir`); files are host paths, commands run under ``ip netns exec``.
    """

    node: str
    netns: str
    state_dir: Path
    runtime: BirdRuntime
    layout: BirdLayout = attrs.field(init=False)
    #: see :attr:`Transport.starts_own_bird`
    starts_own_bird: ClassVar[bool] = True

    @layout.default
    def _layout(self) -> BirdLayout:
        return BirdLayout(
            str(self.state_dir / "bird.conf"), str(self.state_dir / "bird.ctl"), str(self.state_dir / "bird.pid")
        )

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` inside the node's namespace."""
        return _execute(["ip", "netns", "exec", self.netns, *argv], input, timeout, self.node)

    def put_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Write ``data`` to ``path`` atomically; the state directory is made on the first write only, so
        a dry run or a verify of a node that does not exist leaves nothing behind."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        super().put_file(path, data, mode)

    def bird_argv(self, program: str, *args: str) -> list[str]:
        """``program ARGS`` of this node's BIRD version (chroot-prefixed when it is a chrooted one)."""
        return self.runtime.command(program, *args)

    def bird_path(self, path: str) -> str:
        """``path`` as the (possibly chrooted) BIRD sees it."""
        return self.runtime.inner_path(Path(path))

    def start_bird(self) -> None:
        """Start this node's daemon on ``layout.config_path`` with the socket and pid file in ``state_dir``."""
        layout = self.layout
        argv = self.bird_argv(
            "bird", "-c", self.bird_path(layout.config_path), "-s", self.bird_path(layout.socket_path),
            "-P", self.bird_path(str(layout.pid_path)),
        )
        result = self.run(argv)
        if not result.ok:
            raise TransportError(f"{self.node}: BIRD did not start: {result.output}")


class _RemoteFiles(abc.ABC):
    """File transfer for nodes reached through commands: stage, then rename in the target directory."""

    node: str

    @abc.abstractmethod
    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` on the node."""

    def _upload(self, staging: str, data: bytes) -> None:
        result = self.run(["dd", f"of={staging}", "status=none"], input=data)
        if not result.ok:
            raise TransportError(f"{self.node}: upload to {staging} failed: {result.output}")

    def put_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Stage ``data`` next to ``path``, set ``mode``, and rename it over ``path``."""
        staging = f"{path}.birdkit-{uuid.uuid4().hex[:8]}"
        try:
            self._upload(staging, data)
            self._must(["chmod", format(mode, "o"), staging], f"chmod of {staging}")
            self._must(["mv", "-f", staging, path], f"rename of {staging} to {path}")
        except TransportError:
            self.run(["rm", "-f", staging])
            raise

    def get_file(self, path: str) -> bytes | None:
        """The content of ``path``, or ``None`` when ``test -e`` says it is not there."""
        result = self.run(["cat", path])
        if result.ok:
            return result.stdout.encode(errors="surrogateescape")
        if self.run(["test", "-e", path]).returncode == 1:
            return None
        raise TransportError(f"{self.node}: cannot read {path}: {result.output}")

    def _must(self, argv: list[str], what: str) -> None:
        result = self.run(argv)
        if not result.ok:
            raise TransportError(f"{self.node}: {what} failed: {result.output}")


@attrs.define
class MultipassTransport(_SystemBird, _RemoteFiles):
    """A multipass VM: ``multipass exec NODE -- sudo ARGV`` and ``multipass transfer`` (as in the walkthrough)."""

    node: str
    instance: str | None = None
    layout: BirdLayout = attrs.field(factory=BirdLayout)
    multipass: str = "multipass"

    @property
    def _instance(self) -> str:
        return self.instance or self.node

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """``multipass exec INSTANCE -- sudo ARGV``."""
        return _execute([self.multipass, "exec", self._instance, "--", "sudo", *argv], input, timeout, self.node)

    def _upload(self, staging: str, data: bytes) -> None:
        remote_tmp = f"/tmp/birdkit-upload-{uuid.uuid4().hex[:8]}"
        with tempfile.NamedTemporaryFile(prefix="birdkit-upload-") as local:
            local.write(data)
            local.flush()
            transfer = _execute(
                [self.multipass, "transfer", local.name, f"{self._instance}:{remote_tmp}"], None, DEFAULT_TIMEOUT,
                self.node,
            )
        if not transfer.ok:
            raise TransportError(f"{self.node}: multipass transfer failed: {transfer.output}")
        self._must(["mv", "-f", remote_tmp, staging], f"move of {remote_tmp} to {staging}")


@attrs.define
class SshTransport(_SystemBird, _RemoteFiles):
    """A host reached with the system OpenSSH client: BatchMode, known hosts checked, ``sudo -n`` unless root."""

    node: str
    host: str
    user: str | None = None
    port: int | None = None
    identity_file: str | None = None
    known_hosts_file: str | None = None
    layout: BirdLayout = attrs.field(factory=BirdLayout)
    #: argv that starts the client; a test can put ``ip netns exec NS`` in front of ``ssh``
    ssh_command: tuple[str, ...] = ("ssh",)

    @property
    def sudo(self) -> bool:
        return self.user not in (None, "root")

    def ssh_argv(self, remote: Sequence[str]) -> list[str]:
        """The local argv; only the remote command is joined into one shell-quoted string."""
        options = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"]
        if self.known_hosts_file:
            options += ["-o", f"UserKnownHostsFile={self.known_hosts_file}"]
        if self.identity_file:
            options += ["-i", self.identity_file, "-o", "IdentitiesOnly=yes"]
        if self.port:
            options += ["-p", str(self.port)]
        if self.user:
            options += ["-l", self.user]
        prefix = ["sudo", "-n"] if self.sudo else []
        # the host after `--`: a host value such as `-oProxyCommand=...` can never be read as an option
        return [*self.ssh_command, *options, "--", self.host, shlex.join([*prefix, *remote])]

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` on the host; exit status 255 is ssh's own failure and raises."""
        result = _execute(self.ssh_argv(argv), input, timeout, self.node)
        if result.returncode == 255:
            raise TransportError(f"{self.node}: ssh to {self.host} failed: {result.stderr.strip()}")
        return result


def netns_state_dir(runtime: BirdRuntime, netns: str) -> Path:
    """Where the netns node ``netns`` keeps its BIRD config, socket and pid file (visible to ``runtime``)."""
    return runtime.host_path(f"/run/birdkit/nodes/{netns}")


def transport_for(
    node: str, settings: NodeTransport, bird_version: str, runtime: Callable[[str], BirdRuntime]
) -> Transport:
    """The transport that a node's ``settings`` ask for; ``runtime(version)`` resolves BIRD for netns nodes."""
    if settings.kind == "netns":
        bird = runtime(bird_version)
        netns = settings.netns or node
        return NetnsTransport(node, netns, netns_state_dir(bird, netns), bird)
    if settings.kind == "multipass":
        return MultipassTransport(node, settings.host)
    if settings.kind == "ssh":
        if not settings.host:
            raise BirdkitError(f"node {node}: transport ssh needs a host")
        return SshTransport(node, settings.host, settings.user, settings.port)
    return LocalTransport(node)
