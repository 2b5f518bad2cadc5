"""The PCC routing engine: events in, commands out, no I/O.

Theory of operation
-------------------
A call reaches a hotline. A number either routes straight to a queue (PCC
``enable_ivr = false``) or plays a menu: a key pressed maps to a queue, a
forward or a hang-up; no key waits ``keypress_timeout`` (``EMPTY_KEY`` if
bound), a key not in the menu takes ``INVALID_KEY`` if bound; otherwise the
menu plays once more and then the call ends ``ivr_failed``.

A queue serves its waiting calls first come, first served. A call rings the
agents the queue's strategy picks among the *candidates*: the routable agents
of its primary groups, or of its backup groups while no primary agent is
routable (PCC ``primary_group``). Routability is the PCC rule of
:mod:`pcc_router.routing.eligibility`. A ring ends by an answer, by the queue's
``wait_agent_answer_timeout`` (``no_answer``: the call goes back to the head
of its queue and rings the next agent; an agent who let it ring out is tried
again only after every other candidate), or by the caller hanging up. With
``ring_all`` every candidate rings at once and the first answer cancels the
rest. ``max_no_answer`` consecutive ring-outs set the agent "NOT AVAILABLE".
After a call the agent spends the queue's wrap-up time unroutable.

Routing is instant: after every event, each queue whose line and pool are
both non-empty is served, the queue with the oldest waiting call first, until
no call can ring anyone. The invariant this keeps is the one the tests check:
no call waits while a routable agent of its queue is free.

Time is always passed in; timers are commands the shell executes; the only
randomness (the ``random`` strategy) comes from the generator the shell gives.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping
from typing import Any

from pcc_router.routing.agents import phone_index
from pcc_router.routing.commands import (
    CancelRing,
    CancelTimer,
    CloseCall,
    Command,
    ConnectCall,
    ForwardCall,
    HangUp,
    QueueCall,
    RingAgent,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
)
from pcc_router.routing.eligibility import Verdict, verdict
from pcc_router.routing.errors import RoutingError, UnknownCall, UnknownNumber
from pcc_router.routing.events import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentUpdated,
    AgentWrappingUp,
    CallArrived,
    CallEnded,
    CallerHungUp,
    Event,
    PresenceChanged,
    TimerFired,
)
from pcc_router.routing.explain import explain_ring
from pcc_router.routing.external import ExternalCalls
from pcc_router.routing.ivr import MenuStep, after_silence, read_keys
from pcc_router.routing.model import (
    NOT_AVAILABLE,
    Action,
    ActionKind,
    AgentId,
    CallId,
    Outcome,
    Project,
    QueueId,
    RingOutcome,
    Strategy,
)
from pcc_router.routing.roster import (
    start_wrap_up,
)
from pcc_router.routing.state import (
    Activity,
    AgentState,
    CallPhase,
    CallState,
    Membership,
    QueueState,
)
from pcc_router.routing.stats import AgentHistory, AgentStats

__all__ = ["Engine"]

_Out = list[Command]


class Engine(ExternalCalls):
    """Routes the calls of one PCC project. Feed it events with :meth:`handle`."""

    def __init__(
        self,
        project: Project,
        *,
        rng: random.Random,
        start: float = 0.0,
        explain: bool = False,
        history: Mapping[AgentId, AgentHistory] | None = None,
    ) -> None:
        """``history`` carries agents' idle times and counts over from an earlier engine."""
        project.check()
        self._rng = rng
        self._explain = explain
        self._agents = {a.stringee_user_id: AgentState(a, start=start) for a in project.agents}
        for agent_id, remembered in (history or {}).items():
            if agent_id in self._agents:  # before the pools are built: keys stay right
                remembered.restore(self._agents[agent_id])
        self._queues = {q.id: QueueState(q, i) for i, q in enumerate(project.queues)}
        self._numbers = {n.number: n for n in project.numbers}
        self._calls: dict[CallId, CallState] = {}
        self._offers: dict[CallId, set[AgentId]] = {}
        self._phones = phone_index(self._agents.values())
        self._changed: set[AgentId] = set()
        self._dirty: dict[QueueId, QueueState] = {}
        self._seq = itertools.count()
        self._join_groups(project)
        for agent in self._agents.values():
            self._refresh(agent, start)
        self._dirty.clear()
        self._changed.clear()
        self._handlers: dict[type[Any], Callable[[Any, float, _Out], None]] = {
            CallArrived: self._on_call_arrived,
            CallerHungUp: self._on_hang_up,
            CallEnded: self._on_hang_up,
            AgentAnswered: self._on_answered,
            TimerFired: self._on_timer,
            AgentUpdated: self._on_agent_updated,
            PresenceChanged: self._on_presence,
            AgentRingStarted: self._on_ring_started,
            AgentCallStarted: self._on_external_call_started,
            AgentCallEnded: self._on_external_call_ended,
            AgentWrappingUp: self._on_wrapping_up,
        }
        self._timers: dict[str, Callable[[str, float, _Out], None]] = {
            "ring": self._on_ring_timeout,
            "qwait": self._on_queue_timeout,
            "ivr": self._on_keypress_timeout,
            "wrapup": self._on_wrap_up_done,
            "sip": self._on_sip_expired,
            "offer": self._on_offer_expired,
        }

    def _join_groups(self, project: Project) -> None:
        groups = {g.id: g for g in project.groups}
        for queue in self._queues.values():
            for route in queue.spec.groups:
                tier = 0 if route.primary else 1
                for agent_id in groups[route.group].agents:
                    member = queue.members.get(agent_id)
                    if member is None:
                        member = Membership(queue, tier, len(queue.members))
                        queue.members[agent_id] = member
                        self._agents[agent_id].memberships.append(member)
                    member.tier = min(member.tier, tier)

    # ----------------------------------------------------------------- API

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply one event at time ``now`` and return what the shell must do, in order."""
        handler = self._handlers.get(type(event))
        if handler is None:
            raise RoutingError(f"not an engine event: {event!r}")
        out: _Out = []
        handler(event, now, out)
        if self._dirty:
            self._dispatch(now, out)
        return out

    def verdict(self, agent_id: str, now: float) -> Verdict:
        return verdict(self._agent(agent_id), now)

    def ring_order(self, queue_id: str, *, draw: bool = False) -> list[AgentId]:
        """The candidates of the queue, in the order its strategy would ring them.

        For ``random`` the order is the tie order, unless ``draw``: then it is
        shuffled with the engine's generator (an answer to give PCC, not a view).
        """
        queue = self._queue(queue_id)
        pool = queue.candidates()
        order = pool.order(queue.rr_last) if pool is not None else []
        if draw and queue.spec.strategy is Strategy.RANDOM:
            self._rng.shuffle(order)
        return order

    def strategy(self, queue_id: str) -> Strategy:
        return self._queue(queue_id).spec.strategy

    def members(self, queue_id: str) -> list[AgentId]:
        """Every agent of the queue's groups, in tie order."""
        queue = self._queue(queue_id)
        return sorted(queue.members, key=lambda a: queue.members[a].pos)

    def answer_timeout(self, queue_id: str) -> float:
        """How long one agent rings for this queue (``wait_agent_answer_timeout``)."""
        return self._queue(queue_id).spec.wait_agent_answer_timeout

    def queue_ids(self) -> list[QueueId]:
        return list(self._queues)

    def waiting(self, queue_id: str) -> int:
        return self._queue(queue_id).n_waiting

    def agent_history(self, agent_id: str) -> AgentHistory:
        return AgentHistory.of(self._agent(agent_id))

    def history(self) -> dict[AgentId, AgentHistory]:
        """What the strategies remember of each agent, for :class:`Engine`'s ``history``."""
        return {agent_id: AgentHistory.of(agent) for agent_id, agent in self._agents.items()}

    def agent_stats(self, now: float) -> list[AgentStats]:
        """Per-agent totals, staffed time counted up to ``now``."""
        return [AgentStats.of(agent, now) for agent in self._agents.values()]

    # ---------------------------------------------------------- call flow

    def _on_call_arrived(self, event: CallArrived, now: float, out: _Out) -> None:
        number = self._numbers.get(event.to)
        if number is None:
            raise UnknownNumber(event.to)
        if event.call_id in self._calls:
            raise RoutingError(f"call {event.call_id!r} is already in progress")
        call = CallState(event.call_id, number, event.keys)
        self._calls[call.id] = call
        if number.queue_id is not None:
            self._enter_queue(call, self._queues[number.queue_id], now, out)
        else:
            self._play_menu(call, now, out)

    def _play_menu(self, call: CallState, now: float, out: _Out) -> None:
        self._menu_step(call, read_keys(call), now, out)

    def _on_keypress_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self._calls.get(CallId(call_id))
        if call is not None and call.phase is CallPhase.IVR:
            self._menu_step(call, after_silence(call), now, out)

    def _menu_step(self, call: CallState, step: Action | MenuStep, now: float, out: _Out) -> None:
        if isinstance(step, Action):
            self._take(call, step, now, out)
        elif step is MenuStep.FAIL:
            self._close(call, Outcome.IVR_FAILED, out, hang_up=True)
        else:
            out.append(StartTimer(key=f"ivr:{call.id}", at=now + call.number.keypress_timeout))

    def _take(self, call: CallState, action: Action, now: float, out: _Out) -> None:
        if action.kind is ActionKind.QUEUE:
            self._enter_queue(call, self._queues[QueueId(action.target)], now, out)
        elif action.kind is ActionKind.FORWARD:
            out.append(ForwardCall(call_id=call.id, number=action.target))
            self._close(call, Outcome.FORWARDED, out)
        else:
            self._close(call, Outcome.HANGUP, out, hang_up=True)

    def _enter_queue(self, call: CallState, queue: QueueState, now: float, out: _Out) -> None:
        spec = queue.spec
        call.queue = queue
        if spec.maximum_queue_size is not None and queue.n_unanswered >= spec.maximum_queue_size:
            self._overflow(call, queue, Outcome.QUEUE_FULL, now, out)
            return
        call.phase = CallPhase.WAITING
        call.seq = next(self._seq)
        call.tries = {}
        queue.n_unanswered += 1
        queue.push(call)
        out.append(QueueCall(call_id=call.id, queue_id=spec.id))
        if spec.maximum_queue_wait_time is not None:
            out.append(StartTimer(key=f"qwait:{call.id}", at=now + spec.maximum_queue_wait_time))
        self._dirty[spec.id] = queue

    def _overflow(
        self, call: CallState, queue: QueueState, outcome: Outcome, now: float, out: _Out
    ) -> None:
        overflow = queue.spec.overflow
        if overflow is None:
            self._close(call, outcome, out, hang_up=True)
        else:
            self._take(call, overflow, now, out)

    def _on_queue_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self._calls.get(CallId(call_id))
        if call is None or call.queue is None:
            return
        queue = call.queue
        if call.phase is CallPhase.RINGING:
            self._stop_rings(call, now, out)
        elif call.phase is not CallPhase.WAITING:
            return
        queue.leave(call)
        self._overflow(call, queue, Outcome.QUEUE_TIMEOUT, now, out)

    def _on_hang_up(self, event: CallerHungUp | CallEnded, now: float, out: _Out) -> None:
        call = self._calls.get(event.call_id)
        if call is None:
            raise UnknownCall(event.call_id)
        phase = call.phase
        if phase is CallPhase.TALKING:
            self._finish_talk(call, now, out)
            return
        if phase is CallPhase.IVR:
            out.append(CancelTimer(key=f"ivr:{call.id}"))
        else:
            assert call.queue is not None
            if phase is CallPhase.RINGING:
                self._stop_rings(call, now, out)
            call.queue.leave(call)
            self._cancel_queue_timer(call, out)
        self._close(call, Outcome.ABANDONED, out)

    def _finish_talk(self, call: CallState, now: float, out: _Out) -> None:
        agent = call.agent
        assert agent is not None and call.queue is not None
        agent.talk_time += now - agent.answered_at
        agent.call_id = None
        out.append(SetSystemStatus(agent_id=agent.id, system_status=1))
        start_wrap_up(agent, call.queue.spec.wrap_up, now, out)
        self._refresh(agent, now)
        self._close(call, Outcome.ANSWERED, out)

    def _close(
        self, call: CallState, outcome: Outcome, out: _Out, *, hang_up: bool = False
    ) -> None:
        if hang_up:
            out.append(HangUp(call_id=call.id, reason=outcome))
        call.phase = CallPhase.DONE
        del self._calls[call.id]
        queue_id = call.queue.spec.id if call.queue is not None else None
        out.append(CloseCall(call_id=call.id, outcome=outcome, queue_id=queue_id))

    def _cancel_queue_timer(self, call: CallState, out: _Out) -> None:
        assert call.queue is not None
        if call.queue.spec.maximum_queue_wait_time is not None:
            out.append(CancelTimer(key=f"qwait:{call.id}"))

    # -------------------------------------------------------------- rings

    def _dispatch(self, now: float, out: _Out) -> None:
        dirty = self._dirty
        while True:
            best: QueueState | None = None
            best_seq = 0
            for queue in dirty.values():
                if queue.n_waiting and queue.candidates() is not None:
                    head = queue.head()
                    if head is not None and (best is None or head.seq < best_seq):
                        best, best_seq = queue, head.seq
            if best is None:
                break
            self._ring(best.pop(), best, now, out)
        dirty.clear()

    def _ring(self, call: CallState, queue: QueueState, now: float, out: _Out) -> None:
        pool = queue.candidates()
        assert pool is not None
        chosen = pool.choose(call.tries, rr_last=queue.rr_last, rng=self._rng)
        decision = None
        if self._explain:
            decision = explain_ring(
                queue=queue, call=call, chosen=chosen, agents=self._agents, now=now
            )
        until = now + queue.spec.wait_agent_answer_timeout
        call.phase = CallPhase.RINGING
        ringing = call.ringing = [self._agents[agent_id] for agent_id in chosen]
        for agent in ringing:
            agent.activity = Activity.RINGING
            agent.call_id = call.id
            agent.ring_until = until
            self._refresh(agent, now)
            out.append(
                RingAgent(
                    call_id=call.id,
                    agent_id=agent.id,
                    queue_id=queue.spec.id,
                    until=until,
                    decision=decision,
                )
            )
        queue.rr_last = queue.members[chosen[-1]].pos
        out.append(StartTimer(key=f"ring:{call.id}", at=until))

    def _on_answered(self, event: AgentAnswered, now: float, out: _Out) -> None:
        call = self._calls.get(event.call_id)
        if call is None or call.phase is not CallPhase.RINGING:
            return  # the ring is already over: a late answer changes nothing
        agent = next((a for a in call.ringing if a.id == event.agent_id), None)
        if agent is None:
            return
        queue = call.queue
        assert queue is not None
        out.append(CancelTimer(key=f"ring:{call.id}"))
        for other in call.ringing:
            if other is not agent:
                out.append(
                    CancelRing(call_id=call.id, agent_id=other.id, outcome=RingOutcome.CANCELLED)
                )
                self._free(other, now)
        call.ringing = []
        call.phase = CallPhase.TALKING
        call.agent = agent
        queue.n_unanswered -= 1
        self._cancel_queue_timer(call, out)
        agent.activity = Activity.TALKING
        agent.handled += 1
        agent.consecutive_no_answers = 0
        agent.answered_at = now
        out.append(ConnectCall(call_id=call.id, agent_id=agent.id))
        out.append(SetSystemStatus(agent_id=agent.id, system_status=0))
        self._refresh(agent, now)

    def _on_ring_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self._calls.get(CallId(call_id))
        if call is None or call.phase is not CallPhase.RINGING:
            return
        queue = call.queue
        assert queue is not None
        limit = queue.spec.max_no_answer
        for agent in call.ringing:
            out.append(
                CancelRing(call_id=call.id, agent_id=agent.id, outcome=RingOutcome.NO_ANSWER)
            )
            call.tries[agent.id] = call.tries.get(agent.id, 0) + 1
            agent.no_answers += 1
            agent.consecutive_no_answers += 1
            if limit and agent.consecutive_no_answers >= limit:
                agent.manual_status = NOT_AVAILABLE
                agent.consecutive_no_answers = 0
                reason = f"{limit} consecutive unanswered rings (max_no_answer of {queue.spec.id})"
                out.append(
                    SetManualStatus(agent_id=agent.id, manual_status=NOT_AVAILABLE, reason=reason)
                )
            self._free(agent, now)
        call.ringing = []
        call.phase = CallPhase.WAITING
        queue.push(call)
        self._dirty[queue.spec.id] = queue

    def _stop_rings(self, call: CallState, now: float, out: _Out) -> None:
        out.append(CancelTimer(key=f"ring:{call.id}"))
        for agent in call.ringing:
            out.append(
                CancelRing(call_id=call.id, agent_id=agent.id, outcome=RingOutcome.CANCELLED)
            )
            self._free(agent, now)
        call.ringing = []

    def _free(self, agent: AgentState, now: float) -> None:
        agent.activity = Activity.IDLE
        agent.call_id = None
        self._refresh(agent, now)

    def _on_timer(self, event: TimerFired, now: float, out: _Out) -> None:
        kind, _, ident = event.key.partition(":")
        handler = self._timers.get(kind)
        if handler is None:
            raise RoutingError(f"unknown timer {event.key!r}")
        handler(ident, now, out)
