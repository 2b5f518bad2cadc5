"""A small discrete-event kernel: timed items on a virtual clock.

Items at the same instant run by priority, then in the order they were
scheduled, so a run is deterministic. Cancellation is lazy: a cancellable
item carries a key, and it runs only if that key still maps to its sequence
number when it comes due (SimPy's ``Environment.schedule/step``, without
generators).

Most items never need the heap, and the kernel keeps them out of it without
changing the order in which anything runs (every item keeps its
``(time, priority, sequence)`` and is taken strictly in that order):

- an item due *now* (an agent who answers at once) goes to a lane per
  priority, first in first out, compared with the heap's top when taken;
- a keyed item due later waits in a dictionary until the clock is about to
  move: in a contact centre most of them are cancelled in the very instant
  they were made (a ring's time-out when the agent answers at once, a
  caller's patience when the call is answered without waiting), and a
  cancelled one then costs a dictionary entry, not a push and a pop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from heapq import heappop, heappush
from itertools import count
from typing import Generic, TypeVar

__all__ = ["Kernel", "PRIORITY_ANSWER", "PRIORITY_NORMAL", "PRIORITY_TIMELINE"]

T = TypeVar("T")

# At one instant: pick-ups and call ends first (an answer at the very moment a
# timeout falls wins), then the scenario's timeline (agent changes at t hold
# for calls at t), then everything else in scheduling order.
PRIORITY_ANSWER = 0
PRIORITY_TIMELINE = 1
PRIORITY_NORMAL = 2


class Kernel(Generic[T]):
    __slots__ = ("_due", "_heap", "_live", "_seq", "_soon", "now")

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._heap: list[tuple[float, int, int, Hashable | None, T]] = []
        self._seq = count()
        #: The sequence number of each key's pending item: any other item of the key is dead.
        self._live: dict[Hashable, int] = {}
        #: Keyed items due later, scheduled since the clock last moved (not yet in the heap).
        self._soon: dict[Hashable, tuple[float, int, int, Hashable | None, T]] = {}
        #: Items due at ``now`` scheduled at ``now``, one lane per priority.
        self._due: tuple[deque[tuple[float, int, int, Hashable | None, T]], ...] = (
            deque(),
            deque(),
            deque(),
        )

    def schedule(self, at: float, item: T, *, priority: int = PRIORITY_NORMAL,
                 key: Hashable | None = None) -> None:  # fmt: skip
        """Run ``item`` at ``at``; with a ``key``, it replaces any pending item of that key."""
        seq = next(self._seq)
        entry = (at, priority, seq, key, item)
        now = self.now
        if key is not None:
            self._live[key] = seq
            if at > now:
                self._soon[key] = entry
                return
        if at == now:
            self._due[priority].append(entry)
        else:
            heappush(self._heap, entry)

    def cancel(self, key: Hashable) -> None:
        if self._live.pop(key, None) is not None:
            self._soon.pop(key, None)

    def pop(self) -> T | None:
        """The next live item, with the clock moved to its time; ``None`` when none is left."""
        heap, live = self._heap, self._live
        while True:
            entry = self._take_due()
            if entry is None:
                if not heap or heap[0][0] != self.now:
                    self._flush_soon()  # the clock moves: what was not cancelled is due later
                if not heap:
                    return None
                entry = heappop(heap)
            at, _, seq, key, item = entry
            if key is not None:
                if live.get(key) != seq:
                    continue
                del live[key]
            if at < self.now:
                self._flush_all()  # back in time (an item scheduled in the past): lanes hold now
            self.now = at
            return item

    def _take_due(self) -> tuple[float, int, int, Hashable | None, T] | None:
        """The first of the lanes' heads, unless the heap's top comes before it."""
        for lane in self._due:
            if lane:
                head = lane[0]
                heap = self._heap
                if heap:
                    top = heap[0]
                    if top[0] < head[0] or (
                        top[0] == head[0]
                        and (top[1] < head[1] or (top[1] == head[1] and top[2] < head[2]))
                    ):
                        return heappop(heap)
                return lane.popleft()
        return None

    def _flush_soon(self) -> None:
        soon = self._soon
        if soon:
            heap = self._heap
            for entry in soon.values():
                heappush(heap, entry)
            soon.clear()

    def _flush_all(self) -> None:
        """Everything into the heap, which keeps the same order: for the rare moments
        when the lanes' promises (due now, due later) would not hold."""
        self._flush_soon()
        heap = self._heap
        for lane in self._due:
            while lane:
                heappush(heap, lane.popleft())

    def peek(self) -> float | None:
        """When the next live item is due, without taking it; ``None`` when none is left."""
        heap, live = self._heap, self._live
        self._flush_all()  # peeking is rare (the emulator's real clock)
        while heap:
            _, _, seq, key, _ = heap[0]
            if key is None or live.get(key) == seq:
                return heap[0][0]
            heappop(heap)  # cancelled: dropped now rather than at its time
        return None

    def __len__(self) -> int:
        return len(self._heap) + len(self._soon) + sum(len(lane) for lane in self._due)
