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

#: Dead entries at the front of a pool before it is compacted (and at least half of it).
_COMPACT_AFTER = 32


class Pool:
    """Routable agents of one queue tier, kept in the order the strategy rings them."""

    __slots__ = ("_entries", "_head", "_keys", "size", "strategy")

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        #: ``(strategy value, tie position, agent id)``, sorted from ``_head`` on. Entries
        #: before ``_head`` have left: most strategies take the front, and moving the head
        #: instead of the list's tail keeps that step free of a copy of the whole pool
        #: (a thousand idle agents: 8 kB moved per call). Compacted once half is dead.
        self._entries: list[_Entry] = []
        self._head = 0
        self._keys: dict[AgentId, _Entry] = {}
        #: How many agents are in the pool (an attribute: read on every dispatch).
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._keys

    def add(self, agent: AgentState, pos: int) -> None:
        key = (self._value(agent), pos, agent.id)
        self._keys[agent.id] = key
        entries = self._entries
        self.size += 1
        if self.size == 1:  # only dead entries left, if any: start afresh
            entries.clear()
            self._head = 0
            entries.append(key)
        elif entries[-1] < key:
            # The usual place for longest idle (an agent back from a call has idled the
            # least): one comparison instead of a search.
            entries.append(key)
        else:
            bisect.insort(entries, key, self._head)

    def remove(self, agent_id: AgentId) -> None:
        key = self._keys.pop(agent_id, None)
        if key is None:
            return
        self.size -= 1
        entries, head = self._entries, self._head
        # The agent just chosen, in most strategies: no search. (Her id, not the key, is
        # compared by identity: compiled, a tuple is unboxed and boxed anew, never the same
        # object, and this test silently failed on every call.)
        if entries[head][2] is agent_id:
            head += 1
            if head > _COMPACT_AFTER and head + head > len(entries):
                del entries[:head]
                head = 0
            self._head = head
        else:
            del entries[bisect.bisect_left(entries, key, head)]

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
        entries, head = self._entries, self._head
        strategy = self.strategy
        if not tries:  # the common case, kept free of any scan
            if strategy is Strategy.RING_ALL:
                return [entry[2] for entry in entries[head:]]
            if strategy is Strategy.RANDOM:
                return [entries[head + rng.randrange(len(entries) - head)][2]]
            if strategy is Strategy.ROUND_ROBIN:
                return [entries[head + self._rr_offset(rr_last)][2]]
            return [entries[head][2]]
        live = entries[head:]
        least = 0 if len(live) > len(tries) else min(tries.get(e[2], 0) for e in live)
        fresh = (e[2] for e in self._rotated(rr_last) if tries.get(e[2], 0) == least)
        if strategy is Strategy.RING_ALL:
            return list(fresh)
        if strategy is Strategy.RANDOM:
            return [rng.choice(list(fresh))]
        return [next(fresh)]

    def _rotated(self, rr_last: int) -> Iterable[_Entry]:
        live = self._entries[self._head :]
        if self.strategy is not Strategy.ROUND_ROBIN:
            return live
        start = self._rr_offset(rr_last)
        return itertools.chain(live[start:], live[:start])

    def _rr_offset(self, rr_last: int) -> int:
        """Where round robin starts in the live entries: after position ``rr_last``,
        wrapping to the first."""
        entries, head = self._entries, self._head
        found = bisect.bisect_left(entries, (0, rr_last + 1, AgentId("")), head) - head
        return found if found < len(entries) - head else 0

    def _value(self, agent: AgentState) -> float:
        strategy = self.strategy
        if strategy is Strategy.LONGEST_IDLE:
            return agent.idle_since
        if strategy is Strategy.FEWEST_CALLS:
            return agent.handled
        if strategy is Strategy.LEAST_TALK_TIME:
            return agent.talk_time
        return 0
