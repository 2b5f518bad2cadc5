"""Streaming measures: histogram percentiles, the load curve, fairness."""

from __future__ import annotations

import math
import random

import pytest

from pcc_router.simulator.measures import LoadCurve, WaitHistogram, fairness


def exact_percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def test_histogram_percentiles_within_a_tenth_of_a_second() -> None:
    rng = random.Random(5)
    waits = [rng.expovariate(1 / 30) for _ in range(50_000)] + [0.0] * 1000
    histogram = WaitHistogram()
    for wait in waits:
        histogram.add(wait)
    for q in (0.5, 0.9, 0.99):
        exact = exact_percentile(waits, q)
        assert exact - 0.1 <= histogram.percentile(q) <= exact  # type: ignore[operator]
    assert histogram.mean == pytest.approx(sum(waits) / len(waits))
    assert histogram.count == 51_000 and len(histogram.bins) < 5000


def test_histogram_keeps_whole_seconds_exact() -> None:
    histogram = WaitHistogram()
    for wait in (0.0, 0.3, 2.0, 38.0):
        histogram.add(wait)
    assert [histogram.percentile(q) for q in (0.25, 0.5, 0.75, 1.0)] == pytest.approx(
        [0.0, 0.3, 2.0, 38.0]
    )
    assert WaitHistogram().percentile(0.5) is None


def test_load_curve_averages_per_minute() -> None:
    curve = LoadCurve(step=60.0)
    curve.change(+1, 30.0)  # one call from 30 s ...
    curve.change(+1, 60.0)  # ... two from 60 s ...
    curve.change(-2, 150.0)  # ... none from 150 s
    assert curve.points(180.0) == [(0.0, 0.5), (60.0, 2.0), (120.0, 1.0), (180.0, 0.0)]


def test_fairness() -> None:
    spread = fairness([10, 10, 20], [100.0, 100.0, 100.0])
    assert spread["fairness_calls_max_min"] == 2.0
    assert spread["fairness_calls_cv"] == pytest.approx(math.sqrt(200 / 9) / (40 / 3))
    assert spread["fairness_talk_cv"] == 0.0
    assert fairness([0, 5], [0.0, 1.0])["fairness_calls_max_min"] is None
