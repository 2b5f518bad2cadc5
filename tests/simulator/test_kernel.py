"""The kernel: time order, priorities at one instant, FIFO ties, lazy cancellation, and
lanes that keep exactly the order of one heap (checked against a plain reference)."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pcc_router.simulator.kernel import (
    PRIORITY_ANSWER,
    PRIORITY_NORMAL,
    PRIORITY_TIMELINE,
    Kernel,
)


def drain(kernel: Kernel[str]) -> list[tuple[float, str]]:
    log = []
    while (item := kernel.pop()) is not None:
        log.append((kernel.now, item))
    return log


def test_time_then_priority_then_scheduling_order() -> None:
    kernel: Kernel[str] = Kernel()
    kernel.schedule(5.0, "timeout")
    kernel.schedule(5.0, "answer", priority=PRIORITY_ANSWER)
    kernel.schedule(1.0, "early")
    kernel.schedule(5.0, "login", priority=PRIORITY_TIMELINE)
    kernel.schedule(5.0, "arrival")
    assert drain(kernel) == [
        (1.0, "early"),
        (5.0, "answer"),
        (5.0, "login"),
        (5.0, "timeout"),
        (5.0, "arrival"),
    ]


def test_keys_cancel_and_replace() -> None:
    kernel: Kernel[str] = Kernel()
    kernel.schedule(3.0, "ring timeout", key="ring:c1")
    kernel.schedule(4.0, "hang up", key="hangup:c1")
    kernel.cancel("hangup:c1")
    kernel.schedule(9.0, "ring timeout again", key="ring:c1")  # replaces the first
    kernel.cancel("never-scheduled")
    assert drain(kernel) == [(9.0, "ring timeout again")]


class ReferenceKernel:
    """The kernel's contract in the plainest form: every item in one list, the least
    ``(time, priority, sequence)`` live one taken first."""

    def __init__(self) -> None:
        self.now = 0.0
        self.items: list[tuple[float, int, int, Any, str]] = []
        self.live: dict[Any, int] = {}
        self.seq = 0

    def schedule(self, at: float, item: str, priority: int, key: Any) -> None:
        self.seq += 1
        if key is not None:
            self.live[key] = self.seq
        self.items.append((at, priority, self.seq, key, item))

    def cancel(self, key: Any) -> None:
        self.live.pop(key, None)

    def pop(self) -> str | None:
        while self.items:
            entry = min(self.items)
            self.items.remove(entry)
            at, _, seq, key, item = entry
            if key is not None:
                if self.live.get(key) != seq:
                    continue
                del self.live[key]
            self.now = at
            return item
        return None


# An operation: schedule (delay from now, priority, key or None), cancel a key, pop or peek.
_KEYS = st.sampled_from(["ring:c1", "ring:c2", "hangup:c1", ("answer", "c1", "a1")])
_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("schedule"),
            st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0, -1.0]),
            st.sampled_from([PRIORITY_ANSWER, PRIORITY_TIMELINE, PRIORITY_NORMAL]),
            st.one_of(st.none(), _KEYS),
        ),
        st.tuples(st.just("cancel"), _KEYS),
        st.tuples(st.just("pop")),
        st.tuples(st.just("peek")),
    ),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(_OPS)
@example(  # back in time with items in a lane: a keyed item due between comes first
    [
        ("schedule", 0.0, PRIORITY_NORMAL, None),
        ("schedule", -1.0, PRIORITY_NORMAL, None),
        ("pop",),
        ("schedule", 0.5, PRIORITY_NORMAL, "ring:c1"),
        ("pop",),
    ]
)
def test_lanes_keep_the_heaps_exact_order(ops: list[tuple[Any, ...]]) -> None:
    """Items due now and keyed items due later skip the heap; nothing changes order."""
    kernel: Kernel[str] = Kernel()
    reference = ReferenceKernel()
    for number, op in enumerate(ops):
        if op[0] == "schedule":
            _, delay, priority, key = op
            at = kernel.now + delay  # -1.0: an item in the past still runs in its place
            kernel.schedule(at, f"item{number}", priority=priority, key=key)
            reference.schedule(at, f"item{number}", priority, key)
        elif op[0] == "cancel":
            kernel.cancel(op[1])
            reference.cancel(op[1])
        elif op[0] == "pop":
            assert kernel.pop() == reference.pop()
            assert kernel.now == reference.now
        else:
            live = [e for e in reference.items if e[3] is None or reference.live.get(e[3]) == e[2]]
            assert kernel.peek() == (min(live)[0] if live else None)
    while (item := reference.pop()) is not None:
        assert kernel.pop() == item
        assert kernel.now == reference.now
    assert kernel.pop() is None
