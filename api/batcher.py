"""Group commit for PCC events: the events that arrive together share one transaction.

While one batch is being committed (on the store's worker thread), the
requests that arrive meanwhile queue up; the next batch takes them all (up to
``max_batch``). Each request is still answered only after the commit that
stores its event, and events are applied in arrival order.

One bad event never fails its batch-mates: if a batch's transaction fails,
its events are applied again one transaction each, so only the event that
fails by itself gets the error.
"""

from __future__ import annotations

import asyncio
import logging

from pcc_router.api import inputs
from pcc_router.api.calls import PccEvent
from pcc_router.api.controller import Controller

__all__ = ["EventBatcher"]

log = logging.getLogger("pcc_router.controller")

_Pending = tuple[PccEvent, "asyncio.Future[str]"]


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
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            self._pending = self._pending[self._max_batch :]
            try:
                await self._commit(batch)
            except Exception as exc:
                if len(batch) == 1:
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
        outcomes = await controller.submit(
            inputs.pcc_unit(controller, [event for event, _ in batch])
        )
        self.batches = [*self.batches[-99:], len(batch)]
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _settle(batch: list[_Pending], error: Exception) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
