"""Per-agent totals the engine keeps as calls come and go."""

from __future__ import annotations

from dataclasses import dataclass

from pcc_router.routing.model import AgentId
from pcc_router.routing.state import AgentState

__all__ = ["AgentHistory", "AgentStats"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentHistory:
    """What the strategies remember of an agent, carried into a rebuilt engine."""

    idle_since: float
    handled: int
    talk_time: float
    no_answers: int
    consecutive_no_answers: int

    @classmethod
    def of(cls, agent: AgentState) -> AgentHistory:
        return cls(
            idle_since=agent.idle_since,
            handled=agent.handled,
            talk_time=agent.talk_time,
            no_answers=agent.no_answers,
            consecutive_no_answers=agent.consecutive_no_answers,
        )

    def restore(self, agent: AgentState) -> None:
        agent.idle_since = self.idle_since
        agent.handled = self.handled
        agent.talk_time = self.talk_time
        agent.no_answers = self.no_answers
        agent.consecutive_no_answers = self.consecutive_no_answers


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStats:
    """What one agent did; ``staffed_time`` is time available-and-reachable or busy."""

    stringee_user_id: AgentId
    handled: int
    talk_time: float
    staffed_time: float
    no_answers: int
    manual_status: str
    system_status: int

    @property
    def occupancy(self) -> float:
        return self.talk_time / self.staffed_time if self.staffed_time > 0 else 0.0

    @classmethod
    def of(cls, agent: AgentState, now: float) -> AgentStats:
        staffed = agent.staffed_time + (now - agent.staffed_since if agent.staffed else 0.0)
        return cls(
            stringee_user_id=agent.id,
            handled=agent.handled,
            talk_time=agent.talk_time,
            staffed_time=staffed,
            no_answers=agent.no_answers,
            manual_status=agent.manual_status,
            system_status=agent.system_status,
        )
