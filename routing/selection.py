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

Two kinds of pool keep that order. Strategies that rank by a value (longest
idle, fewest calls, least talk time) take the front of a sorted list
(:class:`SortedPool`). The others (round robin, top down, random, ring all)
rank by tie position alone, and their choice is often in the middle: a
sorted list would search it and move its tail on every call, thousands of
entries in a large centre. They keep a slot per position instead, with a
count per block of 64 slots to skip empty stretches (:class:`SlotPool`).
"""

from __future__ import annotations

import bisect
import random
from typing import TYPE_CHECKING

from pcc_router.routing.model import AgentId, Strategy

if TYPE_CHECKING:
    from pcc_router.routing.state import AgentState

__all__ = ["Pool", "Ranked", "SlotPool", "SortedPool", "new_pool"]

#: A pool's entry: ``(strategy value, tie position, agent id, agent)``. No two entries of a
#: pool share a tie position, so the agent is never compared.
Ranked = tuple[float, int, AgentId, "AgentState"]

#: Dead entries at the front of a sorted pool before it is compacted (and at least half).
_COMPACT_AFTER = 32
#: Positions per block of a slot pool (a power of two: a shift finds the block).
_BLOCK_BITS = 6


def new_pool(strategy: Strategy) -> Pool:
    """An empty pool of the kind that suits ``strategy``."""
    if strategy in _VALUED:
        return SortedPool(strategy)
    return SlotPool(strategy)


class Pool:
    """Routable agents of one queue tier, in the order the strategy rings them."""

    __slots__ = ("size", "strategy")

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        #: How many agents are in the pool (an attribute: read on every dispatch).
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, agent: AgentState, pos: int) -> Ranked:
        """Put the agent in the pool at tie position ``pos``; her entry, to remove her by."""
        raise NotImplementedError

    def remove(self, key: Ranked) -> None:
        """Take out the agent whose entry :meth:`add` gave."""
        raise NotImplementedError

    def live(self) -> list[Ranked]:
        """Every entry, in ring order before any round-robin rotation."""
        raise NotImplementedError

    def first(self, rr_last: int, rng: random.Random) -> list[Ranked]:
        """The choice when the call has rung out on nobody (the common case)."""
        raise NotImplementedError

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
        if not tries:
            return self.first(rr_last, rng)
        live = self.live()
        least = 0 if len(live) > len(tries) else min(tries.get(e[2], 0) for e in live)
        fresh = (e for e in self._rotated(rr_last) if tries.get(e[2], 0) == least)
        strategy = self.strategy
        if strategy is Strategy.RING_ALL:
            return list(fresh)
        if strategy is Strategy.RANDOM:
            return [rng.choice(list(fresh))]
        return [next(fresh)]

    def _rotated(self, rr_last: int) -> list[Ranked]:
        live = self.live()
        if self.strategy is not Strategy.ROUND_ROBIN:
            return live
        # After the position rung last, wrapping to the first.
        start = next((i for i, entry in enumerate(live) if entry[1] > rr_last), 0)
        return live[start:] + live[:start]


class SortedPool(Pool):
    """A pool sorted by ``(strategy value, tie position)``, rung from the front."""

    __slots__ = ("_entries", "_head")

    def __init__(self, strategy: Strategy) -> None:
        super().__init__(strategy)
        #: :data:`Ranked` entries, sorted from ``_head`` on. Entries before ``_head`` have
        #: left: the front is rung, and moving the head instead of the list's tail keeps
        #: that step free of a copy of the whole pool (a thousand idle agents: 8 kB moved
        #: per call). Compacted once half is dead.
        self._entries: list[Ranked] = []
        self._head = 0

    def add(self, agent: AgentState, pos: int) -> Ranked:
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
        self.size -= 1
        entries, head = self._entries, self._head
        # The agent just chosen: no search. (The agent, not the entry, is compared by
        # identity: compiled, a tuple is unboxed and boxed anew, never the same object.)
        if entries[head][3] is key[3]:
            head += 1
            if head > _COMPACT_AFTER and head + head > len(entries):
                del entries[:head]
                head = 0
            self._head = head
        else:
            del entries[bisect.bisect_left(entries, key, head)]

    def live(self) -> list[Ranked]:
        return self._entries[self._head :]

    def first(self, rr_last: int, rng: random.Random) -> list[Ranked]:
        return [self._entries[self._head]]

    def _value(self, agent: AgentState) -> float:
        strategy = self.strategy
        if strategy is Strategy.LONGEST_IDLE:
            return agent.idle_since
        if strategy is Strategy.FEWEST_CALLS:
            return agent.handled
        return agent.talk_time  # least talk time: the only other valued strategy


class SlotPool(Pool):
    """A pool in tie-position order: a slot per position, and a count per block of slots."""

    __slots__ = ("_blocks", "_slots")

    def __init__(self, strategy: Strategy) -> None:
        super().__init__(strategy)
        self._slots: list[Ranked | None] = []
        #: How many agents are in each block of ``1 << _BLOCK_BITS`` slots.
        self._blocks: list[int] = []

    def add(self, agent: AgentState, pos: int) -> Ranked:
        key = (0.0, pos, agent.id, agent)  # no value: tie position alone
        slots = self._slots
        if pos >= len(slots):
            slots.extend([None] * (pos + 1 - len(slots)))
            blocks = (len(slots) >> _BLOCK_BITS) + 1
            self._blocks.extend([0] * (blocks - len(self._blocks)))
        slots[pos] = key
        self._blocks[pos >> _BLOCK_BITS] += 1
        self.size += 1
        return key

    def remove(self, key: Ranked) -> None:
        pos = key[1]
        self._slots[pos] = None
        self._blocks[pos >> _BLOCK_BITS] -= 1
        self.size -= 1

    def live(self) -> list[Ranked]:
        return [entry for entry in self._slots if entry is not None]

    def first(self, rr_last: int, rng: random.Random) -> list[Ranked]:
        strategy = self.strategy
        if strategy is Strategy.RING_ALL:
            return self.live()
        if strategy is Strategy.RANDOM:
            pos = self._nth(rng.randrange(self.size))
        elif strategy is Strategy.ROUND_ROBIN:
            # A position below -1 (read back from a store) must not index from the end.
            pos = self._next_from(max(rr_last + 1, 0))
            if pos < 0:
                pos = self._next_from(0)
        else:
            pos = self._next_from(0)
        entry = self._slots[pos]
        assert entry is not None
        return [entry]

    def _next_from(self, start: int) -> int:
        """The first position at or after ``start`` that holds an agent, or -1."""
        slots, blocks = self._slots, self._blocks
        block = start >> _BLOCK_BITS
        if block >= len(blocks):
            return -1
        if blocks[block]:
            end = min(len(slots), (block + 1) << _BLOCK_BITS)
            for pos in range(start, end):
                if slots[pos] is not None:
                    return pos
        for later in range(block + 1, len(blocks)):
            if blocks[later]:
                pos = later << _BLOCK_BITS
                while slots[pos] is None:
                    pos += 1
                return pos
        return -1

    def _nth(self, n: int) -> int:
        """The position of the ``n``-th agent (from 0) in position order."""
        slots, blocks = self._slots, self._blocks
        block = 0
        while n >= blocks[block]:
            n -= blocks[block]
            block += 1
        pos = block << _BLOCK_BITS
        while True:
            if slots[pos] is not None:
                if not n:
                    return pos
                n -= 1
            pos += 1


#: Strategies that rank by a value the agent carries, not by tie position alone.
_VALUED = frozenset({Strategy.LONGEST_IDLE, Strategy.FEWEST_CALLS, Strategy.LEAST_TALK_TIME})
