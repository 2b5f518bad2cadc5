"""Live state of agents, calls and queues, owned and mutated by the engine only."""

from __future__ import annotations

import enum
import heapq
import math

from pcc_router.routing.model import (
    AgentId,
    AgentSpec,
    CallId,
    Channel,
    NumberSpec,
    QueueSpec,
    RoutingType,
)
from pcc_router.routing.selection import Pool, Ranked, new_pool

__all__ = ["Activity", "AgentState", "CallPhase", "CallState", "Membership", "QueueState"]


class Activity(enum.StrEnum):
    IDLE = "idle"
    RINGING = "ringing"
    TALKING = "talking"
    WRAP_UP = "wrap_up"


class CallPhase(enum.StrEnum):
    IVR = "ivr"
    WAITING = "waiting"
    ASKING = "asking"  # waiting for the queue's get_list_agents_url to answer
    RINGING = "ringing"
    TALKING = "talking"
    DONE = "done"


class AgentState:
    """One agent: PCC fields, presence, what it is doing now and its running totals."""

    __slots__ = (
        "activity",
        "answered_at",
        "app",
        "call_id",
        "call_since",
        "consecutive_no_answers",
        "handled",
        "id",
        "idle_since",
        "manual_status",
        "memberships",
        "name",
        "no_answers",
        "phone_number",
        "push",
        "ring_heard",
        "ring_until",
        "routable",
        "routing_type",
        "sip_expires",
        "sip_only",
        "staffed",
        "staffed_since",
        "staffed_time",
        "state_since",
        "talk_time",
        "wrap_until",
    )  # fmt: skip

    def __init__(self, spec: AgentSpec, *, start: float) -> None:
        self.id: AgentId = spec.stringee_user_id
        self.name = spec.name or spec.stringee_user_id
        self.phone_number = spec.phone_number
        self.routing_type = RoutingType(spec.routing_type)
        self.manual_status = spec.manual_status
        self.app = Channel.APP in spec.online
        self.push = Channel.PUSH in spec.online
        # None: no SIP registration; inf: registered with no expiry.
        self.sip_expires: float | None = math.inf if Channel.SIP in spec.online else None
        self.activity = Activity.IDLE
        self.call_id: CallId | None = None
        # When PCC says the current external call was answered (epoch seconds), if it said.
        self.call_since: float | None = None
        self.ring_until = 0.0
        #: Whether PCC reported the current ring (not only reserved by an offer): a ring
        #: PCC made that runs out counts toward ``max_no_answer``.
        self.ring_heard = False
        self.wrap_until = 0.0
        self.idle_since = start
        #: When the agent's state as a wallboard shows it last changed (activity, routable,
        #: manual status, presence); a rebuilt engine starts it at its own start.
        self.state_since = start
        self.handled = 0
        self.talk_time = 0.0
        self.no_answers = 0
        self.consecutive_no_answers = 0
        self.answered_at = 0.0
        self.routable = False
        self.sip_only = False  # routable, but only by a SIP phone (see QueueSpec.cond_routing)
        self.staffed = False
        self.staffed_since = start
        self.staffed_time = 0.0
        self.memberships: list[Membership] = []

    @property
    def system_status(self) -> int:
        """PCC ``system_status``: 0 while in a call, else 1."""
        return 0 if self.activity is Activity.TALKING else 1

    def online(self, now: float) -> tuple[str, ...]:
        """The channels this agent can be reached on now (``routing_type = 1``)."""
        channels = []
        if self.app:
            channels.append(Channel.APP.value)
        if self.push:
            channels.append(Channel.PUSH.value)
        if self.sip_expires is not None and now < self.sip_expires:
            channels.append(Channel.SIP.value)
        return tuple(channels)


class QueueState:
    """A queue's waiting line (first come, first served) and its pools of routable agents."""

    __slots__ = (
        "_line",
        "index",
        "members",
        "n_unanswered",
        "n_waiting",
        "pools",
        "rr_last",
        "spec",
        "takes_sip",
    )

    def __init__(self, spec: QueueSpec, index: int) -> None:
        self.spec = spec
        self.takes_sip = spec.takes_sip
        self.index = index
        self.members: dict[AgentId, Membership] = {}
        # pools[0]: agents of primary groups, pools[1]: agents of backup groups only.
        self.pools = (new_pool(spec.strategy), new_pool(spec.strategy))
        self._line: list[tuple[int, CallState]] = []
        self.n_waiting = 0
        self.n_unanswered = 0
        self.rr_last = -1

    def candidates(self) -> Pool | None:
        """The pool a call may ring now: the primary groups', else the backups', else none."""
        primary, backup = self.pools
        if primary.size:
            return primary
        return backup if backup.size else None

    def push(self, call: CallState) -> None:
        """Line the call up by its entry order, so a call back from a ring keeps its place."""
        heapq.heappush(self._line, (call.seq, call))
        self.n_waiting += 1

    def head(self) -> CallState | None:
        line = self._line
        while line:
            call = line[0][1]
            if call.phase is CallPhase.WAITING and call.queue is self:
                return call
            heapq.heappop(line)  # left the line earlier (hung up, timed out): drop lazily
        return None

    def pop(self) -> CallState:
        call = heapq.heappop(self._line)[1]
        self.n_waiting -= 1
        return call

    def leave(self, call: CallState) -> None:
        """The call left without being served; its heap entry is dropped lazily."""
        if call.phase is CallPhase.WAITING:
            self.n_waiting -= 1
        self.n_unanswered -= 1


class Membership:
    """An agent's place in one queue: its tier (0 primary, 1 backup), tie position, and
    her entry in the tier's pool while she is in it (to leave it by, with no search)."""

    __slots__ = ("entry", "pos", "queue", "tier")

    def __init__(self, queue: QueueState, tier: int, pos: int) -> None:
        self.queue = queue
        self.tier = tier
        self.pos = pos
        self.entry: Ranked | None = None


class CallState:
    """A call the engine is handling; forgotten once it is closed."""

    __slots__ = (
        "agent",
        "id",
        "ivr_plays",
        "keys",
        "listed",
        "number",
        "phase",
        "queue",
        "ringing",
        "seq",
        "tries",
    )  # fmt: skip

    def __init__(self, call_id: CallId, number: NumberSpec, keys: str) -> None:
        # A call lives for its whole talk, thousands of calls long in a large centre, so
        # it holds no container it does not need yet: an empty tuple or None until then
        # (every object it keeps is one more cache miss when the call ends).
        self.id = call_id
        self.number = number
        #: The caller's keys not read yet.
        self.keys = keys
        self.phase = CallPhase.IVR
        self.queue: QueueState | None = None
        self.seq = 0
        self.ringing: tuple[AgentState, ...] = ()
        #: Ring-outs per agent for this call (None: none yet): an agent is rung again only
        #: after every other candidate has been tried as often.
        self.tries: dict[AgentId, int] | None = None
        self.agent: AgentState | None = None
        self.ivr_plays = 1
        #: The rest of the list get_list_agents_url gave: (agent, answer_timeout), in order.
        self.listed: tuple[tuple[AgentId, float], ...] = ()

    def __lt__(self, other: CallState) -> bool:  # heap ties never happen: seq is unique
        return self.seq < other.seq
