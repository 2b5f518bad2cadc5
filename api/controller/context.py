"""What a handler may do inside its unit of work: :class:`UnitContext`, and nothing more.

A handler (:mod:`pcc_router.api.controller.handlers`) says what an input means;
the unit (:meth:`pcc_router.api.controller.core.Controller.unit`) owns the order:
it takes the project's lock, catches the engine up with every log row it has not
applied, fires the timers already due, hands the handler this context, then
writes and commits. Through the context a handler reads the engine, feeds it,
logs the input and writes calls: it cannot take a lock, open a transaction,
skip the catch-up or write outside its unit, so the race of two instances
applying the log in different orders has nowhere to happen.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from pcc_router.api.store import repo
from pcc_router.api.store.records import CallWrite
from pcc_router.routing import Engine, Event, OfferAgents, TimerFired, TimerKey

if TYPE_CHECKING:
    from pcc_router.api.controller.core import Controller
    from pcc_router.api.controller.writes import UnitWrites

__all__ = ["UnitContext"]


class UnitContext:
    """One unit's view of the controller: the engine to read and feed, what to write."""

    __slots__ = ("_ctl", "_tx", "log")

    def __init__(self, controller: Controller, tx: UnitWrites) -> None:
        self._ctl = controller
        self._tx = tx
        #: The input's event-log row, carrying the engine events it meant
        #: (:meth:`UnitWrites.add_log`).
        self.log = tx.add_log

    @property
    def now(self) -> float:
        """The unit's time on the controller's steady clock."""
        return self._tx.now

    @property
    def engine(self) -> Engine:
        """The engine, caught up with the log: to read (feed it through :meth:`feed`)."""
        return self._ctl.engine

    @property
    def offers(self) -> list[OfferAgents]:
        """The offers the engine made in this unit (``get_list_agents_url``)."""
        return self._tx.offers

    def feed(self, events: list[Event], *, at: float | None = None) -> None:
        """Feed this input's events to the engine (at ``at``, or now)."""
        self._ctl.handle(events, self._tx, at=at)

    def write_call(self, call: CallWrite) -> None:
        self._tx.calls.append(call)

    def write(self, step: Callable[[Session], Any]) -> None:
        """Another write of this input, made in the unit's transaction before its commit."""
        self._tx.writes.append(step)

    def note(self, kind: str, data: dict[str, Any]) -> None:
        """Tell the app's listeners (the event stream) once the unit has committed."""
        self._tx.notes.append((kind, data))

    def fire_timer(self, key: str, *, at: float) -> None:
        """The stored timer ``key`` fires at ``at``: once, into the engine, the log, and
        out of the store (a timer already fired in this unit does nothing)."""
        tx = self._tx
        if key in tx.fired:
            return
        event = TimerFired(key=TimerKey(key))
        tx.fired.add(key)
        tx.timers[key] = None  # forgotten, unless the engine sets it again right now
        tx.schedule[key] = None
        self._ctl.handle([event], tx, at=at)
        body = json.dumps({"key": key})
        self.log("timer", f"timer|{uuid.uuid4().hex}", body, [event], at=at)
        tx.notes.append(("timer", {"key": key}))

    def replace_engine(self, state: repo.StoredState) -> None:
        """A new engine made from ``state`` (read in this unit, under its lock)."""
        self._ctl.rebuild_from(state, self._tx)

    def next_seed(self) -> int:
        """A seed for a decision's draw (the ``random`` strategy), from the shell's generator."""
        return self._ctl.next_seed()
