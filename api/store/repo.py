"""Every query of the controller (sqlmodel on SQLAlchemy 2), with the store's schema re-exported.

The event path runs in SQL Core with statements built once per dialect
(:mod:`pcc_router.api.store.statements`); configuration and reads use the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, func
from sqlmodel import Session, SQLModel, col, select

from pcc_router.api.store.schema import MIGRATIONS, Store, StoreError, serialise
from pcc_router.api.store.statements import run
from pcc_router.api.store.tables import (
    AgentRow,
    CallRow,
    CareSoftCallRow,
    EventRow,
    GroupRow,
    NumberRow,
    QueueRow,
    TimerRow,
)
from pcc_router.routing import (
    AgentHistory,
    AgentId,
    AgentSnapshot,
    AgentSpec,
    CallId,
    Channel,
    GroupSpec,
    NumberSpec,
    Project,
    QueueSpec,
    RoutingType,
)
from pcc_router.routing.fields import Fields
from pcc_router.routing.projects import (
    number_to_dict,
    queue_to_dict,
    read_group,
    read_number,
    read_queue,
)

__all__ = [
    "MIGRATIONS",
    "KnownCall",
    "SQLModel",
    "StoredState",
    "Store",
    "StoreError",
    "select",
    "serialise",
]

T = TypeVar("T")

#: A call in one of these is over.
CLOSED = ("ended", "agentEnded", "expired")


# ------------------------------------------------------------------ config


def save_project(session: Session, project: Project) -> None:
    """Upsert every agent, group, queue and number of the project."""
    for agent in project.agents:
        row = session.get(AgentRow, agent.stringee_user_id) or AgentRow(
            stringee_user_id=agent.stringee_user_id
        )
        row.name = agent.name or agent.stringee_user_id
        row.phone_number = agent.phone_number
        row.routing_type = int(agent.routing_type)
        row.manual_status = agent.manual_status
        row.app = Channel.APP in agent.online
        row.push_token = "scenario" if Channel.PUSH in agent.online else None
        row.sip_expires = float("inf") if Channel.SIP in agent.online else None
        session.add(row)
    for group in project.groups:
        save_group(session, group)
    for queue in project.queues:
        save_queue(session, queue)
    for number in project.numbers:
        save_number(session, number)


def save_group(session: Session, group: GroupSpec) -> None:
    session.merge(GroupRow(id=group.id, agents=json.dumps(list(group.agents))))


def save_queue(session: Session, queue: QueueSpec) -> None:
    """A queue row: its fields in the project format (:mod:`pcc_router.routing.projects`)."""
    session.merge(QueueRow(id=queue.id, spec=json.dumps(queue_to_dict(queue))))


def save_number(session: Session, number: NumberSpec) -> None:
    session.merge(NumberRow(number=number.number, spec=json.dumps(number_to_dict(number))))


def load_project(session: Session, *, now: float) -> Project:
    """The project the store holds, read with the project format's codec.

    References (a queue's groups, a number's queue) are left to
    :meth:`Project.check`: a change that breaks them is a :class:`ConfigError`.
    """
    agents = tuple(agent_spec(row, now) for row in session.exec(select(AgentRow)).all())
    groups = tuple(
        read_group(Fields({"id": row.id, "agents": json.loads(row.agents)}), agent_ids=None)
        for row in session.exec(select(GroupRow)).all()
    )
    queues = tuple(
        _stored(row.id, row.spec, lambda f: read_queue(f, group_ids=None, queue_ids=None))
        for row in session.exec(select(QueueRow)).all()
    )
    numbers = tuple(
        _stored(row.number, row.spec, lambda f: read_number(f, queue_ids=None), key="number")
        for row in session.exec(select(NumberRow)).all()
    )
    return Project(agents=agents, groups=groups, queues=queues, numbers=numbers)


def _stored(ident: str, text: str, read: Callable[[Fields], T], *, key: str = "id") -> T:
    """A queue or number row: its id from the row, the rest from its JSON (schema 4 or older)."""
    fields = Fields({**json.loads(text), key: ident}, f"{key} {ident!r} in the store")
    value = read(fields)
    fields.finish()
    return value


def agent_spec(row: AgentRow, now: float) -> AgentSpec:
    online = set()
    if row.app:
        online.add(Channel.APP)
    if row.push_token:
        online.add(Channel.PUSH)
    if row.sip_expires is not None and row.sip_expires > now:
        online.add(Channel.SIP)
    return AgentSpec(
        stringee_user_id=AgentId(row.stringee_user_id),
        name=row.name,
        phone_number=row.phone_number,
        routing_type=RoutingType(row.routing_type),
        manual_status=row.manual_status,
        online=frozenset(online),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredState:
    """Everything an engine is rebuilt from, read in one transaction."""

    project: Project
    #: The engine's snapshot of each agent that has one (agents new since have none).
    snapshots: dict[AgentId, AgentSnapshot]
    agents: list[AgentRow]
    timers: list[TimerRow]
    last_id: int


def load_state(session: Session, *, now: float) -> StoredState:
    agents = list_agents(session)
    return StoredState(
        project=load_project(session, now=now),
        snapshots={
            AgentId(row.stringee_user_id): agent_snapshot(row)
            for row in agents
            if row.idle_since is not None
        },
        agents=agents,
        timers=timers(session),
        last_id=last_event_id(session),
    )


def agent_snapshot(row: AgentRow) -> AgentSnapshot:
    return AgentSnapshot(
        manual_status=row.manual_status,
        routing_type=row.routing_type,
        phone_number=row.phone_number,
        app=row.app,
        push=bool(row.push_token),
        sip_expires=row.sip_expires,
        activity=row.activity,
        call_id=CallId(row.call_id) if row.call_id else None,
        call_since=row.call_since,
        until=row.until,
        answered_at=row.answered_at,
        history=AgentHistory(
            idle_since=row.idle_since if row.idle_since is not None else 0.0,
            handled=row.handled,
            talk_time=row.talk_time,
            no_answers=row.no_answers,
            consecutive_no_answers=row.consecutive_no_answers,
        ),
    )


# ------------------------------------------------------------------ reads


def list_agents(session: Session) -> list[AgentRow]:
    return list(session.exec(select(AgentRow).order_by(col(AgentRow.stringee_user_id))).all())


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


def caresoft_call_by_call_id(session: Session, call_id: str) -> CareSoftCallRow | None:
    return session.exec(select(CareSoftCallRow).where(CareSoftCallRow.call_id == call_id)).first()


def events_after(session: Session, last_id: int) -> list[EventRow]:
    """Log rows newer than ``last_id``, oldest first; one cheap probe when there are none."""
    if run(session, "newer_event", {"last": last_id}).first() is None:
        return []
    query = select(EventRow).where(col(EventRow.id) > last_id).order_by(col(EventRow.id))
    return list(session.exec(query).all())


def last_event_id(session: Session) -> int:
    return int(session.exec(select(func.max(EventRow.id))).one() or 0)


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
    ``agent_id``, ``queue_id``, ``seen`` (now), ``is_open``.
    """
    params = []
    for call in calls:
        values = dict(call)
        seen = values.pop("seen")
        params.append({**values, "first_seen": seen, "last_seen": seen})
    run(session, "save_call", params)


