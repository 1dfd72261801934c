"""Peer map to bird.conf text: the Jinja2 environment (StrictUndefined, trim/lstrip blocks) and ``generate``.

Each node's config has, in order: ``log`` and ``router id``; ``protocol device``; ``protocol direct`` (a
channel per routed family and per family of the node's own addresses, so BGP next hops resolve); one
``protocol kernel`` per family; one ``protocol static`` per family with a blackhole route for each of the
node's own pod CIDRs; ``protocol bfd`` when BFD is on; one ``protocol bgp`` per neighbor whose channels use
the filters compiled by :mod:`birdkit.gen.policy` (printed first, after ``router id``), or ``import all;
export all;`` under ``policy: open``.

What the kernel table receives (``defaults.kernel.export``):

* ``all`` (the walkthrough's ``export all``): every best route in BIRD's table, i.e. the other nodes' pod
  CIDRs learned over BGP, the node's own pod CIDRs as blackholes, and the underlay's connected routes learned
  by ``protocol direct``, which show up as a second copy of the kernel's link route
  (``198.18.0.0/24 dev eth0 proto bird scope link metric 32``).
* ``bgp-and-static``: only routes learned over BGP and the node's own blackholes.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from birdkit.config.keywords import ALL_KEYWORDS
from birdkit.config.literals import is_symbol, quote_string, string_problem
from birdkit.files import MAX_TEMPLATE_BYTES, read_text
from birdkit.gen.peermap import Node, Peermap, Secret
from birdkit.gen.policy import ANNOUNCE_PROTOCOL, NodePolicy, compile_node
from birdkit.gen.topology import PeerGroup, peer_groups
from birdkit.resources import templates_dir

MAIN_TEMPLATE = "main.j2"


class BirdText(str):
    """Text already in BIRD syntax, composed by birdkit from validated values: the only ``str`` a template prints.

    Any other text must pass through a filter that checks it (``quoted``, ``symbol``, ``secret``), so a
    field added to a template later cannot reach bird.conf unchecked.
    """


class UnsafeValueError(jinja2.TemplateRuntimeError):
    """A value reached a template without a BIRD-safe type, or a text BIRD cannot hold reached a filter.

    The message never quotes the value itself: it may be a password.
    """


_SAFE_TYPES = (int, ipaddress.IPv4Address, ipaddress.IPv4Network, ipaddress.IPv6Network)


def _finalize(value: object) -> object:
    """Every ``{{ ... }}`` result: BIRD-safe types print, anything else stops the render."""
    if isinstance(value, BirdText | jinja2.Undefined):
        return value
    if isinstance(value, _SAFE_TYPES) and not isinstance(value, bool):
        return value
    # an IPv6Interface is an IPv6Address too; either prints its zone id after '%'
    if isinstance(value, ipaddress.IPv6Address) and (value.scope_id is None or _is_zone(value.scope_id)):
        return value
    raise UnsafeValueError(
        f"a {type(value).__name__} value reached the template without a BIRD-safe type; "
        "pass text through `| quoted` (strings), `| symbol` (names) or `| secret` (passwords)"
    )


def _is_zone(zone: str) -> bool:
    """A zone id BIRD reads after '%': a symbol that is no keyword."""
    return is_symbol(zone) and zone not in ALL_KEYWORDS


def quoted(text: str) -> BirdText:
    """Template filter: ``text`` as a BIRD string literal, refused unless it is safe to write."""
    problem = string_problem(text)
    if problem:
        raise UnsafeValueError(f"a text given to `| quoted` {problem}")
    return BirdText(quote_string(text))


def symbol(text: str) -> BirdText:
    """Template filter: ``text`` as a BIRD symbol (a protocol name), refused unless it is one."""
    if not is_symbol(text):
        raise UnsafeValueError(f"{text!r} given to `| symbol` is not a BIRD symbol (letters, digits, '_')")
    return BirdText(text)


def secret(value: Secret) -> BirdText:
    """Template filter: a password as a BIRD string literal (the one place a secret is revealed)."""
    problem = string_problem(value.reveal())
    if problem:
        raise UnsafeValueError(f"the password from {value.origin} {problem}")
    return BirdText(quote_string(value.reveal()))


class _UserTemplates(jinja2.BaseLoader):
    """The templates of ``--templates DIR``, read through the bounded reader: a template named there that is a
    device, a FIFO, a kernel file, too large or not UTF-8 is an error, not a silent fall-back or a hang."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        text = read_text(path, limit=MAX_TEMPLATE_BYTES, what="template")
        return text, str(path), lambda: False


