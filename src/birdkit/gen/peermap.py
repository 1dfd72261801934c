"""The peer map: its versioned schema (YAML, TOML or JSON), the frozen model, and every validation rule.

A peer map describes a fleet of BIRD nodes. Schema ``version: 1``::

    version: 1
    defaults:                      # all optional
      asn: 65000                   # AS of every node without its own `asn`
      bird_version: "2"            # target BIRD: "2", "3" or an exact version such as "2.0.12"
      log: syslog                  # `log <target> all;`: syslog, stderr or a quoted file name
      timers: {hold: 240, keepalive: 80, connect_retry: 120}   # BGP timers in seconds; omitted = BIRD's
                                                              # also connect_delay, error_wait
      kernel:
        export: all                # all (every best route) | bgp-and-static (learned pod CIDRs + blackholes)
        persist: false             # keep routes in the kernel when BIRD stops
        scan_time: 20              # seconds between kernel table scans
        learn: false               # import routes other programs put in the kernel
        graceful_restart: false
      policy: open                 # or a mapping; routing policy, see birdkit.gen.policy (also per node,
                                   # per extra peer, and under `peers: {NAME: ...}`); default: safe filters
    options:                       # all optional
      password: {env: BGP_PASSWORD}    # or {file: secret.txt}; never printed
      multihop: 2                  # true or a TTL: sessions may cross routers (needed off-subnet)
      bfd: false
      graceful_restart: false
      ecmp: false                  # kernel `merge paths on` (ECMP routes)
      ipv6: false                  # ipv6 channels even without IPv6 pod CIDRs
    nodes:
      - name: vm1                  # letters, digits, '_', '-', '.'
        address: 198.18.0.1/24     # underlay address and prefix length; BGP runs over it
        address6: fd00::1/64       # IPv6 next hop for IPv6 pod CIDRs when `address` is IPv4
        router_id: 198.18.0.1      # default: `address` when it is IPv4
        asn: 65001                 # overrides defaults.asn
        pod_cidrs: [10.0.1.0/24]
        interface: ens3            # restricts `protocol direct` to this interface
        description: rack 1
        bird_version: "3.1.8"      # overrides defaults.bird_version
        transport: netns           # netns | multipass | ssh | local (used by `birdkit apply`)
        host: vm1.example.net      # ssh: required; multipass: instance name (default: node name)
        user: ubuntu               # ssh login
        port: 22                   # ssh port
        netns: vm1                 # netns: namespace name (default: node name)
        extra_peers:
          - {name: tor1, address: 198.18.0.254, asn: 64512, description: top of rack}
    topology:
      type: full-mesh              # full-mesh | route-reflectors | peers
      route_reflectors: [vm1]      # route-reflectors: these nodes reflect, the others are clients
      cluster_id: 198.18.0.1       # route-reflectors: default = first reflector's router id
      peers: [[vm1, vm2]]          # peers: explicit sessions, one name pair each

Every error names the file and the path inside it (``peermap.yaml:14:9: nodes[1].pod_cidrs[0]: ...``); YAML
input also gives the line and column. Invalid input raises :class:`~birdkit.errors.PeermapError`.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs
import yaml

from birdkit.config.keywords import ALL_KEYWORDS
from birdkit.config.literals import is_symbol, string_problem
from birdkit.errors import FileError, PeermapError, did_you_mean
from birdkit.files import MAX_PEERMAP_BYTES, MAX_SECRET_BYTES, decode_utf8, parse_json, read_bytes
from birdkit.gen.policy import PolicySpec, check_policies, parse_policy
from birdkit.gen.topology import check_sessions
from birdkit.span import Span

SCHEMA_VERSION = 1

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
TransportKind = Literal["netns", "multipass", "ssh", "local"]
TopologyKind = Literal["full-mesh", "route-reflectors", "peers"]
KernelExport = Literal["all", "bgp-and-static"]

TRANSPORTS: tuple[TransportKind, ...] = ("netns", "multipass", "ssh", "local")
TOPOLOGIES: tuple[TopologyKind, ...] = ("full-mesh", "route-reflectors", "peers")
KERNEL_EXPORTS: tuple[KernelExport, ...] = ("all", "bgp-and-static")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
#: a Linux interface name (at most 15 characters) or a BIRD pattern of one (``eth*``)
# host names, IPv4/IPv6 addresses (with a zone), user names; a leading '-' would be read as an option
_REMOTE_NAME = re.compile(r"[A-Za-z0-9_\[][A-Za-z0-9_.:%\[\]-]{0,252}\Z")
_INTERFACE = re.compile(r"[A-Za-z0-9_.*?-]{1,15}\Z")
#: BIRD's keepalive may not exceed the hold time, whose default is 240 s
_DEFAULT_HOLD = 240
_MAX_NAME = 48
_VERSION = re.compile(r"[23](\.\d+){0,2}\Z")
_RESERVED_ASNS = {23456: "AS_TRANS", 65535: "reserved", 4294967295: "reserved"}

Path_ = tuple[str | int, ...]
#: last element of a path that means "the key itself" (for errors about a key rather than its value)
_KEY = "\0key"


# ----------------------------------------------------------------------------------------------- model


@attrs.frozen(repr=False)
class Secret:
    """A password that never prints: ``repr``/``str`` show ``***``; :meth:`reveal` gives the text."""

    _value: str = attrs.field(alias="value")
    #: where it came from, e.g. ``$BGP_PASSWORD`` or ``file secret.txt`` (safe to print)
    origin: str = ""

    def reveal(self) -> str:
        """The secret itself, for the one place that must write it (the generated config)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret(***, origin={self.origin!r})"

    __str__ = __repr__


