"""Entry point of the ``birdkit`` command: finds the command module, runs it, maps errors to exit codes."""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO, cast

from birdkit import __version__
from birdkit.cli.output import EXIT_ENV, EXIT_INTERRUPTED, EXIT_USAGE

if TYPE_CHECKING:
    from birdkit.cli.output import WatchedStream
    from birdkit.errors import BirdkitError

# command -> (module, one line of help). Modules are imported only when their command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("birdkit.cli.check", "validate BIRD configs like `bird -p`, with file:line:col errors"),
    "fmt": ("birdkit.cli.fmt", "print configs in birdkit's canonical layout (--write, --check, --diff)"),
    "lint": ("birdkit.cli.lint", "find semantic mistakes in one config or across a fleet"),
    "parse-routes": ("birdkit.cli.parse_output", "turn `show route [all]` output into JSON, JSONL or a table"),
    "parse-protocols": ("birdkit.cli.parse_output", "turn `show protocols [all]` output into JSON or a table"),
    "show": ("birdkit.cli.show", "ask a running BIRD over its control socket: status, protocols, routes"),
    "gen": ("birdkit.cli.gen", "generate one bird.conf per node from a peer map"),
    "peermap": ("birdkit.cli.peermap", "build a peer map from Kubernetes Nodes (from-kubernetes)"),
    "apply": ("birdkit.cli.apply", "push generated configs to nodes, reload safely, roll back on failure"),
    "verify": ("birdkit.cli.verify", "check sessions, BIRD routes and kernel routes on every node"),
    "lab": ("birdkit.cli.lab", "build the walkthrough's BGP pod-network lab: up, status, ping, blackhole, down"),
    "matrix": ("birdkit.cli.matrix", "prepare and list the real BIRD versions"),
}


def _summary(name: str) -> str:
    """A command's one line of help; the matrix's names its versions (from birdkit.runtime, read only here)."""
    summary = COMMANDS[name][1]
    if name == "matrix":
        from birdkit.runtime import ALL_VERSIONS

        summary += f" ({', '.join(ALL_VERSIONS)})"
    return summary


def _top_level_help() -> str:
    lines = [
        f"birdkit {__version__}: BIRD 2/3 configs, birdc output and BIRD fleets, handled by a program.",
        "",
        "usage: birdkit COMMAND [options]      (birdkit COMMAND --help for each command)",
        "",
        "commands:",
    ]
    available = COMMANDS
    width = max(len(name) for name in available) if available else 0
    lines += [f"  {name.ljust(width)}  {_summary(name)}" for name in available]
    lines += [
        "",
        "exit codes: 0 ok, 1 findings or failed checks, 2 bad input or usage, 3 missing BIRD/root/tool,",
        "            130 interrupted",
        "",
        "examples:",
        "  birdkit check /etc/bird/bird.conf",
        "  birdc show route all | birdkit parse-routes --format table",
        "  birdkit gen examples/walkthrough.yaml -o out/",
    ]
    return "\n".join(lines)


#: errors of a write to standard output that are the output's fault, not birdkit's
_OUTPUT_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``birdkit`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    if sys.stdout is None:  # started with `>&-`: the next file opened would take descriptor 1
        if sys.stderr is not None:
            print("birdkit: cannot write: standard output is closed", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        # The reader went away (`birdkit ... | head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        if error.errno not in _OUTPUT_FAILURES:
            raise
        # stdout is a full disk, /dev/full or a dead terminal (files birdkit writes raise FileError instead);
        # the output is lost, so say so, and keep Python's exit-time flush from failing again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"birdkit: cannot write standard output: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help", "help"):
        print(_top_level_help())
        return 0 if args else EXIT_USAGE
    if args[0] == "--version":
        print(f"birdkit {__version__}")
        return 0
    name = args[0]
    entry = COMMANDS.get(name)
    if entry is None:
        print(f"birdkit: unknown command {name!r}\n\n{_top_level_help()}", file=sys.stderr)
        return EXIT_USAGE
    module = importlib.import_module(entry[0])
    parser = _ArgumentParser(
        prog=f"birdkit {name}",
        description=_summary(name),
        epilog=getattr(module, "EPILOG", None),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.configure(parser, name)
    from birdkit.cli.output import WatchedStream
    from birdkit.errors import BirdkitError, ResourceError, RuntimeMissingError, UsageError

    stdout = WatchedStream(sys.stdout)
    try:
        options = parser.parse_args(args[1:])
    except UsageError as error:  # argparse's own message and usage are on stderr already
        return _refuse(None, error, EXIT_USAGE, _json_format_of_argv(args[1:]), stdout)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from birdkit.stack import deep_stack

    fmt = "json" if getattr(options, "json", False) else getattr(options, "format", None)
    fmt = fmt if fmt in JSON_FORMATS else None
    if fmt is not None:
        sys.stdout = cast(TextIO, stdout)
    try:
        return int(deep_stack(module.run)(options))
    except RuntimeMissingError as error:
        return _refuse(f"birdkit {name}: {error}", error, EXIT_ENV, fmt, stdout)
    except BirdkitError as error:
        return _refuse(str(error), error, error.exit_code, fmt, stdout)
    except KeyboardInterrupt:
        return _refuse(f"birdkit {name}: interrupted", BirdkitError("interrupted"), EXIT_INTERRUPTED, fmt, stdout)
    except MemoryError:
        too_large = ResourceError("out of memory: the input is too large for this machine")
        return _refuse(f"birdkit {name}: {too_large}", too_large, EXIT_USAGE, fmt, stdout)
    finally:
        sys.stdout = stdout.stream


def _refuse(message: str | None, error: BirdkitError, code: int, fmt: str | None, stdout: WatchedStream) -> int:
    """The one place a user error leaves a command: ``message`` on stderr, the error's JSON on stdout when the
    command was asked for JSON (``fmt``), and the exit ``code``."""
    from birdkit.cli.output import print_json_error

    if message is not None:
        print(message, file=sys.stderr)
    if fmt is not None:
        print_json_error(error, code, fmt, stdout)
    return code


#: the --format values that ask for JSON output; --json asks for "json"
JSON_FORMATS = ("json", "jsonl")


class _ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose usage errors, printed as argparse prints them, come back as a UsageError, so
    that a command line asking for JSON gets its error as JSON too."""

    def error(self, message: str) -> NoReturn:
        from birdkit.errors import UsageError

        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise UsageError(message, hint=f"{self.prog} --help")


def _json_format_of_argv(args: list[str]) -> str | None:
    """The JSON format a command line that argparse refused asks for (``--json``, ``--format json|jsonl``), if any."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--json":
            return "json"
        value = arg.removeprefix("--format=") if arg.startswith("--format=") else None
        if arg == "--format" and index + 1 < len(args):
            value = args[index + 1]
        if value in JSON_FORMATS:
            return value
    return None


if __name__ == "__main__":
    sys.exit(main())
