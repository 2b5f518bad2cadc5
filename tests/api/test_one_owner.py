"""One thread, one owner: timers run on the event loop; store waits never stall it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER
from pcc_router.api.store.schema import ADVISORY_LOCK
from pcc_router.routing import Engine
from tests.api import inline
from tests.api.support import empty_pg, make_settings, stringee_event


async def test_timers_run_on_the_event_loop(
    aiohttp_client: Any, tmp_path: Path, auth: dict[str, str], monkeypatch: Any
) -> None:
    seen: list[tuple[str, str]] = []
    handle = Engine.handle

    def spying(self: Engine, event: Any, now: float) -> Any:
        seen.append((type(event).__name__, threading.current_thread().name))
        return handle(self, event, now)

    monkeypatch.setattr(Engine, "handle", spying)
    client = await aiohttp_client(create_app(make_settings(tmp_path)))
    stream = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)  # hello
    registered = await client.post(
        "/v1/agents/erin/presence", json={"sip": "register", "expires": 1}, headers=auth
    )
    assert registered.status == 200
    # the SIP expiry is a stored timer that APScheduler fires in a second
    change = b""
    while b"event: timer" not in change:
        change = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)
    assert b'"key": "sip:erin"' in change
    stream.close()
    fired = [thread for kind, thread in seen if kind == "TimerFired"]
    assert fired, seen
    loop_thread = threading.current_thread().name
    assert {thread for _, thread in seen} == {loop_thread}
    erin = await (await client.get("/v1/agents/erin", headers=auth)).json()
    assert erin["online"] == []


async def test_a_store_lock_wait_does_not_stall_the_loop(
    aiohttp_client: Any, tmp_path: Path, pg_url: str
) -> None:
    """Another instance holds the project's lock: this one's event waits, its loop does not."""
    settings = make_settings(tmp_path, database_url=empty_pg(pg_url))
    client = await aiohttp_client(create_app(settings))
    other = create_engine(pg_url)
    with other.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK})
        pending = asyncio.ensure_future(
            client.post("/pcc/events", json=stringee_event("answered", "held", 0))
        )
        await asyncio.sleep(0.3)
        assert not pending.done()  # waiting for the lock ...
        docs = await asyncio.wait_for(client.get("/openapi.json"), 5)  # ... the loop is free
        assert docs.status == 200
        assert not pending.done()
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK})
        holder.commit()
        response = await asyncio.wait_for(pending, 10)
    other.dispose()
    assert response.status == 200 and (await response.json())["message"] == "applied"
    controller = client.app[CONTROLLER]
    assert controller.engine.agent_view("alice", controller.clock()).call_id == "held"


def test_a_due_timer_goes_before_the_next_input_though_the_scheduler_is_late(
    tmp_path: Path,
) -> None:
    from pcc_router.api.controller.core import Controller
    from pcc_router.api.store import repo
    from tests.api.support import call_event, seeded_store

    store = seeded_store(f"sqlite:///{tmp_path / 's.db'}")
    clock = [100.0]
    controller = Controller(store=store, clock=lambda: clock[0])  # no scheduler: none fires
    inline.pcc_event(controller, call_event("c1", "answered", 1, "alice"))
    inline.pcc_event(controller, call_event("c1", "ended", 2, "alice"))  # wrap-up of 10 s: to 110
    clock[0] = 109.0
    assert "alice" not in inline.decide(controller, ["c2"], "support", {})["c2"]
    clock[0] = 111.0
    assert "alice" in inline.decide(controller, ["c3"], "support", {})["c3"]
    with store.session() as session:
        fired = [row for row in repo.events_after(session, 0) if row.kind == "timer"]
        assert repo.stored_timers(session, ["wrapup:alice"]) == set()
    assert [(row.body, row.received_at) for row in fired] == [('{"key": "wrapup:alice"}', 110.0)]
    inline.fire_timer(controller, "wrapup:alice")  # the scheduler, late: nothing left to do
    with store.session() as session:
        assert len([row for row in repo.events_after(session, 0) if row.kind == "timer"]) == 1
