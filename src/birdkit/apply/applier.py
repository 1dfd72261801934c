"""The applier: render, check locally and on the node, install atomically, reload under BIRD's undo timer, verify.

First the whole fleet's configs pass the same check as ``birdkit gen --check`` (:mod:`birdkit.apply.precheck`);
if any fails, no node is touched. Then per node (:func:`apply_plans` runs nodes in parallel, each on its own):

1. parse and lint the config locally;
2. node prep: BIRD installed, daemon answering, IP forwarding on (idempotent);
3. unchanged config: stop here, no reload;
4. upload to a staging path beside the config, ``bird -p -c`` it on the node;
5. back up the current config, rename the staged one over it (atomic);
6. ``birdc configure timeout N`` (BIRD undoes it by itself after N s), or plain ``configure`` when the
   node's BIRD has no timer;
7. verify: sessions Established before the reload are Established again, own CIDRs blackholed;
8. ``configure confirm``; on failure ``configure undo`` (or backup + ``configure``) and the backup restored.
"""

from __future__ import annotations

import difflib
import enum
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import attrs

from birdkit.apply.precheck import check_fleet
from birdkit.apply.transport import Transport, birdc, check_config, transport_for
from birdkit.apply.verify import CheckRow, NodeExpectation, check_observation, expectations, observe
from birdkit.errors import BirdkitError
from birdkit.redact import Redactor
from birdkit.show.framing import ReplyLine, deframe

if TYPE_CHECKING:
    from birdkit.gen.peermap import Peermap
    from birdkit.runtime import BirdRuntime

#: default seconds of BIRD's undo timer (``configure timeout N``)
DEFAULT_TIMEOUT = 30
#: seconds kept free before the undo timer fires, for ``configure confirm`` to get there first
_CONFIRM_MARGIN = 3.0
# reply codes of BIRD's control socket (doc/reply_codes)
_CONFIRMED, _UNDO_SCHEDULED, _PARSE_ERROR = 18, 22, 9001


class Outcome(enum.Enum):
    """How applying to one node ended."""

    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would-change"
    APPLIED = "applied"
    ROLLED_BACK = "rolled-back"
    REJECTED = "rejected"
    FAILED = "failed"


#: outcomes that count as success
SUCCESS = frozenset({Outcome.UNCHANGED, Outcome.WOULD_CHANGE, Outcome.APPLIED})


@attrs.frozen
class NodePlan:
    """One node's job: the config to apply, the way to reach the node, what it should show afterwards."""

    node: str
    config: str
    transport: Transport
    expect: NodeExpectation | None = None
    ipv6: bool = False
    target: str | None = None


@attrs.frozen
class NodeResult:
    """The outcome for one node, a one-line message, the diff (dry run) and the checks that failed."""

    node: str
    outcome: Outcome
    message: str
    diff: str = ""
    failed_checks: tuple[CheckRow, ...] = ()
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESS

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return {
            "node": self.node,
            "outcome": self.outcome.value,
            "ok": self.ok,
            "message": self.message,
            "diff": self.diff or None,
            "failed_checks": [row.to_json() for row in self.failed_checks],
            "elapsed": round(self.elapsed, 3),
        }


