"""Every query of the controller (sqlmodel on SQLAlchemy 2), with the store's schema re-exported.

The event path runs in SQL Core with statements built once per dialect
(:mod:`pcc_router.api.store.statements`); configuration and reads use the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from pcc_router.api.store.project import (
    StoredState,
    agent_snapshot,
    agent_spec,
    load_project,
    load_state,
    log_position,
    save_group,
    save_number,
    save_project,
    save_queue,
    seed_project,
)
from pcc_router.api.store.records import CallWrite, LogEntry
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
    "CallWrite",
    "LogEntry",
    "StoredState",
    "agent_snapshot",
    "agent_spec",
    "log_position",
    "load_project",
    "load_state",
    "save_group",
    "save_number",
    "save_project",
    "save_queue",
    "seed_project",
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


def open_call_count(session: Session) -> tuple[int, float | None]:
    """How many calls are open, and when the one heard of longest ago was last heard of."""
    query = select(func.count(), func.min(CallRow.last_seen)).where(col(CallRow.is_open).is_(True))
    count, oldest = session.exec(query).one()
    return int(count or 0), oldest


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


def events_after(session: Session, position: int) -> list[EventRow]:
    """Log rows after ``position``, in the log's order; one cheap probe when there are none."""
    if run(session, "newer_event", {"last": position}).first() is None:
        return []
    query = select(EventRow).where(col(EventRow.seq) > position).order_by(col(EventRow.seq))
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


def append_log(session: Session, entries: Sequence[LogEntry]) -> tuple[int, int]:
    """Append rows to the event log at the next positions; ``(before, last)``: the
    position the log was at before them, and theirs.

    Bumping the counter takes its row lock until the commit, so positions are
    given out in commit order, without gaps, whoever writes (the project's lock
    already serialises every unit; this makes the order the database's own).
    Keys were looked up under the project's lock: a key already there is an
    ``IntegrityError``, and the whole unit is rolled back.
    """
    run(session, "bump_seq", {"n": len(entries)})
    last = log_position(session)
    before = last - len(entries)
    params = [entry.params(seq=before + i + 1) for i, entry in enumerate(entries)]
    run(session, "append_log", params)
    return before, last


def save_calls(session: Session, calls: Sequence[CallWrite]) -> None:
    """Insert or update calls, in order: empty caller/callee, a None agent or queue keep
    what is stored, a closed call stays closed, the first ``queued_at`` and
    ``answered_at`` stay (:class:`CallWrite`)."""
    run(session, "save_call", [call.params() for call in calls])


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
