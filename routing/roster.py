"""Keeping each agent's place in the pools true as its state changes.

:func:`refresh` is the one place where the PCC rule is re-evaluated for an
agent and its pool memberships follow; it also keeps the agent's staffed
time (available and reachable, or busy), the denominator of occupancy.
:func:`apply_update` and :func:`apply_presence` change an agent's own fields
as PCC and the customer's app server report them.
"""

from __future__ import annotations

import math

from pcc_router.routing.commands import CancelTimer, Command, SetSystemStatus, StartTimer
from pcc_router.routing.eligibility import is_routable, reachable
from pcc_router.routing.errors import RoutingError
from pcc_router.routing.events import AgentUpdated, PresenceChanged
from pcc_router.routing.model import AVAILABLE, CallId, Channel, RoutingType
from pcc_router.routing.state import Activity, AgentState, QueueState

__all__ = [
    "apply_presence",
    "apply_update",
    "end_external_call",
    "refresh",
    "start_external_call",
    "start_wrap_up",
    "switch_external_call",
]


def refresh(agent: AgentState, now: float) -> list[QueueState]:
    """Re-evaluate the agent; return the queues with waiting calls it just became free for."""
    gained: list[QueueState] = []
    routable = is_routable(agent, now)
    if routable is not agent.routable:
        agent.routable = routable
        for member in agent.memberships:
            queue = member.queue
            if routable:
                queue.pools[member.tier].add(agent, member.pos)
                if queue.n_waiting:
                    gained.append(queue)
            else:
                queue.pools[member.tier].remove(agent.id)
    staffed = agent.activity is not Activity.IDLE or (
        agent.manual_status == AVAILABLE and reachable(agent, now)
    )
    if staffed is not agent.staffed:
        if staffed:
            agent.staffed_since = now
        else:
            agent.staffed_time += now - agent.staffed_since
        agent.staffed = staffed
    return gained


def apply_update(agent: AgentState, event: AgentUpdated) -> None:
    """PCC ``PUT /v1/agent``; checks everything before changing anything."""
    if event.routing_type is not None and event.routing_type not in (1, 2):
        raise RoutingError(f"routing_type must be 1 or 2, not {event.routing_type!r}")
    if event.manual_status is not None and event.manual_status != agent.manual_status:
        agent.manual_status = event.manual_status
        agent.consecutive_no_answers = 0
    if event.routing_type is not None:
        agent.routing_type = RoutingType(event.routing_type)
    if event.phone_number is not None:
        agent.phone_number = event.phone_number


def apply_presence(agent: AgentState, event: PresenceChanged, out: list[Command]) -> None:
    """A login/logout, push token or SIP registration; a SIP expiry becomes a timer."""
    if event.channel is Channel.APP:
        agent.app = event.present
    elif event.channel is Channel.PUSH:
        agent.push = event.present
    else:
        had_timer = agent.sip_expires is not None and agent.sip_expires != math.inf
        expires = event.expires_at if event.expires_at is not None else math.inf
        agent.sip_expires = expires if event.present else None
        if event.present and expires != math.inf:
            out.append(StartTimer(key=f"sip:{agent.id}", at=expires))
        elif had_timer:
            out.append(CancelTimer(key=f"sip:{agent.id}"))


def start_wrap_up(agent: AgentState, seconds: float, now: float, out: list[Command]) -> None:
    """After a call: wrap-up for ``seconds`` (a timer ends it), or idle at once."""
    if seconds > 0:
        agent.activity = Activity.WRAP_UP
        agent.wrap_until = now + seconds
        out.append(StartTimer(key=f"wrapup:{agent.id}", at=agent.wrap_until))
    else:
        agent.activity = Activity.IDLE
        agent.idle_since = now


def start_external_call(
    agent: AgentState,
    call_id: CallId,
    now: float,
    out: list[Command],
    *,
    resumed: bool = False,
    since: float | None = None,
) -> None:
    """PCC put the agent (idle, in wrap-up, or rung by PCC) in a call the engine did not ring."""
    if agent.activity is Activity.WRAP_UP:
        out.append(CancelTimer(key=f"wrapup:{agent.id}"))
    agent.activity = Activity.TALKING
    _take_call(agent, call_id, now, resumed=resumed, since=since)
    out.append(SetSystemStatus(agent_id=agent.id, system_status=0))


def switch_external_call(
    agent: AgentState, call_id: CallId, now: float, *, since: float | None
) -> None:
    """The agent, talking, answered another call: the one she was in is over.

    Its ``ended`` was lost or is late; its talk time is counted up to now.
    """
    agent.talk_time += now - agent.answered_at
    _take_call(agent, call_id, now, resumed=False, since=since)


def _take_call(
    agent: AgentState, call_id: CallId, now: float, *, resumed: bool, since: float | None
) -> None:
    agent.call_id = call_id
    agent.call_since = since
    if not resumed:
        agent.handled += 1
        agent.consecutive_no_answers = 0
    agent.answered_at = now


def end_external_call(agent: AgentState, wrap_up: float, now: float, out: list[Command]) -> None:
    """The agent's current external call is over: wrap-up for ``wrap_up`` seconds, then idle."""
    agent.talk_time += now - agent.answered_at
    agent.call_id = None
    agent.call_since = None
    out.append(SetSystemStatus(agent_id=agent.id, system_status=1))
    start_wrap_up(agent, wrap_up, now, out)
