"""An ssh fleet in network namespaces: every node runs sshd and BIRD; Ansible and birdkit run in a controller namespace.

Shared by the live collection tests and benchmarks/fleet.py. Underlay 198.18.0.0/24 (the fabric's); keys and
known_hosts are generated in the work directory; ssh control sockets live there too, so parallel test sessions
(which reuse the same underlay addresses in their own namespaces) never share a multiplexed connection.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from birdkit.apply.transport import BirdLayout, SshTransport
from birdkit.lab.netns import Fabric, NodeNs
from birdkit.runtime import BirdRuntime, Daemon

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "ansible_collections" / "birdkit" / "bird"
SSHD = Path("/usr/sbin/sshd")
BIN = Path(sys.executable).parent
#: a BIRD that is up and has nothing configured yet: what a freshly installed node runs
BOOTSTRAP = "router id {address};\nprotocol device {{\n}}\n"
#: BGP timers that converge in about a second and retry fast after an error (error wait would be 60 s)
FAST_TIMERS = {"hold": 6, "keepalive": 2, "connect_retry": 1, "connect_delay": 1, "error_wait": 1}


def missing_tools() -> str | None:
    """Why the fleet cannot be built here, or None."""
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    if not SSHD.exists() or not shutil.which("ssh-keygen") or not shutil.which("ssh"):
        return "openssh-server/openssh-client are not installed"
    if not (BIN / "ansible-playbook").exists():
        return "ansible-core is not installed (pip install -e '.[test]')"
    return None


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


def build_collection(workdir: Path) -> Path:
    """``ansible-galaxy collection build`` + ``install`` into ``workdir``; returns the collections path."""
    built = workdir / "dist"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(COLLECTION), "--output-path", str(built),
                    "--force"], check=True, capture_output=True)
    tarball = next(built.glob("birdkit-bird-*.tar.gz"))
    installed = workdir / "collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", str(tarball), "-p", str(installed),
                    "--force"], check=True, capture_output=True)
    return installed


@attrs.define
class SshFleet:
    """Nodes with sshd and BIRD, a controller namespace, and the files Ansible needs (config, keys, inventory)."""

    fabric: Fabric
    workdir: Path
    runtime: BirdRuntime
    controller: NodeNs
    daemons: dict[str, Daemon] = attrs.field(factory=dict)

    @classmethod
    def build(cls, fabric: Fabric, workdir: Path, runtime: BirdRuntime, names: Sequence[str],
              collections: Path) -> SshFleet:
        """Start sshd and a bootstrap BIRD on every node; write ansible.cfg, keys and known_hosts."""
        controller = fabric.add_node("ctl")
        fleet = cls(fabric, workdir, runtime, controller)
        host_public = keygen(workdir / "host_key")
        client_public = keygen(workdir / "client_key")
        (workdir / "authorized_keys").write_text(client_public + "\n")
        (workdir / "cp").mkdir()
        Path("/run/sshd").mkdir(exist_ok=True)
        known = []
        for name in names:
            node = fabric.add_node(name)
            known.append(f"{node.address} {host_public}")
            fleet._start_sshd(node)
            fleet.daemons[name] = fabric.start_bird(runtime, node, BOOTSTRAP.format(address=node.address))
        (workdir / "known_hosts").write_text("\n".join(known) + "\n")
        for name in names:
            fleet._wait_listening(fabric.nodes[name])
        (workdir / "ansible.cfg").write_text(
            "[defaults]\n"
            f"collections_path = {collections}\n"
            f"private_key_file = {workdir}/client_key\n"
            "remote_user = root\n"
            "gathering = explicit\n"
            "host_key_checking = True\n"
            "retry_files_enabled = False\n"
            f"local_tmp = {workdir}/ansible-local\n"
            "[ssh_connection]\n"
            f"ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile={workdir}/known_hosts "
            "-o IdentitiesOnly=yes -o BatchMode=yes\n"
            f"control_path_dir = {workdir}/cp\n"
            "pipelining = True\n"
        )
        return fleet

    def _start_sshd(self, node: NodeNs) -> None:
        config = self.workdir / f"sshd-{node.name}.conf"
        config.write_text(
            f"ListenAddress {node.address}\nPort 22\nHostKey {self.workdir}/host_key\n"
            f"AuthorizedKeysFile {self.workdir}/authorized_keys\nPidFile {self.workdir}/sshd-{node.name}.pid\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "UsePAM no\nStrictModes no\nMaxStartups 100\nMaxSessions 100\n"
        )
        process = subprocess.Popen(["ip", "netns", "exec", node.netns, str(SSHD), "-D", "-e", "-f", str(config)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.fabric.register_pid(process.pid)

    def _wait_listening(self, node: NodeNs) -> None:
        deadline = time.monotonic() + 10
        probe = ["ip", "netns", "exec", self.controller.netns, "bash", "-c", f"exec 3<>/dev/tcp/{node.address}/22"]
        while subprocess.run(probe, capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd of {node.name} did not start listening")
            time.sleep(0.05)

    @property
    def names(self) -> list[str]:
        return list(self.daemons)

    def peermap_data(self, **changes: Any) -> dict[str, Any]:
        """A full-mesh peer map of the fleet: ssh transport to each node's underlay address, pod CIDR 10.0.<i>.0/24."""
        nodes = []
        for index, name in enumerate(self.names, start=1):
            node = self.fabric.nodes[name]
            nodes.append({"name": name, "address": f"{node.address}/{node.prefixlen}",
                          "pod_cidrs": [f"10.0.{index}.0/24"], "bird_version": self.runtime.version,
                          "transport": "ssh", "host": node.address, "user": "root"})
        data: dict[str, Any] = {"version": 1, "defaults": {"asn": 65000, "timers": FAST_TIMERS}, "nodes": nodes}
        data.update(changes)
        return data

    def write_inventory(self, peermap: Mapping[str, Any], name: str = "peermap.yaml") -> Path:
        """The peer map (beside the inventory directory, which Ansible reads whole), the inventory plugin's file,
        and host_vars with each node's config and socket paths; returns the inventory directory."""
        inventory = self.workdir / "inventory"
        (inventory / "host_vars").mkdir(parents=True, exist_ok=True)
        (self.workdir / name).write_text(yaml.safe_dump(dict(peermap), sort_keys=False))
        (inventory / "fleet.birdkit.yml").write_text(f"plugin: birdkit.bird.peermap\npeermap: ../{name}\n")
        for node, daemon in self.daemons.items():
            (inventory / "host_vars" / f"{node}.yml").write_text(yaml.safe_dump(
                {"bird_config_path": str(daemon.config_path), "bird_socket_path": str(daemon.socket_path)}))
        return inventory

    def ansible_playbook(self, playbook: Path, *args: str, env: Mapping[str, str] | None = None,
                         timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ansible-playbook in the controller namespace against the inventory directory."""
        environment = {**os.environ, "ANSIBLE_CONFIG": str(self.workdir / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
                       "ANSIBLE_FORCE_COLOR": "0", **(env or {})}
        argv = ["ip", "netns", "exec", self.controller.netns, str(BIN / "ansible-playbook"),
                "-i", str(self.workdir / "inventory"), str(playbook), *args]
        return subprocess.run(argv, capture_output=True, text=True, env=environment, timeout=timeout)

    def ssh_transport(self, name: str, *, multiplex: bool = True) -> SshTransport:
        """How `birdkit apply` reaches node ``name``: real ssh from the controller namespace, through one
        ControlMaster connection per node when ``multiplex`` (as Ansible does), else one handshake per command."""
        daemon = self.daemons[name]
        reuse = ("-o", "ControlMaster=auto", "-o", "ControlPersist=60s",
                 "-o", f"ControlPath={self.workdir}/cp/birdkit-%C") if multiplex else ()
        return SshTransport(
            name, self.fabric.nodes[name].address, "root", identity_file=str(self.workdir / "client_key"),
            known_hosts_file=str(self.workdir / "known_hosts"),
            layout=BirdLayout(str(daemon.config_path), str(daemon.socket_path)),
            ssh_command=("ip", "netns", "exec", self.controller.netns, "ssh", *reuse),
        )
