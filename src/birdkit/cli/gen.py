"""`birdkit gen`: peer map in, OUTDIR/<node>/bird.conf out (atomic, deterministic, optionally checked)."""

from __future__ import annotations

import argparse
import difflib
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

import jinja2

from birdkit.apply.precheck import check_fleet
from birdkit.cli.output import EXIT_FAILED, EXIT_OK, JSON_ERRORS, format_table, paint, print_json, progress
from birdkit.errors import ConfigError, FileError, PeermapError, UsageError, did_you_mean
from birdkit.files import MAX_CONFIG_BYTES, read_bytes, read_text, write_atomically
from birdkit.gen.peermap import Peermap, load_peermap
from birdkit.gen.policy import explain
from birdkit.gen.render import generate
from birdkit.gen.topology import peer_groups
from birdkit.redact import Redactor
from birdkit.span import Span
from birdkit.terminal import printable

EPILOG = """\
examples:
  birdkit gen examples/walkthrough.yaml -o out/          write out/vm1/bird.conf and out/vm2/bird.conf
  birdkit gen peermap.yaml -o out/ --node vm2            only vm2
  birdkit gen peermap.yaml -o out/ --check               parse, lint and `bird -p` before writing
  birdkit gen peermap.yaml -o out/ --diff                show what would change; write nothing
  birdkit gen peermap.yaml -o out/ --templates mytpl/    use mytpl/*.j2 in place of the packaged ones
  birdkit gen peermap.yaml --explain vm1                 what vm1 exports and accepts, and which rule decides

The peer map schema is documented in `python -m pydoc birdkit.gen.peermap` and the README.
An invalid peer map writes nothing and exits 2. Passwords never appear in output or --diff.
""" + JSON_ERRORS

def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add ``birdkit gen``'s arguments."""
    parser.add_argument("peermap", type=Path, help="peer map file (.yaml, .toml or .json)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUTDIR",
        help="directory that receives OUTDIR/<node>/bird.conf (required unless --explain)",
    )
    parser.add_argument(
        "--explain", metavar="NODE", help="print in words what NODE exports and accepts per session; write nothing"
    )
    parser.add_argument("--node", action="append", metavar="NAME", help="generate only this node (repeatable)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the configs (our parser, fleet lint, `bird -p` when installed) before writing",
    )
    parser.add_argument("--diff", action="store_true", help="print a diff against the files in OUTDIR; write nothing")
    parser.add_argument("--templates", type=Path, metavar="DIR", help="directory of *.j2 overriding the packaged ones")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")


def run(args: argparse.Namespace) -> int:
    """Generate, optionally check or diff, then write every node's config atomically."""
    if args.output is None and args.explain is None:
        raise UsageError("birdkit gen: -o/--output OUTDIR is required (unless --explain NODE)")
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        hint = "-o names the directory that receives <node>/bird.conf"
        raise FileError(f"-o {args.output}: not a directory", hint=hint)
    peermap = load_peermap(args.peermap)
    if args.explain is not None:
        _selected_nodes(peermap, [args.explain])
        sys.stdout.write(explain(peermap, args.explain))
        return EXIT_OK
    names = _selected_nodes(peermap, args.node)
    if args.templates is not None and not args.templates.is_dir():
        raise PeermapError(f"--templates {args.templates}: not a directory")
    configs = _generate(peermap, names, args.templates)
    redact = _redactor(peermap)
    files = {name: args.output / name / "bird.conf" for name in configs}
    if args.check:
        problems = check_fleet(peermap, configs, {name: str(path) for name, path in files.items()}, progress)
        if problems:
            for problem in problems:
                print(printable(redact(problem)), file=sys.stderr)
            summary = f"{len(problems)} problem(s); nothing written"
            if args.json:  # a refusal like any other: the JSON error names each problem by its first line
                raise ConfigError(f"{summary}: {'; '.join(redact(p).splitlines()[0] for p in problems)}")
            print(paint(summary, "red", sys.stderr), file=sys.stderr)
            return EXIT_FAILED
    if args.diff:
        for name, text in configs.items():
            sys.stdout.write(redact(_diff(files[name], text)))
        return EXIT_OK
    private = bool(redact.secrets)
    statuses = {name: write_config(files[name], text, private=private) for name, text in configs.items()}
    _summarize(peermap, configs, files, statuses, args)
    return EXIT_OK


