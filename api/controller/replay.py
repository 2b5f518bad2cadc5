"""Replaying the controller's event log offline: would the engine decide the same again?

From a project (a scenario file, or the configuration in the store), every
logged input is fed, in log order and at its logged time, to a fresh engine:
the engine events each row carries (PCC call events as the controller read
them, presence, agent changes, timer firings, calls closed as lost). At every
logged decision (an answer to ``get_list_agents_url``, logged as the engine
event that asked, :class:`AgentsRequested`, with its seed) the engine
decides again, reserving its own first agents as the controller does, and
each call's order is compared with the one PCC was given: the same draw for
a ``random`` queue, since the seed is in the event. Replaying with a
changed project (another strategy, other staffing) answers "what would we
have told PCC?".

The replay is exact between restarts and configuration changes: a
configuration row ends it (the project changed under the log), and so does a
restart, which the controller does not log. Rows written before schema 4
carry no engine events: the replay stops at the first one that needed them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pcc_router.api.store.tables import EventRow
from pcc_router.routing import (
    AgentsRequested,
    CallId,
    Engine,
    Event,
    OfferAgents,
    Project,
    QueueId,
    Strategy,
    decode_event,
)

__all__ = ["ReplayedDecision", "ReplayReport", "replay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayedDecision:
    """One ring order the log recorded, beside the one the engine gives again."""

    row_id: int
    at: float
    queue: str
    call_id: str
    logged: list[str]
    replayed: list[str]

    @property
    def same(self) -> bool:
        return self.logged == self.replayed


@dataclass
class ReplayReport:
    decisions: list[ReplayedDecision] = field(default_factory=list)
    stopped_at: int | None = None  # the row the replay could not go past
    stopped_because: str = ""

    @property
    def divergences(self) -> list[ReplayedDecision]:
        return [d for d in self.decisions if not d.same]


#: Inputs that always mean engine events: an empty list marks a row from before schema 4.
_ALWAYS_EVENTS = ("presence", "agent", "timer", "expire")


def replay(
    project: Project, rows: Iterable[EventRow], *, start: float | None = None
) -> ReplayReport:
    """Feed the log to a fresh engine built from ``project``; compare every decision."""
    rows = list(rows)
    first = start if start is not None else (rows[0].received_at if rows else 0.0)
    engine = Engine(project, rng=random.Random(0), start=first)
    report = ReplayReport()
    for row in rows:
        if row.kind == "config":
            report.stopped_at, report.stopped_because = row.id, "the configuration changed there"
            break
        if row.kind in _ALWAYS_EVENTS and row.events == "[]":
            report.stopped_at, report.stopped_because = row.id, "it was logged before schema 4"
            break
        events = [decode_event(stored) for stored in json.loads(row.events)]
        if row.kind == "decision":
            _decide(engine, row, events, report)
            continue
        for event in events:
            engine.handle(event, row.received_at)
    return report


def _decide(engine: Engine, row: EventRow, events: list[Event], report: ReplayReport) -> None:
    """Decide again and compare each call's order with the one PCC was given."""
    body: dict[str, Any] = json.loads(row.body)
    queue = body["queue"]
    logged: dict[str, list[str]] = body.get("orders") or dict.fromkeys(body["calls"], body["order"])
    request = next((e for e in events if isinstance(e, AgentsRequested)), None)
    if request is None:  # a decision logged before decisions were events: the same request
        calls = tuple(CallId(c) for c in logged)
        request = AgentsRequested(queue_id=QueueId(queue), call_ids=calls)
        random_draw = engine.strategy(queue) is Strategy.RANDOM  # no seed was kept
    else:
        random_draw = False
    for command in engine.handle(request, row.received_at):
        if not isinstance(command, OfferAgents):
            continue
        replayed = [str(a) for a in command.agents]
        told = logged.get(command.call_id, [])
        if random_draw and set(replayed) == set(told):
            replayed = list(told)  # an old random draw cannot be made again: same agents holds
        report.decisions.append(
            ReplayedDecision(
                row_id=row.id or 0,
                at=row.received_at,
                queue=queue,
                call_id=command.call_id,
                logged=told,
                replayed=replayed,
            )
        )
