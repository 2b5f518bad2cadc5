"""Several instances and every restart keep one truth (issue 22).

- The log's order is its positions, given out in commit order: a writer that
  slipped past the project's lock cannot make an instance skip a row.
- A read never writes without the lock, even when it fires due timers.
- Replicas started together on an empty store all come up, seeded once.
- A restart with ``--scenario`` changes nothing an agent said.
- A store that vanishes under a running controller is refused, not written into.
- A timer job never inherits a request's passed deadline.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from pcc_router.api.app import create_app
from pcc_router.api.controller import jobs
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.seeding import seed
from pcc_router.api.controller.worker import StoreWorker
from pcc_router.api.store import repo
from pcc_router.api.store.records import LogEntry
from pcc_router.api.store.schema import LogOrderError, StoreVanished
from pcc_router.api.store.tables import AgentRow, EventRow, TimerRow
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.web import deadlines
from pcc_router.routing import AgentId, Channel, PresenceChanged, encode_event
from tests.api import inline
from tests.api.support import (
    SECRET,
    SID,
    call_event,
    empty_pg,
    hotline,
    make_settings,
    seeded_store,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    return empty_pg(request.getfixturevalue("pg_url"))


def _positions(store: repo.Store) -> list[int]:
    with store.session() as session:
        return [row.seq or 0 for row in repo.events_after(session, 0)]


def test_a_read_fires_due_timers_under_the_lock_and_in_the_log_order(store_url: str) -> None:
    """B's read finds alice's wrap-up due: it fires it as an input (lock, next position),
    and A's next decision applies that row before deciding."""
    store = seeded_store(store_url)
    clock = [1000.0]
    a = Controller(store=store, clock=lambda: clock[0])
    b = Controller(store=repo.Store(store_url), clock=lambda: clock[0])
    inline.pcc_event(b, call_event("c1", "answered", 0))
    inline.pcc_event(b, call_event("c1", "ended", 1))
    inline.catch_up(a)
    assert "alice" not in a.engine.ring_order("support")
    clock[0] += 60  # the wrap-up is over; no scheduler has fired it
    inline.catch_up(b)  # a read: it fires the due timer, under the lock
    with store.session() as session:
        assert session.get(TimerRow, "wrapup:alice") is None
        kinds = [row.kind for row in repo.events_after(session, 0)]
    assert kinds[-1] == "timer"
    positions = _positions(store)
    assert positions == list(range(1, len(positions) + 1))  # no gap, no twin
    # A applied B's timer row before deciding: alice is back in the order (after bob, idle
    # longer); had A skipped the row she would stay in wrap-up for it, and out
    assert "alice" in inline.decide(a, ["c2"], "support", {})["c2"]


def test_a_row_committed_out_of_order_is_never_skipped(pg_url: str) -> None:
    """A writer that skips the project's lock (the bug of issue 22: a lock-free read that
    fired a timer) commits carol's SIP phone going offline *after* A read the log but
    *before* A commits.
    With ``max(id)`` A took itself past that row and offered carol for ever after; by
    positions, A's commit is refused (503, nothing kept) and its retry applies the row."""
    url = empty_pg(pg_url)
    store = seeded_store(url)
    a = Controller(store=store)
    assert inline.decide(a, ["c1"], "support", {})["c1"][0] == "alice"
    intruder = repo.Store(url)
    session = intruder.open_session()
    gone = PresenceChanged(agent_id=AgentId("carol"), channel=Channel.SIP, present=False)
    entry = LogEntry(
        kind="presence",
        key="presence|intruder",
        body="{}",
        received_at=time.time(),
        events=json.dumps([encode_event(gone)]),
    )
    repo.append_log(session, [entry])  # holds the counter's row lock, not committed
    session.execute(text("UPDATE agents SET sip_expires = NULL WHERE stringee_user_id = 'carol'"))

    def decide() -> Any:
        try:
            return inline.decide(a, ["c2"], "support", {})
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(decide)
        _wait_for_lock_wait(intruder)  # A has read the log and waits to take a position
        intruder.commit(session)
        session.close()
        first = pending.result(timeout=20)
    assert isinstance(first, LogOrderError), first
    retry = inline.decide(a, ["c2"], "support", {})["c2"]
    assert "carol" not in retry and "bob" in retry  # the retry applied the row A had missed
    assert _positions(store) == list(range(1, len(_positions(store)) + 1))
    intruder.close()


def _wait_for_lock_wait(store: repo.Store) -> None:
    for _ in range(200):  # at most 10 s
        with store.engine.connect() as connection:
            waiting = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the unit never waited for the log's counter")


def test_replicas_started_together_on_an_empty_store_all_come_up_seeded_once(
    pg_url: str,
) -> None:
    for _ in range(2):
        url = empty_pg(pg_url)
        barrier = threading.Barrier(4)

        def start(_: int, url: str = url, barrier: threading.Barrier = barrier) -> list[str]:
            barrier.wait()
            store = repo.Store(url)
            try:
                return seed(store, hotline())
            finally:
                store.close()

        with ThreadPoolExecutor(4) as pool:
            added = list(pool.map(start, range(4)))
        assert sorted(bool(a) for a in added) == [False, False, False, True]
        check = repo.Store(url)
        with check.session() as session:
            agents = session.exec(repo.select(AgentRow)).all()
            configs = session.exec(repo.select(EventRow).where(EventRow.kind == "config")).all()
        assert len(agents) == len(hotline().agents) and len(configs) == 1
        check.close()


