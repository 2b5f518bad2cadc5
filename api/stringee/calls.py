"""PCC call events as the controller reads them: who the agent is, and what it means for her.

Who is the agent of a call event (Stringee's bodies,
``developer.stringee.com/docs/server/call-events``):

1. ``to``, then ``from``: an ``internal`` endpoint names an agent by
   ``stringee_user_id``; an ``external`` one by the agent's ``phone_number``
   (routing_type 2), compared in one normal form (``+84…``, ``84…``, ``0…``,
   spaces and dashes all match);
2. else ``request_from_user_id``: in a call an agent placed herself (app to
   phone), ``from`` is ``internal`` but its number is the caller id, and
   only this field names her;
3. else the agent the call already had (an ``ended`` often names nobody).

What it means: ``ringing`` makes her unroutable for a ring's time (the
call's queue ``wait_agent_answer_timeout``; a minute for a call she placed),
``answered`` puts her in the call, ``ended``/``agentEnded`` free her (the
queue's wrap-up for a queue call she received) and anyone still ringing for
the call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, get_args

from pcc_router.routing import (
    AgentCallEnded,
    AgentCallStarted,
    AgentId,
    AgentRingStarted,
    CallId,
    Engine,
    Event,
    QueueId,
)

__all__ = [
    "BUSY",
    "FREE",
    "STATUSES",
    "CallStatus",
    "AgentOnCall",
    "PccEvent",
    "Role",
    "agent_of",
    "meaning",
]

BUSY = ("answered",)
FREE = ("ended", "agentEnded")
#: The statuses Stringee documents ("Call Events"); others are acknowledged and ignored.
CallStatus = Literal["created", "started", "ringing", "answered", "ended", "agentEnded"]
STATUSES: tuple[CallStatus, ...] = get_args(CallStatus)
#: How long a ring keeps an agent out when nothing says otherwise (PCC's default timeout).
DEFAULT_RING = 15.0
#: How long a call an agent places may ring its callee.
OUTBOUND_RING = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PccEvent:
    """A validated PCC call event (``event_url`` body)."""

    call_id: str
    call_status: str
    timestamp_ms: int
    from_number: str = ""
    from_type: str = "external"
    to_number: str = ""
    to_type: str = "external"
    request_from_user_id: str = ""
    raw: str = "{}"  # the body as received (UTF-8 text), kept in the event log for audit

    @property
    def key(self) -> str:
        """The idempotency key: a redelivery of the same event has the same one."""
        return f"{self.call_id}|{self.call_status}|{self.timestamp_ms}"


class Role(enum.StrEnum):
    CALLEE = "callee"  # the call rang her: a queue call, or one to her number
    CALLER = "caller"  # she placed it


@dataclass(frozen=True, slots=True)
class AgentOnCall:
    agent_id: AgentId
    role: Role | None  # None: known from the call, not named by this event


def agent_of(event: PccEvent, engine: Engine) -> AgentOnCall | None:
    """The agent this event names (rules 1 and 2 above), or ``None``."""
    ends = (
        (event.to_number, event.to_type, Role.CALLEE),
        (event.from_number, event.from_type, Role.CALLER),
    )
    for number, kind, role in ends:
        if kind == "internal" and engine.has_agent(number):
            return AgentOnCall(AgentId(number), role)
        by_phone = engine.agent_by_phone(number, event.call_id) if kind == "external" else None
        if number and by_phone is not None:
            return AgentOnCall(by_phone, role)
    if event.request_from_user_id and engine.has_agent(event.request_from_user_id):
        return AgentOnCall(AgentId(event.request_from_user_id), Role.CALLER)
    return None


def meaning(
    event: PccEvent,
    agent: AgentOnCall | None,
    *,
    queue_id: str | None,
    now: float,
    engine: Engine,
    at: float | None = None,
) -> list[Event]:
    """The engine events a PCC call event stands for (``queue_id``: the call's, if known).

    ``at``: when PCC says it happened, on the engine's clock (by its
    ``timestamp_ms``): a ring or a wrap-up starts then, so that it ends when
    PCC ends it, not a delivery's delay later.
    """
    started = now if at is None else min(at, now)
    call_id = CallId(event.call_id)
    queue = QueueId(queue_id) if queue_id is not None and engine.has_queue(queue_id) else None
    if agent is not None and agent.role is Role.CALLEE and queue is None:
        queue = engine.only_queue(agent.agent_id)
    if event.call_status in FREE:
        return [
            AgentCallEnded(
                call_id=call_id,
                agent_id=agent.agent_id if agent is not None else None,
                queue_id=queue if agent is None or agent.role is not Role.CALLER else None,
                ended_at=started if started < now else None,
            )
        ]
    if agent is None:
        return []
    if event.call_status == "ringing":
        if agent.role is Role.CALLER:
            ring = OUTBOUND_RING
        else:
            ring = engine.answer_timeout(queue) if queue is not None else DEFAULT_RING
        return [AgentRingStarted(agent_id=agent.agent_id, call_id=call_id, until=started + ring)]
    if event.call_status in BUSY:
        since = event.timestamp_ms / 1000
        return [AgentCallStarted(agent_id=agent.agent_id, call_id=call_id, since=since)]
    return []
