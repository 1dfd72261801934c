"""Peer-map values reach bird.conf only through BIRD-safe types: arbitrary text in any string field is either
refused with a path-named error, or written so that the config holds exactly what the peer map declares."""

from __future__ import annotations

import collections
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdkit.config import ast
from birdkit.config.parse import parse_config
from birdkit.errors import PeermapError
from birdkit.gen.peermap import peermap_from_data
from birdkit.gen.render import UnsafeValueError, environment, generate
from birdkit.gen.topology import protocol_name

#: every string field of the peer map that reaches bird.conf: its value in the base map, and its path
FIELDS: dict[str, tuple[str, str]] = {
    "node0.name": ("vm1", "nodes[0].name"),
    "node1.name": ("vm2", "nodes[1].name"),
    "node0.description": ("rack 1", "nodes[0].description"),
    "node0.interface": ("eth0", "nodes[0].interface"),
    "peer.name": ("tor1", "nodes[0].extra_peers[0].name"),
    "peer.description": ("top of rack", "nodes[0].extra_peers[0].description"),
    "peer.zone": ("eth0", "nodes[0].extra_peers[0].address"),
    "log": ("syslog", "defaults.log"),
    "password": ("secret", "options.password"),
}

#: string fields written as BIRD strings, and which node's config holds them (None: every node's)
WRITTEN_IN = {"node0.description": 1, "node0.interface": 0, "peer.description": 0, "password": None}

#: texts an attacker would try: each ends a string, a statement or a block, or hides what follows
PAYLOADS = [
    'x"; }; protocol bgp evil { local as 1; neighbor 198.18.0.9 as 2; ipv6 { import all; export all; }; } #',
    "eth0 as 64512; password \"mine\"",
    "a\nb", "a\rb", "a\0b", "tab\there", "\u202eevil", "\x1b[31mred", "'", "\\", "}", "{", ";", "#", "/*", "",
    "x" * 1024, "x" * 1025, "é" * 600, "peer", "bgp", "neighbor", "as", "1a", "RTS_BGP", "kernel1", "eth0.100", "eth*",
]
TEXT = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=24))


def benign(field: str, value: str) -> str:
    """The value a well-behaved user would put where ``value`` went; empty stays empty (same statements)."""
    if field == "log":
        return value if value in ("syslog", "stderr") else "/var/log/bird.log"
    return FIELDS[field][0] if value else value


def peermap_data(values: dict[str, str], password_file: str) -> dict[str, Any]:
    """An IPv6 two-node fleet whose vm1 also peers with a top-of-rack router over a link-local address."""
    return {
        "version": 1,
        "defaults": {"asn": 65000, "log": values["log"]},
        "options": {"password": {"file": password_file}},
        "nodes": [
            {
                "name": values["node0.name"], "address": "fd00::1/64", "router_id": "198.18.0.1",
                "pod_cidrs": ["fd10:0:0:1::/64"], "description": values["node0.description"],
                "interface": values["node0.interface"],
                "extra_peers": [{
                    "name": values["peer.name"], "address": f"fe80::1%{values['peer.zone']}", "asn": 64512,
                    "description": values["peer.description"],
                }],
            },
            {"name": values["node1.name"], "address": "fd00::2/64", "router_id": "198.18.0.2",
             "pod_cidrs": ["fd10:0:0:2::/64"]},
        ],
    }


def generated(values: dict[str, str]) -> dict[str, str]:
    """Node name -> config for ``values``; the password goes through a real file, as a user's would."""
    with tempfile.NamedTemporaryFile("wb", suffix=".txt") as secret:
        secret.write(values["password"].encode("utf-8", "surrogatepass"))
        secret.flush()
        return generate(peermap_from_data(peermap_data(values, secret.name)))


_TRIVIA = {"span", "comments_before", "trailing_comment", "blank_line_before", "comments_end"}


def shape(value: Any) -> Any:
    """A config's structure with the user's text left out: which protocols, statements and options it holds."""
    if isinstance(value, ast.Str):
        return "Str"
    if isinstance(value, tuple):
        return tuple(shape(item) for item in value)
    if not isinstance(value, ast.Node):
        return value
    fields = []
    for field in attrs.fields(type(value)):
        if field.name in _TRIVIA:
            continue
        item = getattr(value, field.name)
        # protocol names, and the policy's filter names made from them, follow the drawn node names
        named = isinstance(value, ast.Protocol | ast.FilterDef | ast.PolicyFilterName) and field.name == "name"
        if named or (isinstance(value, ast.BgpEndpoint) and field.name == "iface"):
            item = item is not None
        fields.append((field.name, shape(item)))
    return type(value).__name__, tuple(fields)


