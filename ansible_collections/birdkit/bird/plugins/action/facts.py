"""Action plugin of birdkit.bird.facts: birdc's replies read on the host, parsed on the controller by birdkit."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.birdkit.bird.plugins.plugin_utils.transport import AnsibleTransport

ARGUMENT_SPEC: dict[str, Any] = {
    "socket_path": {"type": "str", "default": "/run/bird/bird.ctl"},
    "birdc": {"type": "str", "default": "birdc"},
}


class ActionModule(ActionBase):
    """Set ``ansible_facts.birdkit_bird``: status, protocols, BGP sessions, route counts."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        from birdkit.apply.transport import BirdLayout, birdc
        from birdkit.show.models import to_json
        from birdkit.show.parse import parse_protocols, parse_route_count, parse_status

        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        node = (task_vars or {}).get("inventory_hostname", "")
        transport = AnsibleTransport(self, node, BirdLayout(socket_path=args["socket_path"]), birdc=args["birdc"])
        replies = {}
        for command in ("show status", "show protocols all", "show route count"):
            reply = birdc(transport, command)
            if not reply.ok:
                return {**result, "failed": True, "msg": f"`birdc {command}` failed: {reply.output}"}
            replies[command] = reply.stdout
        status = parse_status(replies["show status"])
        protocols = parse_protocols(replies["show protocols all"])
        counts = parse_route_count(replies["show route count"])
        sessions = [
            {"name": p.name, "state": p.bgp.state, "neighbor_address": p.bgp.neighbor_address,
             "neighbor_as": p.bgp.neighbor_as, "last_error": p.bgp.last_error}
            for p in protocols if p.bgp is not None
        ]
        facts = {
            "status": to_json(status),
            "protocols": to_json(protocols),
            "sessions": to_json(sessions),
            "established": sum(1 for session in sessions if session["state"] == "Established"),
            "route_count": to_json(counts),
        }
        return {**result, "changed": False, "ansible_facts": {"birdkit_bird": facts}}
