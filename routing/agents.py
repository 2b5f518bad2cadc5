"""What the shells may read of an agent, and what an engine is rebuilt from.

- :class:`AgentSnapshot` is an agent's whole runtime state beyond its spec:
  presence, PCC fields as changed since, what it is doing (ringing, talking,
  in wrap-up, until when) and what the strategies remember. An engine made
  with snapshots (``Engine(project, agents=...)``) is the engine they were
  taken from: the controller writes one per changed agent per transaction and
  rebuilds from them after a restart or a configuration change.
- :class:`AgentView` adds what a report shows: the name, where the agent is
  online now, and the verdict with its reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pcc_router.routing.eligibility import Verdict, verdict
from pcc_router.routing.model import AVAILABLE, AgentId, CallId, RoutingType
from pcc_router.routing.state import Activity, AgentState
from pcc_router.routing.stats import AgentHistory

__all__ = ["AGENT_ROW", "AgentSnapshot", "AgentView", "BoardState", "agent_view"]


#: The flat record a store keeps of an agent's snapshot, by column:
#: :meth:`AgentSnapshot.as_row` writes it and :meth:`AgentSnapshot.from_row` reads it,
#: so a new field is added here and in the store's table only. ``system_status`` is
#: written for people reading the store; ``push`` is not (the store keeps the token).
AGENT_ROW: tuple[str, ...] = (
    "manual_status", "routing_type", "phone_number", "system_status", "call_id", "app",
    "sip_expires", "activity", "until", "call_since", "answered_at", "idle_since",
    "handled", "talk_time", "no_answers", "consecutive_no_answers", "ring_heard",
    "state_since",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSnapshot:
    """An agent's runtime state: restoring it into a fresh engine gives the same agent."""

    manual_status: str
    routing_type: int
    phone_number: str
    app: bool
    push: bool
    sip_expires: float | None  # inf: registered with no expiry
    activity: str  # idle | ringing | talking | wrap_up
    call_id: CallId | None
    call_since: float | None
    #: When the ring or the wrap-up ends; ``None`` when idle or talking.
    until: float | None
    answered_at: float
    history: AgentHistory
    #: Whether PCC itself reported her current ring (see :class:`ExternalCalls`).
    ring_heard: bool = False
    #: When her state as a wallboard shows it last changed; ``None``: the engine's start.
    state_since: float | None = None

    @property
    def system_status(self) -> int:
        """PCC ``system_status``: 0 while in a call, else 1."""
        return 0 if self.activity == Activity.TALKING else 1

    def as_row(self) -> dict[str, Any]:
        """The record of :data:`AGENT_ROW`."""
        history = self.history
        return {
            "manual_status": self.manual_status,
            "routing_type": self.routing_type,
            "phone_number": self.phone_number,
            "system_status": self.system_status,
            "call_id": self.call_id,
            "app": self.app,
            "sip_expires": self.sip_expires,
            "activity": self.activity,
            "until": self.until,
            "call_since": self.call_since,
            "answered_at": self.answered_at,
            "idle_since": history.idle_since,
            "handled": history.handled,
            "talk_time": history.talk_time,
            "no_answers": history.no_answers,
            "consecutive_no_answers": history.consecutive_no_answers,
            "ring_heard": self.ring_heard,
            "state_since": self.state_since,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, push: bool) -> AgentSnapshot:
        """The snapshot a record of :data:`AGENT_ROW` was written from (``push``: the store's)."""
        idle_since = row["idle_since"]
        return cls(
            manual_status=row["manual_status"],
            routing_type=row["routing_type"],
            phone_number=row["phone_number"],
            app=row["app"],
            push=push,
            sip_expires=row["sip_expires"],
            activity=row["activity"],
            call_id=CallId(row["call_id"]) if row["call_id"] else None,
            call_since=row["call_since"],
            until=row["until"],
            answered_at=row["answered_at"],
            history=AgentHistory(
                idle_since=idle_since if idle_since is not None else 0.0,
                handled=row["handled"],
                talk_time=row["talk_time"],
                no_answers=row["no_answers"],
                consecutive_no_answers=row["consecutive_no_answers"],
            ),
            ring_heard=row["ring_heard"],
            state_since=row["state_since"],
        )

    @classmethod
    def of(cls, agent: AgentState) -> AgentSnapshot:
        until: float | None = None
        if agent.activity is Activity.RINGING:
            until = agent.ring_until
        elif agent.activity is Activity.WRAP_UP:
            until = agent.wrap_until
        return cls(
            manual_status=agent.manual_status,
            routing_type=int(agent.routing_type),
            phone_number=agent.phone_number,
            app=agent.app,
            push=agent.push,
            sip_expires=agent.sip_expires,
            activity=str(agent.activity),
            call_id=agent.call_id,
            call_since=agent.call_since,
            until=until,
            answered_at=agent.answered_at,
            history=AgentHistory.of(agent),
            ring_heard=agent.ring_heard,
            state_since=agent.state_since,
        )

    def restore(self, agent: AgentState) -> None:
        """Put this state into ``agent`` (before it joins any pool)."""
        agent.manual_status = self.manual_status
        agent.routing_type = RoutingType(self.routing_type)
        agent.phone_number = self.phone_number
        agent.app, agent.push, agent.sip_expires = self.app, self.push, self.sip_expires
        agent.activity = Activity(self.activity)
        agent.call_id = self.call_id
        agent.call_since = self.call_since
        agent.answered_at = self.answered_at
        if agent.activity is Activity.RINGING:
            agent.ring_until = self.until or 0.0
            agent.ring_heard = self.ring_heard
        elif agent.activity is Activity.WRAP_UP:
            agent.wrap_until = self.until or 0.0
        if self.state_since is not None:
            agent.state_since = self.state_since
        self.history.restore(agent)


