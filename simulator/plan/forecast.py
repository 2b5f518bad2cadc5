"""The forecast a staffing plan works from, read out of a scenario, and the plan's targets.

The scenario's traffic is the forecast: every ``[[traffic]]`` stream that
reaches the planned queue (straight, or through a menu key), its arrival
profile cut into the plan's intervals, its talk and patience means. The
planned ``[[agent_pools]]`` entry is the template of the agents to staff;
every other agent of the file stays as the file has it. Whatever cannot be
planned is a :class:`PlanError` naming the key or option, before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pcc_router.routing import AgentId
from pcc_router.simulator.arrivals import PiecewisePoisson, Poisson, Trace
from pcc_router.simulator.scenario import Scenario, Traffic
from pcc_router.simulator.scenario.sections import pool_agent_ids
from pcc_router.simulator.sweep import Target

__all__ = ["PLANNABLE", "Forecast", "PlanError", "expected_calls", "parse_targets", "read_forecast"]

#: The KPIs a plan staffs to, and the comparisons that make sense for each: those that more
#: agents improve, interval by interval.
PLANNABLE: dict[str, tuple[str, ...]] = {
    "service_level_20s": (">=", ">"),
    "asa": ("<=", "<"),
    "abandon_rate": ("<=", "<"),
    "occupancy": ("<=", "<"),
}
#: Target values a staffing can reach, per KPI: above the first, at most the second (a
#: service level of 0 is met by nobody answering; an ASA or abandonment of 0 needs an agent
#: per caller, and a model with patience never quite gets there).
_REACHABLE: dict[str, tuple[float, float]] = {
    "service_level_20s": (0.0, 1.0),
    "asa": (0.0, 1e12),
    "abandon_rate": (0.0, 1.0),
    "occupancy": (0.0, 1.0),
}
#: Interval lengths a plan accepts, in seconds.
MIN_INTERVAL, MAX_INTERVAL = 300.0, 86_400.0
#: The most intervals in one plan.
MAX_INTERVALS = 288


class PlanError(Exception):
    """A plan that cannot be made: ``where`` is the key or option, ``message`` what is wrong."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def parse_targets(texts: list[str]) -> tuple[Target, ...]:
    """``--target`` values as targets a plan can staff to; :class:`PlanError` otherwise."""
    if not texts:
        raise PlanError("--target", 'give at least one, e.g. "service_level_20s>=0.8"')
    targets = []
    for text in texts:
        try:
            target = Target.parse(text)
        except ValueError as exc:
            raise PlanError("--target", str(exc).removeprefix("--target ")) from None
        allowed = PLANNABLE.get(target.kpi)
        if allowed is None:
            names = ", ".join(PLANNABLE)
            raise PlanError("--target", f"{text!r}: a plan staffs to {names} (KPIs that more "
                            "agents improve in each interval)")  # fmt: skip
        if target.op not in allowed:
            raise PlanError("--target", f"{text!r}: more agents lower {target.kpi}, so the "
                            f"target must be {' or '.join(allowed)}")  # fmt: skip
        low, high = _REACHABLE[target.kpi]
        if not low < target.value <= high:
            raise PlanError(
                "--target",
                f"{text!r}: no staffing reaches that; give a value "
                f"above {low:g}" + (f" and at most {high:g}" if high < 1e9 else ""),
            )
        targets.append(target)
    return tuple(targets)


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """A scenario's day as a plan sees it (intervals of ``interval`` seconds from offset 0)."""

    scenario: Scenario
    document: dict[str, Any]  # the file's TOML, which rosters and runs are made from
    interval: float
    queue_id: str
    pool_index: int
    pool_prefix: str
    calls: tuple[float, ...]  # expected offered calls per interval
    talk: tuple[float, ...]  # mean talk per interval, s
    patience: tuple[float | None, ...]  # mean patience per interval, s (None: nobody leaves)
    fixed_agents: int  # the queue's agents that are not the planned pool's

    @property
    def day(self) -> float:
        return self.interval * len(self.calls)

    @property
    def intervals(self) -> int:
        return len(self.calls)

    def clock(self, offset: float) -> str:
        """``08:30``: the time of day ``offset`` seconds into the day (``starts_at``)."""
        minutes = round((self.scenario.starts_at + offset) / 60)
        return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"

    def label(self, index: int) -> str:
        """``08:00-08:30``: the interval's clock times."""
        start = index * self.interval
        return f"{self.clock(start)}-{self.clock(start + self.interval)}"