def strings(node: Any) -> Iterator[str]:
    """Every string literal's value in an AST."""
    if isinstance(node, ast.Str):
        yield node.value
    elif isinstance(node, tuple):
        for item in node:
            yield from strings(item)
    elif isinstance(node, ast.Node):
        for field in attrs.fields(type(node)):
            if field.name not in _TRIVIA:
                yield from strings(getattr(node, field.name))


@st.composite
def injected(draw: st.DrawFn) -> tuple[dict[str, str], set[str]]:
    """Base values with one or more fields replaced by drawn text; also which fields were replaced."""
    chosen = draw(st.sets(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3))
    values = {field: default for field, (default, _) in FIELDS.items()}
    values.update({field: draw(TEXT) for field in chosen})
    return values, chosen


@settings(max_examples=300)
@given(case=injected())
def test_any_text_is_refused_by_path_or_written_exactly_as_declared(case: tuple[dict[str, str], set[str]]) -> None:
    values, chosen = case
    try:
        configs = generated(values)
    except PeermapError as error:
        message = str(error)
        assert any(path in message for _, path in FIELDS.values()), message
        password = values["password"]
        if "options.password" in message and len(password) >= 8:
            assert password not in message, "a refused password must not be printed"
        return
    twin = generated({field: benign(field, value) for field, value in values.items()})
    for position, ((name, config), (_, twin_config)) in enumerate(zip(configs.items(), twin.items(), strict=True)):
        parsed, expected = parse_config(config), parse_config(twin_config)
        assert shape(parsed) == shape(expected), f"{name}: the config holds more or less than declared"
        texts = collections.Counter(strings(parsed))
        for field in chosen & WRITTEN_IN.keys():
            if values[field] and WRITTEN_IN[field] in (None, position):
                assert texts[values[field].rstrip("\r\n")] >= 1, f"{field} was not written verbatim"
        bgp_names = {p.name for p in parsed.protocols() if p.proto_type == "bgp"}
        assert bgp_names == {protocol_name(peer) for peer in _peers_of(name, values)}


def _peers_of(node: str, values: dict[str, str]) -> list[str]:
    """The names ``node`` holds a BGP session with in the base fleet."""
    first, second = values["node0.name"], values["node1.name"]
    return [second, values["peer.name"]] if node == first else [first]


@settings(max_examples=60)
@given(case=injected())
def test_what_is_written_passes_real_bird(case: tuple[dict[str, str], set[str]], bird_matrix: Any) -> None:
    values, _ = case
    try:
        configs = generated(values)
    except PeermapError:
        return
    for runtime in bird_matrix.runtimes.values():
        for name, config in configs.items():
            verdict = runtime.check(config)
            assert verdict.ok, f"{runtime.version} rejects {name}: {verdict}\n{config}"


def test_a_raw_string_in_a_template_is_refused(tmp_path: Any) -> None:
    (tmp_path / "device.j2").write_text("protocol device {\n  description \"{{ node.name }}\";\n}\n")
    template = environment(tmp_path).get_template("device.j2")
    with pytest.raises(UnsafeValueError, match="str value reached the template without a BIRD-safe type"):
        template.render(node=type("N", (), {"name": "vm1"})())


def test_a_secret_revealed_raw_in_a_template_is_refused_without_printing_it(tmp_path: Any) -> None:
    os.environ["BIRDKIT_TEST_SECRET"] = "hunter2-pw"
    try:
        data = peermap_data({field: default for field, (default, _) in FIELDS.items()}, "unused")
        data["options"]["password"] = {"env": "BIRDKIT_TEST_SECRET"}
        peermap = peermap_from_data(data)
    finally:
        del os.environ["BIRDKIT_TEST_SECRET"]
    (tmp_path / "bgp.j2").write_text("{% for g in groups %}{% for p in g.neighbors %}"
                                     "password \"{{ p.password.reveal() }}\";{% endfor %}{% endfor %}\n")
    with pytest.raises(UnsafeValueError) as caught:
        generate(peermap, templates=tmp_path)
    assert "hunter2" not in str(caught.value)
