"""A small discrete-event kernel: a heap of timed items on a virtual clock.

Items at the same instant run by priority, then in the order they were
scheduled, so a run is deterministic. Cancellation is lazy: a cancellable
item carries a key, and it runs only if that key still maps to its sequence
number when it comes due (SimPy's ``Environment.schedule/step``, without
generators).
"""

from __future__ import annotations

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
    __slots__ = ("_heap", "_live", "_seq", "now")

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._heap: list[tuple[float, int, int, str | None, T]] = []
        self._seq = count()
        self._live: dict[str, int] = {}

    def schedule(self, at: float, item: T, *, priority: int = PRIORITY_NORMAL,
                 key: str | None = None) -> None:  # fmt: skip
        """Run ``item`` at ``at``; with a ``key``, it replaces any pending item of that key."""
        seq = next(self._seq)
        if key is not None:
            self._live[key] = seq
        heappush(self._heap, (at, priority, seq, key, item))

    def cancel(self, key: str) -> None:
        self._live.pop(key, None)

    def pop(self) -> T | None:
        """The next live item, with the clock moved to its time; ``None`` when none is left."""
        heap, live = self._heap, self._live
        while heap:
            at, _, seq, key, item = heappop(heap)
            if key is not None:
                if live.get(key) != seq:
                    continue
                del live[key]
            self.now = at
            return item
        return None

    def peek(self) -> float | None:
        """When the next live item is due, without taking it; ``None`` when none is left."""
        heap, live = self._heap, self._live
        while heap:
            _, _, seq, key, _ = heap[0]
            if key is None or live.get(key) == seq:
                return heap[0][0]
            heappop(heap)  # cancelled: dropped now rather than at its time
        return None

    def __len__(self) -> int:
        return len(self._heap)
