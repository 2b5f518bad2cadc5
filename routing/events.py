"""What happens to the engine: inputs to :meth:`routing.Engine.handle`.

Events are named in the past tense; each is a slotted dataclass whose fields are
``Final``: immutable to its users (mypy refuses an assignment; compiled, the
attribute is read-only), built by a plain keyword-only ``__init__`` that mypyc
compiles natively, because a frozen dataclass pays ``object.__setattr__`` per
field and its generated ``__init__`` stays interpreted even when compiled. The
shell that owns time (the simulator's clock or the service's wall clock)
creates them and passes the time separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, final

from pcc_router.routing.model import AgentId, CallId, Channel, QueueId
from pcc_router.routing.timers import TimerKey

__all__ = [
    "AgentAnswered",
    "AgentCallEnded",
    "AgentCallStarted",
    "AgentRingStarted",
    "AgentUpdated",
    "AgentsListed",
    "AgentsRequested",
    "CallArrived",
    "CallEnded",
    "CallerHungUp",
    "Event",
    "PresenceChanged",
    "TimerFired",
]


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CallArrived:
    """A customer called ``to``; ``keys`` are the digits pressed at its menu, in order."""

    call_id: Final[CallId]
    to: Final[str]
    caller: Final[str]
    keys: Final[str]

    def __init__(self, *, call_id: CallId, to: str, caller: str = "", keys: str = "") -> None:
        self.call_id = call_id
        self.to = to
        self.caller = caller
        self.keys = keys


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CallerHungUp:
    """The customer left: abandoned if not yet answered, a normal end if talking."""

    call_id: Final[CallId]

    def __init__(self, *, call_id: CallId) -> None:
        self.call_id = call_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentAnswered:
    """An agent picked up a ring. A stale answer (ring already over) is ignored."""

    call_id: Final[CallId]
    agent_id: Final[AgentId]

    def __init__(self, *, call_id: CallId, agent_id: AgentId) -> None:
        self.call_id = call_id
        self.agent_id = agent_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class CallEnded:
    """An answered call is over; the agent goes to wrap-up or straight back to routable."""

    call_id: Final[CallId]

    def __init__(self, *, call_id: CallId) -> None:
        self.call_id = call_id


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class TimerFired:
    """A timer the engine started with :class:`pcc_router.routing.commands.StartTimer` is due."""

    key: Final[TimerKey]

    def __init__(self, *, key: TimerKey) -> None:
        self.key = key


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentUpdated:
    """The agent's own fields changed (PCC ``PUT /v1/agent``); ``None`` leaves a field as is."""

    agent_id: Final[AgentId]
    manual_status: Final[str | None]
    routing_type: Final[int | None]
    phone_number: Final[str | None]

    def __init__(
        self,
        *,
        agent_id: AgentId,
        manual_status: str | None = None,
        routing_type: int | None = None,
        phone_number: str | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.manual_status = manual_status
        self.routing_type = routing_type
        self.phone_number = phone_number


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class PresenceChanged:
    """An App/Web login or logout, a push token (un)registered, a SIP (un)registration.

    ``expires_at`` applies to a SIP registration: it lapses then unless renewed.
    """

    agent_id: Final[AgentId]
    channel: Final[Channel]
    present: Final[bool]
    expires_at: Final[float | None]

    def __init__(
        self,
        *,
        agent_id: AgentId,
        channel: Channel,
        present: bool,
        expires_at: float | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.channel = channel
        self.present = present
        self.expires_at = expires_at


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentRingStarted:
    """PCC rings the agent for a call the engine did not ring (or the controller has just
    offered the agent first for it): not routable until ``until``, the call's answer or its end.

    A ring of another agent for the same call ends this one: PCC rings one agent at a time.
    """

    agent_id: Final[AgentId]
    call_id: Final[CallId]
    until: Final[float]

    def __init__(self, *, agent_id: AgentId, call_id: CallId, until: float) -> None:
        self.agent_id = agent_id
        self.call_id = call_id
        self.until = until


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentCallStarted:
    """PCC reports the agent in a call the engine did not ring (PCC routed it): busy now.

    ``since`` is when PCC says the call was answered (epoch seconds, from its
    ``timestamp_ms``): when two calls are reported for one agent, the one
    answered later is her current call, so a lost ``ended`` never keeps her
    busy.
    """

    agent_id: Final[AgentId]
    call_id: Final[CallId]
    since: Final[float | None]

    def __init__(self, *, agent_id: AgentId, call_id: CallId, since: float | None = None) -> None:
        self.agent_id = agent_id
        self.call_id = call_id
        self.since = since


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentCallEnded:
    """That call is over: its agent (when named) to wrap-up per ``queue_id``'s settings
    when known, then routable; any agent still ringing for the call is free again.

    ``ended_at``: when it ended, if before now (PCC's own time for it, a
    delivery later): her talk time stops and her wrap-up starts then.
    """

    call_id: Final[CallId]
    agent_id: Final[AgentId | None]
    queue_id: Final[QueueId | None]
    ended_at: Final[float | None]

    def __init__(
        self,
        *,
        call_id: CallId,
        agent_id: AgentId | None = None,
        queue_id: QueueId | None = None,
        ended_at: float | None = None,
    ) -> None:
        self.call_id = call_id
        self.agent_id = agent_id
        self.queue_id = queue_id
        self.ended_at = ended_at


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentsRequested:
    """PCC asks whom to ring for these calls of the queue (its ``get_list_agents_url``).

    Answered with one :class:`~pcc_router.routing.commands.OfferAgents` per
    call; the first agent offered for each is reserved for it (as rung by
    PCC). ``seed`` drives the ``random`` strategy's draw, so that applying
    the same event again (another instance, a replay) draws the same.
    """

    queue_id: Final[QueueId]
    call_ids: Final[tuple[CallId, ...]]
    seed: Final[int]

    def __init__(self, *, queue_id: QueueId, call_ids: tuple[CallId, ...], seed: int = 0) -> None:
        self.queue_id = queue_id
        self.call_ids = call_ids
        self.seed = seed


@final
@dataclass(slots=True, kw_only=True, init=False, unsafe_hash=True)
class AgentsListed:
    """The queue's ``get_list_agents_url`` answered for a call the engine routes.

    Only an engine that asks (``Engine(ask_lists=True)``, the PCC emulator's)
    hears this, in answer to :class:`~pcc_router.routing.commands.RequestAgents`.
    The agents ring one after the other, in this order, each for its own
    ``answer_timeout``; an agent who cannot ring now is skipped. ``failed``:
    no usable answer (an error, a time-out), so the call takes the queue's
    own routing for this turn, as PCC does with no URL set.
    """

    call_id: Final[CallId]
    agents: Final[tuple[AgentId, ...]]
    answer_timeouts: Final[tuple[float, ...]]
    failed: Final[bool]

    def __init__(
        self,
        *,
        call_id: CallId,
        agents: tuple[AgentId, ...] = (),
        answer_timeouts: tuple[float, ...] = (),
        failed: bool = False,
    ) -> None:
        if len(agents) != len(answer_timeouts):
            raise ValueError("agents and answer_timeouts must pair up")
        self.call_id = call_id
        self.agents = agents
        self.answer_timeouts = answer_timeouts
        self.failed = failed


Event = (
    CallArrived
    | CallerHungUp
    | AgentAnswered
    | CallEnded
    | TimerFired
    | AgentUpdated
    | PresenceChanged
    | AgentRingStarted
    | AgentCallStarted
    | AgentCallEnded
    | AgentsRequested
    | AgentsListed
)
