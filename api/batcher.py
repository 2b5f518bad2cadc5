"""Group commit for PCC events: the events that arrive together share one transaction.

While the controller commits one batch, the event loop is busy, so the
requests that arrive meanwhile queue up; the next batch takes them all (up to
``max_batch``). Each request is still answered only after the commit that
stores its event, and events are applied in arrival order.
"""

from __future__ import annotations

import asyncio

from api.calls import PccEvent
from api.controller import Controller

__all__ = ["EventBatcher"]


class EventBatcher:
    def __init__(self, controller: Controller, *, max_batch: int = 64) -> None:
        self._controller = controller
        self._max_batch = max_batch
        self._pending: list[tuple[PccEvent, asyncio.Future[str]]] = []
        self._scheduled = False

    async def submit(self, event: PccEvent) -> str:
        """The event's outcome (``applied``, ``duplicate``, ``stale``), once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self._pending.append((event, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        batch = self._pending[: self._max_batch]
        self._pending = self._pending[self._max_batch :]
        self._scheduled = bool(self._pending)
        if self._scheduled:
            asyncio.get_running_loop().call_soon(self._flush)
        try:
            outcomes = self._controller.pcc_events([event for event, _ in batch])
        except Exception as exc:  # the whole transaction failed: every request says so
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
