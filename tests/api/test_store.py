"""The store on SQLite and on a real PostgreSQL: schema, idempotency, restarts.

(Just over 300 lines: each case runs on both databases from one fixture.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from pcc_router.api.app import create_app
from pcc_router.api.controller.core import Controller, PccEvent
from pcc_router.api.keys import CONTROLLER
from pcc_router.api.store import repo
from pcc_router.api.store.tables import AgentRow, EventRow, SchemaVersion, TimerRow
from tests.api import inline
from tests.api.support import call_event, hotline, make_settings


def seed(store: repo.Store) -> None:
    with store.session() as session:
        repo.save_project(session, hotline())


def answered(call_id: str, ts: int, agent: str = "alice") -> PccEvent:
    return call_event(call_id, "answered", ts, agent)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    url: str = request.getfixturevalue("pg_url")
    cleaned = repo.Store(url)  # each test starts from an empty schema
    repo.SQLModel.metadata.drop_all(cleaned.engine)
    cleaned.close()
    return url


def test_schema_is_versioned_and_migrations_are_idempotent(store_url: str) -> None:
    store = repo.Store(store_url)
    assert store.migrate() == len(repo.MIGRATIONS) == 9
    with store.session() as session:
        assert session.get(SchemaVersion, 1).version == 9  # type: ignore[union-attr]
    store.close()


def test_newer_schema_is_refused(store_url: str) -> None:
    store = repo.Store(store_url)
    with store.session() as session:
        session.merge(SchemaVersion(id=1, version=99))
    with pytest.raises(repo.StoreError, match="version 99, newer than this code"):
        store.migrate()
    with store.session() as session:
        session.merge(SchemaVersion(id=1, version=5))
    store.close()


def test_event_log_key_is_unique(store_url: str) -> None:
    store = repo.Store(store_url)

    def row() -> EventRow:
        return EventRow(key="c1|answered|5", kind="pcc", body="{}", received_at=0.0)

    with store.session() as session:
        session.add(row())
    with pytest.raises(IntegrityError), store.session() as session:
        session.add(row())
    store.close()


def test_controller_state_survives_a_restart(store_url: str) -> None:
    store = repo.Store(store_url)
    seed(store)
    clock = [1000.0]
    first = Controller(store=store, clock=lambda: clock[0])
    assert inline.pcc_event(first, answered("c1", 10)) == "applied"
    inline.presence(first, "frank", first_channel("sip"), True, expires=600)
    clock[0] = 1100.0
    ended = call_event("c1", "ended", 20)
    assert inline.pcc_event(first, ended) == "applied"
    store.close()

    reopened = repo.Store(store_url)
    second = Controller(store=reopened, clock=lambda: 1105.0)
    # the wrap-up timer and the SIP expiry are still pending, alice still in wrap-up
    with reopened.session() as session:
        keys = sorted(t.key for t in repo.timers(session))
    assert keys == ["sip:frank", "wrapup:alice"]
    assert inline.pcc_event(second, answered("c1", 10)) == "duplicate"
    wrap_up = second.engine.verdict("alice", 1105.0).reasons
    assert [r.text for r in wrap_up] == ["in wrap-up until 00:18:30"]
    assert [r.code for r in second.engine.verdict("frank", 1105.0).reasons] == ["no_phone"]
    reopened.close()


def first_channel(name: str) -> Any:
    from pcc_router.routing import Channel

    return Channel(name)


def test_busy_agents_stay_busy_after_a_restart(store_url: str) -> None:
    store = repo.Store(store_url)
    seed(store)
    inline.pcc_event(Controller(store=store), answered("c7", 5, agent="carol"))
    Controller(store=store)  # two restarts during the call ...
    again = Controller(store=store)
    assert again.engine.agent_history("carol").handled == 1  # ... count it once
    assert [r.code for r in again.engine.verdict("carol", 0.0).reasons] == ["in_call"]
    assert "carol" not in again.engine.ring_order("support")
    with store.session() as session:
        assert session.get(AgentRow, "carol").system_status == 0  # type: ignore[union-attr]
    store.close()


async def test_timers_are_rescheduled_when_the_app_starts(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    store = repo.Store(settings.database_url)
    with store.session() as session:
        session.merge(TimerRow(key="wrapup:alice", at=4_000_000_000.0))
    store.close()
    client = await aiohttp_client(create_app(settings))
    scheduler = client.app[CONTROLLER].scheduler
    assert scheduler is not None and scheduler.get_job("wrapup:alice") is not None


def test_a_version_1_store_is_migrated(store_url: str) -> None:
    from sqlalchemy import inspect, text

    store = repo.Store(store_url)
    with store.engine.begin() as connection:  # make it look like a store from version 1
        connection.execute(text("ALTER TABLE agents DROP COLUMN pcc_id"))
        connection.execute(text("UPDATE schema_version SET version = 1"))
    store.close()
    migrated = repo.Store(store_url)
    columns = {c["name"] for c in inspect(migrated.engine).get_columns("agents")}
    assert "pcc_id" in columns
    with migrated.session() as session:
        assert session.get(SchemaVersion, 1).version == 9  # type: ignore[union-attr]
    migrated.close()


def test_two_instances_share_one_event_log(store_url: str) -> None:
    """Inputs applied by one instance reach the other's engine, in log order."""
    from pcc_router.api.store.tables import GroupRow
    from pcc_router.routing import Channel

    seed(repo.Store(store_url))
    clock = [1000.0]
    a = Controller(store=repo.Store(store_url), clock=lambda: clock[0])
    b = Controller(store=repo.Store(store_url), clock=lambda: clock[0])

    assert inline.pcc_event(a, answered("c1", 10)) == "applied"
    inline.catch_up(
        b,
    )
    assert [r.code for r in b.engine.verdict("alice", 1000.0).reasons] == ["in_call"]
    assert inline.pcc_event(b, answered("c1", 10)) == "duplicate"

    inline.presence(b, "erin", Channel.APP, True)  # B's input; A replays it before its own next one
    clock[0] = 1060.0
    ended = call_event("c1", "ended", 20)
    assert inline.pcc_event(a, ended) == "applied"
    assert "erin" in a.engine.ring_order("support")
    inline.catch_up(
        b,
    )
    for engine in (a.engine, b.engine):
        assert [r.text for r in engine.verdict("alice", 1060.0).reasons] == [
            "in wrap-up until 00:17:50"
        ]

    clock[0] = 1070.0
    inline.fire_timer(a, "wrapup:alice")
    inline.fire_timer(b, "wrapup:alice")  # already fired by A: nothing happens twice
    inline.catch_up(
        b,
    )
    assert b.engine.verdict("alice", 1070.0).routable

    def drop_henry(session: Any) -> None:
        session.merge(GroupRow(id="backup", agents="[]"))

    inline.change_config(a, drop_henry)
    inline.catch_up(
        b,
    )  # B sees the configuration row and rebuilds
    assert "henry" not in b.engine.members("support")


