"""Shifts that cover a requirement at the least agent-hours: an integer program.

Every way to work a ``[[shifts]]`` template (a start time, and a time for each
of its breaks) is an *option* that covers some intervals of the day. The
program chooses how many agents take each option::

    minimise   sum_o hours_o * x_o
    subject to sum_o covers(o, i) * x_o + short_i >= need_i   for every interval i
               sum_{o of template s} x_o <= max_agents_s      where a template caps it
               x_o >= 0 integer, short_i >= 0

``short_i`` (priced far above any shift) is what no choice can cover: when it
is not zero, the plan says which intervals are short and by how much instead
of pretending. The program is solved by HiGHS through SciPy's ``milp``.
A shift's hours are its whole length, breaks included (the time an agent is
rostered). Start times, lengths and breaks must fall on the plan's interval
boundaries, so that coverage is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from pcc_router.simulator.plan.days import OFF, ON, Timeline
from pcc_router.simulator.plan.forecast import Forecast, PlanError
from pcc_router.simulator.scenario.shifts import ShiftTemplate

__all__ = ["MAX_OPTIONS", "Option", "Roster", "cover", "shift_options"]

#: The most ways to work the shifts one plan may weigh.
MAX_OPTIONS = 50_000
#: How long HiGHS may search before the best roster found so far is taken, in seconds.
SOLVE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Option:
    """One way to work a shift: its start and each break's start (offsets from the day's
    start), and the intervals it covers."""

    shift: ShiftTemplate
    start: float
    breaks: tuple[float, ...]
    covers: tuple[int, ...]  # 1 where the agent is on and available, per interval

    @property
    def hours(self) -> float:
        return self.shift.length / 3600

    def timeline(self, day: float) -> Timeline:
        """The agent's statuses over the day: off, on at the start, off on each break, and
        off again when the shift ends."""
        changes: list[tuple[float, str]] = []
        if self.start > 0:
            changes.append((self.start, ON))
        for at, rest in zip(self.breaks, self.shift.breaks, strict=True):
            changes += [(at, rest.status), (at + rest.length, ON)]
        end = self.start + self.shift.length
        if end < day:
            changes.append((end, OFF))
        first = ON if self.start == 0 else OFF
        return first, tuple((at, status) for at, status in changes if at < day)


@dataclass(frozen=True, slots=True)
class Roster:
    chosen: list[tuple[Option, int]]  # the options taken and how many agents take each
    rostered: list[int]  # agents on and available per interval
    hours: float

    def timelines(self, day: float) -> list[Timeline]:
        return [option.timeline(day) for option, count in self.chosen for _ in range(count)]


def shift_options(forecast: Forecast) -> list[Option]:
    """Every way to work every template, with what it covers; :class:`PlanError` for a
    template whose times do not fall on interval boundaries."""
    options: list[Option] = []
    for shift in forecast.scenario.shifts:
        _check_aligned(shift, forecast.interval)
        for start in shift.starts:
            for breaks in itertools.product(*(b.after for b in shift.breaks)):
                at = tuple(start + after for after in breaks)
                options.append(Option(shift, start, at, _covers(forecast, shift, start, at)))
                if len(options) > MAX_OPTIONS:
                    raise PlanError("shifts", f"more than {MAX_OPTIONS:,} ways to work the "
                                    "shifts: fewer start or break times")  # fmt: skip
    return options


def _check_aligned(shift: ShiftTemplate, interval: float) -> None:
    where = f"shifts[{shift.index}]"
    checks = [(f"{where}.starts", s) for s in shift.starts] + [(f"{where}.length", shift.length)]
    for k, rest in enumerate(shift.breaks):
        checks += [(f"{where}.breaks[{k}].after", a) for a in rest.after]
        checks.append((f"{where}.breaks[{k}].length", rest.length))
    for key, seconds in checks:
        if abs(seconds / interval - round(seconds / interval)) > 1e-9:
            raise PlanError(key, f"{seconds:g} s is not a whole number of the plan's "
                            f"{interval:g}-second intervals")  # fmt: skip


def _covers(forecast: Forecast, shift: ShiftTemplate, start: float,
            breaks: tuple[float, ...]) -> tuple[int, ...]:  # fmt: skip
    step = forecast.interval
    first, last = round(start / step), round((start + shift.length) / step)
    away = {round(at / step) + k for at, rest in zip(breaks, shift.breaks, strict=True)
            for k in range(round(rest.length / step))}  # fmt: skip
    return tuple(int(first <= i < last and i not in away) for i in range(forecast.intervals))


def cover(forecast: Forecast, need: Sequence[int], options: Sequence[Option]) -> Roster:
    """The fewest agent-hours of shifts covering ``need``; :class:`PlanError` naming the
    intervals left short (and by how much) when the shifts cannot."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_opt, n_int = len(options), forecast.intervals
    if n_opt == 0:
        raise PlanError("shifts", "no [[shifts]] to roster on")
    hours = np.array([o.hours for o in options])
    penalty = (hours.sum() + 1.0) * 1_000.0  # any shortfall costs more than every shift
    cost = np.concatenate([hours, np.full(n_int, penalty)])
    coverage = np.array([o.covers for o in options], dtype=float).T  # intervals x options
    rows = [LinearConstraint(np.hstack([coverage, np.eye(n_int)]), lb=np.array(need, float))]
    capped = [s for s in forecast.scenario.shifts if s.max_agents is not None]
    if capped:
        caps = np.array([[float(o.shift.id == s.id) for o in options] + [0.0] * n_int
                         for s in capped])  # fmt: skip
        rows.append(LinearConstraint(caps, ub=np.array([s.max_agents for s in capped], float)))
    solved = milp(cost, constraints=rows, integrality=np.ones(n_opt + n_int),
                  bounds=Bounds(0, np.inf), options={"time_limit": SOLVE_SECONDS})  # fmt: skip
    if solved.x is None:
        raise PlanError("shifts", f"the integer program found no roster ({solved.message})")
    counts = [round(v) for v in solved.x[:n_opt]]
    short = [round(v) for v in solved.x[n_opt:]]
    if any(short):
        raise PlanError("shifts", _shortfall(forecast, need, options, short))
    chosen = [(o, c) for o, c in zip(options, counts, strict=True) if c]
    rostered = [sum(o.covers[i] * c for o, c in chosen) for i in range(n_int)]
    return Roster(chosen=chosen, rostered=rostered, hours=sum(o.hours * c for o, c in chosen))


def _shortfall(forecast: Forecast, need: Sequence[int], options: Sequence[Option],
               short: Sequence[int]) -> str:  # fmt: skip
    """What cannot be covered. An interval whose need exceeds the most agents the shifts can
    put in it at all (each capped template's max_agents, unbounded where one without a cap
    covers it) is short by the difference, whatever the roster; if none is, the caps cannot
    serve all intervals at once and the total is what is certain."""
    most: list[float] = []
    for i in range(forecast.intervals):
        covering = {o.shift.id: o.shift.max_agents for o in options if o.covers[i]}
        most.append(float("inf") if None in covering.values()
                    else sum(c or 0 for c in covering.values()))  # fmt: skip
    alone = [(i, need[i] - int(m)) for i, m in enumerate(most) if m < need[i]]
    if alone:
        where = ", ".join(f"{forecast.label(i)} by {gap}" for i, gap in alone)
        return (f"cannot cover the requirement: short in {where} (agents no shift can "
                "put there; add start times, or raise max_agents)")  # fmt: skip
    return (
        f"cannot cover the requirement in every interval at once: max_agents leaves "
        f"{sum(short)} agent-intervals short in all (raise max_agents, or add shifts)"
    )