@cache
def environment(templates: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment; templates in ``templates`` replace the packaged ones of the same name.

    Every printed value must be BIRD-safe (see :class:`BirdText`); text goes through the ``quoted``,
    ``symbol`` or ``secret`` filter.
    """
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(templates_dir()))]
    if templates is not None:
        loaders.insert(0, _UserTemplates(templates))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
        finalize=_finalize,
    )
    env.filters.update(quoted=quoted, symbol=symbol, secret=secret)
    return env


def generate(
    peermap: Peermap, *, nodes: Iterable[str] | None = None, templates: Path | None = None
) -> dict[str, str]:
    """Node name -> bird.conf text for every node (or only ``nodes``), in peer-map order. Deterministic."""
    template = environment(templates).get_template(MAIN_TEMPLATE)
    groups = peer_groups(peermap)
    wanted = None if nodes is None else set(nodes)
    fleet = _fleet_context(peermap)
    return {
        node.name: _render(template, fleet, node, groups[node.name], peermap)
        for node in peermap.nodes
        if wanted is None or node.name in wanted
    }


def _fleet_context(peermap: Peermap) -> dict[str, Any]:
    defaults, options, timers = peermap.defaults, peermap.options, peermap.defaults.timers
    session_lines = [BirdText(line) for line in (
        *([f"hold time {timers.hold};"] if timers.hold else []),
        *([f"keepalive time {timers.keepalive};"] if timers.keepalive else []),
        *([f"connect retry time {timers.connect_retry};"] if timers.connect_retry else []),
        *([f"connect delay time {timers.connect_delay};"] if timers.connect_delay else []),
        *([f"error wait time {timers.error_wait}, {max(timers.error_wait, 300)};"] if timers.error_wait else []),
        *(["bfd on;"] if options.bfd else []),
        *(["graceful restart on;"] if options.graceful_restart else []),
    )]
    log = defaults.log
    return {
        "peermap": peermap,
        "options": options,
        "kernel": defaults.kernel,
        "families": peermap.families(),
        "cluster_id": peermap.topology.cluster_id,
        "session_lines": session_lines,
        "log_target": BirdText(log) if log in ("syslog", "stderr") else quoted(log),
    }


def _channels(node: Node, families: Iterable[int]) -> list[Mapping[str, Any]]:
    """Channel blocks; a family other than the session's needs a next hop of its own family."""
    channels: list[Mapping[str, Any]] = []
    for family in families:
        lines: list[BirdText] = []
        if family != node.address.version:
            if family == 6 and node.address6 is not None:
                lines.append(BirdText(f"next hop address {node.address6.ip};"))
            else:
                lines.append(BirdText("extended next hop on;"))
        channels.append({"name": BirdText(f"ipv{family}"), "lines": lines})
    return channels


def _direct_families(node: Node, families: Iterable[int]) -> list[int]:
    """Families `protocol direct` learns: the routed ones plus those of the node's own next hops, which BGP
    resolves through the connected subnets."""
    found = {*families, node.address.version}
    if node.address6 is not None:
        found.add(6)
    return sorted(found)


def _policy_context(node: Node, compiled: NodePolicy) -> dict[str, Any]:
    """The compiled policy as template values. Its lines are BIRD text that birdkit.gen.policy composes from
    typed values only (networks, addresses, whole numbers, community tuples, protocol names); comments hold
    validated node and peer names (letters, digits, '_', '-', '.')."""
    sessions = {
        protocol: {
            "lines": [BirdText(line) for line in session.lines],
            "channels": {
                name: {
                    "import_policy": BirdText(channel.import_policy),
                    "export_policy": BirdText(channel.export_policy),
                    "lines": [BirdText(line) for line in channel.lines],
                }
                for name, channel in session.channels.items()
            },
        }
        for protocol, session in compiled.sessions.items()
    }
    filters = [
        {"name": symbol(found.name), "comment": BirdText(found.comment), "lines": list(map(BirdText, found.lines()))}
        for found in compiled.filters
    ]
    originated = [
        {"protocol": symbol(ANNOUNCE_PROTOCOL.format(family=family)), "family": family, "nets": nets}
        for family, nets in compiled.originated.items()
    ]
    defines = [BirdText(f"define {name} = {prefixes.prefix_set()};") for name, prefixes in compiled.defines]
    header = BirdText(f"Routing policy from the peer map; `birdkit gen --explain {node.name}` says it in words.")
    return {"header": header, "defines": defines, "filters": filters, "sessions": sessions, "originated": originated}


def _render(
    template: jinja2.Template, fleet: Mapping[str, Any], node: Node, groups: list[PeerGroup], peermap: Peermap
) -> str:
    address: ipaddress.IPv4Address | ipaddress.IPv6Address = node.address.ip
    context = {
        "policy": _policy_context(node, compile_node(peermap, node, groups, fleet["families"])),
        **fleet,
        "node": node,
        "local_address": address,
        "groups": groups,
        "channels": _channels(node, fleet["families"]),
        "direct_families": _direct_families(node, fleet["families"]),
    }
    return template.render(context)