def close_call(session: Session, call_id: str, status: str) -> None:
    run(session, "close_call", {"call": call_id, "new_status": status})


def write_agents(session: Session, snapshots: Mapping[AgentId, AgentSnapshot]) -> None:
    """One row update per agent: the engine's snapshot of her."""
    run(session, "write_agent", [_agent_params(a, s) for a, s in snapshots.items()])


def _agent_params(agent_id: str, snapshot: AgentSnapshot) -> dict[str, Any]:
    history = snapshot.history
    return {
        "agent": agent_id,
        "manual_status": snapshot.manual_status,
        "routing_type": snapshot.routing_type,
        "phone_number": snapshot.phone_number,
        "system_status": snapshot.system_status,
        "call_id": snapshot.call_id,
        "app": snapshot.app,
        "sip_expires": snapshot.sip_expires,
        "activity": snapshot.activity,
        "until": snapshot.until,
        "call_since": snapshot.call_since,
        "answered_at": snapshot.answered_at,
        "idle_since": history.idle_since,
        "handled": history.handled,
        "talk_time": history.talk_time,
        "no_answers": history.no_answers,
        "consecutive_no_answers": history.consecutive_no_answers,
    }


def set_push_token(session: Session, agent_id: str, token: str | None) -> None:
    run(session, "push_token", {"agent": agent_id, "value": token})


def save_timers(session: Session, *, put: dict[str, float], drop: Iterable[str]) -> None:
    """Store timers (key, when) and forget others, each kind in one statement."""
    if put:
        run(session, "put_timer", [{"key": key, "at": at} for key, at in put.items()])
    dropped = [{"key": key} for key in drop]
    if dropped:
        run(session, "drop_timer", dropped)


def drop_timer(session: Session, key: str) -> bool:
    result = run(session, "drop_timer", {"key": key})
    return bool(cast(CursorResult[Any], result).rowcount)
