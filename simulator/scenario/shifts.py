"""``[[shifts]]``: the shift templates a staffing plan rosters agents on.

A template says when a shift may start (offsets from the scenario's start,
as a list or a ``{ from, to, every }`` window), how long it is, the most
agents it may take, and its breaks, each at a fixed time after the shift's
start or anywhere in a window of such times. ``simulate`` and ``check`` read
and check the table and otherwise ignore it; ``pcc-router plan`` chooses how
many agents start on each shift (:mod:`pcc_router.simulator.plan.shifts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pcc_router.routing.durations import parse_duration
from pcc_router.simulator.scenario.schema import Fields, ScenarioError

__all__ = ["Break", "ShiftTemplate", "read_shifts"]

#: The manual status an agent on a break shows: PCC's (StringeeX's) names for the two kinds.
LUNCH_STATUS, SHORT_STATUS = "LUNCH BREAK", "SHORT BREAK"
#: Breaks this long or longer are lunch by default.
LUNCH_FROM = 1800.0
#: The most start times (or break times) one window may list.
MAX_TIMES = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """A break of ``length`` seconds starting one of ``after`` seconds after the shift starts."""

    after: tuple[float, ...]
    length: float
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftTemplate:
    id: str
    starts: tuple[float, ...]  # offsets from the scenario's start, sorted
    length: float
    breaks: tuple[Break, ...] = ()
    max_agents: int | None = None
    index: int = 0  # its place in the file, for messages: shifts[index]


def read_shifts(top: Fields, until: float | None) -> tuple[ShiftTemplate, ...]:
    tables = top.items("shifts")
    if tables and until is None:
        raise ScenarioError("shifts", "needs the scenario's until: shifts are placed in its day")
    shifts: list[ShiftTemplate] = []
    for index, table in enumerate(tables):
        shift = _read_shift(table, index, until or 0.0)
        if any(s.id == shift.id for s in shifts):
            raise ScenarioError(table.path("id"), f"shift {shift.id!r} is defined twice")
        shifts.append(shift)
        table.finish()
    return tuple(shifts)


def _read_shift(table: Fields, index: int, until: float) -> ShiftTemplate:
    shift_id = table.string("id", max_len=64)
    length = table.duration("length")
    if length <= 0:
        raise ScenarioError(table.path("length"), "must be longer than 0 s")
    starts = _read_times(table, "starts")
    late = [s for s in starts if s >= until]
    if late:
        raise ScenarioError(
            table.path("starts"), f"starts at {late[0]:g} s, not before the day's end ({until:g} s)"
        )
    max_agents = table.integer("max_agents", None, minimum=0)
    breaks = tuple(_read_break(b, length) for b in table.items("breaks"))
    return ShiftTemplate(id=shift_id, starts=starts, length=length, breaks=breaks,
                         max_agents=max_agents, index=index)  # fmt: skip


def _read_break(table: Fields, shift_length: float) -> Break:
    length = table.duration("length")
    if length <= 0:
        raise ScenarioError(table.path("length"), "must be longer than 0 s")
    after = _read_times(table, "after")
    if after[0] <= 0 or after[-1] + length >= shift_length:
        raise ScenarioError(table.path("after"), "a break starts after the shift starts and "
                            "ends before the shift ends")  # fmt: skip
    default = LUNCH_STATUS if length >= LUNCH_FROM else SHORT_STATUS
    status = table.string("status", default, max_len=64)
    if status == "AVAILABLE":
        raise ScenarioError(table.path("status"), "an agent on a break is not AVAILABLE")
    table.finish()
    return Break(after=after, length=length, status=status)


def _read_times(table: Fields, key: str) -> tuple[float, ...]:
    """A duration, a list of them, or a ``{ from, to, every }`` window (both ends in)."""
    if isinstance(table.raw(key), dict):
        window = table.sub(key)
        low, high, every = (window.duration(k) for k in ("from", "to", "every"))
        window.finish()
        if every <= 0 or high < low:
            raise ScenarioError(table.path(key), "a window needs from <= to and every > 0")
        count = int((high - low) / every + 1e-9) + 1
        if count > MAX_TIMES:
            raise ScenarioError(table.path(key), f"a window of {count} times; at most {MAX_TIMES}")
        return tuple(low + k * every for k in range(count))
    return table.convert(key, table.raw(key), _listed_times)


def _listed_times(value: object) -> tuple[float, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_TIMES:
        raise ValueError(f"expected 1 to {MAX_TIMES} times")
    times = sorted({parse_duration(item) for item in items})
    if times[0] < 0:
        raise ValueError("times count from the start: none is negative")
    return tuple(times)
