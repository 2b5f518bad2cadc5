"""PostgreSQL for real: 64-bit timestamps, instances started together, reservations shared."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from pcc_router.api.app import create_app
from pcc_router.api.controller.core import Controller
from pcc_router.api.store import repo
from pcc_router.api.store.tables import CallRow, EventRow
from tests.api import inline, support
from tests.api.support import call_event, empty_pg, hotline, make_settings, stringee_event


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    return empty_pg(request.getfixturevalue("pg_url"))


def _make_v3(url: str) -> None:
    """A store as schema 3 left it: 32-bit columns, no engine events, no call times."""
    store = repo.Store(url)
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table, column in (("event_log", "ts_ms"), ("calls", "last_ts_ms")):
                connection.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE INTEGER"))
        for index in ("ix_calls_open_seen", "ix_calls_caller_first_seen", "ix_calls_queue_open"):
            connection.execute(text(f"DROP INDEX {index}"))
        for table, column in (
            ("event_log", "events"),
            ("calls", "first_seen"),
            ("calls", "last_seen"),
            ("calls", "is_open"),
        ):
            connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        old_call = (
            "INSERT INTO calls (call_id, queue_id, status, last_ts_ms, caller, callee) "
            "VALUES ('old', 'support', 'ended', 5, '', '')"
        )
        connection.execute(text(old_call))
        connection.execute(text("UPDATE schema_version SET version = 3"))
    store.close()


def test_a_schema_3_store_is_migrated_to_64_bit_and_engine_events(store_url: str) -> None:
    _make_v3(store_url)
    store = repo.Store(store_url)
    columns = {c["name"]: c for c in inspect(store.engine).get_columns("calls")}
    assert {"first_seen", "last_seen", "is_open"} <= set(columns)
    if store.engine.dialect.name == "postgresql":
        assert str(columns["last_ts_ms"]["type"]) == "BIGINT"
        logged = {c["name"]: c for c in inspect(store.engine).get_columns("event_log")}
        assert str(logged["ts_ms"]["type"]) == "BIGINT" and str(logged["id"]["type"]) == "BIGINT"
    with store.session() as session:
        old = session.get(CallRow, "old")
        assert old is not None and old.is_open is False  # it had ended
    with store.session() as session:
        repo.save_project(session, hotline())
    controller = Controller(store=store)
    assert inline.pcc_event(controller, call_event("new", "answered", 1)) == "applied"
    with store.session() as session:
        row = session.exec(repo.select(EventRow).where(EventRow.call_id == "new")).one()
        assert row.ts_ms == support.EPOCH_MS + 1 and "AgentCallStarted" in row.events
    store.close()


def test_instances_started_together_on_an_empty_postgresql(pg_url: str) -> None:
    """Schema creation runs under an advisory lock: no UniqueViolation, every time."""
    for _ in range(3):
        empty_pg(pg_url)
        barrier = threading.Barrier(4)

        def start(barrier: threading.Barrier = barrier) -> int:
            barrier.wait()
            store = repo.Store(pg_url)
            version = store.migrate()
            store.close()
            return version

        with ThreadPoolExecutor(4) as pool:
            versions = list(pool.map(lambda _: start(), range(4)))
        assert versions == [len(repo.MIGRATIONS)] * 4


def test_two_instances_never_offer_one_agent_first_for_two_calls(pg_url: str) -> None:
    seeded = repo.Store(empty_pg(pg_url))
    with seeded.session() as session:
        repo.save_project(session, hotline())
    seeded.close()
    a = Controller(store=repo.Store(pg_url))
    b = Controller(store=repo.Store(pg_url))
    assert inline.decide(a, ["c1"], "support", {})["c1"][0] == "alice"
    assert inline.decide(b, ["c2"], "support", {})["c2"][0] == "bob"  # b read a's reservation
    barrier = threading.Barrier(2)

    def offers(controller: Controller, name: str) -> list[str]:
        barrier.wait()
        firsts: list[str] = []
        for n in range(3):
            order = inline.decide(controller, [f"{name}{n}"], "support", {})[f"{name}{n}"]
            firsts.extend(order[:1])
        return firsts

    with ThreadPoolExecutor(2) as pool:
        both = [pool.submit(offers, a, "a"), pool.submit(offers, b, "b")]
        firsts = [first for future in both for first in future.result(timeout=30)]
    # carol, dave and henry were free: three calls got them, the other three nobody
    assert sorted(firsts) == ["carol", "dave", "henry"]
    inline.catch_up(
        b,
    )
    inline.catch_up(
        a,
    )
    for engine in (a.engine, b.engine):
        assert engine.ring_order("support") == []


async def test_the_http_call_flow_on_postgresql(
    aiohttp_client: Any, tmp_path: Any, pg_url: str, auth: dict[str, str]
) -> None:
    settings = make_settings(tmp_path, database_url=empty_pg(pg_url))
    client = await aiohttp_client(create_app(settings))
    await client.post(
        "/pcc/agents-for-queue", json={"queueId": "support", "calls": [{"callId": "p1"}]}
    )
    for status, ts in (("answered", 5), ("answered", 5), ("ended", 9)):
        await client.post("/pcc/events", json=stringee_event(status, "p1", ts))
    history = await (await client.get("/v1/calls/p1", headers=auth)).json()
    assert [h["event"]["call_status"] for h in history["history"]] == ["answered", "ended"]
    alice = await (await client.get("/v1/agents/alice", headers=auth)).json()
    assert [r["code"] for r in alice["reasons"]] == ["wrap_up"]
