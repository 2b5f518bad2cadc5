"""The call flow of calls the engine routes itself: menu, queue, rings, answer, talk, end.

A call's phase moves only along :data:`CALL_MOVES`, checked by one
:func:`move`::

    ivr ──► waiting ──ring──► ringing ──answer──► talking ──► done
     │        ▲  │              │ │
     │        │  │   ring-out   │ │    (hang-up, queue timeout, full queue,
     │        └──┼──────────────┘ │     forward, menu failure: done from
     └───────────┴──► done ◄──────┘     any phase but done)

With custom routing (``ask_lists``, the emulator's engine) a queue with a
``get_list_agents_url`` asks it whom to ring as each call comes, and again
for a waiting call whenever an agent becomes routable: ``waiting ──►
asking`` until the list comes (:class:`AgentsListed`), then ``asking ──►
ringing`` for each listed agent in turn. When none of them can ring, the
:class:`ListFallback` decides: the queue's own groups ring, or the call
waits and the queue asks again ``reask_after`` seconds later.

The agents' side of each step (ringing, talking, freed, wrap-up) is the
roster's (:class:`~pcc_router.routing.roster.Roster`); this class keeps the
calls, the queues' lines, and serves the queues after every event. (Over 300
lines on purpose: a call's whole life in one place, custom routing included.)
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping

from pcc_router.routing.commands import (
    CancelRing,
    CancelTimer,
    CloseCall,
    Command,
    ConnectCall,
    ForwardCall,
    HangUp,
    QueueCall,
    RequestAgents,
    RingAgent,
    StartTimer,
)
from pcc_router.routing.errors import RoutingError, UnknownCall, UnknownNumber
from pcc_router.routing.events import (
    AgentAnswered,
    AgentsListed,
    CallArrived,
    CallEnded,
    CallerHungUp,
)
from pcc_router.routing.explain import explain_ring
from pcc_router.routing.ivr import MenuStep, after_silence, read_keys
from pcc_router.routing.model import (
    Action,
    ActionKind,
    CallId,
    ListFallback,
    NumberSpec,
    Outcome,
    QueueId,
    RingOutcome,
)
from pcc_router.routing.roster import Roster
from pcc_router.routing.state import AgentState, CallPhase, CallState, QueueState
from pcc_router.routing.timers import TimerKind, timer_key

__all__ = ["CALL_MOVES", "CallFlow", "move"]

_Out = list[Command]

#: The legal moves of a call's phase (see the module's picture).
CALL_MOVES: Mapping[CallPhase, frozenset[CallPhase]] = {
    CallPhase.IVR: frozenset({CallPhase.WAITING, CallPhase.DONE}),
    CallPhase.WAITING: frozenset(
        {CallPhase.RINGING, CallPhase.WAITING, CallPhase.ASKING, CallPhase.DONE}
    ),
    CallPhase.ASKING: frozenset({CallPhase.RINGING, CallPhase.WAITING, CallPhase.DONE}),
    CallPhase.RINGING: frozenset({CallPhase.WAITING, CallPhase.TALKING, CallPhase.DONE}),
    CallPhase.TALKING: frozenset({CallPhase.DONE}),
    CallPhase.DONE: frozenset(),
}


def move(call: CallState, phase: CallPhase) -> None:
    """The one place a call changes phase."""
    if phase not in CALL_MOVES[call.phase]:
        raise RoutingError(f"call {call.id!r} cannot go from {call.phase} to {phase}")
    call.phase = phase


class CallFlow:
    """The calls in progress, and the handlers of their events and timers."""

    def __init__(
        self,
        roster: Roster,
        numbers: Mapping[str, NumberSpec],
        *,
        rng: random.Random,
        explain: bool,
        ask_lists: bool = False,
        empty_list: ListFallback = ListFallback.GROUPS,
        reask_after: float = 2.0,
    ) -> None:
        self._roster = roster
        self._numbers = numbers
        self._rng = rng
        self._explain = explain
        self._ask_lists = ask_lists
        self._empty_list = empty_list
        self._reask_after = reask_after
        #: Queues that may now ring for a waiting call: :meth:`serve`'s work list, which
        #: the roster reports gains into.
        self.to_serve: dict[QueueId, QueueState] = {}
        roster.report_gains_to(self.to_serve)
        self.calls: dict[CallId, CallState] = {}
        self._seq = itertools.count()

    def has_number(self, number: str) -> bool:
        return number in self._numbers

    # ------------------------------------------------------- arrival, menu

    def arrived(self, event: CallArrived, now: float, out: _Out) -> None:
        number = self._numbers.get(event.to)
        if number is None:
            raise UnknownNumber(event.to)
        if event.call_id in self.calls:
            raise RoutingError(f"call {event.call_id!r} is already in progress")
        call = CallState(event.call_id, number, event.keys)
        self.calls[call.id] = call
        if number.queue_id is not None:
            self._enter_queue(call, self._roster.queues[number.queue_id], now, out)
        else:
            self._menu_step(call, read_keys(call), now, out)

    def keypress_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self.calls.get(CallId(call_id))
        if call is not None and call.phase is CallPhase.IVR:
            self._menu_step(call, after_silence(call), now, out)

    def _menu_step(self, call: CallState, step: Action | MenuStep, now: float, out: _Out) -> None:
        if isinstance(step, Action):
            self._take(call, step, now, out)
        elif step is MenuStep.FAIL:
            self._close(call, Outcome.IVR_FAILED, out, hang_up=True)
        else:
            at = now + call.number.keypress_timeout
            out.append(StartTimer(key=timer_key(TimerKind.KEYPRESS, call.id), at=at))

    def _take(self, call: CallState, action: Action, now: float, out: _Out) -> None:
        if action.kind is ActionKind.QUEUE:
            self._enter_queue(call, self._roster.queues[QueueId(action.target)], now, out)
        elif action.kind is ActionKind.FORWARD:
            out.append(ForwardCall(call_id=call.id, number=action.target))
            self._close(call, Outcome.FORWARDED, out)
        else:
            self._close(call, Outcome.HANGUP, out, hang_up=True)

    # -------------------------------------------------------------- queue

    def _enter_queue(self, call: CallState, queue: QueueState, now: float, out: _Out) -> None:
        spec = queue.spec
        call.queue = queue
        if spec.maximum_queue_size is not None and queue.n_unanswered >= spec.maximum_queue_size:
            self._overflow(call, queue, Outcome.QUEUE_FULL, now, out)
            return
        move(call, CallPhase.WAITING)
        call.seq = next(self._seq)
        call.tries = None
        queue.n_unanswered += 1
        out.append(QueueCall(call_id=call.id, queue_id=spec.id))
        if spec.maximum_queue_wait_time is not None:
            at = now + spec.maximum_queue_wait_time
            out.append(StartTimer(key=timer_key(TimerKind.QUEUE_WAIT, call.id), at=at))
        if self._ask_lists and spec.get_list_agents_url is not None:
            self._ask(call, queue, out)  # PCC asks as the call comes, whoever it sees free
            return
        if not queue.n_waiting and not self.to_serve and queue.candidates() is not None:
            # No line here and no other queue to serve: :meth:`serve` would ring this
            # call next and nothing else, so ring it without lining it up.
            self._ring(call, queue, now, out)
            return
        queue.push(call)
        self.to_serve[spec.id] = queue

    def _overflow(
        self, call: CallState, queue: QueueState, outcome: Outcome, now: float, out: _Out
    ) -> None:
        overflow = queue.spec.overflow
        if overflow is None:
            self._close(call, outcome, out, hang_up=True)
        else:
            self._take(call, overflow, now, out)

    def queue_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self.calls.get(CallId(call_id))
        if call is None or call.queue is None:
            return
        queue = call.queue
        if call.phase is CallPhase.RINGING:
            self._stop_rings(call, now, out)
        elif call.phase is not CallPhase.WAITING:
            return
        queue.leave(call)
        self._overflow(call, queue, Outcome.QUEUE_TIMEOUT, now, out)

    # ------------------------------------------------------------ the end

    def hung_up(self, event: CallerHungUp | CallEnded, now: float, out: _Out) -> None:
        call = self.calls.get(event.call_id)
        if call is None:
            raise UnknownCall(event.call_id)
        phase = call.phase
        if phase is CallPhase.TALKING:
            agent, queue = call.agent, call.queue
            assert agent is not None and queue is not None
            self._roster.end_talk(agent, queue.spec.wrap_up, now, out)
            self._close(call, Outcome.ANSWERED, out)
            return
        if phase is CallPhase.IVR:
            out.append(CancelTimer(key=timer_key(TimerKind.KEYPRESS, call.id)))
        else:
            assert call.queue is not None
            if phase is CallPhase.RINGING:
                self._stop_rings(call, now, out)
            call.queue.leave(call)
            self._cancel_queue_timer(call, out)
        self._close(call, Outcome.ABANDONED, out)

    def _close(
        self, call: CallState, outcome: Outcome, out: _Out, *, hang_up: bool = False
    ) -> None:
        if hang_up:
            out.append(HangUp(call_id=call.id, reason=outcome))
        move(call, CallPhase.DONE)
        del self.calls[call.id]
        queue_id = call.queue.spec.id if call.queue is not None else None
        out.append(CloseCall(call_id=call.id, outcome=outcome, queue_id=queue_id))

    def _cancel_queue_timer(self, call: CallState, out: _Out) -> None:
        assert call.queue is not None
        if call.queue.spec.maximum_queue_wait_time is not None:
            out.append(CancelTimer(key=timer_key(TimerKind.QUEUE_WAIT, call.id)))

    # -------------------------------------------------------------- rings

    def serve(self, now: float, out: _Out) -> None:
        """Ring for waiting calls while any queue has both a call and a routable agent."""
        work = self.to_serve
        while True:
            best: QueueState | None = None
            best_seq = 0
            for queue in work.values():
                if queue.n_waiting and queue.candidates() is not None:
                    head = queue.head()
                    if head is not None and (best is None or head.seq < best_seq):
                        best, best_seq = queue, head.seq
            if best is None:
                break
            if self._ask_lists and best.spec.get_list_agents_url is not None:
                self._ask(best.pop(), best, out)
            else:
                self._ring(best.pop(), best, now, out)
        work.clear()

    def _ring(self, call: CallState, queue: QueueState, now: float, out: _Out) -> None:
        pool = queue.candidates()
        assert pool is not None
        chosen = pool.choose(call.tries, rr_last=queue.rr_last, rng=self._rng)
        roster = self._roster
        decision = None
        if self._explain:
            decision = explain_ring(
                queue=queue,
                call=call,
                chosen=[entry[2] for entry in chosen],
                agents=roster.agents,
                now=now,
            )
        until = now + queue.spec.wait_agent_answer_timeout
        move(call, CallPhase.RINGING)
        # One agent in all strategies but ring_all: no generator for her.
        ringing: tuple[AgentState, ...] = (
            (chosen[0][3],) if len(chosen) == 1 else tuple(entry[3] for entry in chosen)
        )
        call.ringing = ringing
        for agent in ringing:
            roster.ring(agent, call.id, until, now)
            out.append(
                RingAgent(
                    call_id=call.id,
                    agent_id=agent.id,
                    queue_id=queue.spec.id,
                    until=until,
                    decision=decision,
                )
            )
        queue.rr_last = chosen[-1][1]  # the last one's tie position
        out.append(StartTimer(key=timer_key(TimerKind.RING, call.id), at=until))

    def answered(self, event: AgentAnswered, now: float, out: _Out) -> None:
        call = self.calls.get(event.call_id)
        if call is None or call.phase is not CallPhase.RINGING:
            return  # the ring is already over: a late answer changes nothing
        for agent in call.ringing:
            if agent.id == event.agent_id:
                break
        else:
            return  # not one of those ringing for the call
        queue = call.queue
        assert queue is not None
        out.append(CancelTimer(key=timer_key(TimerKind.RING, call.id)))
        for other in call.ringing:
            if other is not agent:
                out.append(
                    CancelRing(call_id=call.id, agent_id=other.id, outcome=RingOutcome.CANCELLED)
                )
                self._roster.free(other, now)
        call.ringing = ()
        move(call, CallPhase.TALKING)
        call.agent = agent
        queue.n_unanswered -= 1
        self._cancel_queue_timer(call, out)
        out.append(ConnectCall(call_id=call.id, agent_id=agent.id))
        self._roster.talk(agent, call.id, now, out)

    def ring_timeout(self, call_id: str, now: float, out: _Out) -> None:
        call = self.calls.get(CallId(call_id))
        if call is None or call.phase is not CallPhase.RINGING:
            return
        queue = call.queue
        assert queue is not None
        tries = call.tries
        if tries is None:
            tries = call.tries = {}
        for agent in call.ringing:
            out.append(
                CancelRing(call_id=call.id, agent_id=agent.id, outcome=RingOutcome.NO_ANSWER)
            )
            tries[agent.id] = tries.get(agent.id, 0) + 1
            self._roster.rang_out(agent, queue.spec, now, out)
        call.ringing = ()
        move(call, CallPhase.WAITING)
        if call.listed and self._ring_listed(call, queue, now, out):
            return  # the next agent on the list rings
        queue.push(call)
        self.to_serve[queue.spec.id] = queue

    def _stop_rings(self, call: CallState, now: float, out: _Out) -> None:
        out.append(CancelTimer(key=timer_key(TimerKind.RING, call.id)))
        for agent in call.ringing:
            out.append(
                CancelRing(call_id=call.id, agent_id=agent.id, outcome=RingOutcome.CANCELLED)
            )
            self._roster.free(agent, now)
        call.ringing = ()

    # ------------------------------- custom routing (the queue's get_list_agents_url)

    def _ask(self, call: CallState, queue: QueueState, out: _Out) -> None:
        move(call, CallPhase.ASKING)
        out.append(RequestAgents(call_id=call.id, queue_id=queue.spec.id))

    def listed(self, event: AgentsListed, now: float, out: _Out) -> None:
        call = self.calls.get(event.call_id)
        if call is None or call.phase is not CallPhase.ASKING:
            return  # the caller left, or the queue gave up, while the list was coming
        queue = call.queue
        assert queue is not None
        if event.failed:  # no usable list: the queue's own routing, this turn
            move(call, CallPhase.WAITING)
            if queue.candidates() is not None:
                self._ring(call, queue, now, out)
            else:
                queue.push(call)
            return
        call.listed = tuple(zip(event.agents, event.answer_timeouts, strict=True))
        if self._ring_listed(call, queue, now, out):
            return
        # The list named nobody who can ring now: the queue's own groups, or back in
        # line to be asked again after a while (and whenever an agent becomes routable).
        move(call, CallPhase.WAITING)
        if self._empty_list is ListFallback.GROUPS and queue.candidates() is not None:
            self._ring(call, queue, now, out)
            return
        queue.push(call)
        if self._empty_list is ListFallback.REASK:
            at = now + self._reask_after
            out.append(StartTimer(key=timer_key(TimerKind.REASK, queue.spec.id), at=at))

    def reask(self, queue_id: str, now: float, out: _Out) -> None:
        """A queue's re-ask time: its waiting calls are asked for again if an agent is free
        (:meth:`serve` asks; with nobody routable, an agent freed asks later)."""
        queue = self._roster.queues.get(QueueId(queue_id))
        if queue is not None and queue.n_waiting:
            self.to_serve[queue.spec.id] = queue

    def _ring_listed(self, call: CallState, queue: QueueState, now: float, out: _Out) -> bool:
        """Ring the next listed agent who can ring now; whether one could."""
        roster = self._roster
        while call.listed:
            (agent_id, answer_timeout), call.listed = call.listed[0], call.listed[1:]
            agent = roster.agents.get(agent_id)
            if agent is None or not agent.routable or (agent.sip_only and not queue.takes_sip):
                continue
            until = now + answer_timeout
            move(call, CallPhase.RINGING)
            call.ringing = (agent,)
            roster.ring(agent, call.id, until, now)
            roster.rang_first(queue.spec.id, agent.id)
            out.append(
                RingAgent(call_id=call.id, agent_id=agent.id, queue_id=queue.spec.id, until=until)
            )
            out.append(StartTimer(key=timer_key(TimerKind.RING, call.id), at=until))
            return True
        return False
