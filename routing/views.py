"""What the shells may read of an agent: one frozen view, for reports and for the store.

The controller writes each changed agent from its view (one row update per
agent per transaction) and answers ``GET /v1/agents`` from it, so the engine
stays the one owner of agents' state.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcc_router.routing.eligibility import Verdict, verdict
from pcc_router.routing.model import AgentId, CallId
from pcc_router.routing.state import Activity, AgentState
from pcc_router.routing.stats import AgentHistory

__all__ = ["AgentView", "agent_view"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentView:
    """One agent at one moment: PCC fields, presence, activity, verdict, strategy memory."""

    stringee_user_id: AgentId
    name: str
    manual_status: str
    routing_type: int
    phone_number: str
    system_status: int
    activity: str  # idle | ringing | talking | wrap_up
    call_id: CallId | None
    #: When the ring or the wrap-up ends (epoch seconds); ``None`` when idle or talking.
    until: float | None
    app: bool
    push: bool
    sip_expires: float | None
    online: tuple[str, ...]
    verdict: Verdict
    history: AgentHistory


def agent_view(agent: AgentState, now: float) -> AgentView:
    until: float | None = None
    if agent.activity is Activity.RINGING:
        until = agent.ring_until
    elif agent.activity is Activity.WRAP_UP:
        until = agent.wrap_until
    return AgentView(
        stringee_user_id=agent.id,
        name=agent.name,
        manual_status=agent.manual_status,
        routing_type=int(agent.routing_type),
        phone_number=agent.phone_number,
        system_status=agent.system_status,
        activity=str(agent.activity),
        call_id=agent.call_id,
        until=until,
        app=agent.app,
        push=agent.push,
        sip_expires=agent.sip_expires,
        online=agent.online(now),
        verdict=verdict(agent, now),
        history=AgentHistory.of(agent),
    )
