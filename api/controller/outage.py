"""The store's health as the controller sees it: up or down, with one log line per change.

Every unit of work that reaches the store tells :class:`StoreHealth` how it
went. While the store is down, every request that needs it is answered 503
(PCC retries), and the log says so once, when it goes down and again when it
is back (with how long and how many requests were refused), instead of a
traceback per request. :func:`is_outage` tells a store that cannot be used
now from a bug.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pcc_router.api.store.schema import LogOrderError, StoreVanished
from pcc_router.api.web.deadlines import StoreTimeout

__all__ = ["StoreHealth", "is_outage", "reason"]

log = logging.getLogger("pcc_router.store")


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the store cannot be used right now (not a bug)."""
    if isinstance(exc, StoreTimeout | OperationalError | InterfaceError | DisconnectionError):
        return True
    if isinstance(exc, StoreVanished | LogOrderError):
        return True
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def reason(exc: BaseException) -> str:
    """One line on what went wrong (never a statement's parameters)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


class StoreHealth:
    """Up or down, since when, and what the last failure was."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[bool], None] = lambda up: None,
        on_failure: Callable[[BaseException], None] = lambda exc: None,
    ) -> None:
        self._clock = clock
        self._on_change = on_change
        self._on_failure = on_failure
        self.up = True
        self.since = clock()
        #: When the store last went down or came back (epoch seconds, for people).
        self.changed_at = time.time()
        #: Inputs and reads that failed since the store went down.
        self.refused = 0
        self.last_error: str | None = None

    def ok(self) -> None:
        """A unit reached the store and committed."""
        if self.up:
            return
        down_for = self._clock() - self.since
        log.warning(
            "the store is back after %.1f s; %d requests were answered 503 meanwhile",
            down_for,
            self.refused,
        )
        self.up, self.since, self.refused = True, self._clock(), 0
        self.changed_at = time.time()
        self._on_change(True)

    def failed(self, exc: BaseException) -> None:
        """A unit could not use the store (``exc`` is an outage, see :func:`is_outage`)."""
        self.refused += 1
        self.last_error = reason(exc)
        self._on_failure(exc)
        if not self.up:
            return
        log.error("the store cannot be used: %s; answering 503 until it is back", self.last_error)
        self.up, self.since = False, self._clock()
        self.changed_at = time.time()
        self._on_change(False)