#: An agent's state as a wallboard shows it (:attr:`AgentView.board_state`).
BoardState = Literal["available", "ringing", "talking", "wrap_up", "not_available", "offline"]
_BUSY: dict[str, BoardState] = {"ringing": "ringing", "talking": "talking", "wrap_up": "wrap_up"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentView:
    """One agent at one moment, as reports show it: the snapshot, online channels, verdict."""

    stringee_user_id: AgentId
    name: str
    online: tuple[str, ...]
    verdict: Verdict
    snapshot: AgentSnapshot
    #: When her state as a wallboard shows it last changed (see ``board_state``).
    state_since: float = 0.0

    @property
    def board_state(self) -> BoardState:
        """What a wallboard shows: ``available``, ``ringing``, ``talking``, ``wrap_up``,
        ``not_available`` (her manual status) or ``offline`` (nowhere to ring her)."""
        busy = _BUSY.get(self.activity)
        if busy is not None:
            return busy
        if self.verdict.routable:
            return "available"
        return "not_available" if self.manual_status != AVAILABLE else "offline"

    @property
    def history(self) -> AgentHistory:
        return self.snapshot.history

    @property
    def activity(self) -> str:
        return self.snapshot.activity

    @property
    def call_id(self) -> CallId | None:
        return self.snapshot.call_id

    @property
    def until(self) -> float | None:
        return self.snapshot.until

    @property
    def system_status(self) -> int:
        return self.snapshot.system_status

    @property
    def manual_status(self) -> str:
        return self.snapshot.manual_status

    @property
    def routing_type(self) -> int:
        return self.snapshot.routing_type

    @property
    def phone_number(self) -> str:
        return self.snapshot.phone_number


def agent_view(agent: AgentState, now: float) -> AgentView:
    return AgentView(
        stringee_user_id=agent.id,
        name=agent.name,
        online=agent.online(now),
        verdict=verdict(agent, now),
        snapshot=AgentSnapshot.of(agent),
        state_since=agent.state_since,
    )
