"""BIRD's ``Last reconfiguration on ...`` time, read so that an unchanged time compares as unchanged.

BIRD keeps the time on its monotonic clock and turns it into wall-clock time each time ``show status`` prints it
(``tm_format_time``: now_real - (now_mono - t)). Two reads of the same reconfiguration can therefore differ by a
millisecond; a real reconfiguration moves the time by far more than :data:`JITTER`.
"""

from __future__ import annotations

import re
from datetime import datetime

JITTER = 0.05  # seconds

_LAST_RECONFIGURATION = re.compile(r"Last reconfiguration on (.+)")


def last_reconfiguration(show_status: str) -> float:
    """The ``Last reconfiguration on`` time of a ``show status`` text, in seconds since the epoch."""
    match = _LAST_RECONFIGURATION.search(show_status)
    assert match, f"no reconfiguration time in: {show_status!r}"
    return datetime.fromisoformat(match.group(1).strip()).timestamp()


def same_reconfiguration(now: float, before: float) -> bool:
    """True when two reads of the time show the same reconfiguration (within :data:`JITTER`)."""
    return abs(now - before) < JITTER
