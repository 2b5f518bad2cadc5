"""The service's shell around the engine: inputs become events, commands become rows and jobs.

Every input is a unit of work (:mod:`pcc_router.api.controller.worker`) in one store transaction:

1. under the project's write lock, read the event-log rows other instances
   wrote since this engine's last one, and what the input needs to know;
2. on the event loop, replay those rows into the engine, then apply the
   input: its engine events, and the rows to write (the event-log row with
   the engine events it meant, the call, the engine state it changed: each
   agent, queue position and call memory, the timers it started or cancelled);
3. write and commit; only then are timers handed to APScheduler and the
   HTTP answer sent.

The log's order is thus the order every engine applies inputs in, whichever
instance received them.

One state, the store's. The engine never runs ahead of what is stored: a
unit that fails once it has fed the engine (its commit failed, the store went
away, its deadline passed) marks the engine *stale*, and the next unit, of
whatever kind, rebuilds it from the store inside its own transaction before
it applies anything. So an input whose commit failed leaves no trace, its
retry is applied like the first try, and a store that is down for a while
refuses everything (503) rather than serving an engine it does not hold.
A rebuilt engine is the engine it came from: the store holds its whole state
(:class:`~pcc_router.routing.EngineSnapshot`), written unit by unit.

The engine here never rings anyone: PCC does, asking ``get_list_agents_url``
for the order. The engine keeps who is routable, in which order and why not,
from PCC's call events, presence reports and the controller's own offers.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session

from pcc_router.api.controller import handlers, jobs
from pcc_router.api.controller.context import UnitContext
from pcc_router.api.controller.drivers import Drivers
from pcc_router.api.controller.outage import StoreHealth
from pcc_router.api.controller.reads import Snapshot
from pcc_router.api.controller.rebuild import build_engine
from pcc_router.api.controller.worker import StoreWorker, Unit, run_inline
from pcc_router.api.controller.writes import ControllerShell, UnitWrites
from pcc_router.api.store import repo
from pcc_router.api.store.schema import LogOrderError
from pcc_router.api.store.tables import EventRow
from pcc_router.api.stringee.calls import PccEvent
from pcc_router.api.web.logs import Every
from pcc_router.routing import Engine, Event, decode_event
from pcc_router.routing.shell import Loop

__all__ = ["Controller", "PccEvent", "UnitContext", "UnitWrites"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class _Opened:
    session: Session
    rows: list[EventRow]
    state: repo.StoredState | None  # set when the engine must be rebuilt from the store
    data: Any
    due: list[tuple[float, str]]  # timers due before this input, still stored


def _close(session: Session) -> None:
    session.close()


@dataclass
class Controller(Drivers):
    store: repo.Store
    #: The engine's clock (epoch seconds that never jump: :mod:`pcc_router.api.controller.clock`).
    clock: Callable[[], float] = time.time
    scheduler: AsyncIOScheduler | None = None
    on_change: Callable[[str, dict[str, Any]], None] = lambda kind, data: None
    #: Runs the store's blocking steps off the event loop; ``None``: inline (tests, CLI).
    worker: StoreWorker | None = None
    #: A call with no event for this long is closed and its agent freed (seconds).
    max_call_age: float = 4 * 3600.0
    #: The wall clock, to read PCC's timestamps against; ``None``: ``clock``.
    wall: Callable[[], float] | None = None
    #: PCC timestamps further than this from the wall clock are not believed (seconds).
    max_clock_skew: float = 3600.0
    #: Event-log rows and closed calls older than this are pruned (seconds).
    log_retention: float = 7 * 86400.0
    health: StoreHealth = field(default_factory=StoreHealth)
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._position = 0  # the newest log position this engine has applied
        #: Lines saying a PCC timestamp was not believed: one a second at most.
        self.adjusted_lines = Every(1.0)
        self._timers: dict[str, float] = {}  # every timer scheduled, by key: when
        # The generator belongs to the shell; the controller needs no replayable draws.
        self._rng = random.Random()
        self._stale = False  # a unit failed after feeding the engine: rebuild before the next
        self._running: set[asyncio.Task[Any]] = set()  # units submitted, not yet ended
        run_inline(self.rebuild_unit())

    async def read(self) -> Snapshot:
        """The engine, caught up with what other instances logged, to read now."""
        await self.submit(handlers.catch_up_unit(self))
        return self.peek()

    def peek(self) -> Snapshot:
        """The engine as this instance has it (right after its own input: no catch-up)."""
        return Snapshot(self.engine, self.clock())

    # ------------------------------------------------------- the unit

    def unit(
        self,
        read: Callable[[Session], R],
        apply: Callable[[R, UnitContext], T],
        *,
        lock: bool = True,
        fire_due: bool = True,
    ) -> Unit[T]:
        """The shape of every input: read under the lock, catch up, apply on the loop, write,
        commit.

        ``lock=False``: a read that writes nothing. It still catches up, and if
        timers have fallen due it takes the lock and fires them (no unit writes
        without the lock). ``fire_due=False``: timers that fell due are left to
        the scheduler (a unit that replaces the engine: their firing must not be
        lost with it).
        """
        tx = UnitWrites(self.clock())
        due = sorted((at, key) for key, at in self._timers.items() if at <= tx.now)
        if not fire_due:
            due = []
        lock = lock or bool(due)
        opened: _Opened | None = None
        try:
            step = partial(self._open, read, tx.now, lock, due, self._stale)
            opened = yield step
            self._catch_up(opened, tx)
            context = UnitContext(self, tx)
            for at, key in opened.due:  # a late scheduler never lets an input see stale state
                context.fire_timer(key, at=at)
            result = apply(opened.data, context)
            tx.changes = self.engine.drain_changes()
            if lock or opened.state is not None:  # a rebuild took the lock: its new agents
                position = yield partial(self._commit, opened.session, tx, self._position)
            else:  # a read that wrote nothing: nothing to commit
                assert not (tx.log or tx.calls or tx.writes or tx.timers), "a read wrote"
                position = yield partial(_close, opened.session)
        except GeneratorExit:  # dropped half-way (the loop is closing): no more steps
            self._stale = self._stale or tx.touched_engine
            raise
        except Exception:
            if opened is not None:
                if tx.touched_engine:  # it may hold what the store did not keep
                    self._stale = True
                yield opened.session.close  # closing rolls back what was not committed
            raise
        if position is not None:
            self._position = position
        self._after_commit(tx)
        return result

    def _open(
        self,
        read: Callable[[Session], R],
        now: float,
        lock: bool,
        due: list[tuple[float, str]],
        stale: bool,
    ) -> _Opened:
        """Open the unit's transaction; ``due``: the timers this engine has due, to fire
        before the input; ``stale``: rebuild the engine from the store."""
        session = self.store.open_session()
        try:
            self.store.check(session)
            if lock:
                repo.serialise(session)
            position = self._position
            rows = repo.events_after(session, position)
            # rows this engine never applied may have been pruned (it was idle that long)
            gap = bool(rows) and rows[0].seq != position + 1
            rebuild = stale or (gap and position < repo.log_pruned_to(session))
            if rebuild or any(row.kind == "config" for row in rows):
                if not lock:  # a read: the state it rebuilds from must not change meanwhile
                    repo.serialise(session)
                state: repo.StoredState | None = repo.load_state(session, now=now)
                assert state is not None
                if due:  # the store's due timers, not this engine's
                    due = sorted((t.at, t.key) for t in state.timers if t.at <= now)
            else:
                state = None
                if due:
                    stored = repo.stored_timers(session, [key for _, key in due])
                    due = [(at, key) for at, key in due if key in stored]
            return _Opened(session, rows, state, read(session), due)
        except Exception:
            session.close()
            raise

    def _catch_up(self, opened: _Opened, tx: UnitWrites) -> None:
        """Apply, in the log's order, every row other instances wrote after this engine's
        position (a row is applied once: the position moves past it)."""
        if opened.state is not None:
            self._build(opened.state, tx)  # the store holds every change up to now
            return
        loop = Loop(self.engine, ControllerShell(tx, replayed=True))
        for row in opened.rows:
            tx.touched_engine = True
            for stored in json.loads(row.events):
                loop.feed(decode_event(stored), row.received_at)
            self._position = row.seq or self._position
        self.engine.drain_changes()  # their instance wrote that state

    def handle(self, events: list[Event], tx: UnitWrites, *, at: float | None = None) -> None:
        """Feed this input's events to the engine (at ``at``, or now); their meaning to ``tx``."""
        tx.touched_engine = True
        loop = Loop(self.engine, ControllerShell(tx, replayed=False))
        when = tx.now if at is None else at
        for event in events:
            loop.feed(event, when)

    def _commit(self, session: Session, tx: UnitWrites, expected: int) -> int:
        """Write what the unit changed, one statement per kind of row, and commit; the log
        position this engine is at afterwards.

        ``expected``: where the unit's catch-up left the engine. Its rows must come right
        after it; if another writer got in between (only one that skipped the project's
        lock could), nothing is committed and the engine is rebuilt by the next unit.
        """
        position = expected
        try:
            if tx.log:
                before, position = repo.append_log(session, tx.log)
                if before != expected:
                    raise LogOrderError(expected, before)
            if tx.calls:
                repo.save_calls(session, tx.calls)
            for write in tx.writes:
                write(session)
            if tx.fresh:
                repo.write_agents(session, tx.fresh)
            repo.write_changes(session, tx.changes)
            repo.save_timers(
                session,
                put={key: at for key, at in tx.timers.items() if at is not None},
                drop=[key for key, at in tx.timers.items() if at is None],
            )
            self.store.commit(session)
            return position
        finally:
            session.close()

    def _after_commit(self, tx: UnitWrites) -> None:
        for key, at in tx.schedule.items():  # the last word on each key, in order
            if at is None:
                self._timers.pop(key, None)
            else:
                self._timers[key] = at
            jobs.set_timer(self, key, at)
        for kind, data in tx.notes:
            self.on_change(kind, data)

    # ------------------------------------------------------------ state

    def rebuild_unit(self) -> Unit[None]:
        """(Re)make the engine from the store: its whole state, and every stored timer, read
        in one transaction under the project's lock (no writer in the middle of it)."""
        now = self.clock()
        session, state = yield partial(self._load_state, now)
        tx = UnitWrites(now)
        try:
            self._build(state, tx)
            yield partial(self._write_fresh, session, tx)
        except Exception:
            self._stale = True
            yield session.close
            raise
        self._after_commit(tx)

    def _load_state(self, now: float) -> tuple[Session, repo.StoredState]:
        session = self.store.open_session()
        try:
            self.store.check(session)
            repo.serialise(session)
            return session, repo.load_state(session, now=now)
        except Exception:
            session.close()
            raise

    def _write_fresh(self, session: Session, tx: UnitWrites) -> None:
        try:
            if tx.fresh:
                repo.write_agents(session, tx.fresh)
            self.store.commit(session)
        finally:
            session.close()

    def rebuild_from(self, state: repo.StoredState, tx: UnitWrites) -> None:
        """Replace the engine, in a unit, with one made from ``state`` (read in that unit)."""
        self._build(state, tx)

    def _build(self, state: repo.StoredState, tx: UnitWrites) -> None:
        """A new engine from stored state; every stored timer is scheduled again after commit."""
        tx.touched_engine = True
        self.engine = build_engine(state, tx, rng=self._rng)
        self._timers.clear()  # the stored ones come back through tx.schedule
        self._position = state.position
        self._stale = False

    def start(self, scheduler: AsyncIOScheduler) -> None:
        """Hand timers to ``scheduler`` (see :func:`pcc_router.api.controller.jobs.start`)."""
        jobs.start(self, scheduler)

    def next_seed(self) -> int:
        """A seed for a decision's draw (the ``random`` strategy), from the shell's generator."""
        return self._rng.getrandbits(32)

    def wall_now(self) -> float:
        """The wall clock, to read PCC's timestamps against."""
        return self.wall() if self.wall is not None else self.clock()

    def pcc_time(self, timestamp_ms: int, now: float) -> float:
        """When PCC says something happened, on the engine's clock: ``now`` less the event's
        age by the wall clock; ``now`` when PCC's time is ahead or not believable."""
        age = self.wall_now() - timestamp_ms / 1000
        return now - age if 0.0 < age <= self.max_clock_skew else now
