"""What a run measured: per-call records and the contract's KPIs.

The recorder is fed from the engine's commands as the run executes them. A
call's record lives only while the call does; when it closes, it is folded
into the counters (and kept only when the run keeps calls, or an
``[[expect]]`` names it), so a summary run holds no per-call list.

Definitions (``docs/scenarios.md`` has the long form):
- *offered*: calls that entered a queue (a call sent on by overflow counts once);
- *wait*: from first entering a queue to the answer; ``asa`` is its mean over
  answered calls, ``wait_pNN`` its percentiles (nearest rank, from a 0.1 s
  histogram);
- *service_level_20s*: calls answered within 20 s of entering / offered;
- *abandon_rate*: calls whose caller hung up after entering a queue / offered;
- *occupancy*: talk time / staffed agent time (time an agent was available
  and reachable, or busy ringing, talking or in wrap-up);
- *fairness*: coefficient of variation and max/min of calls handled and of
  talk time, over the agents who were staffed at some point.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pcc_router.routing import AgentStats
from pcc_router.simulator.measures import LoadCurve, WaitHistogram, fairness

__all__ = ["KPI_NAMES", "CallRecord", "Recorder", "Ring", "agent_rows"]

KPI_NAMES = ("offered", "answered", "abandoned", "queue_timeout", "queue_full", "asa",
             "service_level_20s", "abandon_rate", "occupancy", "mean_talk",
             "wait_p50", "wait_p90", "wait_p99", "fairness_calls_cv", "fairness_calls_max_min",
             "fairness_talk_cv", "fairness_talk_max_min")  # fmt: skip
INTERVAL = 900.0
SERVICE_TARGET = 20.0


@dataclass(slots=True)
class Ring:
    agent: str
    at: float
    outcome: str | None = None


class CallRecord:
    __slots__ = (
        "answered_at",
        "answered_by",
        "arrived",
        "ended_at",
        "entered",
        "id",
        "outcome",
        "queue",
        "rang",
    )  # fmt: skip

    def __init__(self, call_id: str, arrived: float) -> None:
        self.id = call_id
        self.arrived = arrived
        self.queue: str | None = None
        self.entered: float | None = None
        self.rang: list[Ring] | None = []
        self.answered_by: str | None = None
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.outcome = "waiting"

    @property
    def wait(self) -> float | None:
        """Seconds from entering a queue to the answer, or to leaving unanswered."""
        if self.entered is None:
            return None
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return None if end is None else end - self.entered

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "arrived": _r(self.arrived),
            "queue": self.queue,
            "rang": [
                {"agent": r.agent, "at": _r(r.at), "outcome": r.outcome} for r in self.rang or ()
            ],
            "answered_by": self.answered_by,
            "answered_at": _r(self.answered_at),
            "ended_at": _r(self.ended_at),
            "outcome": self.outcome,
        }


#: A call record's attributes (its ``__slots__``, which a compiled class does not keep).
_CALL_RECORD_FIELDS = (
    "id", "arrived", "queue", "entered", "rang", "answered_by", "answered_at", "ended_at",
    "outcome",
)  # fmt: skip


def _rebuild_call_record(values: dict[str, Any]) -> CallRecord:
    record = CallRecord(values["id"], values["arrived"])
    for name, value in values.items():
        setattr(record, name, value)
    return record


def _reduce_call_record(
    record: CallRecord,
) -> tuple[Callable[[dict[str, Any]], CallRecord], tuple[dict[str, Any]]]:
    return _rebuild_call_record, ({name: getattr(record, name) for name in _CALL_RECORD_FIELDS},)


def register_call_records() -> None:
    """Pickle a call record by its constructor, as the dataclasses are (it is not one: its
    ``__init__`` takes the two values every record starts with)."""
    copyreg.pickle(CallRecord, _reduce_call_record)


@dataclass(slots=True)
class _Interval:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within_target: int = 0
    wait_sum: float = 0.0


def _end_ring(record: CallRecord, agent_id: str, outcome: str) -> None:
    """The outcome of the agent's open ring for the call, when its history is kept."""
    for ring in reversed(record.rang or ()):
        if ring.agent == agent_id and ring.outcome is None:
            ring.outcome = outcome
            return


