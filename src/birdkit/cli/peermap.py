"""`birdkit peermap from-kubernetes`: Kubernetes Nodes (a file, stdin, or the live API) to a peer map YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from birdkit.cli.output import EXIT_OK, progress
from birdkit.errors import BirdkitError, FileError, PeermapError, RuntimeMissingError
from birdkit.files import MAX_NODE_LIST_BYTES, read_stdin, read_text, write_atomically
from birdkit.gen.kubernetes import (
    FULL_MESH_LIMIT,
    MISSING_POD_CIDR,
    KubeOptions,
    load_node_list,
    peermap_from_nodes,
)
from birdkit.gen.peermap import TRANSPORTS

EPILOG = """\
examples:
  kubectl get nodes -o json | birdkit peermap from-kubernetes - -o peermap.yaml
  birdkit peermap from-kubernetes nodes.json --asn 64512 --user ubuntu
  birdkit peermap from-kubernetes nodes.json --without-pod-cidr skip
  birdkit peermap from-kubernetes --live -o peermap.yaml     (needs `pip install kubernetes` and a kubeconfig)

Read per Node: name, InternalIP (or Calico's projectcalico.org/IPv4Address and IPv6Address annotations),
spec.podCIDRs, projectcalico.org/ASNumber, label route-reflector=true, projectcalico.org/RouteReflectorClusterID,
node-role.kubernetes.io/* labels. Bad JSON or a Node without pod CIDRs exits 2 and names the Node.
"""


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add ``birdkit peermap``'s subcommands."""
    commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    kube = commands.add_parser(
        "from-kubernetes",
        help="peer map from `kubectl get nodes -o json`",
        description="Build a peer map from Kubernetes Nodes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kube.add_argument("nodes", nargs="?", help="file of `kubectl get nodes -o json`, or - for stdin")
    kube.add_argument("--live", action="store_true", help="read the Nodes through the `kubernetes` client")
    kube.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the peer map here (default: stdout)")
    kube.add_argument("--asn", type=int, default=65000, help="AS of Nodes without projectcalico.org/ASNumber")
    kube.add_argument("--underlay-prefix", type=int, default=24, metavar="N",
                      help="prefix length of an IPv4 InternalIP without Calico's annotation (default 24)")
    kube.add_argument("--underlay-prefix6", type=int, default=64, metavar="N",
                      help="prefix length of an IPv6 InternalIP without Calico's annotation (default 64)")
    kube.add_argument("--transport", choices=TRANSPORTS, default="ssh", help="how nodes are reached (default ssh)")
    kube.add_argument("--user", help="ssh login for every node")
    kube.add_argument("--bird-version", default="2", help='target BIRD: "2", "3" or e.g. "2.0.12"')
    kube.add_argument("--without-pod-cidr", choices=MISSING_POD_CIDR, default="error",
                      help="a Node without spec.podCIDRs: fail (default), keep it as a peer, or skip it")


def run(args: argparse.Namespace) -> int:
    """Read the Nodes, map them, write the YAML."""
    if args.live == (args.nodes is not None):
        raise PeermapError(
            "give a file of Nodes (or - for stdin), or --live",
            hint="kubectl get nodes -o json > x.json",
        )
    for flag, value, top in (("--underlay-prefix", args.underlay_prefix, 32),
                             ("--underlay-prefix6", args.underlay_prefix6, 128)):
        if not 1 <= value <= top:
            raise PeermapError(f"{flag} {value}: expected 1 to {top}")
    if args.live:
        items, source = _live_nodes(), "the Kubernetes API"
    else:
        source = "<stdin>" if args.nodes == "-" else args.nodes
        items = load_node_list(_read(args.nodes), source)
    options = KubeOptions(
        asn=args.asn, underlay_prefix=args.underlay_prefix, underlay_prefix6=args.underlay_prefix6,
        transport=args.transport, user=args.user, bird_version=args.bird_version,
        missing_pod_cidr=args.without_pod_cidr,
    )
    result = peermap_from_nodes(items, options, source)
    text = result.to_yaml()
    if result.skipped:
        progress(f"skipped {len(result.skipped)} Node(s) without pod CIDRs: {', '.join(result.skipped)}")
    if result.peermap.topology.kind == "full-mesh" and len(result.nodes) > FULL_MESH_LIMIT:
        progress(f"{len(result.nodes)} nodes in a full mesh: label a few Nodes route-reflector=true")
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_atomically(args.output, text)
        progress(f"{args.output}: {len(result.nodes)} node(s), topology {result.peermap.topology.kind}")
    return EXIT_OK


def _read(name: str) -> str:
    try:
        if name == "-":
            return read_stdin(limit=MAX_NODE_LIST_BYTES, what="node list")
        return read_text(name, limit=MAX_NODE_LIST_BYTES, what="node list")
    except FileError as error:
        hint = error.hint or "kubectl writes UTF-8 JSON"
        raise PeermapError(error.message, span=error.span, hint=hint, path=error.path) from None


def _live_nodes() -> list[Any]:
    """Nodes from the cluster in the current kubeconfig (or in-cluster), as the JSON kubectl would print."""
    try:
        from kubernetes import client, config  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise RuntimeMissingError(
            "--live needs the `kubernetes` Python client", hint="pip install kubernetes, or pipe kubectl's JSON"
        ) from None
    try:
        config.load_kube_config()
    except Exception:  # the client raises several unrelated types when no kubeconfig exists
        try:
            config.load_incluster_config()
        except config.ConfigException as error:
            raise RuntimeMissingError(
                f"no Kubernetes cluster configured: {error}", hint="set KUBECONFIG, or pipe `kubectl get nodes -o json`"
            ) from None
    api = client.CoreV1Api()
    try:
        listing = api.list_node()
    except Exception as error:  # urllib3 and ApiException both end up here; the message says which
        raise BirdkitError(f"cannot list Nodes: {error}", hint="kubectl get nodes -o json works the same way") from None
    items: list[Any] = api.api_client.sanitize_for_serialization(listing)["items"]
    return items
