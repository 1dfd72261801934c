"""birdkit's Transport over the task's Ansible connection: argv runs as a plain command on the host.

Nothing but coreutils, ``bird`` and ``birdc`` runs there; birdkit itself (rendering, checks, parsing birdc's
replies with its models) stays on the controller. Become (sudo) and ssh multiplexing come from Ansible.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from birdkit.apply.transport import DEFAULT_TIMEOUT, BirdLayout, Result, _RemoteFiles


class AnsibleTransport(_RemoteFiles):
    """One inventory host reached through ``action``'s connection (ssh, local, ...)."""

    def __init__(self, action: Any, node: str, layout: BirdLayout, bird: str = "bird", birdc: str = "birdc") -> None:
        self.action = action
        self.node = node
        self.layout = layout
        self.programs = {"bird": bird, "birdc": birdc}
        connection = action._connection
        if "use_tty" in getattr(connection, "_options", {}):
            # A tty would turn "\n" into "\r\n" and mix stderr into stdout: birdc's replies must come back as sent.
            connection.set_option("use_tty", False)

    def run(self, argv: Sequence[str], *, input: bytes | None = None, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """Run ``argv`` on the host with the task's become settings; ``timeout`` is Ansible's to enforce."""
        reply = self.action._low_level_execute_command(
            shlex.join(argv), sudoable=True, in_data=input, encoding_errors="surrogateescape"
        )
        return Result(int(reply.get("rc") or 0), reply.get("stdout", ""), reply.get("stderr", ""))

    def bird_argv(self, program: str, *args: str) -> list[str]:
        """The host's ``bird``/``birdc`` (paths from the task's options)."""
        return [self.programs.get(program, program), *args]

    def bird_path(self, path: str) -> str:
        """Paths are the host's own."""
        return path
