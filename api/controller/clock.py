"""The controller's clock: epoch seconds that never jump, and a watch on the wall clock.

Durations (rings, wrap-ups, the lost-call sweep) must not stretch or shrink
when the wall clock is stepped (by NTP, or by hand): a 10 s wrap-up lasts
10 s. :class:`SteadyClock` reads as epoch seconds (anchored to the wall clock
when the process starts) but advances with the monotonic clock, so it never
jumps; the engine, its timers and the store's times all run on it.

The wall clock is still read where another machine's time is compared with
ours: PCC's ``timestamp_ms`` (how late an event is; whether it is plausible
at all). A wall-clock step leaves the two apart by its size until the
controller restarts; :class:`ClockWatch` notices the step within a second,
logs it once, counts it, and calls back so that what is scheduled by the
wall clock (APScheduler's jobs) is moved to keep its real due time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

__all__ = ["STEP", "ClockWatch", "SteadyClock"]

log = logging.getLogger("pcc_router.clock")

#: A change of more than this between the wall and the steady clock is a step (seconds).
STEP = 1.0


class SteadyClock:
    """Epoch seconds advancing with the monotonic clock: never stepped, never slewed back."""

    def __init__(
        self,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wall = wall
        self._monotonic = monotonic
        self._offset = wall() - monotonic()

    def __call__(self) -> float:
        return self._offset + self._monotonic()

    def drift(self) -> float:
        """The wall clock less this one (0 until the wall clock is stepped)."""
        return self.wall() - self()


class ClockWatch:
    """Looks at the wall clock every second; a step calls ``on_step(seconds)`` once."""

    def __init__(self, clock: SteadyClock, on_step: Callable[[float], None]) -> None:
        self._clock = clock
        self._on_step = on_step
        self._drift = clock.drift()

    def check(self) -> float:
        """Compare the clocks now; the step seen (0.0 when none)."""
        drift = self._clock.drift()
        step = drift - self._drift
        if abs(step) <= STEP:
            return 0.0
        self._drift = drift
        log.warning(
            "the wall clock stepped by %+.1f s; timers keep their real due times "
            "(this instance now runs %.1f s from the wall clock until it restarts)",
            step,
            -drift,
        )
        self._on_step(step)
        return step

    async def run(self, every: float = 1.0) -> None:
        """Check every ``every`` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                self.check()
            except Exception:  # a failing callback must not end the watch
                log.exception("handling a wall-clock step failed")
