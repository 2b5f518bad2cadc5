"""Every query of the controller (sqlmodel on SQLAlchemy 2), with the store's schema re-exported.

The event path runs in SQL Core with statements built once per dialect
(:mod:`pcc_router.api.store.statements`); configuration and reads use the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from pcc_router.api.store.project import (
    StoredState,
    agent_snapshot,
    agent_spec,
    last_event_id,
    load_project,
    load_state,
    save_group,
    save_number,
    save_project,
    save_queue,
)
from pcc_router.api.store.schema import MIGRATIONS, Store, StoreError, serialise
from pcc_router.api.store.statements import run
from pcc_router.api.store.tables import (
    CallRow,
    CareSoftCallRow,
    EventRow,
    MarkRow,
    TimerRow,
)
from pcc_router.routing import (
    AgentId,
    AgentSnapshot,
    EngineChanges,
    PccCallMemory,
)

__all__ = [  # the project's functions too, so that callers need one module
    "MIGRATIONS",
    "StoredState",
    "agent_snapshot",
    "agent_spec",
    "last_event_id",
    "load_project",
    "load_state",
    "save_group",
    "save_number",
    "save_project",
    "save_queue",
    "KnownCall",
    "SQLModel",
    "Store",
    "StoreError",
    "select",
    "serialise",
]


# ------------------------------------------------------------------ reads


def call_events(session: Session, call_id: str) -> list[EventRow]:
    query = select(EventRow).where(EventRow.call_id == call_id).order_by(col(EventRow.id))
    return list(session.exec(query).all())


def event_seen(session: Session, key: str) -> bool:
    return session.exec(select(EventRow.id).where(EventRow.key == key)).first() is not None


def last_call_from(session: Session, caller: str) -> CallRow | None:
    """The caller's newest call (the one the controller heard of last)."""
    query = (
        select(CallRow)
        .where(CallRow.caller == caller)
        .order_by(col(CallRow.first_seen).desc(), col(CallRow.last_seen).desc())
    )
    return session.exec(query).first()


def open_calls(session: Session, queue_id: str) -> list[CallRow]:
    """Calls PCC put in the queue that are not yet answered or over."""
    query = select(CallRow).where(CallRow.queue_id == queue_id, col(CallRow.is_open).is_(True))
    return [call for call in session.exec(query).all() if call.status != "answered"]


def stale_calls(session: Session, *, silent_since: float, limit: int = 500) -> list[CallRow]:
    """Open calls not heard of since ``silent_since``, oldest first."""
    query = (
        select(CallRow)
        .where(col(CallRow.is_open).is_(True), col(CallRow.last_seen) < silent_since)
        .order_by(col(CallRow.last_seen))
        .limit(limit)
    )
    return list(session.exec(query).all())


def timers(session: Session) -> list[TimerRow]:
    return list(session.exec(select(TimerRow)).all())


def timer_due(session: Session, key: str) -> bool:
    return session.get(TimerRow, key) is not None


