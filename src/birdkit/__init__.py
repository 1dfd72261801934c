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
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    # What type checkers see; at run time the same names come lazily from _EXPORTS (a test keeps both equal).
    from birdkit.apply.applier import apply as _apply
    from birdkit.apply.verify import verify as _verify
    from birdkit.config.format import format_config as format_config
    from birdkit.config.lint import RULES as RULES
    from birdkit.config.lint import Finding as Finding
    from birdkit.config.lint import Severity as Severity
    from birdkit.config.lint import lint_config as lint_config
    from birdkit.config.lint import lint_fleet as lint_fleet
    from birdkit.config.parse import check_config as check_config
    from birdkit.config.parse import load_config as load_config
    from birdkit.config.parse import parse_config as parse_config
    from birdkit.errors import ApplyError as ApplyError
    from birdkit.errors import BirdError as BirdError
    from birdkit.errors import BirdkitError as BirdkitError
    from birdkit.errors import BirdSyntaxError as BirdSyntaxError
    from birdkit.errors import ConfigError as ConfigError
    from birdkit.errors import ControlSocketError as ControlSocketError
    from birdkit.errors import OutputParseError as OutputParseError
    from birdkit.errors import PeermapError as PeermapError
    from birdkit.errors import TransportError as TransportError
    from birdkit.errors import VerifyError as VerifyError
    from birdkit.gen.peermap import load_peermap as load_peermap
    from birdkit.gen.render import generate as generate
    from birdkit.show.client import Bird as Bird
    from birdkit.show.parse import parse_interfaces as parse_interfaces
    from birdkit.show.parse import parse_protocols as parse_protocols
    from birdkit.show.parse import parse_route_count as parse_route_count
    from birdkit.show.parse import parse_routes as parse_routes
    from birdkit.show.parse import parse_status as parse_status
    from birdkit.show.stream import iter_routes as iter_routes
    from birdkit.span import Span as Span

    apply_peermap = _apply
    verify_peermap = _verify

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


if not TYPE_CHECKING:
    # hidden from type checkers, so an unknown name is an error for them rather than Any

    def __getattr__(name: str) -> object:
        target = _EXPORTS.get(name)
        if target is None:
            raise AttributeError(f"module 'birdkit' has no attribute {name!r}")
        module_name, _, attribute = target.partition(":")
        value = getattr(importlib.import_module(module_name), attribute or name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return __all__
