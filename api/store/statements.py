"""The event path's SQL, built once per dialect and run with bound parameters.

PCC events are the hot path: building a SQLAlchemy statement costs more than
running it on SQLite, so these are built once, run on the session's
connection without the ORM's unit of work, and the event log's unique key
still guards the insert.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select
from sqlmodel import Session

from pcc_router.api.store.tables import (
    AgentRow,
    CallMemoryRow,
    CallRow,
    EventRow,
    MarkRow,
    QueueStateRow,
    TimerRow,
)
from pcc_router.routing.agents import AGENT_ROW

__all__ = ["run"]


def _table(model: Any) -> Any:
    return model.__table__


def _insert(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _save_call(dialect: str) -> Any:
    calls = _table(CallRow)
    insert = _insert(dialect)(calls)
    new = insert.excluded

    def kept(column: str) -> Any:  # an empty new value keeps the stored one
        return func.coalesce(func.nullif(new[column], ""), calls.c[column])

    return insert.on_conflict_do_update(
        index_elements=["call_id"],
        set_={
            "status": kept("status"),
            "last_ts_ms": case(
                (new.last_ts_ms > calls.c.last_ts_ms, new.last_ts_ms), else_=calls.c.last_ts_ms
            ),
            "caller": kept("caller"),
            "callee": kept("callee"),
            "agent_id": func.coalesce(new.agent_id, calls.c.agent_id),
            "queue_id": func.coalesce(new.queue_id, calls.c.queue_id),
            "queued_at": func.coalesce(calls.c.queued_at, new.queued_at),  # the first stays
            "answered_at": func.coalesce(calls.c.answered_at, new.answered_at),
            "last_seen": new.last_seen,
            "is_open": and_(calls.c.is_open, new.is_open),  # a closed call stays closed
        },
    )


def _agent_update(**values: Any) -> Any:
    agents = _table(AgentRow)
    return agents.update().where(agents.c.stringee_user_id == bindparam("agent")).values(**values)


@functools.cache
def _statements(dialect: str) -> dict[str, Any]:
    events, calls, timers = _table(EventRow), _table(CallRow), _table(TimerRow)
    timer_insert = _insert(dialect)(timers)
    queue_insert = _insert(dialect)(_table(QueueStateRow))
    memory = _table(CallMemoryRow)
    memory_insert = _insert(dialect)(memory)
    marks = _table(MarkRow)
    log_seq = marks.c.name == "log_seq"
    return {
        # the counter's row lock, held to the commit, orders every writer of the log
        "bump_seq": marks.update().where(log_seq).values(value=marks.c.value + bindparam("n")),
        "log_seq": select(marks.c.value).where(log_seq),
        "known_calls": select(
            calls.c.call_id,
            calls.c.last_ts_ms,
            calls.c.agent_id,
            calls.c.queue_id,
            calls.c.is_open,
            calls.c.status,
        ).where(calls.c.call_id.in_(bindparam("ids", expanding=True))),
        "logged_keys": select(events.c.key).where(
            events.c.key.in_(bindparam("keys", expanding=True))
        ),
        "append_log": events.insert(),
        "save_call": _save_call(dialect),
        "close_call": calls.update()
        .where(calls.c.call_id == bindparam("call"))
        .values(status=bindparam("new_status"), is_open=False),
        "write_agent": _agent_update(**{name: bindparam(name) for name in AGENT_ROW}),
        "push_token": _agent_update(push_token=bindparam("value")),
        "put_timer": timer_insert.on_conflict_do_update(
            index_elements=["key"], set_={"at": timer_insert.excluded.at}
        ),
        "drop_timer": timers.delete().where(timers.c.key == bindparam("key")),
        "newer_event": select(events.c.seq).where(events.c.seq > bindparam("last")).limit(1),
        "put_rr_last": queue_insert.on_conflict_do_update(
            index_elements=["queue_id"], set_={"rr_last": queue_insert.excluded.rr_last}
        ),
        "put_memory": memory_insert.on_conflict_do_update(
            index_elements=["call_id"],
            set_={
                "queue_id": memory_insert.excluded.queue_id,
                "tries": memory_insert.excluded.tries,
            },
        ),
        "drop_memory": memory.delete().where(memory.c.call_id == bindparam("call")),
    }


def run(session: Session, name: str, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
    """Run the statement ``name`` on the session's connection (a list: once per item)."""
    connection = session.connection()
    return connection.execute(_statements(connection.dialect.name)[name], params)
