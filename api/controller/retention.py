"""Event-log retention: rows older than ``EVENT_LOG_RETENTION`` are deleted, on a schedule
and by ``pcc-router prune``.

No log row is needed to rebuild an engine: every unit of work writes the
engine's whole state beside its row (:mod:`pcc_router.api.controller.core`). What
the log still serves is knowing a redelivered event as a duplicate, a call's
history (``GET /v1/calls/{id}``) and replays (``pcc-router replay``); past
the retention, those are what is lost. So:

- rows are deleted oldest first, in batches, each a short transaction under
  the project's write lock (an input waits for one batch at most);
- the newest row is always kept, and the newest id deleted is marked in the
  store (``store_marks.log_pruned_to``): an instance idle through a prune
  sees a gap after its last row, finds it was pruned, and rebuilds from the
  state instead of missing what it never applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from pcc_router.api.store import repo
from pcc_router.api.store.tables import EventRow, MarkRow

__all__ = ["BATCH", "Pruned", "prune_batch", "prune_log"]

#: Rows deleted per transaction.
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Pruned:
    rows: int = 0
    #: The newest event-log id deleted (0: none).
    up_to: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(self.rows + other.rows, max(self.up_to, other.up_to))


def prune_batch(session: Session, *, older_than: float, limit: int = BATCH) -> Pruned:
    """Delete up to ``limit`` of the oldest rows received before ``older_than`` (never the
    newest row), and mark the newest id deleted. The caller holds the lock and commits."""
    newest = session.exec(select(func.max(EventRow.id))).one()
    if newest is None:
        return Pruned()
    query = (
        select(EventRow.id)
        .where(col(EventRow.received_at) < older_than, col(EventRow.id) < newest)
        .order_by(col(EventRow.id))
        .limit(limit)
    )
    ids = [row for row in session.exec(query).all() if row is not None]
    if not ids:
        return Pruned()
    session.execute(delete(EventRow).where(col(EventRow.id).in_(ids)))
    up_to = max(ids)
    mark = session.get(MarkRow, repo.PRUNED_TO)
    if mark is None:
        session.add(MarkRow(name=repo.PRUNED_TO, value=up_to))
    elif mark.value < up_to:
        mark.value = up_to
    session.flush()
    return Pruned(len(ids), up_to)


def prune_log(store: repo.Store, *, older_than: float, batches: int | None = None) -> Pruned:
    """Prune batch by batch (each its own transaction, under the lock) until no row is left
    to delete, or ``batches`` were done; what was deleted in all."""
    total = Pruned()
    done = 0
    while batches is None or done < batches:
        with store.session() as session:
            repo.serialise(session)
            pruned = prune_batch(session, older_than=older_than)
        total += pruned
        done += 1
        if pruned.rows < BATCH:
            break
    return total
