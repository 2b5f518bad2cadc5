"""What the engine asks its shell to do: outputs of :meth:`routing.Engine.handle`.

Commands are named in the imperative. Timers are commands too: the shell
keeps them (a heap in the simulator, APScheduler in the service) and feeds
back a :class:`pcc_router.routing.events.TimerFired` when one is due. Every call the
engine accepts ends with exactly one :class:`CloseCall`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcc_router.routing.explain import Decision
from pcc_router.routing.model import AgentId, CallId, Outcome, QueueId, RingOutcome
from pcc_router.routing.timers import TimerKey

__all__ = [
    "CancelRing",
    "CancelTimer",
    "CloseCall",
    "Command",
    "ConnectCall",
    "ForwardCall",
    "HangUp",
    "OfferAgents",
    "QueueCall",
    "RequestAgents",
    "RingAgent",
    "SetManualStatus",
    "SetSystemStatus",
    "StartTimer",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCall:
    """Put the caller on hold in ``queue_id`` (it entered the queue now)."""

    call_id: CallId
    queue_id: QueueId


@dataclass(frozen=True, slots=True, kw_only=True)
class RingAgent:
    """Ring the agent for the call until ``until``; ``decision`` is set when explaining."""

    call_id: CallId
    agent_id: AgentId
    queue_id: QueueId
    until: float
    decision: Decision | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRing:
    """Stop ringing: ``no_answer`` at the timeout, ``cancelled`` for any other reason."""

    call_id: CallId
    agent_id: AgentId
    outcome: RingOutcome


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectCall:
    """Bridge the caller to the agent who answered."""

    call_id: CallId
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class HangUp:
    """End the caller's leg on the engine's initiative (menu, full queue, queue timeout)."""

    call_id: CallId
    reason: Outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardCall:
    """Send the call to an outside number (menu ``forward:`` or queue overflow)."""

    call_id: CallId
    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseCall:
    """The call is over for the engine; record its outcome. Exactly one per call.

    ``queue_id`` is the last queue the call was in or tried to enter, if any.
    """

    call_id: CallId
    outcome: Outcome
    queue_id: QueueId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTimer:
    """Fire ``TimerFired(key)`` at ``at``; a timer with the same key is replaced."""

    key: TimerKey
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTimer:
    key: TimerKey


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferAgents:
    """Tell PCC whom to ring for the call, in this order, each for ``answer_timeout`` s."""

    call_id: CallId
    queue_id: QueueId
    agents: tuple[AgentId, ...]
    answer_timeout: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestAgents:
    """Ask the queue's ``get_list_agents_url`` whom to ring for the call (PCC's custom routing).

    The shell answers with :class:`~pcc_router.routing.events.AgentsListed`.
    """

    call_id: CallId
    queue_id: QueueId


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSystemStatus:
    """PCC ``system_status``: 0 while the agent is in a call, 1 when free."""

    agent_id: AgentId
    system_status: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetManualStatus:
    """The engine changed the agent's ``manual_status`` (``max_no_answer`` reached)."""

    agent_id: AgentId
    manual_status: str
    reason: str


Command = (
    QueueCall
    | RingAgent
    | CancelRing
    | ConnectCall
    | HangUp
    | ForwardCall
    | CloseCall
    | StartTimer
    | CancelTimer
    | SetSystemStatus
    | SetManualStatus
    | OfferAgents
    | RequestAgents
)
