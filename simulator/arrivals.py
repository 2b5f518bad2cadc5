"""Random inputs of a run: arrival processes and the talk/patience distributions.

Every sampler takes the ``random.Random`` it draws from; the runner gives each
stream (arrivals, talk, patience per ``[[traffic]]``) its own generator seeded
from the scenario seed, so changing one stream leaves the others' draws alone.

Exponential draws are written out as ``random.Random.expovariate`` computes
them (``-log(1 - random()) / rate``, the same floating-point steps, so the
same numbers): the method is interpreted Python, and calling it cost more
than the rest of a compiled call's arrival.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "Arrivals",
    "Constant",
    "Distribution",
    "Exponential",
    "LogNormal",
    "PiecewisePoisson",
    "Poisson",
    "Trace",
    "Uniform",
]


def _exponential(rng: random.Random, rate: float) -> float:
    """``rng.expovariate(rate)``, to the bit (see the module's docstring)."""
    return -math.log(1.0 - rng.random()) / rate


@dataclass(frozen=True, slots=True)
class Exponential:
    mean: float

    def sample(self, rng: random.Random) -> float:
        if self.mean <= 0:
            return 0.0
        return _exponential(rng, 1.0 / self.mean)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal given by its own mean and standard deviation (not those of its log)."""

    mean: float
    sd: float

    def sample(self, rng: random.Random) -> float:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return rng.lognormvariate(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True, slots=True)
class Constant:
    value: float

    def sample(self, rng: random.Random) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


@dataclass(frozen=True, slots=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


Distribution = Exponential | LogNormal | Constant | Uniform


@dataclass(frozen=True, slots=True)
class Poisson:
    per_hour: float

    def times(self, rng: random.Random) -> Iterator[float]:
        if self.per_hour <= 0:
            return
        rate, t = self.per_hour / 3600.0, 0.0
        while True:
            t += _exponential(rng, rate)
            yield t


@dataclass(frozen=True, slots=True)
class PiecewisePoisson:
    """A Poisson process whose hourly rate changes at given offsets (the last rate holds)."""

    starts: tuple[float, ...]
    per_hour: tuple[float, ...]

    def times(self, rng: random.Random) -> Iterator[float]:
        # Invert the cumulative intensity: each arrival spends one unit-exponential
        # draw of "intensity budget" across the pieces from the last arrival on.
        t, i = self.starts[0], 0
        while True:
            budget = _exponential(rng, 1.0)
            while True:
                rate = self.per_hour[i] / 3600.0
                end = self.starts[i + 1] if i + 1 < len(self.starts) else math.inf
                if rate > 0 and t + budget / rate <= end:
                    t += budget / rate
                    break
                if end == math.inf:
                    return
                budget -= rate * (end - t)
                t, i = end, i + 1
            yield t


@dataclass(frozen=True, slots=True)
class Trace:
    """Arrival offsets read from a file, sorted."""

    offsets: tuple[float, ...]

    def times(self, rng: random.Random) -> Iterator[float]:
        yield from self.offsets


Arrivals = Poisson | PiecewisePoisson | Trace
