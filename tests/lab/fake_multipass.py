"""A stand-in ``multipass`` for command-level tests: records every argv, keeps VM files in a directory, and
answers BIRD and ``ip`` queries with the walkthrough's own outputs (tests/fixtures/lab/multipass/VM/).

Environment: ``FAKE_MULTIPASS_DIR`` (the record ``calls.jsonl`` and each VM's files live there) and
``FAKE_MULTIPASS_REPLIES`` (the canned replies). Everything else a VM is asked to do succeeds silently.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_MULTIPASS_DIR"])
REPLIES = Path(os.environ["FAKE_MULTIPASS_REPLIES"])
# what the walkthrough's Ubuntu 20.04 VMs run
BIRD_VERSION = "2.0.7"
CODED_REPLIES = {
    "configure timeout": f"0001 BIRD {BIRD_VERSION} ready.\n0002-Reading configuration from /etc/bird/bird.conf\n"
                         "0022-Undo scheduled in 30 s\n0003 Reconfigured\n",
    "configure confirm": f"0001 BIRD {BIRD_VERSION} ready.\n0018 Reconfiguration confirmed\n",
    "configure undo": f"0001 BIRD {BIRD_VERSION} ready.\n0021 Undo requested\n",
    "configure": f"0001 BIRD {BIRD_VERSION} ready.\n0002-Reading configuration from /etc/bird/bird.conf\n"
                 "0003 Reconfigured\n",
}
STATUS = (f"BIRD {BIRD_VERSION} ready.\nBIRD {BIRD_VERSION}\nRouter ID is 198.20.0.1\n"
          "Current server time is 2022-04-11 22:20:00.000\nLast reboot on 2022-04-11 22:17:59.303\n"
          "Last reconfiguration on 2022-04-11 22:17:59.303\nDaemon is up and running\n")


def vm_path(vm: str, path: str) -> Path:
    return STATE / "vms" / vm / path.lstrip("/")


def birdc(vm: str, args: list[str]) -> int:
    coded = "-v" in args
    words = [word for word in args if word != "-v"]
    if "-s" in words:
        index = words.index("-s")
        del words[index:index + 2]
    command = " ".join(words)
    if coded:
        for prefix, reply in CODED_REPLIES.items():
            if command.startswith(prefix):
                sys.stdout.write(reply)
                return 0
    if command == "show status":
        sys.stdout.write(STATUS)
        return 0
    replies = {"show protocols all": "show-protocols-all.txt", "show route": "show-route.txt"}
    if command in replies:
        sys.stdout.write((REPLIES / vm / replies[command]).read_text())
        return 0
    sys.stdout.write(f"BIRD {BIRD_VERSION} ready.\n")
    return 0


def on_vm(vm: str, argv: list[str]) -> int:
    if argv[:1] == ["sudo"]:
        argv = argv[1:]
    program, args = argv[0], argv[1:]
    if program == "birdc":
        return birdc(vm, args)
    if program == "bird":
        print(f"BIRD version {BIRD_VERSION}" if args == ["--version"] else "", end="")
        return 0
    if program == "cat":
        path = vm_path(vm, args[0])
        if not path.exists():
            return 1
        sys.stdout.write(path.read_text())
        return 0
    if program == "test":
        return 0 if vm_path(vm, args[-1]).exists() else 1
    if program == "dd":
        target = vm_path(vm, next(arg for arg in args if arg.startswith("of="))[3:])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sys.stdin.buffer.read())
        return 0
    if program == "mv":
        source, target = (vm_path(vm, path) for path in args[-2:])
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
        return 0
    if program == "rm":
        vm_path(vm, args[-1]).unlink(missing_ok=True)
        return 0
    if argv[:3] == ["ip", "-j", "-4"] or argv[:5] == ["ip", "-j", "route", "show", "proto"]:
        sys.stdout.write((REPLIES / vm / "kernel-routes.json").read_text())
        return 0
    if argv[:3] == ["ip", "-j", "-6"]:
        print("[]")
        return 0
    if argv[:5] == ["ip", "-j", "route", "show", "match"]:
        routes = json.loads((REPLIES / vm / "kernel-routes.json").read_text())
        print(json.dumps([route for route in routes if route.get("type") == "blackhole"]))
        return 0
    if program == "python3":
        # the blackhole probe: Linux answers a connect() into a blackhole route with EINVAL at once
        print(json.dumps({"errno": 22, "elapsed": 0.0004}))
        return 0
    return 0


def main(argv: list[str]) -> int:
    with (STATE / "calls.jsonl").open("a") as record:
        record.write(json.dumps(argv) + "\n")
    command = argv[0]
    if command == "launch":
        name = argv[argv.index("--name") + 1]
        cloud_init = Path(argv[argv.index("--cloud-init") + 1])
        (STATE / "launched").mkdir(exist_ok=True)
        shutil.copy(cloud_init, STATE / "launched" / cloud_init.name)
        vm_path(name, "/").mkdir(parents=True, exist_ok=True)
        return 0
    if command == "transfer":
        source, target = argv[-2], argv[-1]
        vm, path = target.split(":", 1)
        destination = vm_path(vm, path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)
        return 0
    if command == "exec":
        vm, rest = argv[1], argv[2:]
        return on_vm(vm, rest[1:] if rest[:1] == ["--"] else rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
