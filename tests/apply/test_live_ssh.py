"""Live ssh transport: a real OpenSSH sshd inside a node namespace on the test underlay, the client in another.

Keys and known_hosts are generated in tmp; BatchMode and strict host key checking are on.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from string import Template

import pytest

from birdkit.apply.applier import NodePlan, Outcome, apply_plans
from birdkit.apply.transport import BirdLayout, SshTransport
from birdkit.apply.verify import NodeExpectation
from birdkit.errors import TransportError
from birdkit.lab.netns import Fabric
from birdkit.runtime import BirdMatrix

from .conftest import FIXTURES

pytestmark = [pytest.mark.live, pytest.mark.slow]

SSHD = Path("/usr/sbin/sshd")
NODE = Template((FIXTURES / "node.conf").read_text())


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


@pytest.fixture
def ssh_node(fabric: Fabric, tmp_path: Path) -> tuple[Fabric, Path]:
    """sshd listening on 198.18.0.1 in namespace `srv`; the client namespace `cli` is 198.18.0.2."""
    if not SSHD.exists() or not shutil.which("ssh-keygen"):
        pytest.skip("openssh-server is not installed (apt-get install -y openssh-server)")
    server, _ = fabric.add_node("srv"), fabric.add_node("cli")
    host_public = keygen(tmp_path / "host_key")
    client_public = keygen(tmp_path / "client_key")
    (tmp_path / "authorized_keys").write_text(client_public + "\n")
    (tmp_path / "known_hosts").write_text(f"{server.address} {host_public}\n")
    (tmp_path / "sshd_config").write_text(
        f"ListenAddress {server.address}\nPort 22\nHostKey {tmp_path}/host_key\n"
        f"AuthorizedKeysFile {tmp_path}/authorized_keys\nPidFile {tmp_path}/sshd.pid\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "UsePAM no\nStrictModes no\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    process = subprocess.Popen(
        ["ip", "netns", "exec", server.netns, str(SSHD), "-D", "-e", "-f", str(tmp_path / "sshd_config")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    fabric.register_pid(process.pid)
    deadline = time.monotonic() + 10
    while subprocess.run(["ip", "netns", "exec", fabric.nodes["cli"].netns, "bash", "-c",
                          f"exec 3<>/dev/tcp/{server.address}/22"], capture_output=True).returncode:
        assert time.monotonic() < deadline, "sshd did not start listening"
        time.sleep(0.1)
    return fabric, tmp_path


def client(fabric: Fabric, keys: Path, known_hosts: str = "known_hosts", **layout: str) -> SshTransport:
    return SshTransport(
        "srv", fabric.nodes["srv"].address, "root", identity_file=str(keys / "client_key"),
        known_hosts_file=str(keys / known_hosts), layout=BirdLayout(**layout),
        ssh_command=("ip", "netns", "exec", fabric.nodes["cli"].netns, "ssh"),
    )


def test_ssh_runs_argv_exactly_and_moves_files(ssh_node: tuple[Fabric, Path]) -> None:
    fabric, keys = ssh_node
    transport = client(fabric, keys)
    assert transport.run(["printf", "%s|", "a b", "$HOME", "it's", "`id`"]).stdout == "a b|$HOME|it's|`id`|"
    target = keys / "remote.conf"
    transport.put_file(str(target), b"router id 1.2.3.4;\n", 0o600)
    assert target.read_bytes() == b"router id 1.2.3.4;\n"
    assert transport.get_file(str(target)) == b"router id 1.2.3.4;\n"
    assert transport.get_file(str(keys / "missing")) is None


def test_ssh_refuses_an_unknown_host_key(ssh_node: tuple[Fabric, Path]) -> None:
    fabric, keys = ssh_node
    (keys / "empty_known_hosts").write_text("")
    with pytest.raises(TransportError, match="Host key verification failed"):
        client(fabric, keys, "empty_known_hosts").run(["true"])


def test_apply_over_ssh_reloads_bird_on_the_node(ssh_node: tuple[Fabric, Path], bird_matrix: BirdMatrix) -> None:
    fabric, keys = ssh_node
    address = fabric.nodes["srv"].address
    first = NODE.substitute(router_id=address, pod_cidr="10.0.1.0/24", sessions="")
    daemon = fabric.start_bird(bird_matrix.get("2.0.12"), fabric.nodes["srv"], first)
    transport = client(fabric, keys, config_path=str(daemon.config_path), socket_path=str(daemon.socket_path))
    second = NODE.substitute(router_id=address, pod_cidr="10.0.9.0/24", sessions="")
    plan = NodePlan("srv", second, transport, NodeExpectation("srv", ("10.0.9.0/24",)))
    report = apply_plans([plan], timeout=10, on_progress=lambda _: None)
    assert report.result("srv").outcome is Outcome.APPLIED, report
    assert daemon.config_path.read_text() == second
    assert "10.0.9.0/24" in daemon.birdc("show route")
    assert apply_plans([plan], timeout=10, on_progress=lambda _: None).result("srv").outcome is Outcome.UNCHANGED
