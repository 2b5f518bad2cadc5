"""Calls PCC routes itself: rings, answers and ends that the engine learns of, not decides.

In the controller PCC rings the agents (asking ``get_list_agents_url`` for the
order), so the engine hears of a call only through PCC's events. The rules
that keep an agent's state true under real delivery (events repeated,
reordered or lost):

- A ring (``ringing``, or the controller offering the agent first for a call)
  makes an idle agent unroutable until ``until``, the call's answer or its
  end; a ring of another agent for the same call ends it (PCC rings one agent
  at a time). A ring never overrides a call in progress or a wrap-up.
- An answer puts the agent in the call. If she is already in another call,
  the one answered later (``since``, PCC's time) is her current call: a lost
  ``ended`` for the earlier one cannot keep her busy for ever.
- An end frees the agent of that call (to the queue's wrap-up) and anyone
  still ringing for it; the end of a call that is not hers changes nothing.
"""

from __future__ import annotations

from pcc_router.routing.agents import AgentSide
from pcc_router.routing.commands import CancelTimer, Command, StartTimer
from pcc_router.routing.errors import RoutingError
from pcc_router.routing.events import AgentCallEnded, AgentCallStarted, AgentRingStarted
from pcc_router.routing.model import AgentId, CallId
from pcc_router.routing.roster import end_external_call, start_external_call, switch_external_call
from pcc_router.routing.state import Activity, AgentState

__all__ = ["ExternalCalls"]

_Out = list[Command]


class ExternalCalls(AgentSide):
    """PCC-routed rings and calls; :class:`pcc_router.routing.engine.Engine` builds on it."""

    #: Agents ringing (or offered first) for each PCC-routed call.
    _offers: dict[CallId, set[AgentId]]

    def _rung_externally(self, agent: AgentState) -> bool:
        return agent.activity is Activity.RINGING and agent.id in self._offers.get(
            agent.call_id or CallId(""), ()
        )

    def _on_ring_started(self, event: AgentRingStarted, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        if event.until <= now:
            return  # over before it was heard of
        self._release_rings(event.call_id, now, out, keep=agent.id)
        if self._rung_externally(agent):
            self._drop_offer(agent)  # rung for another call now: that ring is over
        elif agent.activity is not Activity.IDLE:
            return  # talking, in wrap-up or rung by the engine: already not routable
        agent.activity = Activity.RINGING
        agent.call_id = event.call_id
        agent.ring_until = event.until
        self._offers.setdefault(event.call_id, set()).add(agent.id)
        out.append(StartTimer(key=f"offer:{agent.id}", at=event.until))
        self._refresh(agent, now)

    def _on_offer_expired(self, agent_id: str, now: float, out: _Out) -> None:
        agent = self._agents.get(AgentId(agent_id))
        if agent is not None and self._rung_externally(agent) and agent.ring_until <= now:
            self._end_ring(agent, now, out, cancel_timer=False)

    def _on_external_call_started(self, event: AgentCallStarted, now: float, out: _Out) -> None:
        agent = self._agent(event.agent_id)
        self._release_rings(event.call_id, now, out, keep=agent.id)
        if agent.activity is Activity.TALKING:
            if agent.call_id == event.call_id:
                return  # a repeated report of the same fact
            if agent.call_id in self._calls:
                raise RoutingError(f"agent {agent.id!r} is in call {agent.call_id} of the engine")
            if _answered_earlier(event.since, agent.call_since):
                return  # she has moved on from that call since: it must be over
            switch_external_call(agent, event.call_id, now, since=event.since)
            self._refresh(agent, now)
            return
        if self._rung_externally(agent):
            self._end_ring(agent, now, out, cancel_timer=True)
        elif agent.activity is Activity.RINGING:
            raise RoutingError(f"agent {agent.id!r} is ringing for call {agent.call_id}")
        start_external_call(
            agent, event.call_id, now, out, resumed=event.resumed, since=event.since
        )
        self._refresh(agent, now)

    def _on_external_call_ended(self, event: AgentCallEnded, now: float, out: _Out) -> None:
        queue = self._queue(event.queue_id) if event.queue_id is not None else None
        agent = self._agent(event.agent_id) if event.agent_id is not None else None
        self._release_rings(event.call_id, now, out)
        if agent is None or agent.activity is not Activity.TALKING:
            return
        if agent.call_id != event.call_id or agent.call_id in self._calls:
            return  # not her current call (or one the engine rang): nothing to end
        end_external_call(agent, queue.spec.wrap_up if queue is not None else 0.0, now, out)
        self._refresh(agent, now)

    # ---------------------------------------------------------- helpers

    def _release_rings(
        self, call_id: CallId, now: float, out: _Out, *, keep: AgentId | None = None
    ) -> None:
        """Whoever still rings for the call (but ``keep``) is free again."""
        for agent_id in sorted(self._offers.get(call_id, set()) - {keep}):
            self._end_ring(self._agents[agent_id], now, out, cancel_timer=True)

    def _end_ring(self, agent: AgentState, now: float, out: _Out, *, cancel_timer: bool) -> None:
        self._drop_offer(agent)
        if cancel_timer:
            out.append(CancelTimer(key=f"offer:{agent.id}"))
        agent.activity = Activity.IDLE
        agent.call_id = None
        agent.ring_until = 0.0
        self._refresh(agent, now)

    def _drop_offer(self, agent: AgentState) -> None:
        call_id = agent.call_id or CallId("")
        ringing = self._offers.get(call_id)
        if ringing is not None:
            ringing.discard(agent.id)
            if not ringing:
                del self._offers[call_id]


def _answered_earlier(since: float | None, current_since: float | None) -> bool:
    """Whether a reported answer is older than the agent's current call (both known)."""
    return since is not None and current_since is not None and since < current_since
