"""Action plugin of birdkit.bird.config: birdkit's applier, driven through the task's connection.

On the controller: render from the peer map (or take ``config``), parse and fleet-lint, then run birdkit's
applier steps over :class:`AnsibleTransport`: ``bird -p`` on the host, atomic install with a backup,
``configure timeout N``, verify with birdkit's birdc parsers, ``configure confirm`` or ``configure undo``.
"""

from __future__ import annotations

import os
from typing import Any

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.birdkit.bird.plugins.plugin_utils.transport import AnsibleTransport

display = Display()

ARGUMENT_SPEC: dict[str, Any] = {
    "peermap": {"type": "str"},
    "node": {"type": "str"},
    "config": {"type": "str", "no_log": True},
    "bird_version": {"type": "str"},
    "config_path": {"type": "str", "default": "/etc/bird/bird.conf"},
    "socket_path": {"type": "str", "default": "/run/bird/bird.ctl"},
    "bird": {"type": "str", "default": "bird"},
    "birdc": {"type": "str", "default": "birdc"},
    "timeout": {"type": "int", "default": 30},
}

#: peer map path -> (mtime, loaded peer map, rendered configs), per worker process
_PEERMAPS: dict[str, tuple[float, Any, dict[str, str]]] = {}


class ActionModule(ActionBase):
    """Apply one node's BIRD config safely; idempotent, check mode and diff aware."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_one_of=[("peermap", "config")])
        task_vars = task_vars or {}
        node = args["node"] or task_vars.get("inventory_hostname", "")
        try:
            return {**result, **self._apply(node, args)}
        except Exception as error:  # a birdkit error is the user's: no traceback, the message says what and where
            from birdkit.errors import BirdkitError

            if not isinstance(error, BirdkitError):
                raise
            return {**result, "failed": True, "msg": _redactor([])(str(error))}

    def _apply(self, node: str, args: dict[str, Any]) -> dict[str, Any]:
        from birdkit.apply.applier import NodePlan, Outcome, apply_plans
        from birdkit.apply.transport import BirdLayout

        peermap, configs = self._fleet(args["peermap"]) if args["peermap"] else (None, {})
        if peermap is not None and node not in configs:
            raise AnsibleError(f"{node} is not a node of {args['peermap']} (set `node:` or fix the inventory)")
        config = args["config"] if args["config"] is not None else configs[node]
        redact = _redactor([config, *configs.values()])
        if peermap is not None and args["config"] is None:
            problems = _fleet_lint(peermap, configs, node)
            if problems:
                return {"failed": True, "changed": False, "outcome": "rejected",
                        "msg": redact("fleet lint found errors: " + "; ".join(problems) + "; nothing installed")}
        from birdkit.apply.verify import NodeExpectation, expectations

        expect = expectations(peermap)[node] if peermap is not None else NodeExpectation(node, ())
        version = args["bird_version"] or (peermap.node(node).bird_version if peermap is not None else None)
        ipv6 = peermap is not None and 6 in peermap.families()
        layout = BirdLayout(args["config_path"], args["socket_path"])
        transport = AnsibleTransport(self, node, layout, args["bird"], args["birdc"])
        before = transport.get_file(layout.config_path) if self._task.diff else None
        plan = NodePlan(node, config, transport, expect, ipv6, version)
        report = apply_plans(
            [plan], timeout=args["timeout"], dry_run=bool(self._task.check_mode), jobs=1,
            on_progress=lambda message: display.vvv(message, host=node),
        )
        outcome = report.result(node)
        changed = outcome.outcome in (Outcome.APPLIED, Outcome.WOULD_CHANGE)
        reply: dict[str, Any] = {
            "changed": changed,
            "failed": not outcome.ok,
            "outcome": outcome.outcome.value,
            "msg": outcome.message,
            "rolled_back": outcome.outcome is Outcome.ROLLED_BACK,
            "failed_checks": [row.to_json() for row in outcome.failed_checks],
            "config_path": layout.config_path,
        }
        if self._task.diff and changed:
            old = (before or b"").decode(errors="replace")
            reply["diff"] = {
                "before": redact(old), "after": redact(config),
                "before_header": f"{node}:{layout.config_path}", "after_header": f"{node}:{layout.config_path} (new)",
            }
        return reply

    def _fleet(self, name: str) -> tuple[Any, dict[str, str]]:
        """The peer map (found like `copy`'s src) and every node's rendered config, cached per process."""
        from birdkit.gen.peermap import load_peermap
        from birdkit.gen.render import generate

        path = self._find_needle("files", name)
        mtime = os.stat(path).st_mtime
        cached = _PEERMAPS.get(path)
        if cached is None or cached[0] != mtime:
            peermap = load_peermap(path)
            cached = (mtime, peermap, generate(peermap))
            _PEERMAPS[path] = cached
        return cached[1], cached[2]


def _fleet_lint(peermap: Any, configs: dict[str, str], node: str) -> list[str]:
    """Fleet lint of ``node`` with its BGP neighbors (enough for every cross-node rule about its sessions)."""
    from birdkit.apply.precheck import outside_addresses
    from birdkit.config.lint import Severity, lint_fleet
    from birdkit.config.parse import parse_config
    from birdkit.gen.topology import peer_groups

    neighbors = {n.name for group in peer_groups(peermap)[node] for n in group.neighbors if n.name in configs}
    own = f"{node}.conf"
    parsed = [parse_config(configs[name], path=f"{name}.conf") for name in sorted({node, *neighbors})]
    findings = lint_fleet(parsed, target=peermap.node(node).bird_version, outside=outside_addresses(peermap))
    return [f.render() for f in findings if f.severity is Severity.ERROR and f.span is not None and f.span.path == own]


def _redactor(configs: list[str]) -> Any:
    """birdkit's password masker, knowing every password written in ``configs``."""
    from birdkit.redact import Redactor

    return Redactor.from_configs(configs)
