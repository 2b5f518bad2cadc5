"""A finished plan as data: its JSON, the reasons simulation and Erlang A differ, the roster file.

Everything here is computed from the plan alone, never from who ran it or
how long it took, so ``--json`` and ``--write-roster`` are the same to the
byte on one process, local workers or a Dask cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pcc_router.simulator.plan.days import (
    IntervalKpis,
    Timeline,
    day_document,
    staffing_timelines,
)
from pcc_router.simulator.plan.forecast import Forecast
from pcc_router.simulator.plan.requirement import Requirement
from pcc_router.simulator.plan.shifts import Roster
from pcc_router.simulator.scenario.sections import pool_agent_ids
from pcc_router.simulator.sweep import Target

__all__ = ["Plan", "overhead", "reasons", "roster_text"]


@dataclass(frozen=True, slots=True)
class Plan:
    forecast: Forecast
    targets: tuple[Target, ...]
    seeds: int
    erlang: list[int]
    requirement: Requirement
    roster: Roster | None  # None: no [[shifts]]; the requirement is the roster
    kpis: list[IntervalKpis]  # the rostered day's (the requirement's without shifts)
    runs: int

    @property
    def apart(self) -> list[int]:
        """The intervals where the simulated requirement and Erlang A differ by more than
        one agent."""
        pairs = zip(self.requirement.staffing, self.erlang, strict=True)
        return [i for i, (simulated, erlang) in enumerate(pairs) if abs(simulated - erlang) > 1]

    @property
    def rostered(self) -> list[int]:
        return self.roster.rostered if self.roster else self.requirement.staffing

    def verdicts(self) -> list[str]:
        """Per interval: ``met`` on the mean, ``within CI`` (short, but not beyond the
        noise of the seeds) or ``missed``."""
        return [
            "met" if row.meets(self.targets) else "within CI" if row.within_ci(self.targets)
            else "missed"
            for row in self.kpis
        ]  # fmt: skip

    def timelines(self) -> list[Timeline]:
        day = self.forecast.day
        if self.roster is not None:
            return self.roster.timelines(day)
        return staffing_timelines(self.requirement.staffing, self.forecast.interval)

    def _interval(self, i: int, verdict: str, why: str) -> dict[str, object]:
        f = self.forecast
        return {
            "interval": f.label(i),
            "offset_s": i * f.interval,
            "forecast_calls": _r(f.calls[i]),
            "erlang_a": self.erlang[i],
            "simulated": self.requirement.staffing[i],
            "rostered": self.rostered[i],
            "kpis": _kpis(self.kpis[i]),
            "backlog_at_start": _r(self.kpis[i].backlog),
            "verdict": verdict,
            "why": why,
        }

    def to_json(self) -> dict[str, object]:
        f, hours = self.forecast, self.forecast.interval / 3600
        notes = reasons(self)
        verdicts = self.verdicts()
        intervals = [self._interval(i, verdicts[i], notes[i]) for i in range(f.intervals)]
        return {
            "scenario": f.scenario.name,
            "queue": f.queue_id,
            "pool": f.pool_prefix,
            "other_agents_of_the_queue": f.fixed_agents,
            "interval_s": f.interval,
            "seeds": self.seeds,
            "targets": [str(t) for t in self.targets],
            "summary": {
                "erlang_a_agent_hours": _r(sum(self.erlang) * hours),
                "simulated_agent_hours": _r(sum(self.requirement.staffing) * hours),
                "rostered_agent_hours": _r(
                    self.roster.hours if self.roster else sum(self.requirement.staffing) * hours
                ),
                "simulated_within_one_of_erlang_a": not self.apart,
                "intervals_missed": [f.label(i) for i, v in enumerate(verdicts) if v == "missed"],
                "requirement_unsettled": [f.label(i) for i in self.requirement.unsettled],
                "simulations": self.runs,
            },
            "intervals": intervals,
            "shifts": [
                {
                    "shift": o.shift.id,
                    "start": f.clock(o.start),
                    "breaks": [f.clock(at) for at in o.breaks],
                    "agents": count,
                }
                for o, count in (self.roster.chosen if self.roster else [])
            ],
        }


def overhead(forecast: Forecast) -> tuple[float, list[str]]:
    """Seconds an agent of the planned pool is busy per answered call beyond its talk, by
    the scenario's rules (ringing, unanswered rings, wrap-up), and what they are."""
    scenario = forecast.scenario
    count = int(forecast.document["agent_pools"][forecast.pool_index]["count"])
    behaviour = scenario.behaviours[pool_agent_ids(forecast.pool_prefix, count)[0]]
    queue = next(q for q in scenario.project.queues if q.id == forecast.queue_id)
    parts: list[tuple[float, str]] = []
    if behaviour.answer_after > 0:
        parts.append((behaviour.answer_after, f"rings {behaviour.answer_after:g} s"))
    if 0 < behaviour.answer_prob < 1:
        missed = (1 - behaviour.answer_prob) / behaviour.answer_prob
        lost = missed * queue.wait_agent_answer_timeout
        parts.append((lost, f"unanswered rings {lost:.1f} s"))
    if queue.wrap_up > 0:
        parts.append((queue.wrap_up, f"wrap-up {queue.wrap_up:g} s"))
    return sum(p for p, _ in parts), [text for _, text in parts]


def reasons(plan: Plan) -> list[str]:
    """Why the simulated requirement differs from Erlang A by more than one agent, per
    interval (empty where it does not): the numbers that Erlang A leaves out."""
    f = plan.forecast
    extra, parts = overhead(f)
    notes = []
    apart = set(plan.apart)
    for i in range(f.intervals):
        gap = plan.requirement.staffing[i] - plan.erlang[i]
        why: list[str] = []
        if i in apart:
            talk = f.talk[i] or 1.0
            if gap > 0 and extra > 0:
                why.append(f"{' + '.join(parts)} add {extra / talk:.0%} to the talk time")
            backlog = plan.kpis[i].backlog
            if backlog >= 0.5:
                why.append(f"{backlog:.1f} calls carried in from the interval before")
            if i and f.calls[i - 1] and abs(f.calls[i] / f.calls[i - 1] - 1) > 0.2:
                why.append(f"the load moves from {f.calls[i - 1]:.0f} to {f.calls[i]:.0f} calls")
            if gap < 0 and f.fixed_agents:
                why.append(
                    f"the queue's {f.fixed_agents} other agents are rung only when the "
                    "pool is busy, so they carry less than Erlang A's equal share"
                )
            if not why:
                why.append("the seeds' noise or routing order (see the KPIs' intervals)")
        notes.append("; ".join(why))
    return notes


def roster_text(plan: Plan, source: Path) -> str:
    """The scenario file with the plan's roster: the planned pool's agents and their
    timeline, for ``simulate``, ``check`` and the pytest plugin as they are."""
    import tomli_w

    f = plan.forecast
    timelines = plan.timelines()
    document = day_document(f.document, pool_index=f.pool_index, timelines=timelines)
    document["name"] = f"{f.scenario.name} (rostered)"
    header = (
        f"# The roster pcc-router plan made from {source.name}: {len(timelines)} agents of "
        f"pool {f.pool_prefix!r}, on and off by their timeline below.\n"
        f"# Targets: {', '.join(str(t) for t in plan.targets)}; {plan.seeds} seeds.\n"
    )
    return header + tomli_w.dumps(document)


def _kpis(row: IntervalKpis) -> dict[str, dict[str, float | None]]:
    return {k: {"mean": _r(row.mean[k]), "ci95": _r(row.half[k])} for k in row.mean}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
