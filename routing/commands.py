"""What the engine asks its shell to do: outputs of :meth:`routing.Engine.handle`.

Commands are named in the imperative. Timers are commands too: the shell
keeps them (a heap in the simulator, APScheduler in the service) and feeds
back a :class:`pcc_router.routing.events.TimerFired` when one is due. Every call the
engine accepts ends with exactly one :class:`CloseCall`. Commands are records of
the same form as the events (``Final`` fields, an explicit ``__init__``), for the
same reason: a call makes about a dozen of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, final

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


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class QueueCall:
    """Put the caller on hold in ``queue_id`` (it entered the queue now)."""

    call_id: Final[CallId]
    queue_id: Final[QueueId]

    def __init__(self, *, call_id: CallId, queue_id: QueueId) -> None:
        self.call_id = call_id
        self.queue_id = queue_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class RingAgent:
    """Ring the agent for the call until ``until``; ``decision`` is set when explaining."""

    call_id: Final[CallId]
    agent_id: Final[AgentId]
    queue_id: Final[QueueId]
    until: Final[float]
    decision: Final[Decision | None]

    def __init__(
        self,
        *,
        call_id: CallId,
        agent_id: AgentId,
        queue_id: QueueId,
        until: float,
        decision: Decision | None = None,
    ) -> None:
        self.call_id = call_id
        self.agent_id = agent_id
        self.queue_id = queue_id
        self.until = until
        self.decision = decision


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CancelRing:
    """Stop ringing: ``no_answer`` at the timeout, ``cancelled`` for any other reason."""

    call_id: Final[CallId]
    agent_id: Final[AgentId]
    outcome: Final[RingOutcome]

    def __init__(self, *, call_id: CallId, agent_id: AgentId, outcome: RingOutcome) -> None:
        self.call_id = call_id
        self.agent_id = agent_id
        self.outcome = outcome


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class ConnectCall:
    """Bridge the caller to the agent who answered."""

    call_id: Final[CallId]
    agent_id: Final[AgentId]

    def __init__(self, *, call_id: CallId, agent_id: AgentId) -> None:
        self.call_id = call_id
        self.agent_id = agent_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class HangUp:
    """End the caller's leg on the engine's initiative (menu, full queue, queue timeout)."""

    call_id: Final[CallId]
    reason: Final[Outcome]

    def __init__(self, *, call_id: CallId, reason: Outcome) -> None:
        self.call_id = call_id
        self.reason = reason


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class ForwardCall:
    """Send the call to an outside number (menu ``forward:`` or queue overflow)."""

    call_id: Final[CallId]
    number: Final[str]

    def __init__(self, *, call_id: CallId, number: str) -> None:
        self.call_id = call_id
        self.number = number


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CloseCall:
    """The call is over for the engine; record its outcome. Exactly one per call.

    ``queue_id`` is the last queue the call was in or tried to enter, if any.
    """

    call_id: Final[CallId]
    outcome: Final[Outcome]
    queue_id: Final[QueueId | None]

    def __init__(
        self,
        *,
        call_id: CallId,
        outcome: Outcome,
        queue_id: QueueId | None = None,
    ) -> None:
        self.call_id = call_id
        self.outcome = outcome
        self.queue_id = queue_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class StartTimer:
    """Fire ``TimerFired(key)`` at ``at``; a timer with the same key is replaced."""

    key: Final[TimerKey]
    at: Final[float]

    def __init__(self, *, key: TimerKey, at: float) -> None:
        self.key = key
        self.at = at


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CancelTimer:
    key: Final[TimerKey]

    def __init__(self, *, key: TimerKey) -> None:
        self.key = key


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class OfferAgents:
    """Tell PCC whom to ring for the call, in this order, each for ``answer_timeout`` s."""

    call_id: Final[CallId]
    queue_id: Final[QueueId]
    agents: Final[tuple[AgentId, ...]]
    answer_timeout: Final[int]

    def __init__(
        self,
        *,
        call_id: CallId,
        queue_id: QueueId,
        agents: tuple[AgentId, ...],
        answer_timeout: int,
    ) -> None:
        self.call_id = call_id
        self.queue_id = queue_id
        self.agents = agents
        self.answer_timeout = answer_timeout


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class RequestAgents:
    """Ask the queue's ``get_list_agents_url`` whom to ring for the call (PCC's custom routing).

    The shell answers with :class:`~pcc_router.routing.events.AgentsListed`.
    """

    call_id: Final[CallId]
    queue_id: Final[QueueId]

    def __init__(self, *, call_id: CallId, queue_id: QueueId) -> None:
        self.call_id = call_id
        self.queue_id = queue_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class SetSystemStatus:
    """PCC ``system_status``: 0 while the agent is in a call, 1 when free."""

    agent_id: Final[AgentId]
    system_status: Final[int]

    def __init__(self, *, agent_id: AgentId, system_status: int) -> None:
        self.agent_id = agent_id
        self.system_status = system_status


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class SetManualStatus:
    """The engine changed the agent's ``manual_status`` (``max_no_answer`` reached)."""

    agent_id: Final[AgentId]
    manual_status: Final[str]
    reason: Final[str]

    def __init__(self, *, agent_id: AgentId, manual_status: str, reason: str) -> None:
        self.agent_id = agent_id
        self.manual_status = manual_status
        self.reason = reason


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
