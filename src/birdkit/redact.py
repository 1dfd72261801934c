"""Masking BGP passwords in what birdkit prints: the string after every ``password``, wherever it stands."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

#: the string after ``password`` (BGP, OSPF, RIP, BFD all spell it so); an excerpt cut inside the string
#: (no closing quote on the line) is masked to the end of the line
_PASSWORD = re.compile(r'(password\s+")([^"\n]*)("?)')
#: what a password turns into
MASK = "***"


@attrs.frozen
class Redactor:
    """Masks BGP passwords where they stand as passwords: the string after each ``password`` keyword.

    The secret's text elsewhere is left alone on purpose: masking every occurrence of a weak password
    (``all``, ``1``, ``bgp``) would turn ``export all;`` into ``export ***;`` and so give the password away.
    ``secrets`` are the passwords in play (a config holding any is private); they are not searched for.
    """

    secrets: frozenset[str] = frozenset()

    @classmethod
    def from_configs(cls, configs: Iterable[str]) -> Redactor:
        """The passwords written in ``configs``."""
        return cls(frozenset(m.group(2) for text in configs for m in _PASSWORD.finditer(text) if m.group(2)))

    def __call__(self, text: str) -> str:
        return _PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
