"""Choosing among routable agents: one sorted pool per queue tier and strategy.

Each pool holds only routable agents, sorted by ``(strategy value, tie
position, id)``, and is updated as agents become routable or stop being so;
a decision then reads the front of the pool instead of scanning every agent.
The strategy value is fixed while an agent sits in a pool: idle time, calls
handled and talk time only change while the agent is busy, hence outside.

Tie position is the agent's rank in the queue's ``groups`` order, then its
group's ``agents`` order (the contract's tie rule).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pcc_router.routing.model import AgentId, Strategy

if TYPE_CHECKING:
    from pcc_router.routing.state import AgentState

__all__ = ["Pool"]

_Entry = tuple[float, int, AgentId]


class Pool:
    """Routable agents of one queue tier, kept in the order the strategy rings them."""

    __slots__ = ("_keys", "entries", "strategy")

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        #: ``(strategy value, tie position, agent id)``, sorted; read-only outside.
        self.entries: list[_Entry] = []
        self._keys: dict[AgentId, _Entry] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._keys

    def add(self, agent: AgentState, pos: int) -> None:
        key = (self._value(agent), pos, agent.id)
        self._keys[agent.id] = key
        entries = self.entries
        if not entries or entries[-1] < key:
            # The usual place for longest idle (an agent back from a call has idled the
            # least): one comparison instead of a search.
            entries.append(key)
        else:
            bisect.insort(entries, key)

    def remove(self, agent_id: AgentId) -> None:
        key = self._keys.pop(agent_id, None)
        if key is not None:
            entries = self.entries
            if entries[0] is key:  # the agent just chosen, in most strategies: no search
                del entries[0]
            else:
                del entries[bisect.bisect_left(entries, key)]

    def order(self, rr_last: int = -1) -> list[AgentId]:
        """Agents in ring order; round robin starts after the position rung last."""
        return [entry[2] for entry in self._rotated(rr_last)]

    def choose(
        self, tries: dict[AgentId, int], *, rr_last: int, rng: random.Random
    ) -> list[AgentId]:
        """The agents to ring for one call: one, or all of them for ``ring_all``.

        Agents this call already rang out on come last: only those tried the
        fewest times for this call are candidates.
        """
        entries = self.entries
        strategy = self.strategy
        if not tries:  # the common case, kept free of any scan
            if strategy is Strategy.RING_ALL:
                return [entry[2] for entry in entries]
            if strategy is Strategy.RANDOM:
                return [entries[rng.randrange(len(entries))][2]]
            if strategy is Strategy.ROUND_ROBIN:
                return [entries[self._rr_start(rr_last) % len(entries)][2]]
            return [entries[0][2]]
        least = 0 if len(entries) > len(tries) else min(tries.get(e[2], 0) for e in entries)
        fresh = (e[2] for e in self._rotated(rr_last) if tries.get(e[2], 0) == least)
        if strategy is Strategy.RING_ALL:
            return list(fresh)
        if strategy is Strategy.RANDOM:
            return [rng.choice(list(fresh))]
        return [next(fresh)]

    def _rotated(self, rr_last: int) -> Iterable[_Entry]:
        if self.strategy is not Strategy.ROUND_ROBIN:
            return self.entries
        start = self._rr_start(rr_last)
        return itertools.chain(self.entries[start:], self.entries[:start])

    def _rr_start(self, rr_last: int) -> int:
        return bisect.bisect_left(self.entries, (0, rr_last + 1, AgentId("")))

    def _value(self, agent: AgentState) -> float:
        strategy = self.strategy
        if strategy is Strategy.LONGEST_IDLE:
            return agent.idle_since
        if strategy is Strategy.FEWEST_CALLS:
            return agent.handled
        if strategy is Strategy.LEAST_TALK_TIME:
            return agent.talk_time
        return 0
