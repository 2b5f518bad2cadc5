"""Units of work, and the one place their blocking store steps run, each within its deadline.

A unit of work is a generator: it *yields* each blocking store step (open a
session and take the lock, read, write and commit) as a callable and gets
its result back; everything between two yields (the engine) runs where the
unit is driven from. Two drivers run the same units:

- :func:`run_inline` runs the steps on the calling thread (the CLI, tests);
- :class:`StoreWorker` runs them on its single thread while the unit itself
  stays on the event loop, one unit at a time: the engine and the app state
  are touched only on the loop, a PostgreSQL lock wait or a commit never
  stalls it, and units never interleave.

A step that raises is thrown back into the unit, which cleans up and
re-raises.

Deadlines (:mod:`pcc_router.api.web.deadlines`). A unit given a deadline never
starts a step after it: a unit still queued when its deadline passes is not
run at all, and one caught between steps has :class:`StoreTimeout` thrown in
(so it rolls back: nothing it did is kept). A step still running at the
deadline is cut off: the worker *interrupts* the store (breaks its
connections, see :meth:`pcc_router.api.store.schema.Store.interrupt`) and the
step fails at once, instead of waiting for a database that hangs. Clean-up
steps (rolling back, closing) run past the deadline, with a grace period of
their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pcc_router.api.web.deadlines import StoreTimeout

__all__ = ["Step", "StoreTimeout", "StoreWorker", "Unit", "run_inline"]

log = logging.getLogger("pcc_router.controller")
T = TypeVar("T")
Step = Callable[[], Any]
Unit = Generator[Step, Any, T]

#: Seconds a clean-up step (a rollback, a close) may take once the deadline has passed.
CLEANUP_GRACE = 2.0


def _resume(unit: Unit[Any], value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """Hand ``unit`` the last outcome: ``(True, result)`` once it ends, else its next step."""
    try:
        return False, unit.throw(error) if error is not None else unit.send(value)
    except StopIteration as stop:
        return True, stop.value


def run_inline(unit: Unit[T]) -> T:
    """Drive ``unit`` to its end on this thread."""
    value: Any = None
    error: BaseException | None = None
    while True:
        ended, step = _resume(unit, value, error)
        if ended:
            return step  # type: ignore[no-any-return]
        value, error = None, None
        try:
            value = step()
        except Exception as exc:
            error = exc


class StoreWorker:
    """One thread for the store's blocking work; units run through it one at a time.

    ``interrupt`` breaks whatever the store is doing (called on the event loop when a
    step overruns its deadline; the step then fails on the worker thread).
    """

    def __init__(self, *, interrupt: Callable[[], None] = lambda: None) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcc-store")
        self._lock: asyncio.Lock | None = None
        self._interrupt = interrupt
        #: Steps cut off at their deadline since the start (for metrics and tests).
        self.interrupted = 0

    def _serial(self) -> asyncio.Lock:
        if self._lock is None:  # made on the loop that uses it
            self._lock = asyncio.Lock()
        return self._lock

    async def _acquire(self, deadline: float | None) -> asyncio.Lock:
        lock = self._serial()
        loop = asyncio.get_running_loop()
        try:
            wait = None if deadline is None else max(0.0, deadline - loop.time())
            await asyncio.wait_for(lock.acquire(), wait)
        except TimeoutError:
            raise StoreTimeout("the store is busy with earlier work past the deadline") from None
        return lock

    async def run(self, unit: Unit[T], *, deadline: float | None = None) -> T:
        """Drive ``unit`` on this loop, its store steps on the worker thread, by ``deadline``
        (event-loop time; ``None``: no deadline)."""
        try:
            lock = await self._acquire(deadline)
        except StoreTimeout:
            unit.close()  # never started: nothing to undo
            raise
        loop = asyncio.get_running_loop()
        try:
            value: Any = None
            error: BaseException | None = None
            failing = False  # once an error is thrown in, the unit only cleans up
            while True:
                ended, step = _resume(unit, value, error)
                if ended:
                    return step  # type: ignore[no-any-return]
                failing = failing or error is not None
                value, error = None, None
                if failing:
                    limit: float | None = loop.time() + CLEANUP_GRACE
                elif deadline is not None and loop.time() >= deadline:
                    error = StoreTimeout("the deadline passed before the store was done")
                    continue
                else:
                    limit = deadline
                try:
                    value = await self._step(step, limit)
                except Exception as exc:
                    error = exc
        finally:
            lock.release()

    async def _step(self, step: Step, limit: float | None) -> Any:
        """Run ``step`` on the worker thread; past ``limit``, interrupt the store."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, step)
        if limit is None:
            return await future
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(0.0, limit - loop.time()))
        except TimeoutError:
            pass
        self.interrupted += 1
        self._interrupt()  # the step fails on its thread at once (its connection is broken)
        try:
            return await future
        except Exception as exc:
            raise StoreTimeout("the store did not answer before the deadline") from exc

    async def call(self, step: Callable[[], T], *, deadline: float | None = None) -> T:
        """One blocking step on the worker thread, between units, by ``deadline``."""
        lock = await self._acquire(deadline)
        try:
            result: T = await self._step(step, deadline)
            return result
        finally:
            lock.release()

    def close(self) -> None:
        self._interrupt()  # a step stuck on a hung store ends now rather than never
        self._executor.shutdown(wait=True)
