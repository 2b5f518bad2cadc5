"""Random inputs: rates and means agree with what the scenario asked for."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from pcc_router.routing.durations import clock, parse_duration
from pcc_router.simulator.arrivals import (
    Constant,
    Distribution,
    Exponential,
    LogNormal,
    PiecewisePoisson,
    Poisson,
    Trace,
    Uniform,
    _exponential,
)


def count_until(times: Iterable[float], end: float) -> int:
    return sum(1 for _ in itertools.takewhile(lambda t: t < end, times))


def test_poisson_rate() -> None:
    # 100 hours at 360/h: 36,000 expected, sd 190; allow 4 sd
    n = count_until(Poisson(360).times(random.Random(1)), 100 * 3600)
    assert abs(n - 36_000) < 760


def test_piecewise_profile_changes_rate_at_each_step() -> None:
    profile = PiecewisePoisson((0.0, 3600.0, 7200.0), (100.0, 1000.0, 0.0))
    times = list(profile.times(random.Random(2)))  # the last rate is 0: the process ends
    first = sum(1 for t in times if t < 3600)
    second = sum(1 for t in times if 3600 <= t < 7200)
    assert abs(first - 100) < 40 and abs(second - 1000) < 127
    assert max(times) < 7200


def test_distribution_means() -> None:
    rng = random.Random(3)
    cases: list[tuple[Distribution, float]] = [
        (Exponential(180.0), 180.0),
        (LogNormal(180.0, 60.0), 180.0),
        (Uniform(10.0, 20.0), 15.0),
        (Constant(42.0), 42.0),
    ]
    for dist, mean in cases:
        sample = [dist.sample(rng) for _ in range(20_000)]
        assert math.isclose(statistics.fmean(sample), mean, rel_tol=0.03)
    lognormal = [LogNormal(180.0, 60.0).sample(rng) for _ in range(20_000)]
    assert math.isclose(statistics.stdev(lognormal), 60.0, rel_tol=0.06)


def test_trace_and_durations() -> None:
    assert list(Trace((1.0, 1.0, 5.0)).times(random.Random())) == [1.0, 1.0, 5.0]
    assert [parse_duration(v) for v in (20, 2.5, "90s", "15m", "2h", "1d", "1.5m")] == [
        20.0,
        2.5,
        90.0,
        900.0,
        7200.0,
        86400.0,
        90.0,
    ]
    assert clock(3725.0) == "01:02:05" and clock(2.5) == "00:00:02.5"


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), rate=st.floats(1e-6, 1e6))
def test_exponential_draws_are_expovariates_to_the_bit(seed: int, rate: float) -> None:
    """The simulator writes ``expovariate`` out (it is interpreted Python); the draws
    must stay the very numbers the library gives, or every output would change."""
    ours, library = random.Random(seed), random.Random(seed)
    assert [_exponential(ours, rate) for _ in range(20)] == [
        library.expovariate(rate) for _ in range(20)
    ]