def test_a_configuration_change_and_a_restart_keep_longest_idle_order(store_url: str) -> None:
    store = repo.Store(store_url)
    seed(store)
    clock = [1000.0]
    controller = Controller(store=store, clock=lambda: clock[0])
    inline.pcc_event(controller, answered("c1", 1))
    clock[0] = 1050.0
    inline.pcc_event(controller, call_event("c1", "ended", 2))
    clock[0] = 1060.0
    inline.fire_timer(
        controller, "wrapup:alice"
    )  # alice is idle since 1060, the others since the start
    assert controller.engine.ring_order("support")[-1] == "alice"
    inline.change_config(controller, lambda session: None)  # e.g. a scheduled sync
    assert controller.engine.ring_order("support")[-1] == "alice"
    restarted = Controller(store=repo.Store(store_url), clock=lambda: 2000.0)
    assert restarted.engine.ring_order("support")[-1] == "alice"  # kept in the store
    assert restarted.engine.agent_history("alice").handled == 1


def test_an_agent_deleted_in_wrap_up_leaves_nothing_that_breaks_a_rebuild(store_url: str) -> None:
    from pcc_router.api.store.tables import AgentRow

    store = repo.Store(store_url)
    seed(store)
    controller = Controller(store=store, clock=lambda: 1000.0)
    inline.pcc_event(controller, answered("c1", 1))
    inline.pcc_event(controller, call_event("c1", "ended", 2))  # alice in wrap-up: a stored timer

    def drop_alice(session: Any) -> None:
        from pcc_router.api.store.tables import GroupRow

        session.delete(session.get(AgentRow, "alice"))
        tier1 = session.get(GroupRow, "tier1")
        tier1.agents = tier1.agents.replace('"alice", ', "")
        session.add(tier1)

    inline.change_config(controller, drop_alice)
    assert not controller.engine.has_agent("alice")
    restarted = Controller(store=repo.Store(store_url), clock=lambda: 1001.0)
    inline.fire_timer(restarted, "wrapup:alice")  # the orphan timer fires: nothing to do
    assert restarted.engine.ring_order("support")[0] == "bob"


