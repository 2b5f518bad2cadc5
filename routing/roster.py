"""The agent side of the engine: agents, their pools in each queue, and every change to them.

:class:`Roster` owns the agents and, per queue, the pools of routable agents
(:mod:`pcc_router.routing.selection`). Every change to an agent goes through
one of its transitions (ring, talk, end of talk, free, end of wrap-up) or
inputs (presence, PCC fields), and ends in :meth:`Roster.refresh`, the one
place where the PCC rule is re-evaluated and the pools follow. Refresh also
keeps the agent's staffed time (the denominator of occupancy), notes the
queues that gained an agent while calls wait (the call flow serves those
next) and the agents changed since the shell last asked.

An agent's activity moves only along :data:`AGENT_MOVES`::

    idle ──ring──► ringing ──answer──► talking ──end──► wrap_up ──► idle
      ▲               │                  ▲ │                  │
      └────free───────┘                  │ └──(no wrap-up)────┼──► idle
                                         └──answer (PCC)──────┘

(Over 300 lines on purpose: every change to an agent is here, in one owner.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping

from pcc_router.routing.agents import AgentSnapshot, AgentView, agent_view
from pcc_router.routing.commands import (
    CancelTimer,
    Command,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
)
from pcc_router.routing.eligibility import Verdict, is_routable, verdict
from pcc_router.routing.errors import RoutingError, UnknownAgent
from pcc_router.routing.events import AgentUpdated, PresenceChanged
from pcc_router.routing.model import (
    NOT_AVAILABLE,
    AgentId,
    CallId,
    Channel,
    Project,
    QueueId,
    QueueSpec,
    RoutingType,
    Strategy,
)
from pcc_router.routing.phones import normal_number
from pcc_router.routing.state import Activity, AgentState, Membership, QueueState
from pcc_router.routing.stats import AgentStats
from pcc_router.routing.timers import TimerKind, timer_key

__all__ = ["AGENT_MOVES", "Roster"]

_Out = list[Command]

#: The legal moves of an agent's activity.
AGENT_MOVES: Mapping[Activity, frozenset[Activity]] = {
    Activity.IDLE: frozenset({Activity.RINGING, Activity.TALKING}),
    Activity.RINGING: frozenset({Activity.IDLE, Activity.RINGING, Activity.TALKING}),
    Activity.TALKING: frozenset({Activity.TALKING, Activity.WRAP_UP, Activity.IDLE}),
    Activity.WRAP_UP: frozenset({Activity.IDLE, Activity.TALKING}),
}


class Roster:
    """Agents and queue pools of one project; see the module's theory."""

    def __init__(
        self,
        project: Project,
        *,
        start: float,
        snapshots: Mapping[AgentId, AgentSnapshot] | None = None,
        rr_last: Mapping[QueueId, int] | None = None,
        system_status_commands: bool = True,
        track_changes: bool = True,
    ) -> None:
        snapshots = snapshots or {}
        self._say_system_status = system_status_commands
        self._track_changes = track_changes
        self.agents = {a.stringee_user_id: AgentState(a, start=start) for a in project.agents}
        for agent_id, snapshot in snapshots.items():
            if agent_id in self.agents:  # before the pools are built: keys stay right
                snapshot.restore(self.agents[agent_id])
        self.queues = {q.id: QueueState(q, i) for i, q in enumerate(project.queues)}
        for queue_id, position in (rr_last or {}).items():
            if queue_id in self.queues:
                self.queues[queue_id].rr_last = position
        self._join_groups(project)
        self._phones = _phone_index(self.agents.values())
        #: Where a queue with waiting calls that gained a routable agent is reported: the
        #: call flow's work list, once it lends it (:meth:`report_gains_to`).
        self._gained: dict[QueueId, QueueState] = {}
        self._changed: set[AgentId] = set()
        #: Queues whose round-robin position moved since the shell last asked.
        self._changed_queues: set[QueueId] = set()
        for agent in self.agents.values():
            self.refresh(agent, start)
            kept = snapshots.get(agent.id)
            if kept is not None and kept.state_since is not None:
                agent.state_since = kept.state_since  # joining the pools is no change
        self._gained.clear()
        self._changed.clear()

    def _join_groups(self, project: Project) -> None:
        groups = {g.id: g for g in project.groups}
        for queue in self.queues.values():
            for route in queue.spec.groups:
                tier = 0 if route.primary else 1
                for agent_id in groups[route.group].agents:
                    member = queue.members.get(agent_id)
                    if member is None:
                        member = Membership(queue, tier, len(queue.members))
                        queue.members[agent_id] = member
                        self.agents[agent_id].memberships.append(member)
                    member.tier = min(member.tier, tier)

    # ------------------------------------------------------------ reads

    def agent(self, agent_id: str) -> AgentState:
        agent = self.agents.get(AgentId(agent_id))
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    def queue(self, queue_id: str) -> QueueState:
        queue = self.queues.get(QueueId(queue_id))
        if queue is None:
            raise RoutingError(f"unknown queue {queue_id!r}", http_status=404)
        return queue

    def by_phone(self, number: str, call_id: str | None = None) -> AgentId | None:
        """The agent whose ``phone_number`` is ``number`` in any of its written forms.

        Where several agents share the number, the one ringing or talking for
        ``call_id`` is meant; failing that, the first who holds it.
        """
        holders = self._phones.get(normal_number(number))
        if not holders:
            return None
        if call_id is not None:
            for agent in holders:
                if agent.call_id == call_id:
                    return agent.id
        return holders[0].id

    def queues_of(self, agent_id: str) -> list[QueueId]:
        """The queues the agent serves (through any of her groups), in id order."""
        return sorted({member.queue.spec.id for member in self.agent(agent_id).memberships})

    def only_queue(self, agent_id: str) -> QueueId | None:
        """The agent's queue when it serves exactly one, else ``None``."""
        queues = self.queues_of(agent_id)
        return queues[0] if len(queues) == 1 else None

    def ring_order(
        self,
        queue_id: str,
        *,
        rng: random.Random | None = None,
        tries: Mapping[AgentId, int] | None = None,
    ) -> list[AgentId]:
        """The queue's candidates in the order its strategy rings them.

        ``random`` gives the tie order, or a draw from ``rng`` when one is
        given. ``tries``: the call's unanswered rings per agent; those tried
        fewer times come first, as when the engine rings itself.
        """
        queue = self.queue(queue_id)
        pool = queue.candidates()
        order = pool.order(queue.rr_last) if pool is not None else []
        if rng is not None and queue.spec.strategy is Strategy.RANDOM:
            rng.shuffle(order)
        if tries:
            order.sort(key=lambda agent_id: tries.get(agent_id, 0))  # stable: order kept
        return order

    def rang_first(self, queue_id: str, agent_id: AgentId) -> None:
        """``agent_id`` is rung first for a call of the queue: ``round_robin`` moves on past her."""
        queue = self.queue(queue_id)
        member = queue.members.get(agent_id)
        if member is not None and member.pos != queue.rr_last:
            queue.rr_last = member.pos
            self._changed_queues.add(queue.spec.id)

    def members(self, queue_id: str) -> list[AgentId]:
        """Every agent of the queue's groups, in tie order."""
        queue = self.queue(queue_id)
        return sorted(queue.members, key=lambda a: queue.members[a].pos)

    def verdict(self, agent_id: str, now: float, queue_id: str | None = None) -> Verdict:
        """The agent's verdict; for ``queue_id``, with that queue's SIP condition too."""
        sip = self.queue(queue_id).takes_sip if queue_id is not None else True
        return verdict(self.agent(agent_id), now, sip=sip)

    def view(self, agent_id: str, now: float) -> AgentView:
        return agent_view(self.agent(agent_id), now)

    def stats(self, now: float) -> list[AgentStats]:
        return [AgentStats.of(agent, now) for agent in self.agents.values()]

    def drain_changed(self) -> list[AgentId]:
        """The agents whose state changed since the last call, in id order; forgets them."""
        if not self._track_changes:
            raise RuntimeError("this engine was built with track_changes=False")
        changed = sorted(self._changed)
        self._changed.clear()
        return changed

    def drain_changed_queues(self) -> dict[QueueId, int]:
        """Each queue whose round-robin position moved since the last call: the position."""
        changed = {q: self.queues[q].rr_last for q in sorted(self._changed_queues)}
        self._changed_queues.clear()
        return changed

    def rr_positions(self) -> dict[QueueId, int]:
        """Every queue's round-robin position that has moved from its start."""
        return {q: queue.rr_last for q, queue in self.queues.items() if queue.rr_last != -1}

    # ------------------------------------------------------ transitions

    def _move(self, agent: AgentState, activity: Activity, now: float) -> None:
        if activity not in AGENT_MOVES[agent.activity]:
            raise RoutingError(f"agent {agent.id!r} cannot go from {agent.activity} to {activity}")
        agent.activity = activity
        agent.state_since = now

    def ring(self, agent: AgentState, call_id: CallId, until: float, now: float) -> None:
        """The agent rings for the call until ``until``: not routable meanwhile."""
        self._move(agent, Activity.RINGING, now)
        agent.call_id = call_id
        agent.ring_until = until
        self.refresh(agent, now)

    def free(self, agent: AgentState, now: float) -> None:
        """A ring ended unanswered (or for another agent): routable again, idle time kept."""
        self._move(agent, Activity.IDLE, now)
        agent.call_id = None
        agent.ring_until = 0.0
        self.refresh(agent, now)

    def rang_out(self, agent: AgentState, queue: QueueSpec, now: float, out: _Out) -> None:
        """The agent let a ring run out: counted, ``max_no_answer`` in a row sets her
        "NOT AVAILABLE"; then she is free again."""
        agent.no_answers += 1
        agent.consecutive_no_answers += 1
        limit = queue.max_no_answer
        if limit and agent.consecutive_no_answers >= limit:
            agent.manual_status = NOT_AVAILABLE
            agent.consecutive_no_answers = 0
            reason = f"{limit} consecutive unanswered rings (max_no_answer of {queue.id})"
            out.append(
                SetManualStatus(agent_id=agent.id, manual_status=NOT_AVAILABLE, reason=reason)
            )
        self.free(agent, now)

    def talk(
        self,
        agent: AgentState,
        call_id: CallId,
        now: float,
        out: _Out,
        *,
        since: float | None = None,
    ) -> None:
        """The agent answered the call: in a call (``system_status`` 0), counted as handled.

        Answering another call while talking means the first is over (its end
        was lost): its talk time counts up to now and the status stays 0.
        """
        was = agent.activity
        self._move(agent, Activity.TALKING, now)
        if was is Activity.TALKING:
            agent.talk_time += now - agent.answered_at
        elif was is Activity.WRAP_UP:
            out.append(CancelTimer(key=timer_key(TimerKind.WRAP_UP, agent.id)))
        agent.call_id = call_id
        agent.call_since = since
        agent.ring_until = 0.0
        agent.handled += 1
        agent.consecutive_no_answers = 0
        agent.answered_at = now
        if was is not Activity.TALKING and self._say_system_status:
            out.append(SetSystemStatus(agent_id=agent.id, system_status=0))
        self.refresh(agent, now)

    def end_talk(
        self,
        agent: AgentState,
        wrap_up: float,
        now: float,
        out: _Out,
        *,
        ended_at: float | None = None,
    ) -> None:
        """The agent's call is over (at ``ended_at`` if earlier than now): wrap-up for
        ``wrap_up`` seconds from then (a timer ends it), or idle if that is over too."""
        ended = now if ended_at is None else min(now, max(ended_at, agent.answered_at))
        agent.talk_time += ended - agent.answered_at
        agent.call_id = None
        agent.call_since = None
        if self._say_system_status:
            out.append(SetSystemStatus(agent_id=agent.id, system_status=1))
        if wrap_up > 0 and ended + wrap_up > now:
            self._move(agent, Activity.WRAP_UP, now)
            agent.wrap_until = ended + wrap_up
            out.append(StartTimer(key=timer_key(TimerKind.WRAP_UP, agent.id), at=agent.wrap_until))
        else:
            self._move(agent, Activity.IDLE, now)
            agent.idle_since = ended + max(wrap_up, 0.0)
        self.refresh(agent, now)

    def end_wrap_up(self, agent_id: str, now: float) -> None:
        agent = self.agents.get(AgentId(agent_id))
        if agent is None or agent.activity is not Activity.WRAP_UP:
            return  # answered meanwhile, or deleted
        self._move(agent, Activity.IDLE, now)
        agent.idle_since = now
        self.refresh(agent, now)

    # ----------------------------------------------------------- inputs

    def update(self, event: AgentUpdated, now: float, out: _Out) -> None:
        """PCC ``PUT /v1/agent``; checks everything before changing anything."""
        agent = self.agent(event.agent_id)
        if event.routing_type is not None and event.routing_type not in (1, 2):
            raise RoutingError(f"routing_type must be 1 or 2, not {event.routing_type!r}")
        if event.manual_status is not None and event.manual_status != agent.manual_status:
            agent.manual_status = event.manual_status
            agent.consecutive_no_answers = 0
            agent.state_since = now
        if event.routing_type is not None:
            agent.routing_type = RoutingType(event.routing_type)
        if event.phone_number is not None:
            agent.phone_number = event.phone_number
            self._phones = _phone_index(self.agents.values())
        self.refresh(agent, now)

    def presence(self, event: PresenceChanged, now: float, out: _Out) -> None:
        """A login/logout, push token or SIP registration; a SIP expiry becomes a timer."""
        agent = self.agent(event.agent_id)
        if event.channel is Channel.APP:
            agent.app = event.present
        elif event.channel is Channel.PUSH:
            agent.push = event.present
        else:
            key = timer_key(TimerKind.SIP, agent.id)
            had_timer = agent.sip_expires is not None and agent.sip_expires != math.inf
            expires = event.expires_at if event.expires_at is not None else math.inf
            agent.sip_expires = expires if event.present else None
            if event.present and expires != math.inf:
                out.append(StartTimer(key=key, at=expires))
            elif had_timer:
                out.append(CancelTimer(key=key))
        agent.state_since = now
        self.refresh(agent, now)

    def sip_expired(self, agent_id: str, now: float) -> None:
        agent = self.agents.get(AgentId(agent_id))
        if agent is not None:
            self.refresh(agent, now)

    # ---------------------------------------------------------- refresh

    def report_gains_to(self, work: dict[QueueId, QueueState]) -> None:
        """From now on, a queue with waiting calls that gains a routable agent goes into
        ``work`` (the call flow's work list: the flow serves and clears it)."""
        self._gained = work

    def refresh(self, agent: AgentState, now: float) -> None:
        """Re-evaluate the PCC rule for the agent and move it in or out of its pools."""
        if self._track_changes:
            self._changed.add(agent.id)
        routable = is_routable(agent, now)
        # routable and reachable by nothing but SIP: not for queues with cond_routing 1
        sip = routable and agent.routing_type is RoutingType.APP and not (agent.app or agent.push)
        if routable is not agent.routable or sip is not agent.sip_only:
            was_routable, was_sip = agent.routable, agent.sip_only
            if routable is not was_routable:
                agent.state_since = now
            agent.routable, agent.sip_only = routable, sip
            for member in agent.memberships:
                queue = member.queue
                takes_sip = queue.takes_sip
                was_in = was_routable and (takes_sip or not was_sip)
                now_in = routable and (takes_sip or not sip)
                if now_in and not was_in:
                    member.entry = queue.pools[member.tier].add(agent, member.pos)
                    if queue.n_waiting:
                        self._gained[queue.spec.id] = queue
                elif was_in and not now_in and member.entry is not None:
                    queue.pools[member.tier].remove(member.entry)
                    member.entry = None
        # Staffed: busy, or idle and AVAILABLE and reachable, which for an idle agent is
        # being routable (the rule just evaluated: no second look at her presence).
        staffed = routable or agent.activity is not Activity.IDLE
        if staffed is not agent.staffed:
            if staffed:
                agent.staffed_since = now
            else:
                agent.staffed_time += now - agent.staffed_since
            agent.staffed = staffed


def _phone_index(agents: Iterable[AgentState]) -> dict[str, list[AgentState]]:
    """Agents by phone number in its normal form (a shared desk phone: several)."""
    index: dict[str, list[AgentState]] = {}
    for agent in agents:
        if agent.phone_number:
            index.setdefault(normal_number(agent.phone_number), []).append(agent)
    return index