def read_forecast(scenario: Scenario, document: dict[str, Any], *, interval: float,
                  pool: str | None) -> Forecast:  # fmt: skip
    """The forecast of ``scenario`` cut into ``interval``-second intervals."""
    day = scenario.until
    if day is None:
        raise PlanError("until", 'a plan needs the day\'s length: set until (e.g. "10h")')
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise PlanError("--interval", f"{interval:g} s: from 5m to 24h")
    count = day / interval
    if abs(count - round(count)) > 1e-9 or round(count) < 1:
        raise PlanError("--interval", f"{_span(interval)} does not divide the day "
                        f"(until = {_span(day)}) into whole intervals")  # fmt: skip
    if round(count) > MAX_INTERVALS:
        raise PlanError("--interval", f"{round(count)} intervals; at most {MAX_INTERVALS}")
    pool_index, prefix, queue_id = _planned_pool(scenario, document, pool)
    streams = [t for t in scenario.traffic if scenario.queue_of(t) == queue_id]
    if not streams:
        raise PlanError("traffic", f"no [[traffic]] stream reaches queue {queue_id!r}: "
                        "the forecast has no calls")  # fmt: skip
    for stream in streams:
        if stream.calls is not None:
            raise PlanError(f"traffic[{stream.index}].calls", "a forecast is a rate over the "
                            "day: give arrivals without a calls cap")  # fmt: skip
    n = round(count)
    edges = [k * interval for k in range(n + 1)]
    per_stream = [[expected_calls(s, edges[i], edges[i + 1]) for i in range(n)] for s in streams]
    calls = tuple(sum(column) for column in zip(*per_stream, strict=True))
    if sum(calls) <= 0:
        raise PlanError("traffic", "the forecast has no calls in the day")
    talk = tuple(_weighted(streams, per_stream, i, lambda t: t.talk.mean) or 0.0 for i in range(n))
    patience = tuple(_weighted(streams, per_stream, i, _patience) for i in range(n))
    planned = set(pool_agent_ids(prefix, int(document["agent_pools"][pool_index]["count"])))
    queue = next(q for q in scenario.project.queues if q.id == queue_id)
    routed = {route.group for route in queue.groups}
    members = {a for g in scenario.project.groups if g.id in routed for a in g.agents}
    _check_timeline(scenario, planned)
    _check_names(scenario, prefix, planned)
    return Forecast(scenario=scenario, document=document, interval=interval, queue_id=queue_id,
                    pool_index=pool_index, pool_prefix=prefix, calls=calls, talk=talk,
                    patience=patience, fixed_agents=len(members - planned))  # fmt: skip


def expected_calls(traffic: Traffic, start: float, end: float) -> float:
    """The mean number of the stream's arrivals in ``[start, end)``."""
    arrivals = traffic.arrivals
    if isinstance(arrivals, Poisson):
        return arrivals.per_hour / 3600 * (end - start)
    if isinstance(arrivals, PiecewisePoisson):
        total = 0.0
        bounds = [*arrivals.starts[1:], math.inf]
        for begin, stop, rate in zip(arrivals.starts, bounds, arrivals.per_hour, strict=True):
            overlap = min(end, stop) - max(start, begin)
            if overlap > 0:
                total += rate / 3600 * overlap
        return total
    assert isinstance(arrivals, Trace)
    return float(sum(1 for t in arrivals.offsets if start <= t < end))


def _planned_pool(scenario: Scenario, document: dict[str, Any],
                  prefix: str | None) -> tuple[int, str, str]:  # fmt: skip
    """The pool a plan staffs (``--pool`` or the only one) and the one queue it serves."""
    pools = document.get("agent_pools") or []
    prefixes = [p.get("prefix") for p in pools if isinstance(p, dict)]
    if prefix is not None and prefix not in prefixes:
        raise PlanError("--pool", f"no [[agent_pools]] entry has prefix {prefix!r}")
    if prefix is None:
        if len(prefixes) != 1:
            raise PlanError("agent_pools", f"a plan staffs one pool; this file has "
                            f"{len(prefixes)}: name it with --pool")  # fmt: skip
        prefix = prefixes[0]
    index = prefixes.index(prefix)
    group = pools[index].get("group")
    queues = sorted({q.id for q in scenario.project.queues for r in q.groups if r.group == group})
    if len(queues) != 1:
        where = f"agent_pools[{index}].group"
        raise PlanError(where, f"the planned pool must serve exactly one queue (its group "
                        f"{group!r} serves {len(queues)})")  # fmt: skip
    return index, str(prefix), queues[0]


def _check_timeline(scenario: Scenario, planned: set[AgentId]) -> None:
    for index, timeline in enumerate(scenario.events):
        agent = getattr(timeline.event, "agent_id", None)
        if agent in planned:
            raise PlanError(
                f"events[{index}].agent",
                f"{agent} belongs to the planned pool, "
                "whose timeline the plan writes itself (lunch goes in [[shifts]])",
            )


def _check_names(scenario: Scenario, prefix: str, planned: set[AgentId]) -> None:
    """Another agent named like the pool's (``web021`` beside pool ``web``) would clash
    once the plan sizes the pool past her number."""
    for agent in scenario.project.agents:
        name = agent.stringee_user_id
        if name not in planned and name.startswith(prefix) and name[len(prefix) :].isdigit():
            raise PlanError(
                "agents",
                f"{name!r} is named like the agents of pool {prefix!r}, "
                "which the plan may make as many of as it needs: rename her",
            )


def _patience(traffic: Traffic) -> float | None:
    return traffic.patience.mean if traffic.patience is not None else None


def _weighted(streams: list[Traffic], per_stream: list[list[float]], index: int,
              value: Callable[[Traffic], float | None]) -> float | None:  # fmt: skip
    """The streams' ``value`` averaged by their calls in the interval (all, if none come)."""
    pairs = [(v, calls[index]) for s, calls in zip(streams, per_stream, strict=True)
             if (v := value(s)) is not None]  # fmt: skip
    if not pairs:
        return None
    weight = sum(w for _, w in pairs)
    if weight <= 0:
        return sum(v for v, _ in pairs) / len(pairs)
    return sum(v * w for v, w in pairs) / weight


def _span(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"
