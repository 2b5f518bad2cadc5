"""An engine made from the store: the whole state the controller wrote, and its timers.

The store holds the engine's state unit by unit (each agent's snapshot,
queues' round-robin positions, open calls' memory), so the engine made here
is the one that wrote it. Two things are settled on the way:

- An agent new since the last write has no snapshot yet: she starts idle
  "since now", and that is written with the unit (``tx.fresh``).
- A ring or a wrap-up never lasts longer than the project allows. In normal
  running no stored end is further away than that; one can be only if the
  clock this instance started with is behind the one that stored it (a wall
  clock stepped back between two runs). Such an end, and its timer, are
  brought back to the longest the project allows, so that nobody is kept
  out for the size of the step.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from pcc_router.api.controller.writes import UnitWrites
from pcc_router.api.store.repo import StoredState
from pcc_router.api.stringee.calls import OUTBOUND_RING
from pcc_router.routing import (
    AgentId,
    AgentSnapshot,
    Engine,
    EngineSnapshot,
    Project,
    TimerKind,
    parse_timer_key,
)
from pcc_router.routing.errors import RoutingError

__all__ = ["build_engine", "longest_hold"]

#: Timers that end a ring or a wrap-up: their time is bounded like the state they end.
_HOLDS = (TimerKind.OFFER, TimerKind.WRAP_UP)


def longest_hold(project: Project) -> float:
    """The longest any ring or wrap-up of this project may last (seconds)."""
    longest = OUTBOUND_RING
    for queue in project.queues:
        longest = max(longest, math.ceil(queue.wait_agent_answer_timeout), queue.wrap_up)
    return longest


def build_engine(state: StoredState, tx: UnitWrites, *, rng: random.Random) -> Engine:
    """A new engine from ``state`` at ``tx.now``; its stored timers go to ``tx.schedule``."""
    now = tx.now
    latest = now + longest_hold(state.project)
    agents = {a: _bounded(s, latest) for a, s in state.snapshot.agents.items()}
    snapshot = EngineSnapshot(
        agents=agents, rr_last=state.snapshot.rr_last, calls=state.snapshot.calls
    )
    engine = Engine(state.project, rng=rng, start=now, snapshot=snapshot)
    engine.drain_changes()
    for row in state.agents:  # "idle since the start" means this start for a new agent
        agent_id = AgentId(row.stringee_user_id)
        if agent_id not in agents:
            tx.fresh[agent_id] = engine.agent_snapshot(agent_id)
    tx.schedule.update({t.key: _timer_at(t.key, t.at, latest) for t in state.timers})
    return engine


def _bounded(snapshot: AgentSnapshot, latest: float) -> AgentSnapshot:
    if snapshot.until is None or snapshot.until <= latest:
        return snapshot
    return replace(snapshot, until=latest)


def _timer_at(key: str, at: float, latest: float) -> float:
    try:
        kind, _ = parse_timer_key(key)
    except RoutingError:
        return at  # not the engine's to judge: left as stored
    return min(at, latest) if kind in _HOLDS else at
