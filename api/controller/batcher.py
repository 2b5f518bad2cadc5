"""Group commit for PCC events: the events that arrive together share one transaction.

While one batch is being committed (on the store's worker thread), the
requests that arrive meanwhile queue up; the next batch takes them all (up to
``max_batch``). Each request is still answered only after the commit that
stores its event, and events are applied in arrival order.

A batch runs by the latest deadline of its requests (while anyone still
waits for it, it may commit); a request whose own deadline passes first is
answered 503 by its route, and its event, if the batch then commits, is a
``duplicate`` when PCC sends it again.

One bad event never fails its batch-mates: if a batch's transaction fails,
its events are applied again one transaction each, so only the event that
fails by itself gets the error. A store that cannot be used fails them all
at once (trying each again would only wait on it once more).
"""

from __future__ import annotations

import asyncio
import logging

from pcc_router.api.controller import handlers
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.outage import is_outage
from pcc_router.api.stringee.calls import PccEvent
from pcc_router.api.web import deadlines

__all__ = ["EventBatcher"]

log = logging.getLogger("pcc_router.controller")


class _Pending:
    __slots__ = ("deadline", "event", "future")

    def __init__(self, event: PccEvent, deadline: float | None) -> None:
        self.event = event
        self.deadline = deadline
        self.future: asyncio.Future[str] = asyncio.get_running_loop().create_future()


class EventBatcher:
    def __init__(self, controller: Controller, *, max_batch: int = 64) -> None:
        self._controller = controller
        self._max_batch = max_batch
        self._pending: list[_Pending] = []
        self._draining: asyncio.Task[None] | None = None
        #: Sizes of the transactions committed, newest last (a few, for tests and metrics).
        self.batches: list[int] = []

    async def submit(self, event: PccEvent) -> str:
        """The event's outcome (``applied``, ``duplicate``, ``stale``), once committed."""
        pending = _Pending(event, deadlines.current())
        self._pending.append(pending)
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await pending.future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            self._pending = self._pending[self._max_batch :]
            try:
                await self._commit(batch)
            except Exception as exc:
                if len(batch) == 1 or is_outage(exc):
                    _settle(batch, exc)
                    continue
                log.warning("a batch of %d PCC events failed (%s); one by one", len(batch), exc)
                for one in batch:
                    try:
                        await self._commit([one])
                    except Exception as single:
                        _settle([one], single)

    async def _commit(self, batch: list[_Pending]) -> None:
        controller = self._controller
        unit = handlers.pcc_unit(controller, [pending.event for pending in batch])
        outcomes = await controller.submit(unit, deadline=_latest(batch))
        self.batches = [*self.batches[-99:], len(batch)]
        for pending, outcome in zip(batch, outcomes, strict=True):
            if not pending.future.done():
                pending.future.set_result(outcome)


def _latest(batch: list[_Pending]) -> float:
    """The batch's deadline: its latest request's (one with none waits as background work)."""
    background = asyncio.get_running_loop().time() + deadlines.BACKGROUND
    return max(background if p.deadline is None else p.deadline for p in batch)


def _settle(batch: list[_Pending], error: Exception) -> None:
    for pending in batch:
        if not pending.future.done():
            pending.future.set_exception(error)
            pending.future.exception()  # its request may have gone (503 at its deadline)