@attrs.frozen
class Timers:
    """BGP timers in seconds; ``None`` leaves BIRD's default (hold 240, keepalive hold/3, retry 120, delay 5,
    error wait 60 doubling up to 300)."""

    hold: int | None = None
    keepalive: int | None = None
    connect_retry: int | None = None
    #: delay before the first outgoing connection attempt
    connect_delay: int | None = None
    #: first restart delay after a session error; BIRD doubles it on each further error, up to 300 s
    error_wait: int | None = None


@attrs.frozen
class KernelOptions:
    """The `protocol kernel` settings. ``export`` chooses which best routes reach the kernel table."""

    export: KernelExport = "all"
    persist: bool = False
    scan_time: int | None = None
    learn: bool = False
    graceful_restart: bool = False


@attrs.frozen
class Defaults:
    """Fleet-wide defaults a node may override."""

    asn: int = 65000
    bird_version: str = "2"
    log: str = "syslog"
    timers: Timers = Timers()
    kernel: KernelOptions = KernelOptions()
    #: routing policy of every session (see birdkit.gen.policy); safe unless `policy: open`
    policy: PolicySpec = attrs.field(factory=PolicySpec)


@attrs.frozen
class Options:
    """Session and kernel options for the whole fleet. ``multihop``: ``None`` off, ``0`` BIRD's default TTL."""

    password: Secret | None = None
    multihop: int | None = None
    bfd: bool = False
    graceful_restart: bool = False
    ecmp: bool = False
    ipv6: bool = False


@attrs.frozen
class Transport:
    """How `birdkit apply` reaches a node: a local namespace, a multipass VM, ssh, or this machine."""

    kind: TransportKind = "netns"
    host: str | None = None
    user: str | None = None
    port: int | None = None
    netns: str | None = None


@attrs.frozen
class ExtraPeer:
    """A BGP neighbor outside the fleet, e.g. a top-of-rack router."""

    name: str
    address: IPAddress
    asn: int
    description: str | None = None
    multihop: int | None = None
    password: Secret | None = None
    policy: PolicySpec = attrs.field(factory=PolicySpec)


@attrs.frozen
class Node:
    """One BIRD node of the fleet; ``asn`` and ``bird_version`` are resolved (defaults applied)."""

    name: str
    address: IPInterface
    router_id: ipaddress.IPv4Address
    asn: int
    pod_cidrs: tuple[IPNetwork, ...] = ()
    address6: ipaddress.IPv6Interface | None = None
    interface: str | None = None
    description: str | None = None
    bird_version: str = "2"
    transport: Transport = Transport()
    extra_peers: tuple[ExtraPeer, ...] = ()
    policy: PolicySpec = attrs.field(factory=PolicySpec)


