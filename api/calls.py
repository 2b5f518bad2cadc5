"""PCC call events as the controller reads them: validated fields, and how they log."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from routing import AgentCallEnded, AgentCallStarted, AgentId, CallId, Event, QueueId

__all__ = ["BUSY", "FREE", "PccEvent", "agent_of", "call_events"]

BUSY = ("answered",)
FREE = ("ended", "agentEnded")


@dataclass(frozen=True, slots=True, kw_only=True)
class PccEvent:
    """A validated PCC call event (``event_url`` body)."""

    call_id: str
    call_status: str
    timestamp_ms: int
    from_number: str
    from_type: str
    to_number: str
    to_type: str
    body: dict[str, Any]
    raw: str = ""  # the body as received, stored as is in the event log

    @classmethod
    def from_logged(cls, body: dict[str, Any]) -> PccEvent:
        """An event from its logged body (checked when it was received)."""
        ends: list[dict[str, Any]] = [
            value if isinstance(value := body.get(k), dict) else {} for k in ("from", "to")
        ]
        return cls(
            call_id=str(body["call_id"]),
            call_status=str(body["call_status"]),
            timestamp_ms=int(body["timestamp_ms"]),
            from_number=str(ends[0].get("number", "")),
            from_type=str(ends[0].get("type", "external")),
            to_number=str(ends[1].get("number", "")),
            to_type=str(ends[1].get("type", "external")),
            body=body,
        )

    def as_body(self) -> dict[str, Any]:
        """A body from which :meth:`from_logged` gives this event back."""
        return {
            **self.body,
            "call_id": self.call_id,
            "call_status": self.call_status,
            "timestamp_ms": self.timestamp_ms,
            "from": {"number": self.from_number, "type": self.from_type},
            "to": {"number": self.to_number, "type": self.to_type},
        }

    @property
    def key(self) -> str:
        return f"{self.call_id}|{self.call_status}|{self.timestamp_ms}"


def agent_of(event: PccEvent, users: Collection[str], phones: Mapping[str, str]) -> str | None:
    """The agent on either end: internal numbers are user ids, external ones phone numbers."""
    ends = ((event.to_number, event.to_type), (event.from_number, event.from_type))
    for number, kind in ends:
        if kind == "internal" and number in users:
            return number
        if kind == "external" and number in phones:
            return phones[number]
    return None


def call_events(
    event: PccEvent,
    agent_id: str | None,
    queue_id: str | None,
    *,
    only_queue: Callable[[str], str | None],
) -> list[Event]:
    """What a PCC call event means for the engine: the agent busy, or free again."""
    if agent_id is None:
        return []
    call_id = CallId(event.call_id)
    if event.call_status in BUSY:
        return [AgentCallStarted(agent_id=AgentId(agent_id), call_id=call_id)]
    if event.call_status in FREE:
        queue = queue_id or only_queue(agent_id)
        return [
            AgentCallEnded(
                agent_id=AgentId(agent_id),
                call_id=call_id,
                queue_id=QueueId(queue) if queue else None,
            )
        ]
    return []
