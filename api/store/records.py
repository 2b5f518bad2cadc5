"""What a unit of work writes to the event log and the calls table, as typed records.

A unit builds these on the event loop and the store thread writes them
(:func:`pcc_router.api.store.repo.append_log`, :func:`~pcc_router.api.store.repo.save_calls`):
a misspelt field is a type error, not a column silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CallWrite", "LogEntry"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One event-log row: an input as received, and the engine events it meant (JSON)."""

    kind: str
    key: str
    body: str
    received_at: float
    events: str = "[]"
    call_id: str = ""
    ts_ms: int = 0
    applied: bool = True
    #: Why PCC's ``timestamp_ms`` was not taken as it came (``None``: it was).
    adjusted: str | None = None

    def params(self, *, seq: int) -> dict[str, Any]:
        """The row's columns, at log position ``seq``."""
        return {
            "kind": self.kind,
            "key": self.key,
            "body": self.body,
            "received_at": self.received_at,
            "events": self.events,
            "call_id": self.call_id,
            "ts_ms": self.ts_ms,
            "applied": self.applied,
            "adjusted": self.adjusted,
            "seq": seq,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CallWrite:
    """What an input says of a call. Empty ``caller``/``callee`` and ``None`` agent or
    queue keep what is stored; a closed call stays closed; the first ``queued_at`` and
    ``answered_at`` stay."""

    call_id: str
    seen: float  # when the controller heard of it (now)
    status: str = ""
    last_ts_ms: int = -1
    caller: str = ""
    callee: str = ""
    agent_id: str | None = None
    queue_id: str | None = None
    is_open: bool = True
    queued_at: float | None = None
    answered_at: float | None = None

    def params(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "status": self.status,
            "last_ts_ms": self.last_ts_ms,
            "caller": self.caller,
            "callee": self.callee,
            "agent_id": self.agent_id,
            "queue_id": self.queue_id,
            "is_open": self.is_open,
            "queued_at": self.queued_at,
            "answered_at": self.answered_at,
            "first_seen": self.seen,
            "last_seen": self.seen,
        }