def stored_timers(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` are stored timers (not yet fired or cancelled anywhere)."""
    query = select(TimerRow.key).where(col(TimerRow.key).in_(keys))
    return set(session.exec(query).all())


def caresoft_call_by_call_id(session: Session, call_id: str) -> CareSoftCallRow | None:
    return session.exec(select(CareSoftCallRow).where(CareSoftCallRow.call_id == call_id)).first()


#: The store mark naming the newest event-log id pruned.
PRUNED_TO = "log_pruned_to"


def log_pruned_to(session: Session) -> int:
    """The newest event-log id pruned (0: none ever was)."""
    mark = session.get(MarkRow, PRUNED_TO)
    return mark.value if mark is not None else 0


def events_after(session: Session, last_id: int) -> list[EventRow]:
    """Log rows newer than ``last_id``, oldest first; one cheap probe when there are none."""
    if run(session, "newer_event", {"last": last_id}).first() is None:
        return []
    query = select(EventRow).where(col(EventRow.id) > last_id).order_by(col(EventRow.id))
    return list(session.exec(query).all())


# ------------------------------------------------ the event path, in SQL Core


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownCall:
    """What the store says of a call: the newest event applied, its agent, its queue."""

    last_ts_ms: int
    agent_id: str | None
    queue_id: str | None
    is_open: bool
    status: str


def known_calls(session: Session, call_ids: Iterable[str]) -> dict[str, KnownCall]:
    found = run(session, "known_calls", {"ids": sorted(set(call_ids))})
    return {
        row.call_id: KnownCall(
            last_ts_ms=row.last_ts_ms,
            agent_id=row.agent_id,
            queue_id=row.queue_id,
            is_open=bool(row.is_open),
            status=row.status,
        )
        for row in found
    }


def logged_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these idempotency keys the event log already holds."""
    return {row[0] for row in run(session, "logged_keys", {"keys": sorted(set(keys))})}


def append_log(session: Session, rows: list[dict[str, Any]]) -> int:
    """Append rows to the event log (one statement); the newest row's id.

    Keys were looked up under the project's lock: a key already there is an
    ``IntegrityError``, and the whole unit is rolled back.
    """
    defaults = {"events": "[]", "call_id": "", "ts_ms": 0, "applied": True}
    run(session, "append_log", [{**defaults, **row} for row in rows])
    return last_event_id(session)


def save_calls(session: Session, calls: list[dict[str, Any]]) -> None:
    """Insert or update calls, in order: empty caller/callee, a None agent or queue keep
    what is stored, a closed call stays closed.

    Each: ``call_id``, ``status``, ``last_ts_ms``, ``caller``, ``callee``,
    ``agent_id``, ``queue_id``, ``seen`` (now), ``is_open``; ``queued_at`` and
    ``answered_at`` when this input queued or answered it (the first is kept).
    """
    params = []
    for call in calls:
        values = {"queued_at": None, "answered_at": None, **call}
        seen = values.pop("seen")
        params.append({**values, "first_seen": seen, "last_seen": seen})
    run(session, "save_call", params)


def close_call(session: Session, call_id: str, status: str) -> None:
    run(session, "close_call", {"call": call_id, "new_status": status})


def write_agents(session: Session, snapshots: Mapping[AgentId, AgentSnapshot]) -> None:
    """One row update per agent: the engine's snapshot of her."""
    run(session, "write_agent", [_agent_params(a, s) for a, s in snapshots.items()])


def write_changes(session: Session, changes: EngineChanges) -> None:
    """The engine's state that changed in a unit: agents, round-robin positions, calls'
    memory (written in the engine's order, so that the store keeps it)."""
    if changes.agents:
        write_agents(session, changes.agents)
    if changes.rr_last:
        positions = [{"queue_id": q, "rr_last": p} for q, p in changes.rr_last.items()]
        run(session, "put_rr_last", positions)
    gone = [{"call": c} for c, m in changes.calls.items() if m is None]
    if gone:
        run(session, "drop_memory", gone)
    for memory in changes.calls.values():  # one at a time: a new row's seq follows the last
        if memory is not None:
            run(session, "put_memory", _memory_params(memory))


def _memory_params(memory: PccCallMemory) -> dict[str, Any]:
    return {
        "call_id": memory.call_id,
        "queue_id": memory.queue_id,
        "tries": json.dumps([list(pair) for pair in memory.tries]),
    }


def _agent_params(agent_id: str, snapshot: AgentSnapshot) -> dict[str, Any]:
    return {"agent": agent_id, **snapshot.as_row()}


def set_push_token(session: Session, agent_id: str, token: str | None) -> None:
    run(session, "push_token", {"agent": agent_id, "value": token})


def save_timers(session: Session, *, put: dict[str, float], drop: Iterable[str]) -> None:
    """Store timers (key, when) and forget others, each kind in one statement."""
    if put:
        run(session, "put_timer", [{"key": key, "at": at} for key, at in put.items()])
    dropped = [{"key": key} for key in drop]
    if dropped:
        run(session, "drop_timer", dropped)
