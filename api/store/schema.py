"""The database behind the controller: connection, numbered migrations, and its locks.

SQLite (the default) runs in WAL mode with ``synchronous=NORMAL``: a commit is
durable across a process crash, and readers never block the writer.
PostgreSQL is reached through ``postgresql+psycopg://`` URLs.

Schema changes are numbered migrations applied at start, each in its own
transaction, recorded in ``schema_version``: a store made by an older version
is brought up to date, a newer one is refused. On PostgreSQL they run under an
advisory lock, so that instances started together on an empty database do not
race to create the same tables.

Every unit of work takes the project's write lock first (:func:`serialise`):
a PostgreSQL advisory lock, or SQLite's own write lock taken at once instead
of at the first write, so that what a unit reads is still true when it writes.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from pcc_router.api.store.connections import (
    SQLITE_BUSY_MS,
    Connections,
    connect_args,
    redacted,
)
from pcc_router.api.store.tables import CallMemoryRow, MarkRow, QueueStateRow, SchemaVersion

__all__ = [
    "ADVISORY_LOCK",
    "MIGRATIONS",
    "SCHEMA_LOCK",
    "LogOrderError",
    "Store",
    "StoreError",
    "StoreVanished",
    "serialise",
]

#: One number for the whole project: inputs are applied one at a time across instances.
ADVISORY_LOCK = 72_473_000_062
#: Held while the schema is created or migrated, and while a store is seeded.
SCHEMA_LOCK = 72_473_000_063
#: The store mark holding the newest log position given out (schema 9).
LOG_SEQ = "log_seq"
#: The store mark holding the store's identity (schema 9).
STORE_ID = "store_id"


class StoreError(RuntimeError):
    """The store cannot be used (unknown URL, a schema newer than this code)."""


class StoreVanished(Exception):
    """The store this controller opened is gone: its SQLite file deleted, replaced or
    truncated, or a database with another identity behind the URL. Nothing more is
    acknowledged (503) until an operator restores it or restarts on purpose."""


class LogOrderError(Exception):
    """A unit's log rows would not follow the rows its engine applied: someone wrote to
    the log outside the project's lock. Nothing is committed; the engine is rebuilt."""

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(
            f"the event log moved from position {expected} to {found} behind this unit's back"
        )


def _columns(connection: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns(table)}


def _v1_create_tables(connection: Connection) -> None:
    SQLModel.metadata.create_all(connection)


def _v2_agent_pcc_id(connection: Connection) -> None:
    # v1 stores made before this column existed get it; fresh ones already have it.
    if "pcc_id" not in _columns(connection, "agents"):
        connection.execute(text("ALTER TABLE agents ADD COLUMN pcc_id VARCHAR"))


_HISTORY_COLUMNS = {
    "idle_since": "FLOAT",
    "handled": "INTEGER NOT NULL DEFAULT 0",
    "talk_time": "FLOAT NOT NULL DEFAULT 0",
    "no_answers": "INTEGER NOT NULL DEFAULT 0",
    "consecutive_no_answers": "INTEGER NOT NULL DEFAULT 0",
}


def _v3_agent_history(connection: Connection) -> None:
    columns = _columns(connection, "agents")
    for name, kind in _HISTORY_COLUMNS.items():
        if name not in columns:
            connection.execute(text(f"ALTER TABLE agents ADD COLUMN {name} {kind}"))


