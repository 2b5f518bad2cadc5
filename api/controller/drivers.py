"""Running units of work: inline, or from the event loop through the store worker.

Every unit (:mod:`pcc_router.api.controller.worker`) runs by a deadline: the request's
(:mod:`pcc_router.api.web.deadlines`), or :data:`~pcc_router.api.web.deadlines.BACKGROUND`
for work nobody waits for. A caller whose deadline passes is answered at
once (:class:`~pcc_router.api.web.deadlines.StoreTimeout`, a 503); the unit goes
on in the background until it has rolled back, so it is never left half-done
(not even when its caller is cancelled). Each unit's outcome tells the
store's :class:`~pcc_router.api.controller.outage.StoreHealth` whether the store is up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlmodel import Session

from pcc_router.api.controller.outage import StoreHealth, is_outage
from pcc_router.api.controller.worker import StoreWorker, Unit, run_inline
from pcc_router.api.store import repo
from pcc_router.api.web import deadlines

__all__ = ["Drivers"]

T = TypeVar("T")


class Drivers:
    """The :class:`~pcc_router.api.controller.core.Controller`'s ways to run its units."""

    store: repo.Store
    worker: StoreWorker | None
    health: StoreHealth
    _running: set[asyncio.Task[Any]]

    async def submit(self, unit: Unit[T], *, deadline: float | None = None) -> T:
        """Run a unit of work from the event loop: its store steps on the worker thread.

        ``deadline`` (event-loop time; default: the request's, see
        :mod:`pcc_router.api.web.deadlines`): past it the unit is given up and
        :class:`~pcc_router.api.web.deadlines.StoreTimeout` raised; the unit itself
        goes on in the background until it has rolled back (it is never left
        half-done, even when the caller is cancelled).
        """
        if self.worker is None:
            return self._outcome(run_inline, unit)
        if deadline is None:
            deadline = deadlines.current()
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + deadlines.BACKGROUND
        task = asyncio.ensure_future(self.worker.run(unit, deadline=deadline))
        self._running.add(task)
        task.add_done_callback(self._settled)
        wait = deadlines.remaining(deadline)
        try:
            return await asyncio.wait_for(
                asyncio.shield(task), None if wait is None else wait + 0.05
            )
        except TimeoutError:  # the unit rolls back on its own (see _settled)
            raise deadlines.StoreTimeout("the store did not answer before the deadline") from None

    def _settled(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.health.ok()
        elif is_outage(error):
            self.health.failed(error)

    def _outcome(self, run: Callable[[Unit[T]], T], unit: Unit[T]) -> T:
        try:
            result = run(unit)
        except Exception as exc:
            self._failed(exc)
            raise
        self.health.ok()
        return result

    async def _watched(self, call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``, its outcome told to the store's health."""
        try:
            result = await call()
        except Exception as exc:
            self._failed(exc)
            raise
        self.health.ok()
        return result

    def _failed(self, exc: BaseException) -> None:
        if is_outage(exc):
            self.health.failed(exc)

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait (at most ``timeout``) for the units still running: at shutdown."""
        if self._running:
            await asyncio.wait(list(self._running), timeout=timeout)

    async def in_store(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in one transaction of its own, off the event loop (between units)."""

        def step() -> T:
            with self.store.session() as session:
                return work(session)

        if self.worker is None:
            return step()
        deadline = deadlines.current()
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + deadlines.BACKGROUND
        worker = self.worker
        return await self._watched(lambda: worker.call(step, deadline=deadline))
