"""Choosing among routable agents: one sorted pool per queue tier and strategy.

Each pool holds only routable agents, sorted by ``(strategy value, tie
position, id)``, and is updated as agents become routable or stop being so;
a decision then reads the front of the pool instead of scanning every agent.
An entry carries the agent herself, and whoever adds an agent keeps her entry
to remove her by (the roster: on her membership of the queue): with
thousands of agents, every lookup by id is a cache miss or two.
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

__all__ = ["Pool", "Ranked"]

#: A pool's entry: ``(strategy value, tie position, agent id, agent)``. No two entries of a
#: pool share a tie position, so the agent is never compared.
Ranked = tuple[float, int, AgentId, "AgentState"]

#: Dead entries at the front of a pool before it is compacted (and at least half of it).
_COMPACT_AFTER = 32


class Pool:
    """Routable agents of one queue tier, kept in the order the strategy rings them."""

    __slots__ = ("_entries", "_head", "size", "strategy")

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        #: :data:`Ranked` entries, sorted from ``_head`` on. Entries
        #: before ``_head`` have left: most strategies take the front, and moving the head
        #: instead of the list's tail keeps that step free of a copy of the whole pool
        #: (a thousand idle agents: 8 kB moved per call). Compacted once half is dead.
        self._entries: list[Ranked] = []
        self._head = 0
        #: How many agents are in the pool (an attribute: read on every dispatch).
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, agent: AgentState, pos: int) -> Ranked:
        """Put the agent in the pool at tie position ``pos``; her entry, to remove her by."""
        key = (self._value(agent), pos, agent.id, agent)
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
        return key

    def remove(self, key: Ranked) -> None:
        """Take out the agent whose entry :meth:`add` gave."""
        self.size -= 1
        entries, head = self._entries, self._head
        # The agent just chosen, in most strategies: no search. (The agent, not the entry,
        # is compared by identity: compiled, a tuple is unboxed and boxed anew, never the
        # same object.)
        if entries[head][3] is key[3]:
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
        self, tries: dict[AgentId, int] | None, *, rr_last: int, rng: random.Random
    ) -> list[Ranked]:
        """The entries of the agents to ring for one call: one, or all for ``ring_all``.

        Agents this call already rang out on (``tries``, None when none) come
        last: only those tried the fewest times for this call are candidates.
        """
        entries, head = self._entries, self._head
        strategy = self.strategy
        if not tries:  # the common case, kept free of any scan
            if strategy is Strategy.RING_ALL:
                return entries[head:]
            if strategy is Strategy.RANDOM:
                return [entries[head + rng.randrange(len(entries) - head)]]
            if strategy is Strategy.ROUND_ROBIN:
                return [entries[head + self._rr_offset(rr_last)]]
            return [entries[head]]
        live = entries[head:]
        least = 0 if len(live) > len(tries) else min(tries.get(e[2], 0) for e in live)
        fresh = (e for e in self._rotated(rr_last) if tries.get(e[2], 0) == least)
        if strategy is Strategy.RING_ALL:
            return list(fresh)
        if strategy is Strategy.RANDOM:
            return [rng.choice(list(fresh))]
        return [next(fresh)]

    def _rotated(self, rr_last: int) -> Iterable[Ranked]:
        live = self._entries[self._head :]
        if self.strategy is not Strategy.ROUND_ROBIN:
            return live
        start = self._rr_offset(rr_last)
        return itertools.chain(live[start:], live[:start])

    def _rr_offset(self, rr_last: int) -> int:
        """Where round robin starts in the live entries: after position ``rr_last``,
        wrapping to the first."""
        entries, head = self._entries, self._head
        # Round robin's entries all have the value 0: sorted by tie position alone.
        found = bisect.bisect_left(entries, rr_last + 1, head, key=_position) - head
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


def _position(entry: Ranked) -> int:
    return entry[1]
