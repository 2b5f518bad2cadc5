"""Agents needed per interval: by Erlang A, then by simulating the whole day.

**Erlang A** (Erlang C when nobody abandons) per interval, from its own
arrival rate, mean talk and mean patience: the stationary independent period
approximation every workforce tool starts from (Green, Kolesar and Whitt,
"Coping with time-varying demand when setting staffing requirements for a
service system", Production and Operations Management 16(1), 2007).

**The simulated requirement** follows the idea of the iterative staffing
algorithm of Feldman, Mandelbaum, Massey and Whitt ("Staffing of time-varying
queues to achieve time-stable performance", Management Science 54(2), 2008):
staff each time from the simulated system itself rather than from a
stationary formula, so backlogs carried from earlier intervals and every
routing rule count. Their algorithm sets the staffing from the simulated
number of calls in system for a delay-probability target; ours targets the
contract's KPIs, so it searches instead, interval by interval in time order:
with the earlier intervals settled, it tries a few staffings of the next one
at once (each over the same seeds, so the comparison is paired), keeps the
smallest that meets every target on the mean, and starts the next interval
from Erlang A plus the gap found so far. A final pass simulates the whole day
and raises any interval that later settlements broke. Probes never depend on
how many workers run them, so the plan is the same whoever computes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pcc_router.simulator.plan.days import (
    DayJob,
    IntervalCounts,
    IntervalKpis,
    Timeline,
    day_document,
    run_day,
    staffing_timelines,
    summarise,
)
from pcc_router.simulator.plan.forecast import Forecast, PlanError
from pcc_router.simulator.sweep import Target
from pcc_router.simulator.theory import QueueModel, erlang_a
from pcc_router.simulator.workers import Workers

__all__ = ["MAX_STAFF", "Requirement", "SimulatedDay", "erlang_requirement",
           "simulated_requirement"]  # fmt: skip

#: The most agents one interval may need before a plan calls the target unreachable.
MAX_STAFF = 2_000
#: Staffings of one interval tried at once.
PROBES = 4
#: Whole-day passes that may raise intervals broken by later settlements.
FIX_ROUNDS = 6

Progress = Callable[[int, int], None]


def erlang_requirement(forecast: Forecast, targets: Sequence[Target]) -> list[int]:
    """Agents of the planned pool that Erlang A (or C) needs in each interval: the fewest
    agents meeting every target, less the queue's other agents (there all day)."""
    return [max(0, _erlang_one(forecast, i, targets) - forecast.fixed_agents)
            for i in range(forecast.intervals)]  # fmt: skip


def _erlang_one(forecast: Forecast, index: int, targets: Sequence[Target]) -> int:
    rate = forecast.calls[index] / forecast.interval
    talk, patience = forecast.talk[index], forecast.patience[index]
    if rate <= 0 or talk <= 0:
        return 0

    def meets(agents: int) -> bool:
        if patience is None and agents <= rate * talk:
            return False  # Erlang C: no steady state at or above full load
        model = QueueModel(arrival_rate=rate, mean_talk=talk, agents=agents,
                           mean_patience=patience)  # fmt: skip
        kpis = erlang_a(model).as_kpis()
        return all(t.met(kpis[t.kpi]) for t in targets)

    agents = max(1, math.floor(rate * talk))
    if meets(agents):
        while agents > 1 and meets(agents - 1):
            agents -= 1
        return agents
    while not meets(agents):
        agents += 1
        if agents > MAX_STAFF:
            raise PlanError("--target", f"not met in {forecast.label(index)} even with "
                            f"{MAX_STAFF:,} agents by Erlang A")  # fmt: skip
    return agents


@dataclass(frozen=True, slots=True)
class Requirement:
    staffing: list[int]  # the planned pool's agents per interval
    kpis: list[IntervalKpis]  # the whole day simulated with it
    unsettled: list[int]  # intervals still missing a target after the last pass
    runs: int  # simulations made


