"""Event-log retention: old rows go, the state stays, no instance misses what was pruned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.api.controller import jobs
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.retention import prune_log
from pcc_router.api.store import repo
from pcc_router.api.web.metrics import Metrics
from tests.api import inline, support
from tests.api.support import call_event, seeded_store


def _day(store: repo.Store, clock: list[float]) -> Controller:
    """A controller's morning: ten calls answered and ended, an hour apart."""
    controller = Controller(store=store, clock=lambda: clock[0])
    for n in range(10):
        inline.decide(controller, [f"m{n}"], "support", {})
        inline.pcc_event(controller, call_event(f"m{n}", "answered", n * 1000, "alice"))
        inline.pcc_event(controller, call_event(f"m{n}", "ended", n * 1000 + 500, "alice"))
        clock[0] += 3600
    return controller


def _rows(store: repo.Store) -> list[int]:
    with store.session() as session:
        return [row.seq or 0 for row in repo.events_after(session, 0)]  # log positions


def test_old_rows_go_the_newest_stays_and_the_cut_is_marked(tmp_path: Path) -> None:
    store = seeded_store(f"sqlite:///{tmp_path / 'p.db'}")
    clock = [1000.0]
    _day(store, clock)
    before = _rows(store)
    pruned = prune_log(store, older_than=clock[0] + 1)  # everything is old: all but the newest
    assert pruned.rows == len(before) - 1 and _rows(store) == [before[-1]]
    with store.session() as session:
        assert repo.log_pruned_to(session) == pruned.up_to == before[-2]
    assert prune_log(store, older_than=clock[0] + 1).rows == 0


def test_an_instance_idle_through_a_prune_rebuilds_instead_of_missing_rows(
    tmp_path: Path,
) -> None:
    store = seeded_store(f"sqlite:///{tmp_path / 'i.db'}")
    clock = [1000.0]
    idle = Controller(store=store, clock=lambda: clock[0])  # sees nothing from here on
    busy = _day(store, clock)
    inline.pcc_event(busy, call_event("late", "answered", 99_000, "bob"))
    prune_log(store, older_than=clock[0] - 2 * 3600)
    inline.catch_up(
        idle,
    )
    now = clock[0]
    for agent in ("alice", "bob"):
        assert idle.engine.agent_view(agent, now) == busy.engine.agent_view(agent, now)
    assert idle.engine.agent_view("bob", now).activity == "talking"


def test_a_redelivery_within_the_retention_is_still_a_duplicate(tmp_path: Path) -> None:
    store = seeded_store(f"sqlite:///{tmp_path / 'd.db'}")
    clock = [support.EPOCH_MS / 1000]  # PCC's clock and this one agree: an hour a call
    controller = Controller(store=store, clock=lambda: clock[0], log_retention=3 * 3600)
    for n in range(10):
        inline.decide(controller, [f"m{n}"], "support", {})
        at = n * 3_600_000
        inline.pcc_event(controller, call_event(f"m{n}", "answered", at, "alice"))
        inline.pcc_event(controller, call_event(f"m{n}", "ended", at + 500, "alice"))
        clock[0] += 3600
    pruned = prune_log(store, older_than=clock[0] - 3 * 3600)  # the last three hours are kept
    assert pruned.calls == 7  # the closed calls go with their rows
    assert inline.pcc_event(controller, call_event("m9", "ended", 9 * 3_600_000 + 500)) == (
        "duplicate"
    )
    # past the retention a redelivery is not known as such (its call is gone too), but it
    # changes nothing: older than anything kept, it is stale
    assert inline.pcc_event(controller, call_event("m0", "answered", 0, "alice")) == "stale"
    assert controller.engine.agent_view("alice", clock[0]).activity != "talking"


async def test_the_scheduled_job_prunes_in_batches_and_counts(tmp_path: Path) -> None:
    store = seeded_store(f"sqlite:///{tmp_path / 'j.db'}")
    clock = [1000.0]
    controller = _day(store, clock)
    metrics = Metrics()
    await jobs._prune(controller, 3600.0, metrics)
    pruned = metrics.log_retention._value.get()
    assert pruned > 0 and len(_rows(store)) > 0
    with store.session() as session:
        assert all(row.received_at >= clock[0] - 3600 for row in repo.events_after(session, 0)[1:])


def test_pcc_router_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = seeded_store(url)
    _day(store, [1000.0])  # all of it a long time ago (epoch 1000 s)
    kept = len(_rows(store))
    store.close()
    assert main(["prune", "--database", url, "--older-than", "7d"]) == 0
    assert f"pruned {kept - 1} event-log rows" in capsys.readouterr().out
    assert main(["prune", "--database", url, "--older-than", "soon"]) == 2
    assert "--older-than" in capsys.readouterr().err
    assert os.path.exists(tmp_path / "cli.db")
