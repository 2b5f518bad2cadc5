"""Faults injected into a store, as a failing database shows them to SQLAlchemy.

Listeners on the store's engine: writes refused as a full disk refuses them,
a commit that fails (or runs a callback first, such as stopping the
server), a statement that runs for ever until it is interrupted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from pcc_router.api.store.repo import Store

_WRITES = ("INSERT", "UPDATE", "DELETE")
#: A statement SQLite works on until it is interrupted (sqlite3's interrupt() ends it).
_FOREVER = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


class StoreFaults:
    """Switch faults on and off; every fault is off until set."""

    def __init__(self, store: Store) -> None:
        self.full_disk = False
        self.fail_commit = False
        self.before_commit: Callable[[], None] | None = None
        self.hang = False
        self.commits_failed = 0
        event.listen(store.engine, "before_cursor_execute", self._statement)
        event.listen(store.engine, "commit", self._commit)

    def _statement(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if self.hang:
            if conn.dialect.name == "sqlite":
                cursor.execute(_FOREVER)  # runs until Store.interrupt() ends it
            else:
                cursor.execute("SELECT pg_sleep(3600)")
        if self.full_disk and statement.lstrip().upper().startswith(_WRITES):
            orig = sqlite3.OperationalError("database or disk is full")
            raise OperationalError(statement, params, orig)

    def _commit(self, conn: Any) -> None:
        if self.before_commit is not None:
            self.before_commit()
        if self.fail_commit:
            self.commits_failed += 1
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))