def test_a_restart_with_the_scenario_changes_nothing_an_agent_said(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = repo.Store(url)
    assert seed(store, hotline())
    controller = Controller(store=store)
    inline.presence(controller, "alice", Channel.APP, False)
    inline.update_agent(controller, "bob", {"manual_status": "NOT AVAILABLE"})
    store.close()
    restarted = repo.Store(url)
    assert seed(restarted, hotline()) == []  # nothing new: nothing written
    again = Controller(store=restarted)
    alice = again.engine.agent_view("alice", again.clock())
    bob = again.engine.agent_view("bob", again.clock())
    assert "app" not in alice.online and bob.manual_status == "NOT AVAILABLE"
    assert seed(restarted, hotline(), reset=True)  # an explicit reset writes the file's
    reset = Controller(store=restarted)
    assert reset.engine.agent_view("bob", reset.clock()).manual_status == "AVAILABLE"


@pytest.mark.parametrize("fault", ["deleted", "emptied", "replaced"])
def test_a_store_file_that_vanishes_is_refused_and_not_recreated(
    tmp_path: Path, fault: str
) -> None:
    path = tmp_path / "v.db"
    store = seeded_store(f"sqlite:///{path}")
    controller = Controller(store=store)
    assert inline.pcc_event(controller, call_event("c1", "answered", 0)) == "applied"
    for extra in (path, path.with_name("v.db-wal"), path.with_name("v.db-shm")):
        extra.unlink(missing_ok=True)
    if fault == "emptied":
        path.write_bytes(b"")
    elif fault == "replaced":
        seeded_store(f"sqlite:///{tmp_path / 'other.db'}").close()
        (tmp_path / "other.db").rename(path)
    with pytest.raises(StoreVanished):
        inline.pcc_event(controller, call_event("c1", "ended", 5))
    assert fault != "deleted" or not path.exists()  # nothing acknowledged into a new file
    if fault != "replaced":
        with pytest.raises(repo.StoreError, match="--new-store"):
            repo.Store(f"sqlite:///{path}")
        assert repo.Store(f"sqlite:///{path}", new_store=True).store_id > 0


async def test_a_timer_never_inherits_a_passed_request_deadline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = seeded_store(f"sqlite:///{tmp_path / 't.db'}")
    clock = [1000.0]
    controller = Controller(store=store, clock=lambda: clock[0], worker=StoreWorker())
    inline.pcc_event(controller, call_event("c1", "answered", 0))
    inline.pcc_event(controller, call_event("c1", "ended", 1))
    clock[0] += 60
    caplog.set_level(logging.WARNING)
    with deadlines.within(0.0):  # the request that scheduled it is long answered
        await asyncio.sleep(0.01)
        await jobs._fire(controller, "wrapup:alice")
    with store.session() as session:
        assert session.get(TimerRow, "wrapup:alice") is None  # it fired
    assert controller.health.up
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_calls_left_open_are_said_once_at_start_and_agents_kept(
    tmp_path: Path, aiohttp_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A restart through the app (``serve --scenario``): the open call is reported in one
    line, and what alice said before (off the app) is still so."""
    settings = make_settings(tmp_path)
    store = repo.Store(settings.database_url)
    seed(store, hotline())
    before = Controller(store=store)
    inline.pcc_event(before, call_event("left-open", "answered", 0, "bob"))
    inline.presence(before, "alice", Channel.APP, False)
    store.close()
    caplog.set_level(logging.INFO)
    client = await aiohttp_client(create_app(settings))
    lines = [r.getMessage() for r in caplog.records if "open when this" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith("1 call was open")
    auth = {"X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).rest(ttl=60)}
    alice = await (await client.get("/v1/agents/alice", headers=auth)).json()
    assert "app" not in alice["online"]


def test_a_store_that_is_not_the_configured_one_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'id.db'}"
    known = repo.Store(url).store_id
    assert repo.Store(url, store_id=known).store_id == known
    with pytest.raises(repo.StoreError, match="PCC_STORE_ID"):
        repo.Store(url, store_id=known + 1)


def test_retention_takes_old_caresoft_calls_and_keeps_open_calls(tmp_path: Path) -> None:
    from pcc_router.api.controller.retention import prune_log
    from pcc_router.api.store import crud
    from pcc_router.api.store.tables import CallRow, CareSoftCallRow

    store = seeded_store(f"sqlite:///{tmp_path / 'cs.db'}")
    controller = Controller(store=store)
    inline.pcc_event(controller, call_event("open", "answered", 0, "bob"))
    with store.session() as session:
        crud.new_caresoft_call(session, temp_id="old", ipphone="100", phone="0901", created=1.0)
        crud.new_caresoft_call(session, temp_id="new", ipphone="100", phone="0901", created=9e12)
    pruned = prune_log(store, older_than=9e11)
    assert pruned.caresoft == 1 and pruned.calls == 0
    with store.session() as session:
        assert session.get(CareSoftCallRow, "old") is None
        assert session.get(CareSoftCallRow, "new") is not None
        assert session.get(CallRow, "open") is not None  # open: kept whatever its age
