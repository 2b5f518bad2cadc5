"""Deadlines: how long a request, or the store work done for it, may take.

PCC waits about 2 s for an answer. Every request gets a deadline on the
event loop's clock (monotonic) when it arrives (:mod:`pcc_router.api.web.middlewares`),
and the store work it asks for carries the same deadline into the store
worker (:mod:`pcc_router.api.controller.worker`): a store that hangs or crawls is
answered 503 before PCC gives up, never silence.

The deadline travels in a context variable, so that a view need not pass it
along; work that no request waits for (timers, the sweep, the PCC sync)
gets :data:`BACKGROUND` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["BACKGROUND", "StoreTimeout", "current", "remaining", "within"]

#: Seconds a unit of work nobody waits for may take before it is given up.
BACKGROUND = 10.0

_DEADLINE: ContextVar[float | None] = ContextVar("pcc_router_deadline", default=None)


class StoreTimeout(Exception):
    """The store did not answer before the deadline (answered 503; nothing was changed)."""


def current() -> float | None:
    """The deadline of the request being served (event-loop time), or ``None``."""
    return _DEADLINE.get()


def remaining(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (never negative), or ``None`` for no deadline."""
    if deadline is None:
        return None
    return max(0.0, deadline - asyncio.get_running_loop().time())


@contextmanager
def within(seconds: float | None) -> Iterator[float | None]:
    """Run the block under a deadline ``seconds`` from now (``None``: none); yields it."""
    deadline = None if seconds is None else asyncio.get_running_loop().time() + seconds
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)
