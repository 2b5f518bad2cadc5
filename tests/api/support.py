"""What the controller's tests share: the hotline, stores, PCC events, settings, snapshots."""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlmodel import SQLModel

from pcc_router.api.keys import CONTROLLER, STORE
from pcc_router.api.settings import Settings
from pcc_router.api.store import repo
from pcc_router.api.stringee.calls import PccEvent
from pcc_router.api.testing.loopback import serve_on_loopback
from pcc_router.api.views.admin import agent_json
from pcc_router.routing import Project
from pcc_router.simulator import load_scenario
from tests.conftest import HOTLINE

ROOT = Path(__file__).resolve().parents[2]
SID, SECRET = "SKtest", "test-secret-of-at-least-32-bytes!"
#: Real epoch milliseconds, the whole second the tests started in: PCC's timestamps need 64
#: bits, and the controller refuses one further than PCC_MAX_CLOCK_SKEW from its clock.
EPOCH_MS = int(time.time()) * 1000


def hotline() -> Project:
    return load_scenario(HOTLINE).project


def seeded_store(url: str, project: Project | None = None) -> repo.Store:
    """A store at ``url`` holding ``project`` (the hotline by default)."""
    store = repo.Store(url)
    with store.session() as session:
        repo.save_project(session, project or hotline())
    return store


def call_event(call_id: str, status: str, ts: int, agent: str = "alice") -> PccEvent:
    """A PCC call event between a customer and an agent (internal endpoint).

    ``ts`` counts milliseconds from :data:`EPOCH_MS`, so every event carries a
    real epoch-millisecond timestamp.
    """
    return PccEvent(
        call_id=call_id,
        call_status=status,
        timestamp_ms=EPOCH_MS + ts,
        from_number="84911111111",
        from_type="external",
        to_number=agent,
        to_type="internal",
    )


def make_settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "api_key_sid": SID,
        "api_key_secret": SECRET,
        "database_url": f"sqlite:///{tmp_path / 'store.db'}",
        "scenario": HOTLINE,
        "caresoft_domain": "test",
        "caresoft_voice_token": "voice-secret-voice-secret-voice!",
        "caresoft_webhook_secret": "CS123",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def stringee_event(
    status: str,
    call_id: str,
    ts: int,
    *,
    to: tuple[str, str] = ("alice", "internal"),
    from_: tuple[str, str] = ("84911111111", "external"),
    requester: str = "",
) -> dict[str, Any]:
    """A call event shaped as Stringee publishes them (docs/server/call-events).

    ``ts`` counts milliseconds from :data:`EPOCH_MS`.
    """

    def end(number: str, kind: str) -> dict[str, Any]:
        return {"number": number, "alias": number, "is_online": kind == "internal", "type": kind}

    body: dict[str, Any] = {
        "call_status": status,
        "project_id": 25,
        "request_from_user_id": requester,
        "account_sid": "ACab9b9bcf6391c6af9fe1663c729e3a6b",
        "timestamp_ms": EPOCH_MS + ts,
        "from": end(*from_),
        "to": end(*to),
        "clientCustomData": "",
        "type": "stringee_call",
        "call_id": call_id,
    }
    if status == "ended":
        body.update(
            callCreatedReason="EXTERNAL_CALL_IN",
            endCallCause="NORMAL_CLEARING",
            endedBy="EXTERNAL",
            callType="CALL",
            duration=60,
            answerDuration=55,
        )
    return body


def state_of(app: web.Application) -> dict[str, Any]:
    """A whole snapshot: every table's rows, and the engine's view of every agent and queue."""
    tables: dict[str, list[str]] = {}
    with app[STORE].session() as session:
        connection = session.connection()
        for table in SQLModel.metadata.sorted_tables:
            tables[table.name] = sorted(
                repr(tuple(row)) for row in connection.execute(table.select())
            )
    controller = app[CONTROLLER]
    engine, now = controller.engine, controller.clock()
    return {
        "tables": tables,
        "agents": {a: agent_json(engine.agent_view(a, now)) for a in engine.agent_ids()},
        "queues": {q: engine.ring_order(q) for q in engine.queue_ids()},
    }


def empty_pg(url: str) -> str:
    """``url`` with every table of the schema dropped: each test starts from nothing."""
    cleaned = repo.Store(url)
    repo.SQLModel.metadata.drop_all(cleaned.engine)
    cleaned.close()
    return url


class ThreadServer:
    """The controller on 127.0.0.1 in a thread with its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = 0  # the system picks it as the server binds (see start)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.runner, url = self.loop.run_until_complete(serve_on_loopback(self.app))
        self.port = int(url.rsplit(":", 1)[1])
        self.thread.start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            head = {k.lower(): v for k, v in response.getheaders()}
            streaming = head.get("content-type", "").startswith("text/event-stream")
            return response.status, head, b"" if streaming else response.read()
        finally:
            connection.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
