"""The views' own queries: agents' PCC ids, calls, the board's numbers, configuration deletes,
CareSoft calls.

Keyword-only functions that take the session (the full-stack template's
``crud.py``); "not found" is ``None``, and the views turn it into a 404. The
engine's event path is in :mod:`pcc_router.api.store.repo`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, text
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, col, select

from pcc_router.api.store import repo
from pcc_router.api.store.tables import (
    AgentRow,
    CallRow,
    CareSoftCallRow,
    EventRow,
    GroupRow,
    NumberRow,
    QueueRow,
)

__all__ = [
    "QueueDay",
    "agent_pcc_id",
    "queue_days",
    "agent_row",
    "caresoft_call",
    "delete_config",
    "new_caresoft_call",
    "ping",
    "record_caresoft_delivery",
    "remember_pcc_id",
    "set_sip_account",
    "sip_accounts",
    "save_pcc_agent",
    "call_record",
]

_TABLES: dict[str, type[SQLModel]] = {
    "agents": AgentRow,
    "groups": GroupRow,
    "queues": QueueRow,
    "numbers": NumberRow,
}


def ping(session: Session) -> None:
    """A query that needs the store to answer."""
    session.get(AgentRow, "")


def probe_write(session: Session) -> None:
    """A real write that changes nothing (a full disk, a read-only store fail it)."""
    session.execute(text("UPDATE schema_version SET version = version WHERE id = 1"))


def agent_row(session: Session, agent_id: str) -> AgentRow | None:
    return session.get(AgentRow, agent_id)


def agent_pcc_id(session: Session, agent_id: str) -> str | None:
    row = session.get(AgentRow, agent_id)
    return row.pcc_id if row is not None else None


def remember_pcc_id(session: Session, *, agent_id: str, pcc_id: str) -> None:
    row = session.get(AgentRow, agent_id)
    if row is not None:  # deleted meanwhile: nothing to remember it on
        row.pcc_id = pcc_id
        session.add(row)


def save_pcc_agent(
    session: Session,
    *,
    agent_id: str,
    pcc_id: str,
    name: str,
    manual_status: str,
    routing_type: int,
    phone_number: str,
) -> None:
    """An agent as PCC lists it: created, or updated keeping presence and what it does."""
    row = session.get(AgentRow, agent_id) or AgentRow(stringee_user_id=agent_id)
    row.pcc_id = pcc_id
    row.name = name or agent_id
    row.manual_status = manual_status or row.manual_status
    row.routing_type = routing_type
    row.phone_number = phone_number
    session.add(row)


def call_record(session: Session, call_id: str) -> tuple[CallRow | None, list[EventRow]]:
    """A call as applied, and its event-log rows in order."""
    return session.get(CallRow, call_id), repo.call_events(session, call_id)


def delete_config(session: Session, *, kind: str, ident: str) -> tuple[bool, AgentRow | None]:
    """Delete an agent, group, queue or number: ``(found, the agent's row as it was)``.

    An agent leaves its groups with it.
    """
    row = session.get(_TABLES[kind], ident)
    if row is None:
        return False, None
    gone = AgentRow.model_validate(row.model_dump()) if isinstance(row, AgentRow) else None
    session.delete(row)
    if kind == "agents":
        for group in session.exec(select(GroupRow)).all():
            members = json.loads(group.agents)
            if ident in members:
                group.agents = json.dumps([a for a in members if a != ident])
                session.add(group)
    return True, gone


def set_sip_account(session: Session, *, agent_id: str, username: str) -> None:
    row = session.get(AgentRow, agent_id)
    if row is not None:
        row.sip_account = username
        session.add(row)


def sip_accounts(session: Session) -> dict[str, str]:
    """The SIP phone accounts this controller created, by agent."""
    query = select(AgentRow.stringee_user_id, AgentRow.sip_account).where(
        col(AgentRow.sip_account).is_not(None)
    )
    return {user: str(account) for user, account in session.exec(query).all()}


def caresoft_call(session: Session, temp_id: str) -> CareSoftCallRow | None:
    return session.get(CareSoftCallRow, temp_id)


def new_caresoft_call(
    session: Session, *, temp_id: str, ipphone: str, phone: str, created: float
) -> bool:
    """Remember a click-to-call link's call; ``False`` when ``temp_id`` is taken."""
    if session.get(CareSoftCallRow, temp_id) is not None:
        return False
    session.add(CareSoftCallRow(temp_id=temp_id, ipphone=ipphone, phone=phone, created_at=created))
    return True


def record_caresoft_delivery(
    session: Session,
    *,
    key: str,
    text: str,
    data: Any,
    temp_id: str | None,
    call_id: str | None,
    status: str,
    received: float,
) -> dict[str, Any]:
    """Log a CareSoft webhook delivery once and match it to its call: the answer to send."""
    if repo.event_seen(session, key):
        return {"r": 0, "message": "duplicate"}
    session.add(
        EventRow(key=key, kind="caresoft", call_id=call_id or "", body=text, received_at=received)
    )
    call = session.get(CareSoftCallRow, temp_id) if temp_id else None
    if call is None and call_id:
        call = repo.caresoft_call_by_call_id(session, call_id)
    if call is None:
        return {"r": 0, "message": "stored; matches no temp_id or call_id"}
    history = json.loads(call.history)
    history.append({"received_at": received, "delivery": data})
    call.history, call.status = json.dumps(history), status
    call.call_id = call.call_id or call_id
    session.add(call)
    return {"r": 0, "message": "matched", "temp_id": call.temp_id}


@dataclass(frozen=True, slots=True)
class QueueDay:
    """One queue since a moment (the board's "today"): its calls, and those waiting now."""

    offered: int = 0
    answered: int = 0
    within_target: int = 0
    abandoned: int = 0
    wait_total: float = 0.0
    waiting: int = 0
    oldest_queued_at: float | None = None


def queue_days(session: Session, *, since: float, target: float) -> dict[str, QueueDay]:
    """Per queue: calls queued since ``since`` (answered, within ``target`` s, abandoned,
    the total wait of those answered) and the calls waiting now, oldest first."""
    waited = col(CallRow.answered_at) - col(CallRow.queued_at)
    answered = col(CallRow.answered_at).is_not(None)
    connection = session.connection()  # SQL Core: six aggregates in one statement
    day = connection.execute(
        sql_select(
            col(CallRow.queue_id),
            func.count(),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((answered & (waited <= target), 1), else_=0)),
            func.sum(case((~answered & ~col(CallRow.is_open), 1), else_=0)),
            func.coalesce(func.sum(case((answered, waited), else_=0.0)), 0.0),
        )
        .where(col(CallRow.queued_at) >= since, col(CallRow.queue_id).is_not(None))
        .group_by(col(CallRow.queue_id))
    ).all()
    waiting = connection.execute(
        sql_select(col(CallRow.queue_id), func.count(), func.min(col(CallRow.queued_at)))
        .where(col(CallRow.is_open), ~answered, col(CallRow.queued_at).is_not(None))
        .group_by(col(CallRow.queue_id))
    ).all()
    days: dict[str, QueueDay] = {}
    for queue_id, offered, ans, within, abandoned, wait_total in day:
        days[str(queue_id)] = QueueDay(
            int(offered),
            int(ans or 0),
            int(within or 0),
            int(abandoned or 0),
            float(wait_total or 0.0),
        )
    for queue_id, count, oldest in waiting:
        base = days.get(str(queue_id), QueueDay())
        days[str(queue_id)] = QueueDay(
            base.offered,
            base.answered,
            base.within_target,
            base.abandoned,
            base.wait_total,
            int(count),
            oldest,
        )
    return days