@attrs.frozen
class Topology:
    """Who peers with whom: a full mesh, route reflectors and their clients, or explicit pairs."""

    kind: TopologyKind = "full-mesh"
    route_reflectors: tuple[str, ...] = ()
    cluster_id: ipaddress.IPv4Address | None = None
    peers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Peermap:
    """A validated peer map. ``locate(path)`` turns a schema path into a located :class:`PeermapError`."""

    nodes: tuple[Node, ...]
    defaults: Defaults = Defaults()
    options: Options = Options()
    topology: Topology = Topology()
    version: int = SCHEMA_VERSION
    source: str = "<peermap>"
    _locations: Mapping[Path_, tuple[int, int, str]] = attrs.field(
        factory=dict, alias="locations", eq=False, repr=False
    )

    def node(self, name: str) -> Node:
        """The node called ``name`` (KeyError when there is none)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def select(self, names: Sequence[str] | None) -> list[str]:
        """``names`` checked against the nodes (every node when ``None`` or empty); an unknown one raises
        :class:`PeermapError`."""
        known = [node.name for node in self.nodes]
        unknown = sorted(set(names or ()) - set(known))
        if unknown:
            raise PeermapError(
                f"{self.source}: unknown node(s): {', '.join(unknown)}", hint=f"nodes: {', '.join(known)}"
            )
        return list(names) if names else known

    def node_index(self) -> dict[str, int]:
        """Node name -> position in ``nodes``."""
        return {node.name: index for index, node in enumerate(self.nodes)}

    def families(self) -> tuple[int, ...]:
        """The IP versions with channels in this fleet: 4 and/or 6 (IPv4 when nothing else is asked)."""
        found = {cidr.version for node in self.nodes for cidr in node.pod_cidrs}
        if self.options.ipv6:
            found.add(6)
        return tuple(sorted(found)) or (4,)

    def error(self, path: Path_, message: str, hint: str | None = None) -> PeermapError:
        """A :class:`PeermapError` for ``path``, located at its line in the source when known."""
        return _error(self.source, self._locations, path, message, hint)


# ----------------------------------------------------------------------------------------------- loading


def load_peermap(path: str | os.PathLike[str]) -> Peermap:
    """Read and validate a peer map file (``.yaml``/``.yml``, ``.toml`` or ``.json``)."""
    file = Path(path)
    try:
        text = decode_utf8(read_bytes(file, limit=MAX_PEERMAP_BYTES, what="peer map"), str(path))
    except FileError as error:
        raise PeermapError(error.message, span=error.span, hint=error.hint, path=error.path) from None
    return parse_peermap(text, source=str(path), base_dir=file.parent)


def parse_peermap(text: str, source: str = "peermap.yaml", base_dir: Path | None = None) -> Peermap:
    """Validate peer map ``text``; the format follows ``source``'s suffix (YAML unless .toml/.json)."""
    suffix = Path(source).suffix.lower()
    locations: dict[Path_, tuple[int, int, str]] = {}
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix == ".json":
            data = parse_json(text, source)
        else:
            data = _load_yaml(text, locations)
    except tomllib.TOMLDecodeError as error:
        raise PeermapError(f"{source}: not valid TOML: {error}", path=source) from None
    except RecursionError:  # tomllib recurses once per nested array or table
        raise PeermapError(f"{source}: not valid TOML: nested too deeply", path=source) from None
    except FileError as error:
        raise PeermapError(error.message, span=error.span, path=error.path) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PeermapError(f"not valid YAML: {error.problem}", span=Span(source, line, column)) from None
    except yaml.reader.ReaderError as error:  # a character YAML refuses (NUL, other controls)
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise PeermapError(
            f"not valid YAML: character {chr(error.character)!r} is not allowed", span=Span(source, line, column)
        ) from None
    return _Validator(source, locations, base_dir or Path.cwd()).peermap(data)


def peermap_from_data(
    data: Mapping[str, Any], source: str = "<peermap>", base_dir: str | os.PathLike[str] | None = None
) -> Peermap:
    """Validate an already-parsed peer map (nested dicts and lists). Password files named in it are read relative
    to ``base_dir`` (default: the current directory), as :func:`load_peermap` reads them relative to the map."""
    return _Validator(source, {}, Path(base_dir) if base_dir is not None else Path.cwd()).peermap(data)


#: the most nodes a peer map may hold: Kubernetes supports clusters of up to 5000 Nodes
MAX_NODES = 5000
#: how deep YAML collections may nest, and how many values a peer map may hold once its aliases are expanded
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 100_000


