"""Replaying the controller's event log offline: would the engine decide the same again?

From a project (a scenario file, or the configuration in the store), every
logged input is fed, in log order and at its logged time, to a fresh engine:
PCC call events, presence, agent changes, timer firings. At every logged
decision (an answer to ``get_list_agents_url``) the replayed ring order is
compared with the one PCC was given. Which agent and which queue a call
belongs to are derived from the log itself, not from the store's current
state. Replaying with a changed project (another strategy, other staffing)
answers "what would we have told PCC?".

The replay is exact between restarts and configuration changes: a
configuration row ends it (the project changed under the log), and so does a
restart, which the controller does not log.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.calls import BUSY, PccEvent, agent_of, call_events
from api.store.tables import EventRow
from routing import (
    AgentId,
    AgentUpdated,
    Channel,
    Engine,
    Event,
    PresenceChanged,
    Project,
    Strategy,
    TimerFired,
)

__all__ = ["Decision", "ReplayReport", "replay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    row_id: int
    at: float
    queue: str
    logged: list[str]
    replayed: list[str]

    @property
    def same(self) -> bool:
        return self.logged == self.replayed


@dataclass
class ReplayReport:
    decisions: list[Decision] = field(default_factory=list)
    stopped_at: int | None = None  # the configuration row the replay could not go past

    @property
    def divergences(self) -> list[Decision]:
        return [d for d in self.decisions if not d.same]


@dataclass
class _Calls:
    """What the log says about each call: its agent and its queue."""

    agent: dict[str, str] = field(default_factory=dict)
    queue: dict[str, str] = field(default_factory=dict)


def replay(
    project: Project, rows: Iterable[EventRow], *, start: float | None = None
) -> ReplayReport:
    """Feed the log to a fresh engine built from ``project``; compare every decision."""
    rows = list(rows)
    first = start if start is not None else (rows[0].received_at if rows else 0.0)
    engine = Engine(project, rng=random.Random(0), start=first)
    users = {str(a.stringee_user_id) for a in project.agents}
    phones = {a.phone_number: str(a.stringee_user_id) for a in project.agents if a.phone_number}
    calls = _Calls()
    report = ReplayReport()
    for row in rows:
        body = json.loads(row.body)
        if row.kind == "config":
            report.stopped_at = row.id
            break
        if row.kind == "decision":
            for call_id in body["calls"]:
                calls.queue[call_id] = body["queue"]
            replayed = [str(a) for a in engine.ring_order(body["queue"])]
            logged = body["order"]
            if engine.strategy(body["queue"]) is Strategy.RANDOM and set(replayed) == set(logged):
                replayed = list(logged)  # a random draw cannot be made again: same agents holds
            report.decisions.append(
                Decision(
                    row_id=row.id or 0,
                    at=row.received_at,
                    queue=body["queue"],
                    logged=body["order"],
                    replayed=replayed,
                )
            )
            continue
        for event in _events(row, body, engine, calls, users, phones):
            engine.handle(event, row.received_at)
    return report


def _events(
    row: EventRow,
    body: dict[str, Any],
    engine: Engine,
    calls: _Calls,
    users: set[str],
    phones: dict[str, str],
) -> list[Event]:
    if row.kind == "presence":
        return [
            PresenceChanged(
                agent_id=AgentId(body["agent"]),
                channel=Channel(body["channel"]),
                present=body["present"],
                expires_at=body["expires_at"],
            )
        ]
    if row.kind == "agent":
        changes = body["changes"]
        if "phone_number" in changes:
            for number in [n for n, a in phones.items() if a == body["agent"]]:
                del phones[number]
            if changes["phone_number"]:
                phones[changes["phone_number"]] = body["agent"]
        return [AgentUpdated(agent_id=AgentId(body["agent"]), **changes)]
    if row.kind == "timer":
        return [TimerFired(key=body["key"])]
    if row.kind != "pcc" or not row.applied:
        return []
    event = PccEvent.from_logged(body)
    agent = agent_of(event, users, phones) or calls.agent.get(event.call_id)
    if agent is not None and event.call_status in BUSY:
        calls.agent[event.call_id] = agent

    def only_queue(agent_id: str) -> str | None:
        mine = [q for q in engine.queue_ids() if agent_id in engine.members(q)]
        return mine[0] if len(mine) == 1 else None

    return call_events(event, agent, calls.queue.get(event.call_id), only_queue=only_queue)
