"""The engine's shared state, and the inputs that concern agents only.

:class:`AgentSide` holds what every part of the engine reads (agents, queues,
the queues that need serving) and the handlers for agent inputs: presence,
agent changes, wrap-up ends, SIP expiries, and calls that PCC routed itself.
:class:`routing.engine.Engine` adds the call flow on top of it.
"""

from __future__ import annotations

from routing.commands import Command
from routing.errors import RoutingError, UnknownAgent
from routing.events import (
    AgentCallEnded,
    AgentCallStarted,
    AgentUpdated,
    AgentWrappingUp,
    PresenceChanged,
)
from routing.model import AgentId, QueueId
from routing.roster import (
    apply_presence,
    apply_update,
    end_external_call,
    refresh,
    start_external_call,
    start_wrap_up,
)
from routing.state import Activity, AgentState, QueueState

__all__ = ["AgentSide"]

_Out = list[Command]


class AgentSide:
    """Agents, queues and the queues to serve; the agent inputs. Engine builds on it."""

    _agents: dict[AgentId, AgentState]
    _queues: dict[QueueId, QueueState]
    _dirty: dict[QueueId, QueueState]

    def _agent(self, agent_id: str) -> AgentState:
        agent = self._agents.get(AgentId(agent_id))
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    def _queue(self, queue_id: str) -> QueueState:
        queue = self._queues.get(QueueId(queue_id))
        if queue is None:
            raise RoutingError(f"unknown queue {queue_id!r}", http_status=404)
        return queue

    def _refresh(self, agent: AgentState, now: float) -> None:
        """Re-evaluate the PCC rule for the agent and move it in or out of its pools."""
        for queue in refresh(agent, now):
            self._dirty[queue.spec.id] = queue

    def _on_wrap_up_done(self, agent_id: str, now: float, out: _Out) -> None:
        agent = self._agents.get(AgentId(agent_id))
        if agent is None or agent.activity is not Activity.WRAP_UP:
            return
        agent.activity = Activity.IDLE
        agent.idle_since = now
        self._refresh(agent, now)

    def _on_sip_expired(self, agent_id: str, now: float, out: _Out) -> None:
        agent = self._agents.get(AgentId(agent_id))
        if agent is not None:
            self._refresh(agent, now)

    def _on_agent_updated(self, event: AgentUpdated, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        apply_update(agent, event)
        self._refresh(agent, now)

    def _on_presence(self, event: PresenceChanged, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        apply_presence(agent, event, out)
        self._refresh(agent, now)

    def _on_external_call_started(self, event: AgentCallStarted, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        if start_external_call(agent, event.call_id, now, out, resumed=event.resumed):
            self._refresh(agent, now)

    def _on_external_call_ended(self, event: AgentCallEnded, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        queue = self._queue(event.queue_id) if event.queue_id is not None else None
        wrap_up = queue.spec.wrap_up if queue is not None else 0.0
        if end_external_call(agent, event.call_id, wrap_up, now, out):
            self._refresh(agent, now)

    def _on_wrapping_up(self, event: AgentWrappingUp, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        if agent.activity is Activity.IDLE and event.until > now:
            start_wrap_up(agent, event.until - now, now, out)
            self._refresh(agent, now)
