"""The project as PCC describes it: agents, groups, queues and numbers.

These are the immutable specifications the engine is built from, named with
PCC's REST field names. Live state (who is ringing, who is in wrap-up) lives
in :mod:`pcc_router.routing.state`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NewType

from pcc_router.routing.errors import ConfigError

__all__ = [
    "AVAILABLE",
    "NOT_AVAILABLE",
    "Action",
    "ActionKind",
    "AgentId",
    "AgentSpec",
    "CallId",
    "Channel",
    "GroupId",
    "GroupRoute",
    "GroupSpec",
    "ListFallback",
    "MENU_KEYS",
    "NumberSpec",
    "Outcome",
    "Project",
    "QueueId",
    "QueueSpec",
    "RingOutcome",
    "RoutingType",
    "Strategy",
]

AgentId = NewType("AgentId", str)
QueueId = NewType("QueueId", str)
GroupId = NewType("GroupId", str)
CallId = NewType("CallId", str)

AVAILABLE = "AVAILABLE"
NOT_AVAILABLE = "NOT AVAILABLE"

#: Keys an IVR menu may bind: the phone keys plus PCC's two pseudo-keys.
MENU_KEYS = frozenset("0123456789*#") | {"EMPTY_KEY", "INVALID_KEY"}


class RoutingType(enum.IntEnum):
    """PCC ``routing_type``: what rings when the agent is chosen."""

    APP = 1  # the App/Web client or a SIP phone
    PHONE = 2  # the agent's ``phone_number``


class Channel(enum.StrEnum):
    """The three ways a ``routing_type = 1`` agent can be reached."""

    APP = "app"  # connected on App/Web now
    PUSH = "push"  # logged in once and holds a push device token
    SIP = "sip"  # a SIP phone is registered


class Strategy(enum.StrEnum):
    LONGEST_IDLE = "longest_idle"
    ROUND_ROBIN = "round_robin"
    FEWEST_CALLS = "fewest_calls"
    LEAST_TALK_TIME = "least_talk_time"
    TOP_DOWN = "top_down"
    RANDOM = "random"
    RING_ALL = "ring_all"


class ListFallback(enum.StrEnum):
    """What PCC does when a queue's ``get_list_agents_url`` names nobody who can ring now.

    Not settled by any public Stringee document: ``groups`` (ring from the
    queue's own groups, as one third-party PCC server's comments say PCC
    does) or ``reask`` (keep the call waiting and ask the URL again after a
    while). Either way the URL is asked again when an agent becomes free.
    """

    GROUPS = "groups"
    REASK = "reask"


class Outcome(enum.StrEnum):
    """How a call ended, as reported per call and counted in the KPIs."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    QUEUE_TIMEOUT = "queue_timeout"
    QUEUE_FULL = "queue_full"
    IVR_FAILED = "ivr_failed"
    FORWARDED = "forwarded"
    HANGUP = "hangup"


