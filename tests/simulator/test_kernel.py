"""The heap kernel: time order, priorities at one instant, FIFO ties, lazy cancellation."""

from __future__ import annotations

from pcc_router.simulator.kernel import PRIORITY_ANSWER, PRIORITY_TIMELINE, Kernel


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