def _selected_nodes(peermap: Peermap, wanted: list[str] | None) -> list[str] | None:
    if not wanted:
        return None
    known = [node.name for node in peermap.nodes]
    for name in wanted:
        if name not in known:
            raise PeermapError(
                f"--node {name}: no such node in {peermap.source}", hint=did_you_mean(name, known, listing="nodes")
            )
    return wanted


def _generate(peermap: Peermap, names: list[str] | None, templates: Path | None) -> dict[str, str]:
    try:
        return generate(peermap, nodes=names, templates=templates)
    except jinja2.TemplateSyntaxError as error:
        span = Span(error.filename or error.name or "<template>", error.lineno, 1)
        raise ConfigError(f"template error: {error.message}", span=span) from None
    except jinja2.TemplateError as error:
        raise ConfigError(
            f"template error: {error.message}", hint="--templates files see the same variables as the packaged ones"
        ) from None


def _redactor(peermap: Peermap) -> Redactor:
    """Masks the passwords in what gen prints; knows the peer map's (fleet-wide and extra peers')."""
    found = [peermap.options.password] + [p.password for n in peermap.nodes for p in n.extra_peers]
    return Redactor(frozenset(secret.reveal() for secret in found if secret is not None))


def _diff(path: Path, text: str) -> str:
    old = read_text(path, limit=MAX_CONFIG_BYTES, what="config", lossless=True) if path.is_file() else ""
    before = str(path) if path.is_file() else "/dev/null"
    return "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), before, f"{path} (generated)"))


def write_config(path: Path, text: str, *, private: bool = False) -> str:
    """Write ``text`` to ``path`` via a temporary file and rename; returns created, updated or unchanged.

    A file with the same text but other permission bits (made world-readable since) gets its mode back.
    """
    mode = 0o600 if private else 0o644
    if path.is_file() and read_bytes(path, limit=MAX_CONFIG_BYTES, what="config") == text.encode():
        if stat.S_IMODE(path.stat().st_mode) == mode:
            return "unchanged"
        path.chmod(mode)
        return "mode restored"
    status = "updated" if path.exists() else "created"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileError(f"cannot create {path.parent}: {error.strerror}") from None
    write_atomically(path, text, mode)
    return status


def _summarize(
    peermap: Peermap,
    configs: Mapping[str, str],
    files: Mapping[str, Path],
    statuses: Mapping[str, str],
    args: argparse.Namespace,
) -> None:
    groups = peer_groups(peermap)
    nodes = {node.name: node for node in peermap.nodes}
    peers = {name: [n.name for group in groups[name] for n in group.neighbors] for name in configs}
    if args.json:
        print_json(
            [
                {
                    "node": name,
                    "router_id": str(nodes[name].router_id),
                    "asn": nodes[name].asn,
                    "pod_cidrs": [str(c) for c in nodes[name].pod_cidrs],
                    "peers": peers[name],
                    "file": str(files[name]),
                    "status": statuses[name],
                }
                for name in configs
            ],
            stream=sys.stdout,
        )
        return
    rows = []
    for name in configs:
        node, shown = nodes[name], peers[name]
        listed = ", ".join(shown[:4]) + (f" (+{len(shown) - 4})" if len(shown) > 4 else "")
        cidrs = " ".join(str(c) for c in node.pod_cidrs)
        rows.append([name, node.router_id, cidrs or None, listed or None, files[name], statuses[name]])
    print(format_table(["node", "router id", "pod cidrs", "bgp peers", "file", "status"], rows))
    changed = sum(1 for status in statuses.values() if status != "unchanged")
    sessions = sum(len(found) for found in peers.values())
    print(printable(
        f"\n{len(rows)} config(s) in {args.output} ({changed} written, {len(rows) - changed} unchanged); "
        f"{sessions} bgp protocol(s), topology {peermap.topology.kind}."
    ))