def test_queue_and_number_rows_written_before_the_project_codec_still_read(
    store_url: str,
) -> None:
    """Schema 4's rows: no id in the JSON, explicit nulls; they read as the same specs."""
    from pcc_router.api.store.tables import NumberRow, QueueRow

    store = repo.Store(store_url)
    seed(store)
    old_queue = (
        '{"groups": [{"group": "tier1", "primary": true}], "strategy": "top_down", '
        '"wait_agent_answer_timeout": 20.0, "agent_wrap_up_after_calls": true, '
        '"wrap_up_time_limit": 5.0, "maximum_queue_wait_time": null, '
        '"maximum_queue_size": null, "overflow": null, "max_no_answer": 0}'
    )
    with store.session() as session:
        session.merge(QueueRow(id="old_q", spec=old_queue))
        session.merge(
            NumberRow(number="1900", spec='{"keypress_timeout": 5.0, "queue_id": "old_q"}')
        )
    with store.session() as session:
        project = repo.load_project(session, now=0.0)
    queue = next(q for q in project.queues if q.id == "old_q")
    assert queue.wait_agent_answer_timeout == 20.0 and queue.strategy == "top_down"
    assert queue.overflow is None and queue.maximum_queue_size is None
    assert next(n for n in project.numbers if n.number == "1900").queue_id == "old_q"
    store.close()


def test_a_restart_keeps_offers_calls_and_wrap_ups(store_url: str) -> None:
    """Rebuilt from each agent's stored snapshot: who rings, talks or wraps up, until when."""
    store = repo.Store(store_url)
    seed(store)
    clock = [1000.0]
    first = Controller(store=store, clock=lambda: clock[0])
    assert (
        inline.decide(first, ["c1"], "support", {})["c1"][0] == "alice"
    )  # alice reserved until 1015
    inline.pcc_event(first, answered("c2", 1, agent="bob"))
    inline.pcc_event(first, answered("c3", 1, agent="carol"))
    inline.pcc_event(
        first, call_event("c3", "ended", 2, agent="carol")
    )  # carol wraps up until 1010
    before = first.engine.snapshot()
    restarted = Controller(store=repo.Store(store_url), clock=lambda: clock[0])
    assert restarted.engine.snapshot() == before
    assert inline.decide(restarted, ["c4"], "support", {})["c4"][0] == "dave"
    clock[0] = 1016.0
    inline.fire_timer(restarted, "offer:alice")
    assert inline.decide(restarted, ["c5"], "support", {})["c5"][0] == "alice"


def test_a_version_4_store_learns_what_its_agents_are_doing(store_url: str) -> None:
    from sqlalchemy import text

    store = repo.Store(store_url)
    seed(store)
    with store.engine.begin() as connection:  # schema 4: no activity columns, timers say it
        for column in ("activity", "until", "call_since", "answered_at"):
            connection.execute(text(f"ALTER TABLE agents DROP COLUMN {column}"))
        connection.execute(
            text(
                "UPDATE agents SET system_status = 0, call_id = 'c1' WHERE stringee_user_id = 'bob'"
            )
        )
        connection.execute(
            text("UPDATE agents SET call_id = 'c2' WHERE stringee_user_id = 'alice'")
        )
        for key in ("wrapup:carol", "offer:alice"):
            connection.execute(text("INSERT INTO timers (key, at) VALUES (:k, 4e9)"), {"k": key})
        connection.execute(text("UPDATE agents SET idle_since = 0"))
        connection.execute(text("UPDATE schema_version SET version = 4"))
    store.close()
    controller = Controller(store=repo.Store(store_url), clock=lambda: 1000.0)
    states = {
        a: controller.engine.agent_view(a, 1000.0).activity for a in ("alice", "bob", "carol")
    }
    assert states == {"alice": "ringing", "bob": "talking", "carol": "wrap_up"}
    assert controller.engine.agent_view("alice", 1000.0).call_id == "c2"


def test_two_instances_agree_on_random_decisions(store_url: str) -> None:
    """A decision is an engine event with its seed: replayed elsewhere, it draws the same."""
    from dataclasses import replace

    from pcc_router.routing import Strategy

    project = hotline()
    randomised = replace(
        project, queues=tuple(replace(q, strategy=Strategy.RANDOM) for q in project.queues)
    )
    store = repo.Store(store_url)
    with store.session() as session:
        repo.save_project(session, randomised)
    a = Controller(store=store, clock=lambda: 1000.0)
    b = Controller(store=repo.Store(store_url), clock=lambda: 1000.0)
    firsts = []
    for n, controller in enumerate([a, b, a, b]):
        order = inline.decide(controller, [f"r{n}"], "support", {})[f"r{n}"]
        firsts.append(order[0])
    assert len(set(firsts)) == 4  # each reserved for its call, whichever instance asked
    inline.catch_up(
        a,
    )
    inline.catch_up(
        b,
    )
    assert a.engine.snapshot() == b.engine.snapshot()
