"""One simulated day of a plan: the staffed scenario, its run, and what each interval measured.

A staffing (agents per interval) or a roster (agents on shifts) becomes the
scenario's own timeline: the planned pool gets as many agents as the busiest
moment needs, and each agent's ``manual_status`` goes ``AVAILABLE`` when she
comes on and ``NOT AVAILABLE`` (or her break's status) when she goes off, so
the engine applies every routing rule as it would to real people: an agent
who goes off finishes the call she is on and is rung no more.

:func:`run_day` is the unit of work the workers run: it takes a
:class:`DayJob` (plain, picklable data, its seed inside) and returns the
interval counts, the same whichever process or machine runs it.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcc_router.routing.durations import parse_duration
from pcc_router.simulator.kpis import SERVICE_TARGET, CallRecord
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario.loader import scenario_from_document
from pcc_router.simulator.scenario.sections import pool_agent_ids
from pcc_router.simulator.sweep import Target, mean_and_half_width

__all__ = ["OFF", "ON", "DayJob", "IntervalCounts", "IntervalKpis", "day_document", "run_day",
           "summarise"]  # fmt: skip

OFF = "NOT AVAILABLE"
ON = "AVAILABLE"

#: An agent's day: her status from offset 0, then ``(offset, status)`` changes in order.
Timeline = tuple[str, tuple[tuple[float, str], ...]]


def staffing_timelines(staffing: Sequence[int], interval: float) -> list[Timeline]:
    """Agent k is on in every interval that needs more than k agents (the last to come on
    is the first to go off)."""
    timelines = []
    for k in range(max(1, max(staffing, default=0))):
        on = [count > k for count in staffing]
        changes = tuple((i * interval, ON if on[i] else OFF) for i in range(1, len(on))
                        if on[i] != on[i - 1])  # fmt: skip
        timelines.append((ON if on and on[0] else OFF, changes))
    return timelines


def day_document(
    document: dict[str, Any],
    *,
    pool_index: int,
    timelines: Sequence[Timeline],
    until: float | None = None,
) -> dict[str, Any]:
    """The scenario's TOML with the planned pool's agents and their timelines (and ``until``
    replaced when given): what a run simulates and a roster file holds."""
    day = copy.deepcopy(document)
    day.pop("shifts", None)  # planned already: the timelines below are the roster
    pool = day["agent_pools"][pool_index]
    pool["count"] = len(timelines)
    ids = pool_agent_ids(pool["prefix"], len(timelines))
    events: list[dict[str, Any]] = list(day.get("events", []))
    end = until if until is not None else math.inf
    for agent_id, (first, changes) in zip(ids, timelines, strict=True):
        if first != ON:
            events.append(_event(0.0, agent_id, first))
        events.extend(_event(at, agent_id, status) for at, status in changes if at < end)
    if events:
        day["events"] = sorted(
            events, key=lambda e: parse_duration(e["at"])
        )  # stable: file order kept
    if until is not None:
        day["until"] = f"{until:g}s"
    return day


def _event(at: float, agent_id: str, status: str) -> dict[str, Any]:
    return {"at": f"{at:g}s", "agent": agent_id, "set": {"manual_status": status}}


@dataclass(frozen=True, slots=True)
class IntervalCounts:
    """What one run measured for the calls that entered the queue in one interval."""

    offered: int
    answered: int
    abandoned: int
    within_target: int
    wait_sum: float
    talk: float  # talk seconds (any interval's calls) that fell inside this interval
    backlog: int  # calls waiting in the queue at the interval's start


@dataclass(frozen=True, slots=True)
class DayJob:
    document: dict[str, Any]
    path: str
    queue_id: str
    interval: float
    intervals: int  # how many intervals from the start to measure


def run_day(job: DayJob) -> tuple[IntervalCounts, ...]:
    """Simulate the staffed day and count each interval (the workers' unit of work)."""
    scenario = scenario_from_document(job.document, Path(job.path))
    calls = simulate(scenario, keep_calls=True).calls
    return interval_counts(calls, job.queue_id, job.interval, job.intervals)


def interval_counts(calls: Sequence[CallRecord], queue_id: str, interval: float,
                    intervals: int) -> tuple[IntervalCounts, ...]:  # fmt: skip
    """The contract's KPI counters per interval of entry (``docs/scenarios.md``), for the
    calls of ``queue_id``, plus talk time and the backlog at each interval's start."""
    offered = [0] * intervals
    answered, abandoned, within = [0] * intervals, [0] * intervals, [0] * intervals
    waits, talk, backlog = [0.0] * intervals, [0.0] * intervals, [0] * intervals
    for call in calls:
        if call.queue != queue_id or call.entered is None:
            continue
        slot = int(call.entered // interval)
        left = call.answered_at if call.answered_at is not None else call.ended_at
        for edge in range(slot + 1, intervals):  # waiting at later intervals' starts
            if left is not None and left <= edge * interval:
                break
            backlog[edge] += 1
        if call.answered_at is not None:
            _spread(talk, call.answered_at, call.ended_at, interval)
        if slot >= intervals:
            continue
        offered[slot] += 1
        if call.answered_at is not None:
            wait = call.answered_at - call.entered
            answered[slot] += 1
            waits[slot] += wait
            within[slot] += wait <= SERVICE_TARGET
        elif call.outcome == "abandoned":
            abandoned[slot] += 1
    return tuple(
        IntervalCounts(*row)
        for row in zip(offered, answered, abandoned, within, waits, talk, backlog, strict=True)
    )


def _spread(into: list[float], start: float, end: float | None, interval: float) -> None:
    """Add the span ``[start, end)`` to the intervals it overlaps."""
    stop = end if end is not None else len(into) * interval
    slot = int(start // interval)
    while slot < len(into) and start < stop:
        edge = (slot + 1) * interval
        into[slot] += min(stop, edge) - start
        start, slot = edge, slot + 1


@dataclass(frozen=True, slots=True)
class IntervalKpis:
    """An interval's KPIs over the seeds: means and 95 % half-widths (``None``: no calls)."""

    mean: dict[str, float | None]
    half: dict[str, float | None]
    backlog: float

    def meets(self, targets: Sequence[Target]) -> bool:
        """Every target met on the mean (an interval with no calls meets any)."""
        return all(t.met(self.mean[t.kpi]) or self.mean[t.kpi] is None for t in targets)

    def within_ci(self, targets: Sequence[Target]) -> bool:
        """No target missed beyond the 95 % confidence interval (a shortfall that may be
        the seeds' noise counts as met)."""
        for t in targets:
            mean, half = self.mean[t.kpi], self.half[t.kpi] or 0.0
            if mean is None:
                continue
            if t.op in (">=", ">") and mean + half < t.value:
                return False
            if t.op in ("<=", "<") and mean - half > t.value:
                return False
        return True


def summarise(runs: Sequence[Sequence[IntervalCounts]], staffed: Sequence[int],
              interval: float) -> list[IntervalKpis]:  # fmt: skip
    """Per interval, the KPIs of each run averaged over the runs; occupancy is talk time
    over the agents scheduled in the interval (``staffed``) times its length."""
    rows = []
    for index, agents in enumerate(staffed):
        per_run: dict[str, list[float]] = {k: [] for k in _KPIS}
        for run in runs:
            c = run[index]
            if c.offered:
                per_run["service_level_20s"].append(c.within_target / c.offered)
                per_run["abandon_rate"].append(c.abandoned / c.offered)
            if c.answered:
                per_run["asa"].append(c.wait_sum / c.answered)
            if agents:
                per_run["occupancy"].append(c.talk / (agents * interval))
        mean: dict[str, float | None] = {}
        half: dict[str, float | None] = {}
        for kpi, values in per_run.items():
            mean[kpi], half[kpi] = mean_and_half_width(values)
        backlog = statistics.fmean(run[index].backlog for run in runs) if runs else 0.0
        rows.append(IntervalKpis(mean=mean, half=half, backlog=backlog))
    return rows


_KPIS = ("service_level_20s", "asa", "abandon_rate", "occupancy")
