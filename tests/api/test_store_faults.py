"""The store fails under the controller: one state, the store's, and an answer within PCC's budget.

Faults are injected in the store layer (:mod:`tests.api.faults`) on SQLite,
and made for real on a PostgreSQL server of this module's own: stopped while
a commit runs, frozen (every process SIGSTOPped), restarted under an idle
instance.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER, STORE
from pcc_router.api.store import repo
from pcc_router.api.store.tables import AgentRow
from tests.api.conftest import PgServer
from tests.api.faults import StoreFaults
from tests.api.support import empty_pg, make_settings, stringee_event

Client = TestClient


async def _client(tmp_path: Path, **settings: Any) -> Client:
    values = {"request_deadline": 1.0, **settings}
    client = TestClient(TestServer(create_app(make_settings(tmp_path, **values)), host="127.0.0.1"))
    await client.start_server()
    return client


async def _event(client: Client, status: str, call_id: str, ts: int) -> tuple[int, str]:
    response = await client.post("/pcc/events", json=stringee_event(status, call_id, ts))
    return response.status, (await response.json())["message"]


async def _alice(client: Client, auth: dict[str, str]) -> str:
    response = await client.get("/v1/agents/alice", headers=auth)
    assert response.status == 200, await response.text()
    state: str = (await response.json())["state"]
    return state


def _stored(client: Client, agent: str = "alice") -> str:
    with client.app[STORE].session() as session:
        row = session.get(AgentRow, agent)
        assert row is not None
        return row.activity


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return empty_pg(server.url)


@pytest.mark.parametrize("status", ["ended", "answered"])
async def test_a_failed_commit_leaves_no_trace_and_its_retry_is_stored(
    tmp_path: Path, database: str, auth: dict[str, str], status: str
) -> None:
    client = await _client(tmp_path, database_url=database)
    try:
        if status == "ended":
            assert await _event(client, "answered", "c1", 0) == (200, "applied")
        before = await _alice(client, auth)
        faults = StoreFaults(client.app[STORE])
        faults.fail_commit = True
        refused, _ = await _event(client, status, "c1", 1000)
        assert refused == 503 and faults.commits_failed == 1
        faults.fail_commit = False
        # the engine holds exactly what the store does: not the input that failed
        assert await _alice(client, auth) == before == _stored(client)
        # PCC's retry is applied and stored like a first try
        assert await _event(client, status, "c1", 1000) == (200, "applied")
        after = await _alice(client, auth)
        assert after != before and _stored(client) == after
    finally:
        await client.close()
    # and a restart agrees
    restarted = await _client(tmp_path, database_url=database, scenario=None)
    try:
        assert await _alice(restarted, auth) == after
    finally:
        await restarted.close()


async def test_postgresql_stopped_during_a_commit(
    tmp_path: Path, pg_server: PgServer, auth: dict[str, str]
) -> None:
    """The issue's case: the server dies while an ``ended`` commits. 503; the instance
    and the store agree (talking); once it is back, the retry frees her."""
    client = await _client(tmp_path, database_url=empty_pg(pg_server.url))
    try:
        assert await _event(client, "answered", "c1", 0) == (200, "applied")
        faults = StoreFaults(client.app[STORE])
        faults.before_commit = pg_server.stop
        status, _ = await _event(client, "ended", "c1", 1000)
        faults.before_commit = None
        assert status == 503
        pg_server.start()
        assert await _alice(client, auth) == "talking" == _stored(client)
        assert await _event(client, "ended", "c1", 1000) == (200, "applied")
        assert await _alice(client, auth) == "wrap_up" == _stored(client)
    finally:
        pg_server.stop()
        pg_server.start()
        await client.close()


async def _timed(coroutine: Any) -> tuple[int, float]:
    started = time.monotonic()
    response = await coroutine
    return response.status, time.monotonic() - started


@pytest.mark.slow
async def test_a_hung_postgresql_is_answered_503_within_the_deadline(
    tmp_path: Path, pg_server: PgServer, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Every PostgreSQL process stopped: PCC's callbacks get 503 before PCC gives up (2 s),
    /healthz answers at once (it does not ask the store), /readyz says not ready, the log
    says so once; thawed, everything works again."""
    client = await _client(tmp_path, database_url=empty_pg(pg_server.url))
    budget = aiohttp.ClientTimeout(total=2.0)  # PCC's: no answer by then is a failure
    try:
        assert await _event(client, "answered", "h1", 0) == (200, "applied")
        caplog.set_level(logging.INFO)
        pg_server.freeze()
        try:
            calls = {"callId": "h2", "from": "84911111111", "to": "02473000062"}
            asks = [
                client.post("/pcc/events", json=stringee_event("ended", "h1", 500), timeout=budget),
                client.post(
                    "/pcc/agents-for-queue",
                    json={"queueId": "support", "calls": [calls]},
                    timeout=budget,
                ),
                client.get("/v1/agents/alice", headers=auth, timeout=budget),
                client.get("/readyz", timeout=budget),
            ]
            for ask in asks:
                status, _ = await _timed(ask)
                assert status == 503
            health = await client.get("/healthz", timeout=aiohttp.ClientTimeout(total=0.5))
            assert health.status == 200
            assert (await health.json())["store"]["up"] is False
        finally:
            pg_server.thaw()
        assert await _event(client, "ended", "h1", 500) == (200, "applied")
        assert (await client.get("/readyz")).status == 200
        assert await _alice(client, auth) == "wrap_up" == _stored(client)
        assert (await (await client.get("/healthz")).json())["store"]["up"] is True
    finally:
        await client.close()
    store_lines = [r for r in caplog.records if r.name == "pcc_router.store"]
    assert [r.levelname for r in store_lines] == ["ERROR", "WARNING"]  # down once, back once
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith("pcc_router")]


