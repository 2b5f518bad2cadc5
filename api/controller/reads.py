"""The controller's read API: what the views show, from an engine caught up with the log.

A view asks the controller for a :class:`Snapshot` (``await controller.read()``:
the other instances' rows applied first, then the engine read at the
controller's clock) and turns it into JSON; it never reaches into the engine
or reads the wall clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcc_router.routing import AgentId, AgentView, Engine, QueueId

__all__ = ["QueueView", "Snapshot"]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueView:
    """A queue now: its ring order, and every member that is not routable, with why."""

    id: QueueId
    ring_order: list[AgentId]
    not_routable: list[tuple[AgentId, list[str]]]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The engine at one moment, for reading (valid until the next input is applied)."""

    engine: Engine
    now: float

    def agent(self, agent_id: str) -> AgentView | None:
        if not self.engine.has_agent(agent_id):
            return None
        return self.engine.agent_view(agent_id, self.now)

    def agents(self) -> list[AgentView]:
        return [self.engine.agent_view(a, self.now) for a in sorted(self.engine.agent_ids())]

    def queue(self, queue_id: str) -> QueueView | None:
        engine = self.engine
        if not engine.has_queue(queue_id):
            return None
        order = engine.ring_order(queue_id)
        verdicts = {a: engine.verdict(a, self.now, queue_id) for a in engine.members(queue_id)}
        return QueueView(
            id=QueueId(queue_id),
            ring_order=order,
            not_routable=[
                (a, [r.text for r in v.reasons]) for a, v in verdicts.items() if not v.routable
            ],
        )

    def ring_orders(self) -> dict[QueueId, list[AgentId]]:
        """Each queue's ring order (wallboards, metrics)."""
        return {q: self.engine.ring_order(q) for q in self.engine.queue_ids()}