def _load_yaml(text: str, locations: dict[Path_, tuple[int, int, str]]) -> Any:
    """YAML ``text`` as plain data, recording where each value stands. Duplicate keys, collection keys, aliases
    that contain themselves, nesting beyond :data:`MAX_YAML_DEPTH` and alias bombs (more than
    :data:`MAX_YAML_VALUES` values once expanded) raise :class:`yaml.MarkedYAMLError` at the offending place."""
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    lines = text.splitlines()
    values = 0

    def located(mark: yaml.Mark) -> tuple[int, int, str]:
        return mark.line + 1, mark.column + 1, lines[mark.line] if mark.line < len(lines) else ""

    def refuse(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
        return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)

    def convert(node: yaml.Node, path: Path_, open_nodes: tuple[yaml.Node, ...]) -> Any:
        nonlocal values
        values += 1
        if values > MAX_YAML_VALUES:
            raise refuse(node, f"more than {MAX_YAML_VALUES} values once aliases are expanded (an alias bomb?)")
        if any(node is outer for outer in open_nodes):
            raise refuse(node, "an alias that refers to a collection containing it")
        if len(open_nodes) >= MAX_YAML_DEPTH:
            raise refuse(node, f"collections nested deeper than {MAX_YAML_DEPTH} levels")
        locations[path] = located(node.start_mark)
        inner = (*open_nodes, node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise refuse(key_node, "a key must be a plain value, not a list or mapping")
                key = loader.construct_object(key_node, deep=True)
                if key in result:
                    raise refuse(key_node, f"duplicate key {key!r}")
                locations[(*path, str(key), _KEY)] = located(key_node.start_mark)
                result[key] = convert(value_node, (*path, str(key)), inner)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, (*path, index), inner) for index, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)

    try:
        root = loader.get_single_node()
        return None if root is None else convert(root, (), ())
    finally:
        loader.dispose()


# ----------------------------------------------------------------------------------------------- errors


def render_path(path: Path_) -> str:
    """``("nodes", 1, "pod_cidrs", 0)`` -> ``nodes[1].pod_cidrs[0]``."""
    text = ""
    for part in path:
        if part == _KEY:
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _error(
    source: str, locations: Mapping[Path_, tuple[int, int, str]], path: Path_, message: str, hint: str | None
) -> PeermapError:
    text = f"{render_path(path)}: {message}"
    for depth in range(len(path), -1, -1):
        if path[:depth] in locations:
            line, column, source_line = locations[path[:depth]]
            return PeermapError(text, span=Span(source, line, column), source_line=source_line, hint=hint)
    return PeermapError(f"{source}: {text}", hint=hint)


# ----------------------------------------------------------------------------------------------- validation

_T = TypeVar("_T")

_TOP_KEYS = ("version", "defaults", "options", "nodes", "topology")
_DEFAULT_KEYS = ("asn", "bird_version", "log", "timers", "kernel", "policy")
_TIMER_KEYS = ("hold", "keepalive", "connect_retry", "connect_delay", "error_wait")
_KERNEL_KEYS = ("export", "persist", "scan_time", "learn", "graceful_restart")
_OPTION_KEYS = ("password", "multihop", "bfd", "graceful_restart", "ecmp", "ipv6")
_NODE_KEYS = (
    "name", "address", "address6", "router_id", "asn", "pod_cidrs", "interface", "description",
    "bird_version", "transport", "host", "user", "port", "netns", "extra_peers", "policy",
)
_EXTRA_PEER_KEYS = ("name", "address", "asn", "description", "multihop", "password", "policy")
_TOPOLOGY_KEYS = ("type", "route_reflectors", "cluster_id", "peers")


