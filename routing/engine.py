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

Calls PCC routes itself (the controller's case) arrive as PCC's requests for
agents and reports of rings, answers and ends: :mod:`pcc_router.routing.external`.

Time is always passed in; timers are commands the shell executes; the only
randomness (the ``random`` strategy) comes from the generator the shell gives,
or from the seed an event carries.

The engine is a composition: the :class:`~pcc_router.routing.roster.Roster`
(agents, pools, verdicts, ring order; every agent transition), the
:class:`~pcc_router.routing.flow.CallFlow` (calls the engine rings) and
:class:`~pcc_router.routing.external.ExternalCalls` (calls PCC rings). This
class dispatches events to them and answers reads.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, assert_never

from pcc_router.routing.agents import AgentSnapshot, AgentView
from pcc_router.routing.commands import Command
from pcc_router.routing.eligibility import Verdict
from pcc_router.routing.events import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentsListed,
    AgentsRequested,
    AgentUpdated,
    CallArrived,
    CallEnded,
    CallerHungUp,
    Event,
    PresenceChanged,
    TimerFired,
)
from pcc_router.routing.external import ExternalCalls
from pcc_router.routing.flow import CallFlow
from pcc_router.routing.model import (
    AgentId,
    ListFallback,
    Project,
    QueueId,
    QueueSpec,
    Strategy,
)
from pcc_router.routing.roster import Roster
from pcc_router.routing.snapshot import EngineChanges, EngineSnapshot
from pcc_router.routing.stats import AgentHistory, AgentStats
from pcc_router.routing.timers import TimerKind, parse_timer_key

__all__ = ["Engine"]


