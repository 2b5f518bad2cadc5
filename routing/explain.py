"""Why a call rang the agents it rang, and why every other agent of the queue did not.

Explanations are built only when the engine is asked to explain (the
simulator's readable view, the controller's queue pages): they cost a verdict
per member of the queue, which the hot path never pays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pcc_router.routing.eligibility import Verdict, verdict
from pcc_router.routing.model import AgentId, CallId, QueueId, Strategy
from pcc_router.routing.state import AgentState, CallState, QueueState

__all__ = ["Considered", "Decision", "explain_ring"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Considered:
    """One member of the queue at the moment of a decision."""

    agent_id: AgentId
    verdict: Verdict
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    call_id: CallId
    queue_id: QueueId
    strategy: Strategy
    at: float
    chosen: tuple[AgentId, ...]
    considered: tuple[Considered, ...]


def explain_ring(
    *,
    queue: QueueState,
    call: CallState,
    chosen: list[AgentId],
    agents: Mapping[AgentId, AgentState],
    now: float,
) -> Decision:
    """Explain a ring decision; call it before the chosen agents change state."""
    pool = queue.candidates()
    ranked = pool.order(queue.rr_last) if pool is not None else []
    rank = {agent_id: i for i, agent_id in enumerate(ranked)}
    strategy = queue.spec.strategy
    considered = []
    for agent_id in sorted(queue.members, key=lambda a: queue.members[a].pos):
        agent_verdict = verdict(agents[agent_id], now, sip=queue.takes_sip)
        if agent_id in chosen:
            note = "rung"
        elif not agent_verdict.routable:
            note = str(agent_verdict)
        elif agent_id not in rank:
            note = "routable, but in a backup group: rings only while no primary agent is routable"
        elif call.tries and call.tries.get(agent_id):
            note = (
                f"routable, but let this call ring out {call.tries[agent_id]} time(s): "
                "rung again only after the others"
            )
        elif strategy is Strategy.RANDOM:
            note = "routable; the random pick chose another"
        else:
            note = f"routable, ranked {rank[agent_id] + 1} of {len(ranked)} by {strategy}"
        considered.append(Considered(agent_id=agent_id, verdict=agent_verdict, note=note))
    return Decision(
        call_id=call.id,
        queue_id=queue.spec.id,
        strategy=strategy,
        at=now,
        chosen=tuple(chosen),
        considered=tuple(considered),
    )
