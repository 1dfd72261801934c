"""The lab's multipass backend: the walkthrough's cloud-init files, VM launches and per-VM commands, and teardown.

The steps follow the walkthrough: ``multipass launch --cloud-init FILE --name vmN --mem 2048M 20.04``, the pod
commands run as ``multipass exec vmN -- sudo ...``, ``bird2`` installed with apt, then the generated configs
are applied with the applier's multipass transport and the lab waits until BGP converges.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from birdkit.errors import ApplyError, ConfigError, TransportError
from birdkit.gen.peermap import Peermap
from birdkit.lab.walkthrough import (
    LabNode,
    LabState,
    NodeStatus,
    forward_rules,
    lab_nodes,
    lab_peermap,
    node_transport,
    save_state,
    underlay_of,
    wait_converged,
)

#: the walkthrough's VM size and image
MEMORY = "2048M"
IMAGE = "20.04"
#: the walkthrough installs BIRD this way (Ubuntu 20.04's bird2 is 2.0.7)
INSTALL_BIRD = ["bash", "-c", "sudo apt update && sudo apt install bird2 --yes"]
_CLOUD_INIT_DIR = "cloud-init"


def cloud_init(node: LabNode) -> str:
    """The walkthrough's cloud-init file: a netplan file giving the VM its static underlay address."""
    return (
        "write_files:\n"
        "  - path: /etc/netplan/99-static.yaml\n"
        "    content: |\n"
        "      network:\n"
        "        ethernets:\n"
        f"          {node.interface}:\n"
        "            addresses:\n"
        f"              - {node.address}/{node.prefixlen}\n"
        "runcmd:\n"
        "  - netplan apply\n"
    )


def launch_argv(node: LabNode, cloud_init_path: Path) -> list[str]:
    """``multipass launch`` as in the walkthrough."""
    return ["multipass", "launch", "--cloud-init", str(cloud_init_path), "--name", node.name, "--mem", MEMORY, IMAGE]


def pod_commands(node: LabNode) -> list[list[str]]:
    """The walkthrough's commands in ``multipass shell`` (each runs under sudo): forwarding, the pod, its route."""
    pod, host_if, pod_if = node.pod_netns, node.host_veth, node.pod_veth
    return [
        ["sysctl", "--write", "net.ipv4.ip_forward=1"],
        ["ip", "netns", "add", pod],
        ["ip", "link", "add", "dev", host_if, "type", "veth", "peer", pod_if],
        ["ip", "link", "set", "dev", host_if, "up"],
        ["ip", "link", "set", "dev", pod_if, "netns", pod],
        ["ip", "netns", "exec", pod, "ip", "link", "set", "dev", "lo", "up"],
        ["ip", "netns", "exec", pod, "ip", "link", "set", "dev", pod_if, "up"],
        ["ip", "netns", "exec", pod, "ip", "address", "add", node.pod_ip, "dev", pod_if],
        ["ip", "netns", "exec", pod, "ip", "route", "add", "default", "via", node.pod_ip],
        ["ip", "route", "add", f"{node.pod_ip}/32", "dev", host_if],
        *forward_rules(node),
        ["iptables", "--append", "POSTROUTING", "--table", "nat", "--out-interface", node.interface,
         "--jump", "MASQUERADE"],
    ]


def proxy_arp_command(node: LabNode) -> list[str]:
    """The walkthrough's later fix: proxy ARP on the node's end of the pod's veth."""
    return ["sysctl", "--write", f"net.ipv4.conf.{node.host_veth}.proxy_arp=1"]


def teardown_argvs(names: Sequence[str]) -> list[list[str]]:
    """Stop and delete the lab's VMs; ``delete --purge`` by name, so other deleted instances stay recoverable."""
    return [
        *(["multipass", "stop", name] for name in names),
        *(["multipass", "delete", "--purge", name] for name in names),
    ]


def _multipass(argv: list[str], check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        from birdkit.errors import RuntimeMissingError

        raise RuntimeMissingError(
            "multipass is not installed", hint="install it from https://multipass.run or use --backend netns"
        ) from None
    if check and completed.returncode != 0:
        raise TransportError(f"`{' '.join(argv)}` failed: {(completed.stderr or completed.stdout).strip()}")
    return completed


def _on_vm(state: LabState, node: LabNode, argv: list[str]) -> None:
    result = node_transport(state, node).run(argv)
    if not result.ok:
        raise TransportError(f"{node.name}: `{' '.join(argv)}` failed: {result.output}")


def multipass_up(
    peermap: Peermap,
    versions: Sequence[str],
    directory: Path,
    timeout: float,
    log: Callable[[str], None],
    peermap_path: str | None = None,
    node_count: int | None = None,
) -> tuple[LabState, list[NodeStatus], float]:
    """Launch one VM per node, build its pod as the walkthrough does, install bird2, apply, wait."""
    from birdkit.apply.applier import apply

    if versions:
        raise ConfigError("--bird picks local BIRD versions for the netns backend",
                          hint="multipass VMs install Ubuntu's bird2, as in the walkthrough")
    nodes = lab_nodes(peermap, "", [node.bird_version for node in peermap.nodes], "multipass")
    state = LabState("multipass", "multipass", underlay_of(peermap), nodes, peermap_path, node_count)
    save_state(directory, state)
    cloud_dir = directory / _CLOUD_INIT_DIR
    cloud_dir.mkdir(exist_ok=True)
    for node in nodes:
        path = cloud_dir / f"{node.name}-cloud-init.yaml"
        path.write_text(cloud_init(node))
        log(f"{node.name}: multipass launch ({node.address}/{node.prefixlen} on {node.interface})")
        _multipass(launch_argv(node, path))
    for node in nodes:
        log(f"{node.name}: pod {node.pod_netns} at {node.pod_ip}")
        for argv in pod_commands(node):
            _on_vm(state, node, argv)
        _multipass(["multipass", "exec", node.name, "--", "ping", "-c", "1", node.pod_ip])
    for node in nodes:
        _on_vm(state, node, proxy_arp_command(node))
    for node in nodes:
        log(f"{node.name}: installing bird2")
        _multipass(["multipass", "exec", node.name, "--", *INSTALL_BIRD])
    report = apply(lab_peermap(peermap, nodes, "multipass"),
                   transports={node.name: node_transport(state, node) for node in nodes}, on_progress=log)
    if not report.ok:
        failed = [f"{result.node}: {result.message}" for result in report.results if not result.ok]
        raise ApplyError("applying the lab's configs failed:\n  " + "\n  ".join(failed))
    log(f"waiting for BGP to converge (up to {timeout:g} s)")
    statuses, elapsed = wait_converged(state, timeout)
    state.phase = "up"
    save_state(directory, state)
    return state, statuses, elapsed


def multipass_down(state: LabState, directory: Path, log: Callable[[str], None]) -> list[str]:
    """Stop and delete the lab's VMs (missing ones are fine) and its cloud-init files."""
    done = []
    for argv in teardown_argvs(state.node_names()):
        log(" ".join(argv))
        _multipass(argv, check=False)
    done.append(f"deleted VMs {', '.join(state.node_names())}")
    shutil.rmtree(directory / _CLOUD_INIT_DIR, ignore_errors=True)
    return done