class Engine:
    """Routes the calls of one PCC project. Feed it events with :meth:`handle`."""

    def __init__(
        self,
        project: Project,
        *,
        rng: random.Random,
        start: float = 0.0,
        explain: bool = False,
        snapshot: EngineSnapshot | None = None,
        ask_lists: bool = False,
        empty_list: ListFallback = ListFallback.GROUPS,
        reask_after: float = 2.0,
        system_status_commands: bool = True,
        track_changes: bool = True,
    ) -> None:
        """``snapshot``: an earlier engine's state (:meth:`snapshot`) to carry on from; its
        agents and queues missing from ``project`` are left out.

        ``ask_lists``: a queue with a ``get_list_agents_url`` asks it whom to
        ring (:class:`RequestAgents`), as PCC does (the emulator); otherwise
        the queue's strategy stands in for the URL (the simulator).
        ``empty_list`` and ``reask_after``: what such a queue does when the URL
        names nobody who can ring now (:class:`ListFallback`).
        ``system_status_commands``: whether to say each change of an agent's
        ``system_status`` (:class:`SetSystemStatus`); a shell that reads it from
        the agents' views instead (the simulator) turns them off: a call makes two.
        ``track_changes``: whether to note the agents changed for :meth:`drain_changes`;
        a shell that never persists state (the simulator) turns it off.
        """
        project.check()
        state = snapshot or EngineSnapshot()
        self._roster = roster = Roster(
            project,
            start=start,
            snapshots=state.agents,
            rr_last=state.rr_last,
            system_status_commands=system_status_commands,
            track_changes=track_changes,
        )
        numbers = {n.number: n for n in project.numbers}
        self._flow = CallFlow(
            roster,
            numbers,
            rng=rng,
            explain=explain,
            ask_lists=ask_lists,
            empty_list=empty_list,
            reask_after=reask_after,
        )
        self._external = ExternalCalls(roster, self._flow.calls, state.calls)
        self._handlers: dict[type, Callable[[Any, float, list[Command]], None]] = {}

    # ----------------------------------------------------------------- API

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply one event at time ``now`` and return what the shell must do, in order."""
        out: list[Command] = []
        handler = self._handlers.get(type(event))
        if handler is None:
            handler = self._handlers[type(event)] = self._handler_for(event)
        handler(event, now, out)
        flow = self._flow
        if flow.to_serve:
            flow.serve(now, out)
        return out

    def _handler_for(self, event: Event) -> Callable[[Any, float, list[Command]], None]:
        """Who handles this event's type: exhaustive over the union (mypy checks).

        :meth:`handle` remembers the answer by type: events are final classes.
        """
        flow, roster, external = self._flow, self._roster, self._external
        match event:
            case TimerFired():
                return self._timer
            case AgentAnswered():
                return flow.answered
            case CallArrived():
                return flow.arrived
            case CallEnded() | CallerHungUp():
                return flow.hung_up
            case AgentUpdated():
                return roster.update
            case PresenceChanged():
                return roster.presence
            case AgentRingStarted():
                return external.ring_started
            case AgentCallStarted():
                return external.call_started
            case AgentCallEnded():
                return external.call_ended
            case AgentsRequested():
                return external.requested
            case AgentsListed():
                return flow.listed
            case _:
                assert_never(event)

    def _timer(self, event: TimerFired, now: float, out: list[Command]) -> None:
        kind, ident = parse_timer_key(event.key)
        match kind:
            case TimerKind.RING:
                self._flow.ring_timeout(ident, now, out)
            case TimerKind.WRAP_UP:
                self._roster.end_wrap_up(ident, now)
            case TimerKind.QUEUE_WAIT:
                self._flow.queue_timeout(ident, now, out)
            case TimerKind.KEYPRESS:
                self._flow.keypress_timeout(ident, now, out)
            case TimerKind.SIP:
                self._roster.sip_expired(ident, now)
            case TimerKind.OFFER:
                self._external.offer_expired(ident, now, out)
            case TimerKind.REASK:
                self._flow.reask(ident, now, out)
            case _:
                assert_never(kind)

    # --------------------------------------------------------------- reads

    def verdict(self, agent_id: str, now: float, queue_id: str | None = None) -> Verdict:
        """Whether the agent may ring now, and why not; for ``queue_id``, for that queue
        (an agent online only by SIP is not routable for a ``cond_routing`` 1 queue)."""
        return self._roster.verdict(agent_id, now, queue_id)

    def ring_order(self, queue_id: str) -> list[AgentId]:
        """The candidates of the queue, in the order its strategy would ring them.

        For ``random`` this is the tie order: a draw is an answer to PCC
        (:class:`~pcc_router.routing.events.AgentsRequested`), not a view.
        """
        return self._roster.ring_order(queue_id)

    def queue_spec(self, queue_id: str) -> QueueSpec:
        return self._roster.queue(queue_id).spec

    def strategy(self, queue_id: str) -> Strategy:
        return self._roster.queue(queue_id).spec.strategy

    def members(self, queue_id: str) -> list[AgentId]:
        """Every agent of the queue's groups, in tie order."""
        return self._roster.members(queue_id)

    def answer_timeout(self, queue_id: str) -> float:
        """How long one agent rings for this queue (``wait_agent_answer_timeout``)."""
        return self._roster.queue(queue_id).spec.wait_agent_answer_timeout

    def queue_ids(self) -> list[QueueId]:
        return list(self._roster.queues)

    def has_queue(self, queue_id: str) -> bool:
        return queue_id in self._roster.queues

    def waiting(self, queue_id: str) -> int:
        return self._roster.queue(queue_id).n_waiting

    def has_number(self, number: str) -> bool:
        return self._flow.has_number(number)

    def calls_in_progress(self) -> int:
        """Calls the engine routes itself that are not over yet."""
        return len(self._flow.calls)

    def agent_ids(self) -> list[AgentId]:
        return list(self._roster.agents)

    def has_agent(self, agent_id: str) -> bool:
        return agent_id in self._roster.agents

    def agent_by_phone(self, number: str, call_id: str | None = None) -> AgentId | None:
        """The agent whose ``phone_number`` is ``number`` in any of its written forms (of
        several sharing it, the one ringing or talking for ``call_id``)."""
        return self._roster.by_phone(number, call_id)

    def queues_of(self, agent_id: str) -> list[QueueId]:
        """The queues the agent serves, in id order."""
        return self._roster.queues_of(agent_id)

    def only_queue(self, agent_id: str) -> QueueId | None:
        """The agent's queue when it serves exactly one, else ``None``."""
        return self._roster.only_queue(agent_id)

    def agent_view(self, agent_id: str, now: float) -> AgentView:
        """Everything known of one agent now, with the verdict and its reasons."""
        return self._roster.view(agent_id, now)

    def agent_history(self, agent_id: str) -> AgentHistory:
        return AgentHistory.of(self._roster.agent(agent_id))

    def snapshot(self) -> EngineSnapshot:
        """The engine's whole runtime state, for ``Engine(project, snapshot=...)``."""
        return EngineSnapshot(
            agents={a: AgentSnapshot.of(agent) for a, agent in self._roster.agents.items()},
            rr_last=self._roster.rr_positions(),
            calls=self._external.memory(),
        )

    def agent_snapshot(self, agent_id: str) -> AgentSnapshot:
        return AgentSnapshot.of(self._roster.agent(agent_id))

    def drain_changes(self) -> EngineChanges:
        """The state that changed since the last call (agents in id order); forgets it."""
        roster = self._roster
        return EngineChanges(
            agents={a: AgentSnapshot.of(roster.agents[a]) for a in roster.drain_changed()},
            rr_last=roster.drain_changed_queues(),
            calls=self._external.drain_changed(),
        )

    def agent_stats(self, now: float) -> list[AgentStats]:
        """Per-agent totals, staffed time counted up to ``now``."""
        return self._roster.stats(now)
