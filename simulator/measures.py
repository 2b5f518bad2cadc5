"""Streaming measures with flat memory: a wait histogram, a load curve, fairness.

None of these keeps one entry per call, so a run of millions of calls in
``--summary`` mode holds as much as a run of a thousand.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["BIN", "LoadCurve", "WaitHistogram", "fairness"]

#: Width of a wait-histogram bin, in seconds: percentiles are exact to within it.
BIN = 0.1
_MS_PER_BIN = 100


@dataclass(slots=True)
class WaitHistogram:
    """Waits in 0.1 s bins (a bin's value is its lower edge, so 0 and whole seconds are exact)."""

    bins: dict[int, int] = field(default_factory=dict)
    count: int = 0
    total: float = 0.0

    def add(self, wait: float) -> None:
        # Round to milliseconds first, so 0.3 s lands in bin 3, not 2.
        slot = round(wait * 1000) // _MS_PER_BIN
        self.bins[slot] = self.bins.get(slot, 0) + 1
        self.count += 1
        self.total += wait

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def percentile(self, q: float) -> float | None:
        """Nearest-rank percentile, to within one bin below the true value."""
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for slot in sorted(self.bins):
            seen += self.bins[slot]
            if seen >= rank:
                return slot * BIN
        raise AssertionError("unreachable: counts add up to count")

    def distribution(self) -> list[tuple[float, int]]:
        """``(bin start, calls)`` pairs, in order: for plots."""
        return [(slot * BIN, self.bins[slot]) for slot in sorted(self.bins)]


@dataclass(slots=True)
class LoadCurve:
    """How many calls were in queue (waiting or ringing), averaged per ``step`` seconds."""

    step: float = 60.0
    areas: dict[int, float] = field(default_factory=dict)
    level: int = 0
    since: float = 0.0

    def change(self, delta: int, now: float) -> None:
        self._accumulate(now)
        self.level += delta

    def _accumulate(self, now: float) -> None:
        t, level, step = self.since, self.level, self.step
        while level and t < now:
            slot = int(t // step)
            end = min(now, (slot + 1) * step)
            self.areas[slot] = self.areas.get(slot, 0.0) + level * (end - t)
            t = end
        self.since = now

    def points(self, end: float) -> list[tuple[float, float]]:
        """``(minute start, mean calls in queue)`` from the start to ``end``."""
        self._accumulate(end)
        slots = int(end // self.step) + 1
        return [(s * self.step, self.areas.get(s, 0.0) / self.step) for s in range(slots)]


def fairness(calls: Sequence[float], talk: Sequence[float]) -> dict[str, float | None]:
    """Spread of calls and talk time across agents: coefficient of variation, max/min."""
    return {
        "fairness_calls_cv": _cv(calls),
        "fairness_calls_max_min": _max_min(calls),
        "fairness_talk_cv": _cv(talk),
        "fairness_talk_max_min": _max_min(talk),
    }


def _cv(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.pstdev(values) / mean if mean > 0 else None


def _max_min(values: Sequence[float]) -> float | None:
    if not values or min(values) <= 0:
        return None
    return max(values) / min(values)