class _Validator:
    """Turns parsed data into a :class:`Peermap`, raising the first located error."""

    def __init__(self, source: str, locations: Mapping[Path_, tuple[int, int, str]], base_dir: Path) -> None:
        self.source = source
        self.locations = locations
        self.base_dir = base_dir

    def fail(self, path: Path_, message: str, hint: str | None = None) -> PeermapError:
        return _error(self.source, self.locations, path, message, hint)

    # --- generic shapes

    def mapping(self, value: Any, path: Path_, allowed: Sequence[str]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping of {', '.join(allowed)}, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed, listing="known keys")
                raise self.fail((*path, str(key), _KEY), "unknown key", hint)
        return value

    def sequence(self, value: Any, path: Path_) -> Sequence[Any]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise self.fail(path, f"expected a list, got {_kind(value)}")
        return value

    def optional(self, data: Mapping[str, Any], key: str, path: Path_, check: Callable[[Any, Path_], _T]) -> _T | None:
        value = data.get(key)
        return None if value is None else check(value, (*path, key))

    def boolean(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_show(value)}")
        return value

    def integer(self, value: Any, path: Path_, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(path, f"expected a whole number from {low} to {high}, got {_show(value)}")
        return value

    def seconds(self, value: Any, path: Path_) -> int:
        return self.integer(value, path, 1, 65535)

    def text(self, value: Any, path: Path_) -> str:
        if isinstance(value, bool):
            raise self.fail(path, f"expected text, got {str(value).lower()}",
                            "YAML reads yes/no/on/off as true/false: put the text in quotes")
        if not isinstance(value, str | int | float):
            raise self.fail(path, f"expected text, got {_kind(value)}")
        text = str(value)
        problem = string_problem(text)
        if problem:
            shown = _show(text) if len(text) <= 60 else f"{_show(text[:60])}..."
            raise self.fail(path, f"{shown} {problem}", "BIRD strings have no escapes: remove the character")
        return text

    def name(self, value: Any, path: Path_) -> str:
        name = self.text(value, path)
        if not _NAME.match(name) or len(name) > _MAX_NAME:
            raise self.fail(
                path,
                f"{_show(name)} is not a valid name",
                f"use up to {_MAX_NAME} letters, digits, '_', '-' or '.', starting with a letter or digit",
            )
        return name

    def remote_name(self, value: Any, path: Path_) -> str:
        """A host or login name as ssh and multipass take it: never read as an option, no spaces or controls."""
        name = self.text(value, path)
        if not _REMOTE_NAME.match(name):
            raise self.fail(path, f"{_show(name)} is not a host or user name",
                            "a host name, an IP address or a login: letters, digits and . _ - : % [ ], not first '-'")
        return name

    def choice(self, value: Any, path: Path_, choices: Sequence[_T]) -> _T:
        for choice in choices:
            if value == choice:
                return choice
        raise self.fail(path, f"{_show(value)} is not one of {', '.join(map(str, choices))}")

    def asn(self, value: Any, path: Path_) -> int:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4294967295:
            raise self.fail(path, f"{_show(value)} is not a valid ASN", "an ASN is a number from 1 to 4294967294")
        if value in _RESERVED_ASNS:
            raise self.fail(path, f"{value} is not a valid ASN ({_RESERVED_ASNS[value]})")
        return value

    def address(self, value: Any, path: Path_) -> IPAddress:
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            raise self.fail(path, f"{_show(value)} is not an IP address") from None
        zone = address.scope_id if isinstance(address, ipaddress.IPv6Address) else None
        if zone is not None:
            if not address.is_link_local:
                raise self.fail(path, f"{address} has a zone id, but only link-local (fe80::/10) addresses take one")
            if not (is_symbol(zone) and len(zone) <= 15) or zone in ALL_KEYWORDS:
                raise self.fail(path, f"zone id {_show(zone)} is not an interface name BIRD can read",
                                "use letters, digits and '_' (at most 15, not a BIRD keyword), e.g. fe80::1%eth0")
        return address

    def interface(self, value: Any, path: Path_) -> str:
        name = self.text(value, path)
        if not _INTERFACE.match(name):
            raise self.fail(path, f"{_show(name)} is not an interface name",
                            "at most 15 letters, digits, '_', '.', '-', or a pattern such as eth*")
        return name

    def ipv4(self, value: Any, path: Path_) -> ipaddress.IPv4Address:
        try:
            return ipaddress.IPv4Address(str(value))
        except ValueError:
            raise self.fail(path, f"{_show(value)} is not an IPv4 address") from None

    def interface_address(self, value: Any, path: Path_) -> IPInterface:
        text = str(value)
        if "/" not in text:
            raise self.fail(path, f"{_show(value)} has no prefix length", f"write it like {text}/24")
        try:
            interface = ipaddress.ip_interface(text)
        except ValueError:
            raise self.fail(path, f"{_show(value)} is not an address with a prefix length") from None
        if isinstance(interface, ipaddress.IPv6Interface) and interface.scope_id is not None:
            raise self.fail(path, f"{_show(value)} has a zone id", "a node's underlay address takes none")
        return interface

    def network(self, value: Any, path: Path_) -> IPNetwork:
        try:
            return ipaddress.ip_network(str(value))
        except ValueError:
            try:
                fixed = ipaddress.ip_network(str(value), strict=False)
            except ValueError:
                raise self.fail(path, f"{_show(value)} is not a CIDR") from None
            raise self.fail(path, f"{value} has host bits set", f"did you mean {fixed}?") from None

    def bird_version(self, value: Any, path: Path_) -> str:
        text = str(value)
        if not _VERSION.match(text):
            raise self.fail(path, f"{_show(value)} is not a BIRD version", 'use "2", "3" or e.g. "2.0.12"')
        return text

    def secret(self, value: Any, path: Path_) -> Secret:
        spec = self.mapping(value, path, ("env", "file"))
        if len(spec) != 1:
            raise self.fail(path, "give exactly one of env or file", "password: {env: BGP_PASSWORD}")
        if "env" in spec:
            variable = self.text(spec["env"], (*path, "env"))
            if variable not in os.environ:
                raise self.fail((*path, "env"), f"environment variable {variable} is not set")
            secret, origin = os.environ[variable], f"${variable}"
        else:
            file = self.base_dir / self.text(spec["file"], (*path, "file"))
            try:
                data = read_bytes(file, limit=MAX_SECRET_BYTES, what="password file")
                secret = decode_utf8(data, str(file)).rstrip("\r\n")
            except FileError as error:
                raise self.fail((*path, "file"), error.message) from None
            origin = f"file {file}"
        if not secret:
            raise self.fail(path, f"the password from {origin} is empty")
        problem = string_problem(secret)
        if problem:
            raise self.fail(path, f"the password from {origin} {problem}", "BIRD strings have no escapes")
        return Secret(secret, origin)

    def multihop(self, value: Any, path: Path_) -> int | None:
        if value is False:
            return None
        if value is True:
            return 0
        return self.integer(value, path, 1, 255)

    # --- sections

    def peermap(self, data: Any) -> Peermap:
        top = self.mapping(data, (), _TOP_KEYS)
        if "version" not in top:
            raise self.fail((), "missing `version`", f"start the file with `version: {SCHEMA_VERSION}`")
        if type(top["version"]) is not int or top["version"] != SCHEMA_VERSION:
            raise self.fail(("version",), f"unsupported schema version {_show(top['version'])}",
                            f"this birdkit reads version {SCHEMA_VERSION}")
        defaults = self.defaults(top.get("defaults"), ("defaults",))
        options = self.options(top.get("options"), ("options",))
        raw_nodes = self.sequence(top.get("nodes"), ("nodes",))
        if not raw_nodes:
            raise self.fail(("nodes",), "a peer map needs at least one node")
        if len(raw_nodes) > MAX_NODES:
            raise self.fail(("nodes",), f"{len(raw_nodes)} nodes: a peer map holds at most {MAX_NODES}",
                            "split the fleet into several peer maps")
        nodes = tuple(self.node(raw, ("nodes", index), defaults) for index, raw in enumerate(raw_nodes))
        self.check_unique(nodes)
        self.check_pod_cidrs(nodes)
        self.check_pods_off_underlay(nodes)
        self.check_ipv6_next_hops(nodes, options)
        topology = self.topology(top.get("topology"), ("topology",), nodes)
        peermap = Peermap(nodes, defaults, options, topology, SCHEMA_VERSION, self.source, self.locations)
        check_sessions(peermap)
        check_policies(peermap)
        return peermap

    def defaults(self, value: Any, path: Path_) -> Defaults:
        data = self.mapping(value, path, _DEFAULT_KEYS)
        base = Defaults()
        timers = self.mapping(data.get("timers"), (*path, "timers"), _TIMER_KEYS)
        kernel = self.mapping(data.get("kernel"), (*path, "kernel"), _KERNEL_KEYS)
        tpath, kpath = (*path, "timers"), (*path, "kernel")
        log = self.text(data.get("log", base.log), (*path, "log"))
        hold = self.optional(timers, "hold", tpath, lambda v, p: self.integer(v, p, 3, 65535))
        # BIRD refuses a keepalive longer than the hold time
        hold_limit = hold or _DEFAULT_HOLD
        return Defaults(
            asn=self.asn(data.get("asn", base.asn), (*path, "asn")),
            bird_version=self.bird_version(data.get("bird_version", base.bird_version), (*path, "bird_version")),
            log=log,
            timers=Timers(
                hold=hold,
                keepalive=self.optional(timers, "keepalive", tpath, lambda v, p: self.integer(v, p, 1, hold_limit)),
                connect_retry=self.optional(timers, "connect_retry", tpath, self.seconds),
                connect_delay=self.optional(timers, "connect_delay", tpath, self.seconds),
                error_wait=self.optional(timers, "error_wait", tpath, self.seconds),
            ),
            kernel=KernelOptions(
                export=self.choice(kernel.get("export", "all"), (*kpath, "export"), KERNEL_EXPORTS),
                persist=self.boolean(kernel.get("persist", False), (*kpath, "persist")),
                scan_time=self.optional(kernel, "scan_time", kpath, self.seconds),
                learn=self.boolean(kernel.get("learn", False), (*kpath, "learn")),
                graceful_restart=self.boolean(kernel.get("graceful_restart", False), (*kpath, "graceful_restart")),
            ),
            policy=parse_policy(self, data.get("policy", {}), (*path, "policy"), node_level=True),
        )

    def options(self, value: Any, path: Path_) -> Options:
        data = self.mapping(value, path, _OPTION_KEYS)

        def flag(key: str) -> bool:
            return self.boolean(data.get(key, False), (*path, key))

        return Options(
            password=self.optional(data, "password", path, self.secret),
            multihop=self.optional(data, "multihop", path, self.multihop),
            bfd=flag("bfd"),
            graceful_restart=flag("graceful_restart"),
            ecmp=flag("ecmp"),
            ipv6=flag("ipv6"),
        )

    def node(self, value: Any, path: Path_, defaults: Defaults) -> Node:
        data = self.mapping(value, path, _NODE_KEYS)
        for required in ("name", "address"):
            if required not in data:
                raise self.fail(path, f"missing `{required}`")
        name = self.name(data["name"], (*path, "name"))
        address = self.interface_address(data["address"], (*path, "address"))
        if "router_id" in data:
            router_id = self.ipv4(data["router_id"], (*path, "router_id"))
        elif isinstance(address, ipaddress.IPv4Interface):
            router_id = address.ip
        else:
            raise self.fail(path, "missing `router_id`", "an IPv6 node needs an IPv4-shaped router_id")
        address6 = self.optional(data, "address6", path, self.interface_address)
        if address6 is not None and not isinstance(address6, ipaddress.IPv6Interface):
            raise self.fail((*path, "address6"), f"{address6} is not an IPv6 address")
        cidrs = self.sequence(data.get("pod_cidrs"), (*path, "pod_cidrs"))
        return Node(
            name=name,
            address=address,
            router_id=router_id,
            asn=self.asn(data.get("asn", defaults.asn), (*path, "asn")),
            pod_cidrs=tuple(self.network(c, (*path, "pod_cidrs", i)) for i, c in enumerate(cidrs)),
            address6=address6,
            interface=self.optional(data, "interface", path, self.interface),
            description=self.optional(data, "description", path, self.text),
            bird_version=self.optional(data, "bird_version", path, self.bird_version) or defaults.bird_version,
            transport=self.transport(data, path, name),
            extra_peers=self.extra_peers(data.get("extra_peers"), (*path, "extra_peers")),
            policy=parse_policy(self, data.get("policy", {}), (*path, "policy"), node_level=True),
        )

    def transport(self, data: Mapping[str, Any], path: Path_, name: str) -> Transport:
        kind = self.choice(data.get("transport", "netns"), (*path, "transport"), TRANSPORTS)
        host = self.optional(data, "host", path, self.remote_name)
        if kind == "ssh" and host is None:
            raise self.fail(path, "transport ssh needs `host`")
        return Transport(
            kind=kind,
            host=host if host is not None or kind != "multipass" else name,
            user=self.optional(data, "user", path, self.remote_name),
            port=self.optional(data, "port", path, lambda v, p: self.integer(v, p, 1, 65535)),
            netns=self.optional(data, "netns", path, self.name) or (name if kind == "netns" else None),
        )

    def extra_peers(self, value: Any, path: Path_) -> tuple[ExtraPeer, ...]:
        peers = []
        for index, raw in enumerate(self.sequence(value, path)):
            where = (*path, index)
            data = self.mapping(raw, where, _EXTRA_PEER_KEYS)
            for required in ("name", "address", "asn"):
                if required not in data:
                    raise self.fail(where, f"missing `{required}`")
            peers.append(
                ExtraPeer(
                    name=self.name(data["name"], (*where, "name")),
                    address=self.address(data["address"], (*where, "address")),
                    asn=self.asn(data["asn"], (*where, "asn")),
                    description=self.optional(data, "description", where, self.text),
                    multihop=self.optional(data, "multihop", where, self.multihop),
                    password=self.optional(data, "password", where, self.secret),
                    policy=parse_policy(self, data.get("policy", {}), (*where, "policy"), node_level=False),
                )
            )
        return tuple(peers)

    def topology(self, value: Any, path: Path_, nodes: Sequence[Node]) -> Topology:
        data = self.mapping(value, path, _TOPOLOGY_KEYS)
        kind = self.choice(data.get("type", "full-mesh"), (*path, "type"), TOPOLOGIES)
        index = {node.name: position for position, node in enumerate(nodes)}

        def known(name: Any, where: Path_) -> str:
            text = self.text(name, where)
            if text not in index:
                raise self.fail(where, f"no node is called {_show(text)}", did_you_mean(text, index))
            return text

        for key in ("route_reflectors", "cluster_id", "peers"):
            wanted = {"route_reflectors": "route-reflectors", "cluster_id": "route-reflectors", "peers": "peers"}
            if key in data and kind != wanted[key]:
                raise self.fail((*path, key), f"only used with `type: {wanted[key]}`")
        if kind == "route-reflectors":
            rr_path = (*path, "route_reflectors")
            names = self.sequence(data.get("route_reflectors"), rr_path)
            if not names:
                raise self.fail(path, "route-reflectors needs `route_reflectors`: a list of node names")
            reflectors = tuple(known(name, (*rr_path, i)) for i, name in enumerate(names))
            for position, name in enumerate(reflectors):
                if name in reflectors[:position]:
                    raise self.fail((*rr_path, position), f"{name} is listed twice")
            cluster_id = self.optional(data, "cluster_id", path, self.ipv4)
            return Topology(kind, reflectors, cluster_id or nodes[index[reflectors[0]]].router_id)
        if kind == "peers":
            pairs = []
            seen: dict[frozenset[str], int] = {}
            for position, raw in enumerate(self.sequence(data.get("peers"), (*path, "peers"))):
                where = (*path, "peers", position)
                pair = self.sequence(raw, where)
                if len(pair) != 2:
                    raise self.fail(where, "a peering is a list of two node names", "peers: [[vm1, vm2]]")
                first, second = (known(pair[side], (*where, side)) for side in (0, 1))
                if first == second:
                    raise self.fail(where, f"{first} cannot peer with itself")
                pair_key = frozenset((first, second))
                if pair_key in seen:
                    raise self.fail(where, f"{first} and {second} already peer in topology.peers[{seen[pair_key]}]")
                seen[pair_key] = position
                pairs.append((first, second))
            return Topology(kind, peers=tuple(pairs))
        return Topology(kind)

    # --- cross-node rules

    def check_unique(self, nodes: Sequence[Node]) -> None:
        seen: dict[str, dict[Hashable, int]] = {"name": {}, "router_id": {}, "address": {}}
        for position, node in enumerate(nodes):
            where = ("nodes", position)
            for field, key in (("name", node.name), ("router_id", node.router_id), ("address", node.address.ip)):
                first = seen[field].setdefault(key, position)
                if first != position:
                    raise self.fail((*where, field), f"{key} is already used by nodes[{first}]")
            peer_names: dict[str, int] = {}
            for index, peer in enumerate(node.extra_peers):
                first = peer_names.setdefault(peer.name, index)
                if first != index:
                    raise self.fail((*where, "extra_peers", index, "name"),
                                    f"{peer.name} is already used by extra_peers[{first}]")

    def check_pod_cidrs(self, nodes: Sequence[Node]) -> None:
        cidrs = sorted(
            ((cidr, node_index, cidr_index) for node_index, node in enumerate(nodes)
             for cidr_index, cidr in enumerate(node.pod_cidrs)),
            key=lambda item: (item[0].version, item[0].network_address, item[0].prefixlen, item[1], item[2]),
        )
        widest: tuple[IPNetwork, int, int] | None = None
        for entry in cidrs:
            if widest is not None and widest[0].version == entry[0].version and entry[0].subnet_of(widest[0]):  # type: ignore[arg-type]
                first, later = sorted((widest, entry), key=lambda item: (item[1], item[2]))
                raise self.fail(
                    ("nodes", later[1], "pod_cidrs", later[2]),
                    f"{later[0]} overlaps nodes[{first[1]}].pod_cidrs[{first[2]}] {first[0]}",
                    "every pod CIDR must belong to exactly one node",
                )
            if widest is None or widest[0].version != entry[0].version or not entry[0].subnet_of(widest[0]):  # type: ignore[arg-type]
                widest = entry

    def check_pods_off_underlay(self, nodes: Sequence[Node]) -> None:
        underlays: dict[IPNetwork, int] = {}
        for position, node in enumerate(nodes):
            for interface in (node.address, node.address6):
                if interface is not None:
                    underlays.setdefault(interface.network, position)
        for position, node in enumerate(nodes):
            for index, cidr in enumerate(node.pod_cidrs):
                for network, owner in underlays.items():
                    if cidr.version == network.version and cidr.overlaps(network):
                        raise self.fail(("nodes", position, "pod_cidrs", index),
                                        f"{cidr} overlaps the underlay {network} of nodes[{owner}]",
                                        "pod CIDRs are blackholed on their node; keep them off the underlay")

    def check_ipv6_next_hops(self, nodes: Sequence[Node], options: Options) -> None:
        if not options.ipv6 and not any(c.version == 6 for node in nodes for c in node.pod_cidrs):
            return
        for position, node in enumerate(nodes):
            if node.address.version == 4 and node.address6 is None:
                raise self.fail(
                    ("nodes", position),
                    "IPv6 routes need an IPv6 next hop on this node",
                    "add `address6:` (its IPv6 underlay address) or make `address` IPv6",
                )


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)
