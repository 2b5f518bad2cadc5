"""Durations as scenarios write them (``20``, ``2.5``, ``"90s"``, ``"15m"``, ``"2h"``, ``"1d"``)."""

from __future__ import annotations

import re

__all__ = ["clock", "parse_duration"]

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([smhd])\s*$")


def parse_duration(value: object) -> float:
    """Seconds from a number or a one-unit string; ``ValueError`` names what is wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f'expected a duration like 20 or "90s", got {value!r}')
    if isinstance(value, str):
        match = _PATTERN.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a duration: use a number and one of s, m, h, d")
        return float(match.group(1)) * _UNITS[match.group(2)]
    if value != value or value < 0 or value == float("inf"):
        raise ValueError(f"a duration is a finite number of seconds >= 0, not {value!r}")
    return float(value)


def clock(seconds: float) -> str:
    """``hh:mm:ss`` (with tenths when needed) for an offset from the start."""
    whole = int(seconds)
    tenths = round((seconds - whole) * 10)
    if tenths == 10:
        whole, tenths = whole + 1, 0
    h, rest = divmod(whole, 3600)
    text = f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{text}.{tenths}" if tenths else text