@attrs.frozen
class ApplyReport:
    """Every node's result, in plan order; ``ok`` when no node failed."""

    results: tuple[NodeResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def result(self, node: str) -> NodeResult:
        """The result for ``node`` (KeyError when it was not applied)."""
        for result in self.results:
            if result.node == node:
                return result
        raise KeyError(node)

    def counts(self) -> dict[str, int]:
        """Outcome name -> number of nodes."""
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
        return counts

    def to_json(self) -> dict[str, object]:
        """A dict for ``--json`` output."""
        return {"ok": self.ok, "counts": self.counts(), "nodes": [result.to_json() for result in self.results]}


#: receives one line per step and per finished node (the CLI prints them on stderr)
ProgressCallback = Callable[[str], None]


def _silent(message: str) -> None:
    """The progress callback when the caller gave none."""


class _Stop(Exception):
    """Ends one node's run with an outcome (not an error of the program)."""

    def __init__(self, outcome: Outcome, message: str, failed: Sequence[CheckRow] = ()) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.failed = tuple(failed)


@attrs.define
class _NodeRun:
    """The steps for one node; every step either passes or raises :class:`_Stop`."""

    plan: NodePlan
    timeout: int
    dry_run: bool
    start_daemons: bool
    redact: Redactor
    say: ProgressCallback

    @property
    def transport(self) -> Transport:
        return self.plan.transport

    @property
    def config_path(self) -> str:
        return self.transport.layout.config_path

    def step(self, message: str) -> None:
        self.say(self.redact(f"{self.plan.node}: {message}"))

    def execute(self) -> NodeResult:
        self.step("checking locally")
        self.check_locally()
        self.step("preparing node")
        running = self.prepare()
        current = self.transport.get_file(self.config_path)
        new = self.plan.config.encode()
        if current == new and running:
            return self.result(Outcome.UNCHANGED, "config unchanged, not reloaded")
        if self.dry_run:
            return self.result(Outcome.WOULD_CHANGE, self.change_summary(current, new), self.diff(current, new))
        staging = f"{self.config_path}.birdkit-new"
        self.step("uploading")
        self.transport.put_file(staging, new, 0o640)
        try:
            before = self.stage(staging, current, running)
        except BaseException:
            self.transport.run(["rm", "-f", staging])
            raise
        self.install(staging)
        if not running:
            return self.start_fresh()
        return self.reload(current, before)

    def stage(self, staging: str, current: bytes | None, running: bool) -> frozenset[str]:
        """``bird -p`` the staged file, note the Established sessions, back up the current config."""
        self.step("checking with bird -p on the node")
        verdict = check_config(self.transport, staging)
        if not verdict.ok:
            raise _Stop(Outcome.REJECTED, f"bird -p rejected the config: {verdict.output}; nothing installed")
        before = self.established_sessions() if running else frozenset()
        if current is not None:
            self.transport.put_file(f"{self.config_path}.birdkit-backup", current, 0o640)
        return before

    def result(self, outcome: Outcome, message: str, diff: str = "", failed: Sequence[CheckRow] = ()) -> NodeResult:
        return NodeResult(
            self.plan.node, outcome, self.redact(message), self.redact(diff), self.redact_rows(failed)
        )

    def redact_rows(self, rows: Sequence[CheckRow]) -> tuple[CheckRow, ...]:
        return tuple(attrs.evolve(row, detail=self.redact(row.detail)) for row in rows)

    # -- steps ------------------------------------------------------------------------------------------

    def check_locally(self) -> None:
        """Parse and lint with birdkit's own checks; errors stop before the node is touched."""
        from birdkit.config import parse

        try:
            config = parse.check_config(f"{self.plan.node}.conf", text=self.plan.config, target=self.plan.target)
        except BirdkitError as error:
            raise _Stop(Outcome.REJECTED, f"local parse failed: {error}; nothing installed") from error
        from birdkit.config.lint import Severity, lint_config

        errors = [f for f in lint_config(config, target=self.plan.target) if f.severity is Severity.ERROR]
        if errors:
            rendered = "; ".join(finding.render() for finding in errors)
            raise _Stop(Outcome.REJECTED, f"lint found errors: {rendered}; nothing installed")

    def prepare(self) -> bool:
        """BIRD installed, IP forwarding on; returns whether the daemon answers (False only if we may start it)."""
        version = self.transport.run(self.transport.bird_argv("bird", "--version"))
        if not version.ok:
            raise _Stop(Outcome.FAILED, f"cannot run BIRD on the node (is it installed?): {version.output}")
        if not self.dry_run:
            sysctls = ["net.ipv4.ip_forward=1", *(["net.ipv6.conf.all.forwarding=1"] if self.plan.ipv6 else [])]
            forwarding = self.transport.run(["sysctl", "-q", "-w", *sysctls])
            if not forwarding.ok:
                raise _Stop(Outcome.FAILED, f"cannot enable IP forwarding: {forwarding.output}")
        status = birdc(self.transport, "show status")
        if status.ok and "Daemon is up" in status.stdout + status.stderr:
            return True
        if self.start_daemons and self.transport.starts_own_bird:
            return False
        raise _Stop(
            Outcome.FAILED,
            f"BIRD is not running (no answer on {self.transport.layout.socket_path}: {status.output})",
        )

    def change_summary(self, current: bytes | None, new: bytes) -> str:
        if current is None:
            return f"would install {self.config_path} (new file)"
        added, removed = _diff_counts(current, new)
        return f"would change {self.config_path} (+{added} -{removed} lines) and reload"

    def diff(self, current: bytes | None, new: bytes) -> str:
        old_lines = (current or b"").decode(errors="replace").splitlines(keepends=True)
        new_lines = new.decode(errors="replace").splitlines(keepends=True)
        label = f"{self.plan.node}:{self.config_path}"
        return "".join(difflib.unified_diff(old_lines, new_lines, label, f"{label} (new)"))

    def established_sessions(self) -> frozenset[str]:
        from birdkit.show.parse import parse_protocols

        reply = birdc(self.transport, "show protocols all")
        protocols = parse_protocols(reply.stdout) if reply.ok else []
        return frozenset(p.name for p in protocols if p.bgp is not None and p.bgp.state == "Established")

    def install(self, staging: str) -> None:
        """Rename the checked staging file over the config: atomic on the node's file system."""
        moved = self.transport.run(["mv", "-f", staging, self.config_path])
        if not moved.ok:
            self.transport.run(["rm", "-f", staging])
            raise _Stop(Outcome.FAILED, f"cannot install {self.config_path}: {moved.output}; nothing installed")

    def start_fresh(self) -> NodeResult:
        """Start our own daemon (netns) on the freshly installed config; there is nothing to roll back to."""
        self.step("starting BIRD")
        self.transport.start_bird()
        failed = self.wait_healthy(frozenset(), self.timeout)
        if failed:
            raise _Stop(Outcome.FAILED, "BIRD started but checks failed", failed)
        return self.result(Outcome.APPLIED, "installed and started BIRD")

    def reload(self, previous: bytes | None, before: frozenset[str]) -> NodeResult:
        self.step(f"configure timeout {self.timeout}")
        replies = self.configure(f"configure timeout {self.timeout}")
        timer = any(reply.code == _UNDO_SCHEDULED for reply in replies)
        if not timer and _has_code(replies, _PARSE_ERROR):
            self.step("no undo timer on this BIRD, plain configure")
            replies = self.configure("configure")
        if _error(replies):
            self.restore_file(previous)
            raise _Stop(Outcome.FAILED, f"BIRD refused the config: {_error(replies)}; previous config kept")
        self.step("verifying")
        budget = max(1.0, self.timeout - _CONFIRM_MARGIN) if timer else float(self.timeout)
        failed = self.wait_healthy(before, budget)
        if not failed:
            if timer:
                confirm = self.configure("configure confirm")
                if not _has_code(confirm, _CONFIRMED):
                    self.restore_file(previous)
                    raise _Stop(Outcome.ROLLED_BACK, "BIRD's undo timer fired before confirm; previous config back")
            return self.result(Outcome.APPLIED, "reloaded and verified" + ("" if timer else " (no undo timer)"))
        self.step("verification failed, rolling back")
        if timer:
            undo = self.configure("configure undo")
            how = "configure undo: " + "; ".join(reply.text for reply in undo if reply.code and reply.code > 1)
            self.restore_file(previous)
        else:
            self.restore_file(previous)
            self.configure("configure")
            how = "backup restored and reconfigured"
        back = self.wait_healthy(before, float(self.timeout))
        names = ", ".join(f"{row.kind} {row.subject}" for row in failed)
        state = "sessions back" if not back else "previous sessions not yet back"
        raise _Stop(Outcome.ROLLED_BACK, f"verify failed ({names}); rolled back ({how}); {state}", failed)

    def configure(self, command: str) -> list[ReplyLine]:
        result = birdc(self.transport, command, coded=True)
        replies = list(deframe(result.stdout.splitlines()))
        if not result.ok and not _error(replies):
            raise _Stop(Outcome.FAILED, f"`birdc {command}` failed: {result.output}")
        return replies

    def restore_file(self, previous: bytes | None) -> None:
        if previous is not None:
            self.transport.put_file(self.config_path, previous, 0o640)

    def wait_healthy(self, sessions: frozenset[str], budget: float) -> list[CheckRow]:
        """Poll until the sessions in ``sessions`` are Established and own CIDRs blackholed; the failures left."""
        deadline = time.monotonic() + budget
        while True:
            failed = self.health_failures(sessions)
            if not failed or time.monotonic() + 1.0 > deadline or any(_definite(row) for row in failed):
                return failed
            time.sleep(0.5)

    def health_failures(self, sessions: frozenset[str]) -> list[CheckRow]:
        node = self.plan.node
        try:
            seen = observe(self.transport)
        except BirdkitError as error:
            return [CheckRow(node, "reachable", node, False, error.message)]
        rows: list[CheckRow] = []
        by_name = {protocol.name: protocol for protocol in seen.protocols}
        for name in sorted(sessions):
            protocol = by_name.get(name)
            if protocol is None or protocol.bgp is None:
                continue
            state = protocol.bgp.state
            detail = f"{name} {state}" + (f" ({protocol.bgp.last_error})" if protocol.bgp.last_error else "")
            rows.append(CheckRow(node, "session", name, state == "Established", detail))
        own = NodeExpectation(node, self.plan.expect.own_cidrs if self.plan.expect else ())
        rows += check_observation(own, seen)
        return [row for row in rows if not row.ok]


#: session errors that waiting cannot cure: the two ends disagree on the config (BIRD's last error texts)
_DEFINITE_SESSION_ERRORS = ("Bad peer AS", "Authentication", "Bad BGP identifier", "Unsupported version number")


def _definite(row: CheckRow) -> bool:
    """Whether ``row`` is a session that BIRD reports failed for good: roll back now, not at the deadline."""
    return row.kind == "session" and any(error in row.detail for error in _DEFINITE_SESSION_ERRORS)


def _has_code(replies: Iterable[ReplyLine], code: int) -> bool:
    return any(reply.code == code for reply in replies)


def _error(replies: Iterable[ReplyLine]) -> str:
    return "; ".join(f"{reply.code} {reply.text}" for reply in replies if reply.is_error)


def _diff_counts(old: bytes, new: bytes) -> tuple[int, int]:
    lines = difflib.ndiff(old.decode(errors="replace").splitlines(), new.decode(errors="replace").splitlines())
    added = removed = 0
    for line in lines:
        added += line.startswith("+ ")
        removed += line.startswith("- ")
    return added, removed


def apply_plans(
    plans: Sequence[NodePlan],
    *,
    timeout: int = DEFAULT_TIMEOUT,
    dry_run: bool = False,
    jobs: int = 4,
    start_daemons: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ApplyReport:
    """Apply each plan to its node, ``jobs`` nodes at a time; one node's failure leaves the others alone."""
    if timeout < 2:
        raise BirdkitError(f"timeout must be at least 2 seconds, not {timeout}")
    if jobs < 1:
        raise BirdkitError(f"jobs must be at least 1, not {jobs}")
    redact = Redactor.from_configs(plan.config for plan in plans)
    say = on_progress or _silent
    total = len(plans)
    done: list[NodeResult] = []
    lock = threading.Lock()

    def run_one(plan: NodePlan) -> NodeResult:
        started = time.monotonic()
        job = _NodeRun(plan, timeout, dry_run, start_daemons, redact, say)
        try:
            result = job.execute()
        except _Stop as stop:
            result = job.result(stop.outcome, stop.message, failed=stop.failed)
        except BirdkitError as error:
            result = job.result(Outcome.FAILED, error.message)
        result = attrs.evolve(result, elapsed=time.monotonic() - started)
        with lock:
            done.append(result)
            say(redact(f"[{len(done)}/{total}] {plan.node}: {result.outcome.value}: {result.message}"))
        return result

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, total or 1))) as pool:
        results = tuple(pool.map(run_one, plans))
    return ApplyReport(results)