class SimulatedDay:
    """Runs of one forecast's day over a fixed set of seeds (the same for every probe:
    paired comparisons), counted."""

    def __init__(self, forecast: Forecast, seeds: int, workers: Workers,
                 progress: Progress | None) -> None:  # fmt: skip
        self.forecast = forecast
        self.seeds = [forecast.scenario.seed + k for k in range(seeds)]
        self.workers = workers
        self.progress = progress
        self.runs = 0

    def measure(self, staffings: Sequence[Sequence[int]], upto: int,
                ) -> list[list[tuple[IntervalCounts, ...]]]:  # fmt: skip
        """For each staffing, every seed's counts of intervals ``0..upto-1`` (the run goes
        one interval further, so that the last measured one's calls are served)."""
        interval = self.forecast.interval
        return self.measure_days([staffing_timelines(s, interval) for s in staffings], upto)

    def measure_days(self, days: Sequence[Sequence[Timeline]], upto: int,
                     ) -> list[list[tuple[IntervalCounts, ...]]]:  # fmt: skip
        """For each day of agents' timelines, every seed's counts of the first ``upto``
        intervals."""
        f = self.forecast
        until = min(f.day, (upto + 1) * f.interval)
        staffed = [day_document(f.document, pool_index=f.pool_index, timelines=timelines,
                                until=until) for timelines in days]  # fmt: skip
        jobs = [DayJob(document={**document, "seed": seed}, path=str(f.scenario.path),
                       queue_id=f.queue_id, interval=f.interval, intervals=upto)
                for document in staffed for seed in self.seeds]  # fmt: skip
        results = self.workers.map(run_day, jobs, self._tell)
        self.runs += len(jobs)
        per = len(self.seeds)
        return [results[k * per : (k + 1) * per] for k in range(len(days))]

    def _tell(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.runs + done, self.runs + total)

    def kpis(self, staffing: Sequence[int], runs: list[tuple[IntervalCounts, ...]],
             upto: int) -> list[IntervalKpis]:  # fmt: skip
        """The runs' KPIs per interval, ``staffing`` planned agents scheduled in each."""
        staffed = [s + self.forecast.fixed_agents for s in staffing[:upto]]
        return summarise(runs, staffed, self.forecast.interval)


def simulated_requirement(forecast: Forecast, targets: Sequence[Target], start: Sequence[int],
                          *, seeds: int, workers: Workers,
                          progress: Progress | None = None) -> Requirement:  # fmt: skip
    """The smallest staffing per interval whose simulated day meets every target on the
    mean of ``seeds`` runs, searched from ``start`` (Erlang A)."""
    day = SimulatedDay(forecast, seeds, workers, progress)
    staffing = list(start)
    gap = 0
    for index in range(forecast.intervals):
        guess = [max(0, s + gap) for s in start]
        staffing[index] = _settle(day, staffing, guess, index, targets)
        gap = staffing[index] - start[index]
        if index + 1 < forecast.intervals:
            staffing[index + 1] = guess[index + 1]
    for fix in range(FIX_ROUNDS + 1):
        [runs] = day.measure([staffing], forecast.intervals)
        kpis = day.kpis(staffing, runs, forecast.intervals)
        unsettled = [i for i, row in enumerate(kpis) if not row.meets(targets)]
        if not unsettled or fix == FIX_ROUNDS:
            break  # the KPIs returned are always those of the staffing returned
        for i in unsettled:
            staffing[i] += 1
    return Requirement(staffing=staffing, kpis=kpis, unsettled=unsettled, runs=day.runs)


def _settle(day: SimulatedDay, staffing: list[int], guess: list[int], index: int,
            targets: Sequence[Target]) -> int:  # fmt: skip
    """The smallest staffing of interval ``index`` meeting the targets, the earlier ones
    fixed and the next at its guess."""
    failing, meeting = -1, None  # the largest count seen to fail, the smallest seen to meet
    round_ = 0
    while meeting is None or meeting - 1 > failing:
        tries = _tries(guess[index], failing, meeting, round_)
        if tries[-1] > MAX_STAFF:
            raise PlanError("--target", f"not met in {day.forecast.label(index)} even with "
                            f"{MAX_STAFF:,} agents of the pool")  # fmt: skip
        staffings = [[*staffing[:index], count, *guess[index + 1 :]] for count in tries]
        measured = day.measure(staffings, index + 1)
        for count, s, runs in zip(tries, staffings, measured, strict=True):
            if day.kpis(s, runs, index + 1)[index].meets(targets):
                meeting = count if meeting is None else min(meeting, count)
            else:
                failing = max(failing, count)
        if meeting is not None and failing >= meeting:
            failing = meeting - 1  # noise: a larger count failed; the smallest meeting stands
        round_ += 1
    assert meeting is not None  # the loop ends only once one count met
    return meeting


def _tries(guess: int, failing: int, meeting: int | None, round_: int) -> list[int]:
    """The next :data:`PROBES` counts: around the guess first; then, while none meets,
    galloping up (steps doubling each round); once one meets, spread evenly between the
    largest that failed and the smallest that met (every count, once few are left)."""
    if round_ == 0 and meeting is None:
        start = max(0, guess - 1, failing + 1)
        return list(range(start, start + PROBES))
    if meeting is None:
        step = 2**round_
        return [failing + 1 + k * step for k in range(PROBES)]
    gap = meeting - failing - 1
    return sorted({failing + 1 + (gap * k) // PROBES for k in range(PROBES)})