@dataclass(slots=True)
class Recorder:
    keep_calls: bool = True
    watched: frozenset[str] = frozenset()
    live: dict[str, CallRecord] = field(default_factory=dict)
    kept: list[CallRecord] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    waits: WaitHistogram = field(default_factory=WaitHistogram)
    load: LoadCurve = field(default_factory=LoadCurve)
    intervals: dict[int, _Interval] = field(default_factory=dict)
    offered: int = 0
    talk_sum: float = 0.0
    talk_n: int = 0

    def arrived(self, call_id: str, at: float) -> None:
        record = CallRecord(call_id, at)
        if not self.keep_calls and call_id not in self.watched:
            record.rang = None  # a summary run needs no ring history of this call
        self.live[call_id] = record

    def queued(self, call_id: str, queue_id: str, at: float) -> None:
        record = self.live[call_id]
        record.queue = queue_id
        if record.entered is None:
            record.entered = at
            self.offered += 1
            self._interval(at).offered += 1
            self.load.change(+1, at)

    def rang(self, call_id: str, agent_id: str, at: float) -> None:
        rings = self.live[call_id].rang
        if rings is not None:
            rings.append(Ring(agent_id, at))

    def ring_ended(self, call_id: str, agent_id: str, outcome: str) -> None:
        _end_ring(self.live[call_id], agent_id, outcome)

    def answered(self, call_id: str, agent_id: str, at: float) -> None:
        record = self.live[call_id]
        if record.rang:  # a summary run keeps no ring history
            _end_ring(record, agent_id, "answered")
        record.answered_by = agent_id
        record.answered_at = at
        record.outcome = "talking"  # until it ends (seen mid-run: the emulator)
        assert record.entered is not None
        wait = at - record.entered
        self.waits.add(wait)
        self.load.change(-1, at)
        interval = self._interval(record.entered)
        interval.answered += 1
        interval.wait_sum += wait
        if wait <= SERVICE_TARGET:
            interval.within_target += 1

    def closed(self, call_id: str, outcome: str, queue_id: str | None, at: float) -> None:
        record = self.live.pop(call_id)
        record.ended_at = at
        record.outcome = outcome
        record.queue = record.queue or queue_id
        if record.answered_at is not None:
            self.talk_sum += at - record.answered_at
            self.talk_n += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if record.answered_at is None and record.entered is not None:
            self.load.change(-1, at)
        if outcome == "abandoned" and record.entered is not None:
            self._interval(record.entered).abandoned += 1
        if self.keep_calls or call_id in self.watched:
            self.kept.append(record)

    def _interval(self, at: float) -> _Interval:
        slot = int(at // INTERVAL)
        interval = self.intervals.get(slot)
        if interval is None:
            interval = self.intervals[slot] = _Interval()
        return interval

    def calls(self) -> list[CallRecord]:
        """Every kept call, closed or still waiting, in arrival order."""
        everything = [*self.kept, *self.live.values()]
        return sorted(everything, key=lambda r: (r.arrived, r.id))

    def kpis(self, agents: Sequence[AgentStats]) -> dict[str, object]:
        waits = self.waits
        answered = waits.count
        abandoned = sum(i.abandoned for i in self.intervals.values())
        within = sum(i.within_target for i in self.intervals.values())
        staffed = sum(a.staffed_time for a in agents)
        worked = [a for a in agents if a.staffed_time > 0]
        spread = fairness([a.handled for a in worked], [a.talk_time for a in worked])
        talk = sum(a.talk_time for a in agents)
        offered = self.offered
        return {
            "offered": offered,
            "answered": answered,
            "abandoned": abandoned,
            "queue_timeout": self.outcomes.get("queue_timeout", 0),
            "queue_full": self.outcomes.get("queue_full", 0),
            "asa": _r(waits.mean),
            "service_level_20s": _r(within / offered) if offered else None,
            "abandon_rate": _r(abandoned / offered) if offered else None,
            "occupancy": _r(talk / staffed) if staffed > 0 else None,
            "mean_talk": _r(self.talk_sum / self.talk_n) if self.talk_n else None,
            "wait_p50": _r(waits.percentile(0.50)),
            "wait_p90": _r(waits.percentile(0.90)),
            "wait_p99": _r(waits.percentile(0.99)),
            **{name: _r(value) for name, value in spread.items()},
        }

    def interval_rows(self) -> list[dict[str, object]]:
        if not self.intervals:
            return []
        rows: list[dict[str, object]] = []
        for slot in range(max(self.intervals) + 1):
            i = self.intervals.get(slot, _Interval())
            rows.append({
                "start": _r(slot * INTERVAL),
                "offered": i.offered,
                "answered": i.answered,
                "abandoned": i.abandoned,
                "asa": _r(i.wait_sum / i.answered) if i.answered else None,
                "service_level_20s": _r(i.within_target / i.offered) if i.offered else None,
            })  # fmt: skip
        return rows


def _r(value: float | None) -> float | None:
    """Round for output: six decimals keep the JSON stable and readable."""
    return None if value is None else round(value, 6)


def agent_rows(agents: Iterable[AgentStats]) -> list[dict[str, object]]:
    return [
        {
            "stringee_user_id": a.stringee_user_id,
            "handled": a.handled,
            "talk_time": _r(a.talk_time),
            "occupancy": _r(a.occupancy),
            "no_answers": a.no_answers,
            "manual_status": a.manual_status,
        }
        for a in agents
    ]
