"""The engine's shared state, and the inputs that concern agents only.

:class:`AgentSide` holds what every part of the engine reads (agents, queues,
the queues that need serving, the agents changed since the shell last asked)
and the handlers for agent inputs: presence, agent changes, wrap-up ends, SIP
expiries. :class:`pcc_router.routing.external.ExternalCalls` adds the calls PCC routes
itself, and :class:`pcc_router.routing.engine.Engine` the call flow on top.
"""

from __future__ import annotations

from collections.abc import Iterable

from pcc_router.routing.commands import Command
from pcc_router.routing.errors import RoutingError, UnknownAgent
from pcc_router.routing.events import AgentUpdated, AgentWrappingUp, PresenceChanged
from pcc_router.routing.model import AgentId, CallId, QueueId
from pcc_router.routing.phones import normal_number
from pcc_router.routing.roster import apply_presence, apply_update, refresh, start_wrap_up
from pcc_router.routing.state import Activity, AgentState, CallState, QueueState
from pcc_router.routing.views import AgentView, agent_view

__all__ = ["AgentSide"]

_Out = list[Command]


def phone_index(agents: Iterable[AgentState]) -> dict[str, AgentId]:
    """Agents by phone number in its normal form; the first agent holding a number keeps it."""
    index: dict[str, AgentId] = {}
    for agent in agents:
        if agent.phone_number:
            index.setdefault(normal_number(agent.phone_number), agent.id)
    return index


class AgentSide:
    """Agents, queues and the queues to serve; the agent inputs. Engine builds on it."""

    _agents: dict[AgentId, AgentState]
    _queues: dict[QueueId, QueueState]
    _dirty: dict[QueueId, QueueState]
    _calls: dict[CallId, CallState]
    _phones: dict[str, AgentId]
    _changed: set[AgentId]

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
        """Re-evaluate the PCC rule for the agent and move it in or out of its pools.

        Every change to an agent ends here, so this is also where the agent is
        noted as changed (the controller writes each changed agent once).
        """
        self._changed.add(agent.id)
        for queue in refresh(agent, now):
            self._dirty[queue.spec.id] = queue

    # ------------------------------------------------------------ reads

    def has_agent(self, agent_id: str) -> bool:
        return agent_id in self._agents

    def has_queue(self, queue_id: str) -> bool:
        return queue_id in self._queues

    def agent_ids(self) -> list[AgentId]:
        return list(self._agents)

    def agent_by_phone(self, number: str) -> AgentId | None:
        """The agent whose ``phone_number`` is ``number`` in any of its written forms."""
        return self._phones.get(normal_number(number))

    def only_queue(self, agent_id: str) -> QueueId | None:
        """The agent's queue when it serves exactly one, else ``None``."""
        agent = self._agent(agent_id)
        queues = {member.queue.spec.id for member in agent.memberships}
        return next(iter(queues)) if len(queues) == 1 else None

    def agent_view(self, agent_id: str, now: float) -> AgentView:
        """Everything known of one agent now, with the verdict and its reasons."""
        return agent_view(self._agent(agent_id), now)

    def drain_changed_agents(self) -> list[AgentId]:
        """The agents whose state changed since the last call, in id order; forgets them."""
        changed = sorted(self._changed)
        self._changed.clear()
        return changed

    # ----------------------------------------------------------- inputs

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
        if event.phone_number is not None:
            self._phones = phone_index(self._agents.values())
        self._refresh(agent, now)

    def _on_presence(self, event: PresenceChanged, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        apply_presence(agent, event, out)
        self._refresh(agent, now)

    def _on_wrapping_up(self, event: AgentWrappingUp, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        if agent.activity is Activity.IDLE and event.until > now:
            start_wrap_up(agent, event.until - now, now, out)
            self._refresh(agent, now)