def _v4_epoch_ms_and_engine_events(connection: Connection) -> None:
    """64-bit ids and timestamps; engine events in the log; when each call was last heard of."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:  # SQLite's INTEGER is 64-bit already
        for table, column in (("event_log", "id"), ("event_log", "ts_ms"), ("calls", "last_ts_ms")):
            connection.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE BIGINT"))
        connection.execute(
            text("ALTER SEQUENCE IF EXISTS event_log_id_seq AS BIGINT MAXVALUE 9223372036854775807")
        )
    true = "true" if postgres else "1"
    added = {
        ("event_log", "events"): "VARCHAR NOT NULL DEFAULT '[]'",
        ("calls", "first_seen"): "FLOAT NOT NULL DEFAULT 0",
        ("calls", "last_seen"): "FLOAT NOT NULL DEFAULT 0",
        ("calls", "is_open"): f"BOOLEAN NOT NULL DEFAULT {true}",
    }
    now = time.time()  # calls of an older store count as heard of now: closed if silent from here
    for (table, column), kind in added.items():
        if column not in _columns(connection, table):
            connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
            if table == "calls" and column.endswith("_seen"):
                connection.execute(text(f"UPDATE calls SET {column} = :now"), {"now": now})
    connection.execute(
        text("UPDATE calls SET is_open = :closed WHERE status IN ('ended', 'agentEnded')"),
        {"closed": False},
    )
    for name, columns in (
        ("ix_calls_open_seen", "is_open, last_seen"),
        ("ix_calls_caller_first_seen", "caller, first_seen"),
        ("ix_calls_queue_open", "queue_id, is_open"),
    ):
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON calls ({columns})"))


def _v5_agent_snapshots(connection: Connection) -> None:
    """Each agent's row holds the engine's whole snapshot of her: what she is doing too.

    Older stores said it with ``system_status`` and the timers: read them once.
    """
    added = {
        "activity": "VARCHAR NOT NULL DEFAULT 'idle'",
        "until": "FLOAT",
        "call_since": "FLOAT",
        "answered_at": "FLOAT NOT NULL DEFAULT 0",
    }
    columns = _columns(connection, "agents")
    fresh = [name for name in added if name not in columns]
    for name in fresh:
        connection.execute(text(f"ALTER TABLE agents ADD COLUMN {name} {added[name]}"))
    if "activity" not in fresh:
        return  # a store made with these columns already says it all
    connection.execute(text("UPDATE agents SET activity = 'talking' WHERE system_status = 0"))
    for kind, activity in (("wrapup", "wrap_up"), ("offer", "ringing")):
        timer = f"(SELECT at FROM timers WHERE key = '{kind}:' || agents.stringee_user_id)"
        connection.execute(
            text(
                f"UPDATE agents SET activity = '{activity}', until = {timer} "
                f"WHERE activity = 'idle' AND {timer} IS NOT NULL"
            )
        )


def _v6_call_times(connection: Connection) -> None:
    """When each call was queued and answered: the wallboard's waits and service level.

    Calls of an older store have neither (they count from this version on).
    """
    columns = _columns(connection, "calls")
    for name in ("queued_at", "answered_at"):
        if name not in columns:
            connection.execute(text(f"ALTER TABLE calls ADD COLUMN {name} FLOAT"))
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_calls_queued_at ON calls (queued_at)"))


def _v7_sip_accounts(connection: Connection) -> None:
    """The SIP phone account the controller created for an agent (its username only)."""
    if "sip_account" not in _columns(connection, "agents"):
        connection.execute(text("ALTER TABLE agents ADD COLUMN sip_account VARCHAR"))


def _v8_engine_state(connection: Connection) -> None:
    """The engine's state beyond each agent's columns: whether PCC reported her ring and since
    when her state holds; queues' round-robin positions; open calls' memory; store marks."""
    false = "false" if connection.dialect.name == "postgresql" else "0"
    added = {"ring_heard": f"BOOLEAN NOT NULL DEFAULT {false}", "state_since": "FLOAT"}
    columns = _columns(connection, "agents")
    for name, kind in added.items():
        if name not in columns:
            connection.execute(text(f"ALTER TABLE agents ADD COLUMN {name} {kind}"))
    tables = [QueueStateRow.__table__, CallMemoryRow.__table__, MarkRow.__table__]  # type: ignore[attr-defined]
    SQLModel.metadata.create_all(connection, tables=tables)


def _v9_log_positions(connection: Connection) -> None:
    """The log's order as positions given out in commit order (``event_log.seq`` from the
    ``log_seq`` counter), why a timestamp was adjusted, and the store's identity.

    Rows of an older store take their id as position (ids were given out under the
    project's lock, so in order; gaps are harmless) and the counter starts after them.
    """
    columns = _columns(connection, "event_log")
    for name, kind in (("seq", "BIGINT"), ("adjusted", "VARCHAR")):
        if name not in columns:
            connection.execute(text(f"ALTER TABLE event_log ADD COLUMN {name} {kind}"))
    connection.execute(
        text("UPDATE event_log SET seq = id WHERE seq IS NULL AND kind <> 'caresoft'")
    )
    connection.execute(
        text("CREATE UNIQUE INDEX IF NOT EXISTS ux_event_log_seq ON event_log (seq)")
    )
    marks = {
        LOG_SEQ: "(SELECT COALESCE(MAX(seq), 0) FROM event_log)",
        STORE_ID: str(secrets.randbits(62) + 1),
    }
    for name, value in marks.items():
        connection.execute(
            text(
                f"INSERT INTO store_marks (name, value) SELECT :name, {value} "
                "WHERE NOT EXISTS (SELECT 1 FROM store_marks WHERE name = :same)"
            ),
            {"name": name, "same": name},
        )


#: Migration N (1-based) brings the schema from version N-1 to N. Append only.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_create_tables,
    _v2_agent_pcc_id,
    _v3_agent_history,
    _v4_epoch_ms_and_engine_events,
    _v5_agent_snapshots,
    _v6_call_times,
    _v7_sip_accounts,
    _v8_engine_state,
    _v9_log_positions,
]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


class Store:
    """The database behind the controller; sessions are short and explicit.

    Every wait on it is bounded (:mod:`pcc_router.api.store.connections`);
    :meth:`interrupt` breaks its connections when a step overruns its deadline.
    """

    def __init__(self, url: str, *, new_store: bool = False, store_id: int | None = None) -> None:
        """Open (and migrate) the store at ``url``.

        A SQLite store leaves a marker beside its file (``<file>.store-id``): a
        store that had data before and is now missing or empty is refused
        (:class:`StoreError`) unless ``new_store``; so is a store whose identity
        is not ``store_id`` when one is given.
        """
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not new_store:
                _refuse_lost(path)
        #: The URL with its password hidden: what may be logged.
        self.url = redacted(url)
        try:
            parsed = make_url(url)
            self.engine: Engine = create_engine(
                parsed, pool_pre_ping=True, pool_timeout=2, connect_args=connect_args(parsed)
            )
        except Exception as exc:  # SQLAlchemy's errors for a bad URL vary by dialect
            reason = str(exc).replace(url, self.url)
            raise StoreError(f"DATABASE_URL {self.url!r} cannot be used: {reason}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._connections = Connections(self.engine)
        try:
            self.migrate()
            self.store_id = self._read_id()
        except OperationalError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(f"the store at {self.url} cannot be reached: {reason}") from None
        if store_id is not None and store_id != self.store_id and not new_store:
            self.engine.dispose()
            raise StoreError(
                f"the store at {self.url} is store {self.store_id}, not the configured "
                f"PCC_STORE_ID {store_id}: refused (start with --new-store to take it)"
            )
        self._path = path
        self._file = _identity(path) if path is not None else None
        if path is not None:
            _write_marker(path, self.store_id)

    def _read_id(self) -> int:
        with self.engine.connect() as connection:
            found = connection.execute(
                text("SELECT value FROM store_marks WHERE name = :n"), {"n": STORE_ID}
            ).scalar()
        return int(found or 0)

    def check(self, session: Session) -> None:
        """Refuse (:class:`StoreVanished`) a store that is not the one opened: its file
        deleted, replaced or truncated, or another identity behind the URL."""
        if self._path is not None and self._file is not None:
            now = _identity(self._path)
            if now is None or now[:2] != self._file[:2] or now[2] == 0:
                what = "deleted" if now is None else "emptied" if now[2] == 0 else "replaced"
                raise StoreVanished(f"the SQLite file {self._path} was {what} under this process")
            return  # the file is the one opened: its identity row is too (no query per unit)
        if self.engine.dialect.name == "sqlite":
            return  # in memory: nothing can replace it
        try:
            found = (
                session.connection()
                .execute(text("SELECT value FROM store_marks WHERE name = :n"), {"n": STORE_ID})
                .scalar()
            )
        except DatabaseError as exc:
            if isinstance(exc, OperationalError):
                raise  # a database server that cannot be reached: an outage, not a loss
            raise StoreVanished(f"the store at {self.url} cannot be read: {exc.orig}") from None
        if found != self.store_id:
            raise StoreVanished(
                f"the store at {self.url} is no longer store {self.store_id} (found {found})"
            )

    def interrupt(self) -> None:
        """Break every connection to the database: a step blocked on one fails now."""
        self._connections.interrupt()

    def migrate(self) -> int:
        """Apply pending migrations; return the schema version now in force."""
        with self.engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:  # session-level: held across the migrations' own transactions
                # a migration may take longer than any request: no statement or lock limit
                connection.execute(text("SET statement_timeout = 0"))
                connection.execute(text("SET lock_timeout = 0"))
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
                connection.commit()
            try:
                return self._migrate(connection)
            finally:
                if postgres:
                    connection.rollback()
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
                    connection.execute(text("RESET statement_timeout"))
                    connection.execute(text("RESET lock_timeout"))
                    connection.commit()

    def _migrate(self, connection: Connection) -> int:
        with connection.begin():
            SchemaVersion.metadata.create_all(connection, tables=[SchemaVersion.__table__])  # type: ignore[attr-defined]
            row = connection.execute(text("SELECT version FROM schema_version WHERE id = 1"))
            found = row.scalar()
        version = int(found or 0)
        if version > len(MIGRATIONS):
            raise StoreError(f"the store's schema is version {version}, newer than this code")
        for number in range(version + 1, len(MIGRATIONS) + 1):
            with connection.begin():
                MIGRATIONS[number - 1](connection)
                with Session(connection) as session:
                    session.merge(SchemaVersion(id=1, version=number))
                    session.flush()
        return len(MIGRATIONS)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            self.check(session)
            yield session
            self.commit(session)

    @staticmethod
    def commit(session: Session) -> None:
        """Commit ``session``. If that fails, its connection is thrown away: a commit that
        failed half-way may leave the connection inside its transaction, and a pooled
        connection must never carry a transaction into the next user's commit."""
        connection = session.connection()
        try:
            session.commit()
        except Exception:
            with contextlib.suppress(Exception):
                connection.invalidate()
            raise

    def open_session(self) -> Session:
        """A session for a unit of work that spans steps; the caller commits and closes it."""
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def _identity(path: Path) -> tuple[int, int, int] | None:
    """The file's device, inode and size; ``None`` when it is gone."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino, found.st_size


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".store-id")


def _refuse_lost(path: Path) -> None:
    """A store that held data before (its marker says so) but is missing or empty now."""
    marker = _marker(path)
    found = _identity(path)
    if marker.exists() and (found is None or found[2] == 0):
        known = marker.read_text(encoding="utf-8").strip()
        raise StoreError(
            f"the SQLite store {path} is {'missing' if found is None else 'empty'}, but "
            f"{marker.name} says store {known} was there: restore it, or start with "
            "--new-store to begin an empty one"
        )


def _write_marker(path: Path, store_id: int) -> None:
    marker = _marker(path)
    wanted = f"{store_id}\n"
    try:
        if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
            return
        partial = marker.with_name(marker.name + ".tmp")
        partial.write_text(wanted, encoding="utf-8")
        partial.replace(marker)
    except OSError:  # a read-only folder: the identity is still checked while running
        pass


def serialise(session: Session) -> None:
    """Hold the project's write lock until the transaction ends.

    PostgreSQL: an advisory lock shared by every instance. SQLite: its write
    lock, taken now (a write that changes nothing) rather than at the first
    real write, so that reads made under it cannot be overtaken.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    else:
        connection.execute(text("UPDATE schema_version SET version = version WHERE id = 0"))
