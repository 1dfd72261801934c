"""birdkit: BIRD 2/3 configs, birdc output and BIRD fleets, handled by a program.

The public API is imported lazily, so ``import birdkit`` and the CLI start fast::

    import birdkit
    cfg = birdkit.load_config("/etc/bird/bird.conf")
    print(birdkit.format_config(cfg))
    for route in birdkit.iter_routes(open("show-route-all.txt")):
        print(route.prefix, route.bgp.as_path if route.bgp else None)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that owns it ("module:attribute" where the names differ)
_EXPORTS: dict[str, str] = {
    # errors
    "BirdkitError": "birdkit.errors",
    "BirdSyntaxError": "birdkit.errors",
    "ConfigError": "birdkit.errors",
    "OutputParseError": "birdkit.errors",
    "BirdError": "birdkit.errors",
    "ControlSocketError": "birdkit.errors",
    "PeermapError": "birdkit.errors",
    "TransportError": "birdkit.errors",
    "ApplyError": "birdkit.errors",
    "VerifyError": "birdkit.errors",
    "Span": "birdkit.span",
    # config language
    "parse_config": "birdkit.config.parse",
    "load_config": "birdkit.config.parse",
    "check_config": "birdkit.config.parse",
    "format_config": "birdkit.config.format",
    "lint_config": "birdkit.config.lint",
    "lint_fleet": "birdkit.config.lint",
    "Finding": "birdkit.config.lint",
    "Severity": "birdkit.config.lint",
    "RULES": "birdkit.config.lint",
    # birdc output
    "iter_routes": "birdkit.show.stream",
    "parse_routes": "birdkit.show.parse",
    "parse_protocols": "birdkit.show.parse",
    "parse_status": "birdkit.show.parse",
    "parse_route_count": "birdkit.show.parse",
    "parse_interfaces": "birdkit.show.parse",
    "Bird": "birdkit.show.client",
    # generator
    "load_peermap": "birdkit.gen.peermap",
    "generate": "birdkit.gen.render",
    # applier
    # not `birdkit.apply`: that name is the birdkit.apply package once any of its modules is imported
    "apply_peermap": "birdkit.apply.applier:apply",
    "verify_peermap": "birdkit.apply.verify:verify",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'birdkit' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module_name), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
