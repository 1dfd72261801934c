"""Inventory plugin birdkit.bird.peermap: the nodes of a birdkit peer map as hosts, grouped by role."""

from __future__ import annotations

import os
from typing import Any

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

DOCUMENTATION = r"""
name: peermap
short_description: Hosts and groups from a birdkit peer map
description:
  - Every node of the peer map becomes a host. C(ansible_host), C(ansible_user) and C(ansible_port) come from the
    node's ssh transport (C(host), C(user), C(port)); a C(local) node gets C(ansible_connection=local).
  - Groups are C(bird) (every node), C(route_reflectors) and C(route_reflector_clients) with a route-reflector
    topology, and C(birdkit_transport_<kind>).
  - Host variables C(birdkit_peermap) (absolute path, for birdkit.bird.config), C(birdkit_asn),
    C(birdkit_router_id), C(birdkit_address), C(birdkit_pod_cidrs), C(birdkit_bird_version).
  - The inventory file's name must end in C(.birdkit.yml) or C(.birdkit.yaml).
version_added: 0.1.0
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: The name of this plugin.
    required: true
    choices: [birdkit.bird.peermap]
  peermap:
    description: The peer map file, relative to the inventory file.
    required: true
    type: str
author: birdkit contributors
"""

EXAMPLES = r"""
# fleet.birdkit.yml
plugin: birdkit.bird.peermap
peermap: peermap.yaml
compose:
  ansible_python_interpreter: "'/usr/bin/python3'"
"""


class InventoryModule(BaseInventoryPlugin, Constructable):
    """Reads the peer map with birdkit's validator; a bad peer map fails with birdkit's located message."""

    NAME = "birdkit.bird.peermap"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith((".birdkit.yml", ".birdkit.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        from birdkit.errors import BirdkitError
        from birdkit.gen.peermap import load_peermap

        source = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), self.get_option("peermap")))
        try:
            peermap = load_peermap(source)
        except BirdkitError as error:
            raise AnsibleParserError(str(error)) from None
        reflectors = set(peermap.topology.route_reflectors) if peermap.topology.kind == "route-reflectors" else set()
        self.inventory.add_group("bird")
        if peermap.topology.kind == "route-reflectors":
            self.inventory.add_group("route_reflectors")
            self.inventory.add_group("route_reflector_clients")
        strict = self.get_option("strict")
        for node in peermap.nodes:
            self.inventory.add_host(node.name, group="bird")
            if reflectors:
                self.inventory.add_child("route_reflectors" if node.name in reflectors else "route_reflector_clients",
                                         node.name)
            transport = node.transport
            transport_group = f"birdkit_transport_{transport.kind}"
            self.inventory.add_group(transport_group)
            self.inventory.add_child(transport_group, node.name)
            variables: dict[str, Any] = {
                "birdkit_peermap": source,
                "birdkit_asn": node.asn,
                "birdkit_router_id": str(node.router_id),
                "birdkit_address": str(node.address),
                "birdkit_pod_cidrs": [str(cidr) for cidr in node.pod_cidrs],
                "birdkit_bird_version": node.bird_version,
            }
            if transport.kind == "ssh":
                variables["ansible_host"] = transport.host
                if transport.user:
                    variables["ansible_user"] = transport.user
                if transport.port:
                    variables["ansible_port"] = transport.port
            elif transport.kind == "local":
                variables["ansible_connection"] = "local"
            for key, value in variables.items():
                self.inventory.set_variable(node.name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, node.name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, node.name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, node.name, strict=strict)
