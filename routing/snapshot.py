"""An engine's whole runtime state as data: what a rebuilt engine is made from.

An engine made from its own snapshot (``Engine(project, snapshot=...)``) is
the engine the snapshot was taken from: fed the same events afterwards, it
gives the same commands (a hypothesis test holds it to that). The state is:

- each agent's :class:`~pcc_router.routing.agents.AgentSnapshot` (presence,
  PCC fields, what she is doing and until when, whether PCC reported her
  ring, what the strategies remember);
- each queue's round-robin position (who was offered first last);
- what is remembered of each PCC-routed call still open
  (:class:`PccCallMemory`): the queue PCC asked for it from and the agents
  whose rings for it ran out, which go last when it is offered again.

Calls the engine rings itself (the simulator's) are not part of it: an
engine is rebuilt only between them.

:class:`EngineChanges` is the part of the state that changed since a shell
last asked, so that a shell that stores the state writes only that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pcc_router.routing.agents import AgentSnapshot
from pcc_router.routing.model import AgentId, CallId, QueueId

__all__ = ["EngineChanges", "EngineSnapshot", "PccCallMemory"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PccCallMemory:
    """What the engine remembers of a call PCC routes, until it is answered or over."""

    call_id: CallId
    #: The queue PCC last asked agents for it from (``None``: it only rang out so far).
    queue_id: QueueId | None
    #: Unanswered rings and offers per agent, in the order they first happened.
    tries: tuple[tuple[AgentId, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineSnapshot:
    """Everything an engine knows beyond its project (see the module's docstring)."""

    agents: Mapping[AgentId, AgentSnapshot] = field(default_factory=dict)
    #: Round-robin positions that have moved, by queue.
    rr_last: Mapping[QueueId, int] = field(default_factory=dict)
    #: Open PCC-routed calls, oldest first (past a bound, the oldest are forgotten first).
    calls: tuple[PccCallMemory, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineChanges:
    """What changed since the last :meth:`Engine.drain_changes`: the rows to write."""

    agents: Mapping[AgentId, AgentSnapshot] = field(default_factory=dict)
    rr_last: Mapping[QueueId, int] = field(default_factory=dict)
    #: Each changed call's memory, or ``None`` once forgotten; the order to write them in.
    calls: Mapping[CallId, PccCallMemory | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.agents or self.rr_last or self.calls)
