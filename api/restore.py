"""What a rebuilt engine is told of each agent, from the store's rows.

The project (agents, presence, queues) comes from the configuration rows;
what agents are doing comes from their rows and the stored timers: a call in
progress (``system_status`` 0), a ring or an offer (its ``offer:`` timer), a
wrap-up (its ``wrapup:`` timer), and a SIP registration's expiry.
"""

from __future__ import annotations

from pcc_router.api.store.repo import StoredState
from pcc_router.routing import (
    AgentCallStarted,
    AgentId,
    AgentRingStarted,
    AgentWrappingUp,
    CallId,
    Channel,
    Event,
    PresenceChanged,
)

__all__ = ["restore_events"]


def restore_events(state: StoredState, now: float) -> list[Event]:
    """Restore-only events: what the stored rows say each agent is doing now."""
    offers = {
        t.key.removeprefix("offer:"): t.at for t in state.timers if t.key.startswith("offer:")
    }
    agents = {row.stringee_user_id for row in state.agents}
    # a timer may outlive its agent (deleted meanwhile): it then restores nothing
    events: list[Event] = [
        AgentWrappingUp(agent_id=AgentId(t.key.removeprefix("wrapup:")), until=t.at)
        for t in state.timers
        if t.key.startswith("wrapup:") and t.key.removeprefix("wrapup:") in agents
    ]
    for row in state.agents:
        agent_id = AgentId(row.stringee_user_id)
        call_id = CallId(row.call_id or "")
        if row.system_status == 0:
            since = state.call_since.get(call_id)
            events.append(
                AgentCallStarted(agent_id=agent_id, call_id=call_id, resumed=True, since=since)
            )
        elif row.call_id and agent_id in offers:
            events.append(
                AgentRingStarted(agent_id=agent_id, call_id=call_id, until=offers[agent_id])
            )
        expires = row.sip_expires
        if expires is not None and now < expires < float("inf"):
            # the project knows "registered", not until when: restore the expiry
            events.append(
                PresenceChanged(
                    agent_id=agent_id, channel=Channel.SIP, present=True, expires_at=expires
                )
            )
    return events
