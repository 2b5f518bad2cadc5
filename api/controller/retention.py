"""Event-log retention: rows older than ``EVENT_LOG_RETENTION`` are deleted, on a schedule
and by ``pcc-router prune``; so are closed calls and CareSoft calls older than it.

No log row is needed to rebuild an engine: every unit of work writes the
engine's whole state beside its row (:mod:`pcc_router.api.controller.core`). What
the log still serves is knowing a redelivered event as a duplicate, a call's
history (``GET /v1/calls/{id}``) and replays (``pcc-router replay``); past
the retention, those are what is lost. So:

- rows are deleted oldest first, in batches, each a short transaction under
  the project's write lock (an input waits for one batch at most);
- the newest row is always kept, and the newest position deleted is marked in the
  store (``store_marks.log_pruned_to``): an instance idle through a prune
  sees a gap after its last row, finds it was pruned, and rebuilds from the
  state instead of missing what it never applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from pcc_router.api.store import repo
from pcc_router.api.store.tables import CallRow, CareSoftCallRow, EventRow, MarkRow

__all__ = ["BATCH", "Pruned", "prune_batch", "prune_log"]

#: Rows deleted per transaction.
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Pruned:
    rows: int = 0
    #: The newest log position deleted (0: none).
    up_to: int = 0
    #: Closed calls and CareSoft calls deleted (same retention).
    calls: int = 0
    caresoft: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(
            self.rows + other.rows,
            max(self.up_to, other.up_to),
            self.calls + other.calls,
            self.caresoft + other.caresoft,
        )

    @property
    def full(self) -> bool:
        """Whether a batch was full (there may be more to delete)."""
        return max(self.rows, self.calls, self.caresoft) >= BATCH


def prune_batch(session: Session, *, older_than: float, limit: int = BATCH) -> Pruned:
    """Delete up to ``limit`` of the oldest rows received before ``older_than`` (never the
    newest position), and mark the newest position deleted. The caller holds the lock and
    commits. Rows with no position (CareSoft deliveries, not engine inputs) go by age alone."""
    newest = repo.log_position(session)
    query = (
        select(EventRow.id, EventRow.seq)
        .where(
            col(EventRow.received_at) < older_than,
            or_(col(EventRow.seq).is_(None), col(EventRow.seq) < newest),
        )
        .order_by(col(EventRow.id))
        .limit(limit)
    )
    found = session.exec(query).all()
    calls, caresoft = _prune_calls(session, older_than=older_than, limit=limit)
    if not found:
        return Pruned(calls=calls, caresoft=caresoft)
    session.execute(delete(EventRow).where(col(EventRow.id).in_([row[0] for row in found])))
    up_to = max((row[1] for row in found if row[1] is not None), default=0)
    if up_to:
        mark = session.get(MarkRow, repo.PRUNED_TO)
        if mark is None:
            session.add(MarkRow(name=repo.PRUNED_TO, value=up_to))
        elif mark.value < up_to:
            mark.value = up_to
    session.flush()
    return Pruned(len(found), up_to, calls, caresoft)


def _prune_calls(session: Session, *, older_than: float, limit: int) -> tuple[int, int]:
    """Closed calls last heard of, and CareSoft calls made, before ``older_than``; an open
    call is kept whatever its age (the lost-call sweep closes it first)."""
    closed = (
        select(CallRow.call_id)
        .where(col(CallRow.is_open).is_(False), col(CallRow.last_seen) < older_than)
        .limit(limit)
    )
    call_ids = list(session.exec(closed).all())
    if call_ids:
        session.execute(delete(CallRow).where(col(CallRow.call_id).in_(call_ids)))
    made = (
        select(CareSoftCallRow.temp_id)
        .where(col(CareSoftCallRow.created_at) < older_than)
        .limit(limit)
    )
    temp_ids = list(session.exec(made).all())
    if temp_ids:
        session.execute(delete(CareSoftCallRow).where(col(CareSoftCallRow.temp_id).in_(temp_ids)))
    return len(call_ids), len(temp_ids)


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
        if not pruned.full:
            break
    return total