async def test_a_hung_sqlite_statement_is_cut_off_at_the_deadline(
    tmp_path: Path, auth: dict[str, str]
) -> None:
    client = await _client(tmp_path)
    try:
        faults = StoreFaults(client.app[STORE])
        faults.hang = True
        budget = aiohttp.ClientTimeout(total=2.0)
        event = stringee_event("answered", "s1", 0)
        status, _ = await _timed(client.post("/pcc/events", json=event, timeout=budget))
        assert status == 503
        faults.hang = False
        assert client.app[CONTROLLER].worker.interrupted >= 1
        assert await _event(client, "answered", "s1", 0) == (200, "applied")
        assert await _alice(client, auth) == "talking"
    finally:
        await client.close()


async def test_a_full_disk_makes_the_controller_unready(
    tmp_path: Path, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = await _client(tmp_path)
    try:
        assert (await client.get("/readyz")).status == 200
        faults = StoreFaults(client.app[STORE])
        faults.full_disk = True
        ready = await client.get("/readyz")
        answer = await ready.json()
        assert ready.status == 503 and "disk is full" in answer["message"]
        for n in range(20):
            assert (await _event(client, "answered", f"d{n}", n))[0] == 503
        health = await (await client.get("/healthz")).json()
        assert health["store"]["up"] is False and "disk is full" in health["store"]["last_error"]
        faults.full_disk = False
        assert (await client.get("/readyz")).status == 200
        assert await _event(client, "answered", "d0", 0) == (200, "applied")
    finally:
        await client.close()
    # 21 refusals: one line when it went, one when it came back; no traceback
    mine = [r for r in caplog.records if r.name.startswith("pcc_router")]
    assert len([r for r in mine if r.name == "pcc_router.store"]) == 2
    assert not [r for r in mine if r.exc_info]


async def test_an_instance_idle_across_a_postgresql_restart_answers_its_next_request(
    tmp_path: Path, pg_server: PgServer, auth: dict[str, str]
) -> None:
    client = await _client(tmp_path, database_url=empty_pg(pg_server.url))
    try:
        assert (await client.get("/v1/agents/alice", headers=auth)).status == 200
        pg_server.stop()
        pg_server.start()  # every pooled connection is dead now
        assert (await client.get("/v1/agents/alice", headers=auth)).status == 200
        assert await _event(client, "answered", "r1", 0) == (200, "applied")
    finally:
        await client.close()


async def test_units_queued_behind_a_hung_store_are_refused_not_run_late(
    tmp_path: Path, auth: dict[str, str]
) -> None:
    """Ten events arrive while the store hangs: each is answered 503 by its deadline, and
    none is applied later behind PCC's back (PCC retries them)."""
    client = await _client(tmp_path)
    try:
        faults = StoreFaults(client.app[STORE])
        faults.hang = True
        events = [stringee_event("answered", f"q{n}", n) for n in range(10)]
        answers = await asyncio.gather(*(client.post("/pcc/events", json=e) for e in events))
        faults.hang = False
        assert [a.status for a in answers] == [503] * 10
        await asyncio.sleep(0.5)
        with client.app[STORE].session() as session:
            assert repo.logged_keys(session, [f"q{n}|answered|0" for n in range(10)]) == set()
        assert await _alice(client, auth) == "idle" == _stored(client)
    finally:
        await client.close()
