"""Every query of the controller, behind one :class:`Store` (sqlmodel on SQLAlchemy 2).

SQLite (the default) runs in WAL mode with ``synchronous=NORMAL``: a commit is
durable across a process crash, and readers never block the writer.
PostgreSQL is reached through ``postgresql+psycopg://`` URLs.

Schema changes are numbered migrations applied at start, each in its own
transaction, recorded in ``schema_version``: a store made by an older
version is brought up to date, a newer one is refused.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, bindparam, event, func, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from api.store.config import number_from_json, number_to_json, queue_from_json, queue_to_json
from api.store.tables import (
    AgentRow,
    CallRow,
    CareSoftCallRow,
    EventRow,
    GroupRow,
    NumberRow,
    QueueRow,
    SchemaVersion,
    TimerRow,
)
from routing import (
    AgentHistory,
    AgentId,
    AgentSpec,
    Channel,
    GroupId,
    GroupSpec,
    Project,
    RoutingType,
)

__all__ = ["MIGRATIONS", "Store", "StoreError", "select"]


class StoreError(RuntimeError):
    """The store cannot be used (unknown URL, a schema newer than this code)."""


def _v1_create_tables(connection: Connection) -> None:
    SQLModel.metadata.create_all(connection)


def _v2_agent_pcc_id(connection: Connection) -> None:
    # v1 stores made before this column existed get it; fresh ones already have it.
    columns = {c["name"] for c in inspect(connection).get_columns("agents")}
    if "pcc_id" not in columns:
        connection.execute(text("ALTER TABLE agents ADD COLUMN pcc_id VARCHAR"))


_HISTORY_COLUMNS = {
    "idle_since": "FLOAT",
    "handled": "INTEGER NOT NULL DEFAULT 0",
    "talk_time": "FLOAT NOT NULL DEFAULT 0",
    "no_answers": "INTEGER NOT NULL DEFAULT 0",
    "consecutive_no_answers": "INTEGER NOT NULL DEFAULT 0",
}


def _v3_agent_history(connection: Connection) -> None:
    columns = {c["name"] for c in inspect(connection).get_columns("agents")}
    for name, kind in _HISTORY_COLUMNS.items():
        if name not in columns:
            connection.execute(text(f"ALTER TABLE agents ADD COLUMN {name} {kind}"))


#: Migration N (1-based) brings the schema from version N-1 to N. Append only.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_create_tables,
    _v2_agent_pcc_id,
    _v3_agent_history,
]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Store:
    """The database behind the controller; sessions are short and explicit."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url)
        except Exception as exc:  # SQLAlchemy's errors for a bad URL vary by dialect
            raise StoreError(f"DATABASE_URL {url!r} cannot be used: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    def migrate(self) -> int:
        """Apply pending migrations; return the schema version now in force."""
        with self.engine.begin() as connection:
            SchemaVersion.metadata.create_all(connection, tables=[SchemaVersion.__table__])  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            row = session.get(SchemaVersion, 1)
            version = row.version if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(f"the store's schema is version {version}, newer than this code")
        for number in range(version + 1, len(MIGRATIONS) + 1):
            with self.engine.begin() as connection:
                MIGRATIONS[number - 1](connection)
                with Session(connection) as session:
                    session.merge(SchemaVersion(id=1, version=number))
                    session.commit()
        return len(MIGRATIONS)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def close(self) -> None:
        self.engine.dispose()


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
        session.merge(GroupRow(id=group.id, agents=json.dumps(list(group.agents))))
    for queue in project.queues:
        session.merge(QueueRow(id=queue.id, spec=queue_to_json(queue)))
    for number in project.numbers:
        session.merge(NumberRow(number=number.number, spec=number_to_json(number)))


def load_project(session: Session, *, now: float) -> Project:
    agents = tuple(agent_spec(row, now) for row in session.exec(select(AgentRow)).all())
    groups = tuple(
        GroupSpec(id=GroupId(row.id), agents=tuple(AgentId(a) for a in json.loads(row.agents)))
        for row in session.exec(select(GroupRow)).all()
    )
    queues = tuple(
        queue_from_json(row.id, row.spec) for row in session.exec(select(QueueRow)).all()
    )
    numbers = tuple(
        number_from_json(row.number, row.spec) for row in session.exec(select(NumberRow)).all()
    )
    return Project(agents=agents, groups=groups, queues=queues, numbers=numbers)


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


# ------------------------------------------------------------------ events


def event_seen(session: Session, key: str) -> bool:
    return session.exec(select(EventRow.id).where(EventRow.key == key)).first() is not None


def call_events(session: Session, call_id: str) -> list[EventRow]:
    query = select(EventRow).where(EventRow.call_id == call_id).order_by(EventRow.id)  # type: ignore[arg-type]
    return list(session.exec(query).all())


def last_call_from(session: Session, caller: str) -> CallRow | None:
    return session.exec(select(CallRow).where(CallRow.caller == caller)).first()


def list_agents(session: Session) -> list[AgentRow]:
    return list(session.exec(select(AgentRow).order_by(AgentRow.stringee_user_id)).all())


def open_calls(session: Session, queue_id: str) -> list[CallRow]:
    """Calls PCC put in the queue that are not yet answered or over."""
    query = select(CallRow).where(CallRow.queue_id == queue_id)
    done = ("answered", "ended", "agentEnded")
    return [call for call in session.exec(query).all() if call.status not in done]


def timers(session: Session) -> list[TimerRow]:
    return list(session.exec(select(TimerRow)).all())


def caresoft_call_by_call_id(session: Session, call_id: str) -> CareSoftCallRow | None:
    return session.exec(select(CareSoftCallRow).where(CareSoftCallRow.call_id == call_id)).first()


# ------------------------------------------------ the event path, in SQL Core
# PCC events are the hot path: these statements are built once per dialect
# with bound parameters (building a statement costs more than running it on
# SQLite), run on the session's connection without the ORM's unit of work,
# and the event log's unique key does the duplicate check inside the insert.


@functools.cache
def _statements(dialect: str) -> dict[str, Any]:
    from sqlalchemy.dialects import postgresql, sqlite

    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    events = EventRow.__table__  # type: ignore[attr-defined]
    calls = CallRow.__table__  # type: ignore[attr-defined]
    agents = AgentRow.__table__  # type: ignore[attr-defined]
    timers = TimerRow.__table__  # type: ignore[attr-defined]
    call_insert = insert(calls)
    timer_insert = insert(timers)
    return {
        "call_state": select(calls.c.last_ts_ms, calls.c.agent_id, calls.c.queue_id).where(
            calls.c.call_id == bindparam("call_id")
        ),
        # RETURNING tells a skipped insert reliably; rowcount does not on every driver
        "log_event": insert(events)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(events.c.id),
        "save_call": call_insert.on_conflict_do_update(
            index_elements=["call_id"],
            set_={
                "status": call_insert.excluded.status,
                "last_ts_ms": call_insert.excluded.last_ts_ms,
                "caller": func.coalesce(
                    func.nullif(call_insert.excluded.caller, ""), calls.c.caller
                ),
                "callee": func.coalesce(
                    func.nullif(call_insert.excluded.callee, ""), calls.c.callee
                ),
                "agent_id": func.coalesce(call_insert.excluded.agent_id, calls.c.agent_id),
            },
        ),
        "agent_status": agents.update()
        .where(agents.c.stringee_user_id == bindparam("agent"))
        .values(system_status=bindparam("value")),
        "agent_manual": agents.update()
        .where(agents.c.stringee_user_id == bindparam("agent"))
        .values(manual_status=bindparam("value")),
        "agent_call": agents.update()
        .where(agents.c.stringee_user_id == bindparam("agent"))
        .values(call_id=bindparam("value")),
        "put_timer": timer_insert.on_conflict_do_update(
            index_elements=["key"], set_={"at": timer_insert.excluded.at}
        ),
        "drop_timer": timers.delete().where(timers.c.key == bindparam("key")),
        "newer_event": select(events.c.id).where(events.c.id > bindparam("last")).limit(1),
        "agent_history": agents.update()
        .where(agents.c.stringee_user_id == bindparam("agent"))
        .values(
            idle_since=bindparam("idle_since"),
            handled=bindparam("handled"),
            talk_time=bindparam("talk_time"),
            no_answers=bindparam("no_answers"),
            consecutive_no_answers=bindparam("consecutive_no_answers"),
        ),
    }


def _run(session: Session, name: str, params: dict[str, Any]) -> Any:
    connection = session.connection()
    return connection.execute(_statements(connection.dialect.name)[name], params)


def call_state(session: Session, call_id: str) -> Any:
    """``(last_ts_ms, agent_id, queue_id)`` of a call, or ``None``."""
    return _run(session, "call_state", {"call_id": call_id}).first()


def log_event(session: Session, **values: Any) -> int | None:
    """Append to the event log; its id, or ``None`` if that key is already there."""
    row = _run(session, "log_event", values).first()
    return None if row is None else int(row[0])


#: One number for the whole project: inputs are applied one at a time across instances.
ADVISORY_LOCK = 72_473_000_062


def serialise(session: Session) -> None:
    """Hold the project's write lock until the transaction ends (PostgreSQL).

    SQLite takes its database lock at the first write; several instances need
    PostgreSQL anyway.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def events_after(session: Session, last_id: int) -> list[EventRow]:
    """Log rows newer than ``last_id``, oldest first; one cheap probe when there are none."""
    if _run(session, "newer_event", {"last": last_id}).first() is None:
        return []
    query = select(EventRow).where(EventRow.id > last_id).order_by(EventRow.id)  # type: ignore[arg-type,operator]
    return list(session.exec(query).all())


def last_event_id(session: Session) -> int:
    return int(session.exec(select(func.max(EventRow.id))).one() or 0)


def save_call(
    session: Session,
    *,
    call_id: str,
    status: str,
    last_ts_ms: int,
    caller: str,
    callee: str,
    agent_id: str | None,
) -> None:
    """Insert or update a call; empty caller/callee and a None agent keep stored values."""
    _run(
        session,
        "save_call",
        {
            "call_id": call_id,
            "status": status,
            "last_ts_ms": last_ts_ms,
            "caller": caller,
            "callee": callee,
            "agent_id": agent_id,
        },
    )


def set_agent(session: Session, agent_id: str, field: str, value: Any) -> None:
    """``field`` is ``system_status``, ``manual_status`` or ``call_id``."""
    name = {
        "system_status": "agent_status",
        "manual_status": "agent_manual",
        "call_id": "agent_call",
    }[field]
    _run(session, name, {"agent": agent_id, "value": value})


def save_history(session: Session, agent_id: str, history: AgentHistory) -> None:
    _run(
        session,
        "agent_history",
        {
            "agent": agent_id,
            "idle_since": history.idle_since,
            "handled": history.handled,
            "talk_time": history.talk_time,
            "no_answers": history.no_answers,
            "consecutive_no_answers": history.consecutive_no_answers,
        },
    )


def load_history(session: Session) -> dict[AgentId, AgentHistory]:
    """Stored strategy memory, for agents that have any."""
    return {
        AgentId(row.stringee_user_id): AgentHistory(
            idle_since=row.idle_since,
            handled=row.handled,
            talk_time=row.talk_time,
            no_answers=row.no_answers,
            consecutive_no_answers=row.consecutive_no_answers,
        )
        for row in session.exec(select(AgentRow)).all()
        if row.idle_since is not None
    }


def put_timer(session: Session, key: str, at: float) -> None:
    _run(session, "put_timer", {"key": key, "at": at})


def drop_timer(session: Session, key: str) -> bool:
    result = _run(session, "drop_timer", {"key": key})
    return bool(cast(CursorResult[Any], result).rowcount)
