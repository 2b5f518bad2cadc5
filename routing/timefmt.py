"""Times in words for people: verdict reasons say ``until 10:32:05``, never an epoch float.

The engine's times are epoch seconds in the controller and seconds since the
start in the simulator; both read naturally as a time of day (UTC for the
controller, elapsed time for a simulation). Plain arithmetic: the core reads
no clock and needs no time zone.
"""

from __future__ import annotations

import math

__all__ = ["clock_time"]


def clock_time(t: float) -> str:
    """``t`` as ``HH:MM:SS`` (the time of day in UTC for an epoch value)."""
    if not math.isfinite(t):
        return "never"
    second = math.floor(t) % 86_400
    return f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