class RingOutcome(enum.StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"


class ActionKind(enum.StrEnum):
    QUEUE = "queue"
    FORWARD = "forward"
    HANGUP = "hangup"


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """Where a menu key or an overflow sends a call: ``queue:<id>``, ``forward:<n>``, ``hangup``."""

    kind: ActionKind
    target: str = ""

    @classmethod
    def parse(cls, text: str) -> Action:
        kind, sep, target = text.partition(":")
        if kind == ActionKind.HANGUP and not sep:
            return cls(kind=ActionKind.HANGUP)
        if kind in (ActionKind.QUEUE, ActionKind.FORWARD) and target:
            return cls(kind=ActionKind(kind), target=target)
        raise ConfigError(f"{text!r} is not 'queue:<id>', 'forward:<number>' or 'hangup'")

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else str(self.kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSpec:
    stringee_user_id: AgentId
    name: str = ""
    phone_number: str = ""
    routing_type: RoutingType = RoutingType.APP
    manual_status: str = AVAILABLE
    online: frozenset[Channel] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupSpec:
    id: GroupId
    agents: tuple[AgentId, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRoute:
    """PCC group routing: a group serving a queue, primary or backup."""

    group: GroupId
    primary: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueSpec:
    id: QueueId
    groups: tuple[GroupRoute, ...]
    wait_agent_answer_timeout: float = 15.0
    agent_wrap_up_after_calls: bool = True
    wrap_up_time_limit: float = 10.0
    maximum_queue_wait_time: float | None = None
    maximum_queue_size: int | None = None
    overflow: Action | None = None
    strategy: Strategy = Strategy.LONGEST_IDLE
    max_no_answer: int = 0
    #: PCC ``cond_routing``: 1 = agents online on Web/App only, 2 = Web/App or SIP.
    cond_routing: int = 2
    #: PCC custom routing: the URL PCC asks for the agents. An engine built with
    #: ``ask_lists`` (the emulator's) asks it; otherwise the strategy stands in.
    get_list_agents_url: str | None = None

    @property
    def takes_sip(self) -> bool:
        """Whether an agent online only by a SIP phone may ring for this queue."""
        return self.cond_routing != 1

    @property
    def wrap_up(self) -> float:
        """Seconds an agent stays in wrap-up after a call from this queue."""
        return self.wrap_up_time_limit if self.agent_wrap_up_after_calls else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberSpec:
    """A hotline: straight to ``queue_id`` (PCC ``enable_ivr = false``) or through a menu."""

    number: str
    queue_id: QueueId | None = None
    menu: Mapping[str, Action] = field(default_factory=dict)
    keypress_timeout: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """Everything the engine routes with; :meth:`check` rejects dangling references."""

    agents: tuple[AgentSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    numbers: tuple[NumberSpec, ...] = ()
    #: Set once :meth:`check` passed: a project is immutable, so it never needs a second
    #: check (a scenario's, checked as it loads, is not checked again by its engine).
    _checked: bool = field(default=False, init=False, repr=False, compare=False)

    def check(self) -> None:
        """Raise :class:`ConfigError` for a dangling reference, a duplicate or a loop."""
        if self._checked:
            return
        self._check()
        object.__setattr__(self, "_checked", True)  # frozen: a fact learnt, not a change

    def _check(self) -> None:
        agent_ids = _unique("agent", [a.stringee_user_id for a in self.agents])
        group_ids = _unique("group", [g.id for g in self.groups])
        queue_ids = _unique("queue", [q.id for q in self.queues])
        _unique("number", [n.number for n in self.numbers])
        for group in self.groups:
            for agent in group.agents:
                _known(agent, agent_ids, f"group {group.id!r} lists agent")
        for queue in self.queues:
            self._check_queue(queue, group_ids, queue_ids)
        for number in self.numbers:
            targets: list[str] = [number.queue_id] if number.queue_id else []
            targets += [a.target for a in number.menu.values() if a.kind is ActionKind.QUEUE]
            for target in targets:
                _known(target, queue_ids, f"number {number.number!r} routes to queue")
        self._check_overflow_cycles()

    def _check_queue(self, queue: QueueSpec, group_ids: set[str], queue_ids: set[str]) -> None:
        if queue.wait_agent_answer_timeout < 3:
            raise ConfigError(f"queue {queue.id!r}: wait_agent_answer_timeout is at least 3 s")
        if not queue.groups:
            raise ConfigError(f"queue {queue.id!r} has no groups")
        for route in queue.groups:
            _known(route.group, group_ids, f"queue {queue.id!r} routes to group")
        if queue.overflow and queue.overflow.kind is ActionKind.QUEUE:
            _known(queue.overflow.target, queue_ids, f"queue {queue.id!r} overflows to queue")
        if queue.overflow and queue.overflow.kind is ActionKind.HANGUP:
            raise ConfigError(f"queue {queue.id!r}: overflow is 'queue:<id>' or 'forward:<number>'")

    def _check_overflow_cycles(self) -> None:
        nxt: dict[str, str] = {
            q.id: q.overflow.target
            for q in self.queues
            if q.overflow and q.overflow.kind is ActionKind.QUEUE
        }
        for start in nxt:
            seen: list[str] = [start]
            while seen[-1] in nxt:
                seen.append(nxt[seen[-1]])
                if seen[-1] in seen[:-1]:
                    raise ConfigError("overflow loops: " + " -> ".join(seen))


def _unique(what: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ConfigError(f"{what} {item!r} is defined twice")
        seen.add(item)
    return seen


def _known(ref: str, known: set[str], what: str) -> None:
    if ref not in known:
        raise ConfigError(f"{what} {ref!r}, which is not defined")
