"""Kubernetes Nodes (``kubectl get nodes -o json``) to a peer map: the mapping, its validation, and the YAML.

What is read from each Node (Calico's names where Calico has one)::

    metadata.name                                  node name
    annotation projectcalico.org/IPv4Address       underlay address with prefix length (Calico sets it)
      else status.addresses InternalIP (IPv4)      ... with --underlay-prefix (default 24)
    annotation projectcalico.org/IPv6Address       IPv6 underlay (dual-stack next hop)
      else status.addresses InternalIP (IPv6)      ... with --underlay-prefix6 (default 64)
    spec.podCIDRs (spec.podCIDR on old clusters)   pod CIDRs, IPv4 and IPv6
    annotation projectcalico.org/ASNumber          the node's AS (else defaults.asn)
    label route-reflector=true                     a route reflector (Calico's documented convention)
    annotation projectcalico.org/RouteReflectorClusterID
                                                   a route reflector, and the cluster id (one per fleet)
    labels node-role.kubernetes.io/<role>          roles, written into the node's description

Any reflector makes the topology ``route-reflectors``; without one it is a full mesh. A Node without a pod
CIDR is an error unless ``missing_pod_cidr`` says to ``peer`` (keep it as a BGP speaker with nothing to
announce) or ``skip`` it. Every error names the Node.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import yaml

from birdkit.errors import FileError, PeermapError
from birdkit.files import parse_json
from birdkit.gen.peermap import MAX_NODES, Peermap, TransportKind, peermap_from_data

ASN_ANNOTATION = "projectcalico.org/ASNumber"
IPV4_ANNOTATION = "projectcalico.org/IPv4Address"
IPV6_ANNOTATION = "projectcalico.org/IPv6Address"
CLUSTER_ID_ANNOTATION = "projectcalico.org/RouteReflectorClusterID"
REFLECTOR_LABEL = ("route-reflector", "true")
ROLE_PREFIX = "node-role.kubernetes.io/"
#: Calico's guidance: a full mesh grows with the square of the nodes; reflectors beyond about 100
FULL_MESH_LIMIT = 100

MissingPodCidr = Literal["error", "peer", "skip"]
MISSING_POD_CIDR: tuple[MissingPodCidr, ...] = ("error", "peer", "skip")
_NODE_PATH = re.compile(r"nodes\[(\d+)\]\.?")


@attrs.frozen
class KubeOptions:
    """How Nodes become peer-map nodes: the defaults for what the Nodes do not say."""

    asn: int = 65000
    underlay_prefix: int = 24
    underlay_prefix6: int = 64
    transport: TransportKind = "ssh"
    user: str | None = None
    bird_version: str = "2"
    missing_pod_cidr: MissingPodCidr = "error"


@attrs.frozen
class KubeNode:
    """One Node, reduced to what the peer map needs, and where it came from (for the YAML comments)."""

    name: str
    entry: Mapping[str, Any]
    roles: tuple[str, ...]
    reflector: bool
    cluster_id: str | None
    notes: tuple[str, ...]


@attrs.frozen
class KubePeermap:
    """The peer-map data built from Nodes, the validated :class:`Peermap`, and what was left out."""

    data: Mapping[str, Any]
    peermap: Peermap
    nodes: tuple[KubeNode, ...]
    skipped: tuple[str, ...]
    source: str

    def to_yaml(self) -> str:
        """The peer map as YAML, with a comment per node saying which Node fields it came from."""
        return _render_yaml(self)


def load_node_list(text: str, source: str = "<stdin>") -> list[Mapping[str, Any]]:
    """The Node objects in ``kubectl get nodes -o json`` output (a List/NodeList or one Node)."""
    try:
        document = parse_json(text, source)
    except FileError as error:
        hint = "give the output of `kubectl get nodes -o json`"
        raise PeermapError(error.message, span=error.span, hint=hint, path=error.path) from None
    if isinstance(document, Mapping) and document.get("kind") == "Node":
        return [document]
    items = document.get("items") if isinstance(document, Mapping) else None
    if not isinstance(items, list):
        raise PeermapError(
            f"{source}: expected a Kubernetes List of Nodes with `items`",
            hint="give the output of `kubectl get nodes -o json`",
        )
    if len(items) > MAX_NODES:
        raise PeermapError(f"{source}: {len(items)} Nodes: a peer map holds at most {MAX_NODES}",
                           hint="split the cluster's Nodes into several peer maps")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or item.get("kind", "Node") != "Node":
            kind = item.get("kind") if isinstance(item, Mapping) else type(item).__name__
            raise PeermapError(f"{source}: items[{index}] is a {kind}, not a Node")
    return items


def peermap_from_nodes(
    items: Sequence[Mapping[str, Any]], options: KubeOptions = KubeOptions(), source: str = "<stdin>"
) -> KubePeermap:
    """Map Nodes to a validated peer map; errors name the Node (``Node w-17: ...``)."""
    if not items:
        raise PeermapError(f"{source}: the list has no Nodes")
    nodes: list[KubeNode] = []
    skipped: list[str] = []
    for index, item in enumerate(items):
        node = _node(item, index, options, source)
        if node is None:
            skipped.append(_name(item, index, source))
        else:
            nodes.append(node)
    reflectors = [node for node in nodes if node.reflector]
    data: dict[str, Any] = {
        "version": 1,
        "defaults": {"asn": options.asn, "bird_version": options.bird_version},
        "nodes": [dict(node.entry) for node in nodes],
    }
    if reflectors:
        data["topology"] = {"type": "route-reflectors", "route_reflectors": [node.name for node in reflectors]}
        cluster_ids = {node.cluster_id for node in reflectors if node.cluster_id}
        if len(cluster_ids) > 1:
            named = ", ".join(f"Node {node.name}: {node.cluster_id}" for node in reflectors if node.cluster_id)
            raise PeermapError(
                f"{source}: route reflectors disagree on {CLUSTER_ID_ANNOTATION} ({named})",
                hint="a peer map has one cluster id: give every reflector the same one",
            )
        if cluster_ids:
            data["topology"]["cluster_id"] = cluster_ids.pop()
    families = {ipaddress.ip_network(cidr).version for node in nodes for cidr in node.entry.get("pod_cidrs", ())}
    if 6 in families:
        data["options"] = {"ipv6": True}
    try:
        peermap = peermap_from_data(data, source=source)
    except PeermapError as error:
        raise _name_the_node(error, nodes) from None
    return KubePeermap(data, peermap, tuple(nodes), tuple(skipped), source)


def _name(item: Mapping[str, Any], index: int, source: str) -> str:
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise PeermapError(f"{source}: items[{index}] has no metadata.name")
    return name


def _node(item: Mapping[str, Any], index: int, options: KubeOptions, source: str) -> KubeNode | None:
    name = _name(item, index, source)
    metadata: Mapping[str, Any] = item["metadata"]
    labels = _strings(metadata.get("labels"))
    annotations = _strings(metadata.get("annotations"))
    spec: Mapping[str, Any] = _mapping(item.get("spec"))
    status: Mapping[str, Any] = _mapping(item.get("status"))

    def fail(message: str, hint: str | None = None) -> PeermapError:
        return PeermapError(f"{source}: Node {name}: {message}", hint=hint)

    pod_cidrs = spec.get("podCIDRs") or ([spec["podCIDR"]] if spec.get("podCIDR") else [])
    if not pod_cidrs:
        if options.missing_pod_cidr == "skip":
            return None
        if options.missing_pod_cidr == "error":
            raise fail(
                "has no spec.podCIDRs",
                "the controller manager assigns them (--allocate-node-cidrs); or pass --without-pod-cidr peer "
                "(keep it as a BGP speaker) or --without-pod-cidr skip",
            )
    internal = [a.get("address") for a in status.get("addresses", ()) if isinstance(a, Mapping)
                and a.get("type") == "InternalIP"]
    notes: list[str] = []
    address = _underlay(annotations.get(IPV4_ANNOTATION), internal, 4, options.underlay_prefix, fail)
    address6 = _underlay(annotations.get(IPV6_ANNOTATION), internal, 6, options.underlay_prefix6, fail)
    if address is None:
        if address6 is None:
            raise fail("has no InternalIP in status.addresses", f"or set the {IPV4_ANNOTATION} annotation")
        raise fail("has no IPv4 InternalIP for a router id", "BIRD's router id is IPv4-shaped; add an IPv4 address")
    notes.append(f"address from {address[1]}")
    entry: dict[str, Any] = {"name": name, "address": address[0]}
    if address6 is not None:
        entry["address6"] = address6[0]
    if ASN_ANNOTATION in annotations:
        text = annotations[ASN_ANNOTATION].strip()
        if not text.isdigit():
            raise fail(f"annotation {ASN_ANNOTATION}={text!r} is not an AS number")
        entry["asn"] = int(text)
        notes.append(f"asn from {ASN_ANNOTATION}")
    entry["pod_cidrs"] = [str(cidr) for cidr in pod_cidrs]
    roles = tuple(sorted(key[len(ROLE_PREFIX):] for key in labels if key.startswith(ROLE_PREFIX)))
    if roles:
        entry["description"] = "roles: " + ", ".join(roles)
    entry["transport"] = options.transport
    if options.transport == "ssh":
        entry["host"] = address[0].split("/")[0]
        if options.user:
            entry["user"] = options.user
    cluster_id = annotations.get(CLUSTER_ID_ANNOTATION)
    reflector = labels.get(REFLECTOR_LABEL[0]) == REFLECTOR_LABEL[1] or cluster_id is not None
    if reflector:
        notes.append("route reflector (" + ("label route-reflector=true" if cluster_id is None
                                            else CLUSTER_ID_ANNOTATION) + ")")
    if not pod_cidrs:
        notes.append("no spec.podCIDRs: peers, announces nothing")
    return KubeNode(name, entry, roles, reflector, cluster_id, tuple(notes))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _underlay(
    annotation: str | None, internal: Iterable[Any], version: int, prefix: int, fail: Any
) -> tuple[str, str] | None:
    """(address/prefix, where it came from) of IP ``version``: the Calico annotation first, else InternalIP."""
    if annotation:
        try:
            interface = ipaddress.ip_interface(annotation.strip())
        except ValueError:
            raise fail(f"annotation {annotation!r} is not an address with a prefix length") from None
        if interface.version == version:
            return str(interface), "Calico's annotation"
    for text in internal:
        try:
            address = ipaddress.ip_address(str(text))
        except ValueError:
            raise fail(f"InternalIP {text!r} is not an IP address") from None
        if address.version == version:
            return f"{address}/{prefix}", f"InternalIP /{prefix}"
    return None


def _name_the_node(error: PeermapError, nodes: Sequence[KubeNode]) -> PeermapError:
    """The peer map's own error with ``nodes[i]`` replaced by the Node's name."""

    def named(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return f"Node {nodes[index].name} " if index < len(nodes) else match.group(0)

    return PeermapError(_NODE_PATH.sub(named, error.message).replace(" :", ":"), hint=error.hint)


# ----------------------------------------------------------------------------------------------- YAML

_HEADER = """\
# Peer map generated by `birdkit peermap from-kubernetes` from {source}.
# {count} Node(s){skipped}; topology {topology}.
# Read per Node: metadata.name, status.addresses InternalIP (or Calico's projectcalico.org/IPv4Address and
# IPv6Address annotations), spec.podCIDRs, projectcalico.org/ASNumber, the label route-reflector=true and
# projectcalico.org/RouteReflectorClusterID. Edit the Nodes and generate again rather than this file.
"""


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 16).removesuffix("\n...\n").strip()


def _render_yaml(result: KubePeermap) -> str:
    data = result.data
    topology = data.get("topology", {"type": "full-mesh"})
    left_out = ", ".join(result.skipped)
    skipped = f" ({len(result.skipped)} skipped without pod CIDRs: {left_out})" if result.skipped else ""
    lines = [_HEADER.format(source=result.source, count=len(result.nodes), skipped=skipped, topology=topology["type"])]
    if topology["type"] == "full-mesh" and len(result.nodes) > FULL_MESH_LIMIT:
        lines.append(f"# A full mesh of {len(result.nodes)} nodes: label a few Nodes route-reflector=true.\n")
    lines.append("version: 1\n")
    for key in ("defaults", "options", "topology"):
        if key in data:
            lines.append(f"{key}: {_scalar(data[key])}\n")
    lines.append("nodes:\n")
    for node in result.nodes:
        lines.append(f"  # Node {node.name}: {'; '.join(node.notes)}\n")
        fields = list(node.entry.items())
        head_key, head_value = fields[0]
        lines.append(f"  - {head_key}: {_scalar(head_value)}\n")
        lines += [f"    {key}: {_scalar(value)}\n" for key, value in fields[1:]]
    return "".join(lines)
