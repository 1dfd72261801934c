"""``birdkit matrix``: build and list the real BIRD versions used by tests and the lab."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from birdkit.cli.output import EXIT_ENV, EXIT_OK, JSON_ERRORS, format_table, print_json
from birdkit.errors import UsageError
from birdkit.files import MAX_CONFIG_BYTES, read_text
from birdkit.runtime import ALL_VERSIONS, describe
from birdkit.terminal import printable

if TYPE_CHECKING:
    from birdkit.runtime import BirdMatrix, BirdRuntime

_VERSION_LINES = "\n".join(f"  {version.ljust(8)}{describe(version)}" for version in ALL_VERSIONS)

EPILOG = f"""\
examples:
  birdkit matrix prepare     # build missing trees (debootstrap, ~40 s each, needs root)
  birdkit matrix list        # which versions are ready, and where
  birdkit matrix check FILE  # run `bird -p` on FILE under every config target (1.6.8 reads BIRD 1.x configs)

versions:
{_VERSION_LINES}

Chrooted versions run from debootstrapped trees under $BIRDKIT_CACHE (default /var/cache/birdkit).
""" + JSON_ERRORS


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the matrix sub-actions."""
    parser.add_argument("action", choices=["prepare", "list", "check"], help="what to do")
    parser.add_argument("files", nargs="*", help="configs for `check`")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    """Prepare, list or check with the BIRD matrix."""
    from birdkit.runtime import BirdMatrix, prepare

    if (args.action == "check") != bool(args.files):
        wrong = "`matrix check` needs FILEs" if args.action == "check" else f"`matrix {args.action}` takes no FILE"
        raise UsageError(f"birdkit matrix: {wrong}")
    if args.action == "prepare":
        prepare()
    matrix = BirdMatrix.discover()
    if args.action == "check":
        return _check(matrix, args.files, args.json)
    rows = [
        [version, "yes" if _runtime(matrix, version) else "no", _where(matrix, version)] for version in ALL_VERSIONS
    ]
    if args.json:
        print_json([{"version": v, "ready": r == "yes", "root": w} for v, r, w in rows])
    else:
        print(format_table(["version", "ready", "runs from"], rows))
    return EXIT_OK if all(_runtime(matrix, version) for version in ALL_VERSIONS) else EXIT_ENV


def _runtime(matrix: BirdMatrix, version: str) -> BirdRuntime | None:
    return matrix.runtimes.get(version) or matrix.others.get(version)


def _where(matrix: BirdMatrix, version: str) -> str:
    runtime = _runtime(matrix, version)
    if runtime is None:
        return "-"
    return f"chroot {runtime.root}" if runtime.root else "host"


def _check(matrix: BirdMatrix, files: list[str], as_json: bool) -> int:
    from birdkit.runtime import TARGET_VERSIONS

    targets = {version: runtime for version in TARGET_VERSIONS if (runtime := _runtime(matrix, version))}
    texts = {file: read_text(file, limit=MAX_CONFIG_BYTES, what="config", lossless=True) for file in files}
    results = []
    for file, text in texts.items():
        for version, runtime in targets.items():
            verdict = runtime.check(text)
            where = f":{verdict.line}:{verdict.column}" if verdict.line else ""
            results.append({"file": file, "version": version, "ok": verdict.ok, "message": verdict.message})
            if not as_json:
                status = "ok" if verdict.ok else f"error{where}: {verdict.message}"
                print(printable(f"{file} [BIRD {version}]: {status}"))
    if as_json:
        print_json(results)
    return EXIT_OK if all(result["ok"] for result in results) else 1
