"""Calls PCC routes itself: its requests for agents, and the rings, answers and ends it reports.

In the controller PCC rings the agents (asking ``get_list_agents_url`` for the
order), so the engine hears of a call only through PCC. The rules that keep
an agent's state true under real delivery (events repeated, reordered or
lost):

- A request for agents (:class:`AgentsRequested`) is answered with each
  call's ring order (:class:`OfferAgents`), and the first agent offered for
  each call is reserved for it, as if rung: the next call is offered someone
  else first while anyone is free. An agent whose ring (or offer) for a call
  ended unanswered goes after those not yet tried for it, as when the engine
  rings itself; ``round_robin`` moves on past whoever was offered first.
  A ring PCC reported that ended unanswered counts toward the queue's
  ``max_no_answer`` (a reservation PCC never rang does not).
- A ring (``ringing``, or an offer) makes an idle agent unroutable until
  ``until``, the call's answer or its end; a ring of another agent for the
  same call ends it (PCC rings one agent at a time). A ring never overrides a
  call in progress or a wrap-up.
- An answer puts the agent in the call. If she is already in another call,
  the one answered later (``since``, PCC's time) is her current call: a lost
  ``ended`` for the earlier one cannot keep her busy for ever.
- An end frees the agent of that call (to the queue's wrap-up) and anyone
  still ringing for it; the end of a call that is not hers changes nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Container, Iterable

from pcc_router.routing.commands import CancelTimer, Command, OfferAgents, StartTimer
from pcc_router.routing.errors import RoutingError
from pcc_router.routing.events import (
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentsRequested,
)
from pcc_router.routing.model import AgentId, CallId, QueueId
from pcc_router.routing.roster import Roster
from pcc_router.routing.snapshot import PccCallMemory
from pcc_router.routing.state import Activity, AgentState
from pcc_router.routing.timers import TimerKind, timer_key

__all__ = ["ExternalCalls"]

_Out = list[Command]
_MAX_TRIED_CALLS = 10_000  # the oldest call's memory is forgotten past this many


class _Memory:
    """What the engine remembers of one PCC-routed call until it is answered or over."""

    __slots__ = ("queue_id", "tries")

    def __init__(self, queue_id: QueueId | None, tries: dict[AgentId, int]) -> None:
        self.queue_id = queue_id  # the queue PCC asked for it from (its max_no_answer)
        self.tries = tries  # its unanswered rings and offers, per agent

    def snapshot(self, call_id: CallId) -> PccCallMemory:
        return PccCallMemory(
            call_id=call_id, queue_id=self.queue_id, tries=tuple(self.tries.items())
        )


class ExternalCalls:
    """PCC-routed rings and calls of the roster's agents.

    ``engine_calls`` holds the ids of the calls the engine itself rings (the
    simulator's): an agent in one of those is not this class's to change.
    ``calls``: the memory of an earlier engine's open calls (:meth:`memory`),
    oldest first, to carry on from.
    """

    def __init__(
        self,
        roster: Roster,
        engine_calls: Container[CallId],
        calls: Iterable[PccCallMemory] = (),
    ) -> None:
        self._roster = roster
        self._engine_calls = engine_calls
        #: Agents ringing (or offered first) for each PCC-routed call.
        self._offers: dict[CallId, set[AgentId]] = {}
        #: Each call still open that PCC asked agents for, or that rang out: oldest first.
        self._calls: dict[CallId, _Memory] = {
            c.call_id: _Memory(c.queue_id, dict(c.tries)) for c in calls
        }
        #: Calls whose memory changed since the shell last asked.
        self._changed: set[CallId] = set()
        for agent in roster.agents.values():  # rebuilt from snapshots: who rings for what
            if agent.activity is Activity.RINGING and agent.call_id is not None:
                self._offers.setdefault(agent.call_id, set()).add(agent.id)

    def memory(self) -> tuple[PccCallMemory, ...]:
        """What is remembered of each open call, oldest first (for a rebuilt engine)."""
        return tuple(memory.snapshot(call_id) for call_id, memory in self._calls.items())

    def drain_changed(self) -> dict[CallId, PccCallMemory | None]:
        """Each call whose memory changed since the last call: its memory, or ``None`` once
        forgotten; oldest first, the forgotten last."""
        changed, self._changed = self._changed, set()
        kept = {c: m.snapshot(c) for c, m in self._calls.items() if c in changed}
        gone = dict.fromkeys(sorted(changed - kept.keys()))
        return {**kept, **gone}

    def requested(self, event: AgentsRequested, now: float, out: _Out) -> None:
        """Each call's ring order for PCC; the first agent of each is reserved for it."""
        roster = self._roster
        queue = roster.queue(event.queue_id)
        ring = math.ceil(queue.spec.wait_agent_answer_timeout)  # PCC takes whole seconds
        rng = random.Random(event.seed)
        for call_id in dict.fromkeys(event.call_ids):
            memory = self._remember(call_id)
            if memory.queue_id != queue.spec.id:
                memory.queue_id = queue.spec.id
                self._changed.add(call_id)
            order = roster.ring_order(event.queue_id, rng=rng, tries=memory.tries)
            if order:
                roster.rang_first(event.queue_id, order[0])
                offer = AgentRingStarted(agent_id=order[0], call_id=call_id, until=now + ring)
                self._ring(offer, now, out, heard=False)
            out.append(
                OfferAgents(
                    call_id=call_id,
                    queue_id=queue.spec.id,
                    agents=tuple(order),
                    answer_timeout=ring,
                )
            )

    def ring_started(self, event: AgentRingStarted, now: float, out: _Out) -> None:
        self._ring(event, now, out, heard=True)

    def _ring(self, event: AgentRingStarted, now: float, out: _Out, *, heard: bool) -> None:
        """The agent rings for the call (``heard``: PCC said so; else an offer reserves her)."""
        agent = self._roster.agent(event.agent_id)
        if event.until <= now:
            return  # over before it was heard of
        self._release(event.call_id, now, out, keep=agent.id, unanswered=True)
        if self._rung_externally(agent):
            self._drop_offer(agent)  # rung for another call now: that ring is over
        elif agent.activity is not Activity.IDLE:
            return  # talking, in wrap-up or rung by the engine: already not routable
        agent.ring_heard = heard
        self._roster.ring(agent, event.call_id, event.until, now)
        self._offers.setdefault(event.call_id, set()).add(agent.id)
        out.append(StartTimer(key=timer_key(TimerKind.OFFER, agent.id), at=event.until))

    def offer_expired(self, agent_id: str, now: float, out: _Out) -> None:
        agent = self._roster.agents.get(AgentId(agent_id))
        if agent is not None and self._rung_externally(agent) and agent.ring_until <= now:
            assert agent.call_id is not None
            self._rang_out(agent, agent.call_id, now, out)

    def _rang_out(self, agent: AgentState, call_id: CallId, now: float, out: _Out) -> None:
        """The agent's ring (or offer) for the call ended unanswered: she is free again."""
        heard = agent.ring_heard
        memory = self._tried(call_id, agent.id)
        self._drop_offer(agent)
        queue_id = memory.queue_id or self._roster.only_queue(agent.id)
        if heard and queue_id is not None:
            self._roster.rang_out(agent, self._roster.queue(queue_id).spec, now, out)
        else:
            self._roster.free(agent, now)

    def call_started(self, event: AgentCallStarted, now: float, out: _Out) -> None:
        agent = self._roster.agent(event.agent_id)
        if agent.call_id in self._engine_calls:  # refused before anything changes
            raise RoutingError(f"agent {agent.id!r} is in call {agent.call_id} of the engine")
        self._release(event.call_id, now, out, keep=agent.id)
        self._forget(event.call_id)  # answered: no more rings for it
        if agent.activity is Activity.TALKING:
            if agent.call_id == event.call_id:
                return  # a repeated report of the same fact
            if _answered_earlier(event.since, agent.call_since):
                return  # she has moved on from that call since: it must be over
        elif self._rung_externally(agent):
            self._drop_offer(agent)
            out.append(CancelTimer(key=timer_key(TimerKind.OFFER, agent.id)))
        self._roster.talk(agent, event.call_id, now, out, since=event.since)

    def call_ended(self, event: AgentCallEnded, now: float, out: _Out) -> None:
        roster = self._roster
        queue = roster.queue(event.queue_id) if event.queue_id is not None else None
        agent = roster.agent(event.agent_id) if event.agent_id is not None else None
        self._release(event.call_id, now, out)
        self._forget(event.call_id)
        if agent is None or agent.activity is not Activity.TALKING:
            return
        if agent.call_id != event.call_id or agent.call_id in self._engine_calls:
            return  # not her current call (or one the engine rang): nothing to end
        wrap_up = queue.spec.wrap_up if queue is not None else 0.0
        roster.end_talk(agent, wrap_up, now, out, ended_at=event.ended_at)

    # ---------------------------------------------------------- helpers

    def _rung_externally(self, agent: AgentState) -> bool:
        call_id = agent.call_id
        return (
            agent.activity is Activity.RINGING
            and call_id is not None
            and agent.id in self._offers.get(call_id, ())
        )

    def _release(
        self,
        call_id: CallId,
        now: float,
        out: _Out,
        *,
        keep: AgentId | None = None,
        unanswered: bool = False,
    ) -> None:
        """Whoever still rings for the call (but ``keep``) is free again.

        ``unanswered``: their rings ended because PCC rang the next agent.
        """
        for agent_id in sorted(self._offers.get(call_id, set()) - {keep}):
            agent = self._roster.agents[agent_id]
            out.append(CancelTimer(key=timer_key(TimerKind.OFFER, agent_id)))
            if unanswered:
                self._rang_out(agent, call_id, now, out)
            else:
                self._drop_offer(agent)
                self._roster.free(agent, now)

    def _tried(self, call_id: CallId, agent_id: AgentId) -> _Memory:
        memory = self._remember(call_id)
        memory.tries[agent_id] = memory.tries.get(agent_id, 0) + 1
        self._changed.add(call_id)
        return memory

    def _remember(self, call_id: CallId) -> _Memory:
        """The call's memory, made if new; the oldest call is forgotten past a bound (its
        end never came)."""
        memory = self._calls.get(call_id)
        if memory is None:
            if len(self._calls) >= _MAX_TRIED_CALLS:
                self._forget(next(iter(self._calls)))
            memory = self._calls[call_id] = _Memory(None, {})
            self._changed.add(call_id)
        return memory

    def _forget(self, call_id: CallId) -> None:
        if self._calls.pop(call_id, None) is not None:
            self._changed.add(call_id)

    def _drop_offer(self, agent: AgentState) -> None:
        agent.ring_heard = False
        call_id = agent.call_id
        ringing = self._offers.get(call_id) if call_id is not None else None
        if call_id is not None and ringing is not None:
            ringing.discard(agent.id)
            if not ringing:
                del self._offers[call_id]


def _answered_earlier(since: float | None, current_since: float | None) -> bool:
    """Whether a reported answer is older than the agent's current call (both known)."""
    return since is not None and current_since is not None and since < current_since
