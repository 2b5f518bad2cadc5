"""Replaying the controller's event log offline: would the engine decide the same again?

From a project (a scenario file, or the configuration in the store), every
logged input is fed, in log order and at its logged time, to a fresh engine:
the engine events each row carries (PCC call events as the controller read
them, presence, agent changes, timer firings, calls closed as lost). At every
logged decision (an answer to ``get_list_agents_url``) the replayed ring
order of each call is compared with the one PCC was given, and the replay
reserves its own first agent, as the controller does. Replaying with a
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

from pcc_router.api.inputs import ring_seconds
from pcc_router.api.store.tables import EventRow
from pcc_router.routing import (
    AgentId,
    AgentRingStarted,
    CallId,
    Engine,
    Project,
    Strategy,
    decode_event,
)

__all__ = ["Decision", "ReplayReport", "replay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
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
    decisions: list[Decision] = field(default_factory=list)
    stopped_at: int | None = None  # the row the replay could not go past
    stopped_because: str = ""

    @property
    def divergences(self) -> list[Decision]:
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
        if row.kind == "decision":
            _decide(engine, row, json.loads(row.body), report)
            continue
        for stored in json.loads(row.events):
            engine.handle(decode_event(stored), row.received_at)
    return report


def _decide(engine: Engine, row: EventRow, body: dict[str, Any], report: ReplayReport) -> None:
    """Compare each call's order with the logged one; reserve the replay's first agent."""
    queue = body["queue"]
    orders = body.get("orders") or dict.fromkeys(body["calls"], body["order"])
    ring = ring_seconds(engine.answer_timeout(queue))
    for call_id, logged in orders.items():
        replayed = [str(a) for a in engine.ring_order(queue)]
        if engine.strategy(queue) is Strategy.RANDOM and set(replayed) == set(logged):
            replayed = list(logged)  # a random draw cannot be made again: same agents holds
        report.decisions.append(
            Decision(
                row_id=row.id or 0,
                at=row.received_at,
                queue=queue,
                call_id=call_id,
                logged=logged,
                replayed=replayed,
            )
        )
        if replayed:
            offer = AgentRingStarted(
                agent_id=AgentId(replayed[0]), call_id=CallId(call_id), until=row.received_at + ring
            )
            engine.handle(offer, row.received_at)
