"""How the store connects, and how a step stuck on it is cut off.

Every wait on the database is bounded, so that a store that hangs gives a
503 within PCC's budget instead of silence (see docs/operations.md,
"Failure modes"):

- PostgreSQL: ``connect_timeout`` (libpq's minimum, 2 s), and server-side
  backstops for what the server itself can end: ``statement_timeout``,
  ``lock_timeout`` (the project's advisory lock included) and
  ``idle_in_transaction_session_timeout`` (an instance frozen while it holds
  the lock does not block the others for ever). Settings already given in
  ``DATABASE_URL`` (``?options=...``) are kept.
- SQLite: ``busy_timeout``, under a request's deadline.
- Pooled connections are checked before use (``pool_pre_ping``): an
  instance idle across a database restart answers its first request.
- A server that stops answering altogether (its processes frozen, a
  network that drops packets) ends none of those: :class:`Connections`
  keeps every connection the pool opened, and :meth:`Connections.interrupt`
  breaks them all (the socket of a PostgreSQL connection is shut down;
  SQLite's is interrupted), so a step blocked on one fails at once.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

__all__ = ["Connections", "SQLITE_BUSY_MS", "connect_args", "redacted"]

CONNECT_TIMEOUT = 2  # seconds: libpq's minimum
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 5000
IDLE_IN_TRANSACTION_MS = 10000
#: SQLite waits this long for another writer (an interrupt cannot end that wait).
SQLITE_BUSY_MS = 1000


def redacted(url: str | URL) -> str:
    """``url`` with its password hidden: what may be logged or shown."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show its scheme only
        text = str(url)
        return text.split(":", 1)[0] + "://…" if ":" in text else "…"


def connect_args(url: URL) -> dict[str, Any]:
    """The connection's own bounds, for ``create_engine(connect_args=...)``."""
    if url.get_backend_name() != "postgresql":
        return {}
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    if "options" not in url.query:
        args["options"] = (
            f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS} "
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
        )
    return args


class Connections:
    """Every DBAPI connection an engine's pool holds, so that they can all be broken."""

    def __init__(self, engine: Engine) -> None:
        self._open: dict[int, Any] = {}
        self._guard = threading.Lock()  # the pool runs on the worker thread, interrupts on the loop
        event.listen(engine, "connect", self._opened)
        for name in ("close", "close_detached", "detach"):
            event.listen(engine, name, self._closed)

    def _opened(self, dbapi_connection: Any, _record: Any) -> None:
        with self._guard:
            self._open[id(dbapi_connection)] = dbapi_connection

    def _closed(self, dbapi_connection: Any, *_: Any) -> None:
        with self._guard:
            self._open.pop(id(dbapi_connection), None)

    def __len__(self) -> int:
        return len(self._open)

    def interrupt(self) -> None:
        """Break every connection: what waits on one fails now (the pool replaces it)."""
        with self._guard:
            held = list(self._open.values())
        for connection in held:
            with contextlib.suppress(Exception):  # closed meanwhile: nothing to break
                _break(connection)


def _break(connection: Any) -> None:
    pgconn = getattr(connection, "pgconn", None)
    if pgconn is None:  # sqlite3: ends a running statement (not a wait for a lock)
        connection.interrupt()
        return
    duplicate = socket.socket(fileno=os.dup(pgconn.socket))
    try:
        duplicate.shutdown(socket.SHUT_RDWR)  # the blocked read returns: "server closed"
    finally:
        duplicate.close()
