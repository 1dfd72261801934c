"""Masking BGP passwords in what birdkit prints: every ``password "..."`` and every known secret value."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

_PASSWORD = re.compile(r'(password\s+")([^"]*)(")')
#: what a password turns into
MASK = "***"


@attrs.frozen
class Redactor:
    """Masks BGP passwords: every ``password "..."`` and every known secret value anywhere in a text."""

    secrets: frozenset[str] = frozenset()

    @classmethod
    def from_configs(cls, configs: Iterable[str]) -> Redactor:
        """The passwords written in ``configs``."""
        return cls(frozenset(m.group(2) for text in configs for m in _PASSWORD.finditer(text) if m.group(2)))

    def __call__(self, text: str) -> str:
        masked = _PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
        # longest first, so a secret that contains another is masked whole
        for secret in sorted(self.secrets, key=len, reverse=True):
            masked = masked.replace(secret, MASK)
        return masked