# ----------------------------------------------------------------------------------------- peer maps


def transports_for(
    peermap: Peermap, names: Sequence[str], overrides: Mapping[str, Transport] | None = None
) -> dict[str, Transport]:
    """Node name -> transport for ``names``: ``overrides`` first, else what the peer map says."""
    from birdkit.runtime import BirdMatrix

    matrix: list[BirdMatrix] = []

    def runtime(version: str) -> BirdRuntime:
        if not matrix:
            matrix.append(BirdMatrix.discover())
        return matrix[0].get(version)

    found: dict[str, Transport] = {}
    for name in names:
        if overrides and name in overrides:
            found[name] = overrides[name]
        else:
            node = peermap.node(name)
            found[name] = transport_for(name, node.transport, node.bird_version, runtime)
    return found


def apply(
    peermap: Peermap | str | os.PathLike[str],
    *,
    nodes: Sequence[str] | None = None,
    dry_run: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    jobs: int = 4,
    transports: Mapping[str, Transport] | None = None,
    start_daemons: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ApplyReport:
    """Generate every node's config from ``peermap`` and apply it (see the module docstring for the steps).

    The whole fleet's configs pass :func:`~birdkit.apply.precheck.check_fleet` (parser, fleet lint, local
    `bird -p`) first; when they do not, every node is reported rejected and none is touched.

    ``nodes`` limits the run; ``transports`` overrides how nodes are reached; ``start_daemons`` lets netns
    nodes without a running BIRD get our own daemon.
    """
    from birdkit.gen.peermap import Peermap, load_peermap
    from birdkit.gen.render import generate

    fleet = peermap if isinstance(peermap, Peermap) else load_peermap(peermap)
    configs = generate(fleet)
    names = fleet.select(nodes)
    say = on_progress or _silent
    problems = check_fleet(fleet, configs, {name: f"{name}/bird.conf" for name in configs}, say)
    if problems:
        redact = Redactor.from_configs(configs.values())
        message = redact(f"fleet check failed: {'; '.join(problems)}; nothing installed")
        return ApplyReport(tuple(NodeResult(name, Outcome.REJECTED, message) for name in names))
    reach = transports_for(fleet, names, transports)
    wanted = expectations(fleet)
    ipv6 = 6 in fleet.families()
    plans = [
        NodePlan(name, configs[name], reach[name], wanted[name], ipv6, fleet.node(name).bird_version)
        for name in names
    ]
    return apply_plans(
        plans, timeout=timeout, dry_run=dry_run, jobs=jobs, start_daemons=start_daemons, on_progress=on_progress
    )
