"""Replaying the controller's event log reproduces its decisions; a changed project, what-ifs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.replay import replay
from pcc_router.api.store import repo
from pcc_router.routing import AgentId, Channel, GroupId, GroupSpec, Project, Strategy
from tests.api import inline
from tests.api.support import call_event, hotline, seeded_store
from tests.conftest import HOTLINE


@pytest.fixture
def project() -> Project:
    return hotline()


@pytest.fixture
def logged(tmp_path: Path, project: Project) -> repo.Store:
    """A controller's day: decisions between calls, presence, an update, a wrap-up timer."""
    store = seeded_store(f"sqlite:///{tmp_path / 's.db'}", project)
    clock = [100.0]
    controller = Controller(store=store, clock=lambda: clock[0])

    def at(t: float) -> None:
        clock[0] = t

    inline.decide(controller, ["c1"], "support", {})
    inline.pcc_event(controller, call_event("c1", "answered", 1, "alice"))
    at(110.0)
    inline.decide(controller, ["c2"], "support", {})
    inline.pcc_event(controller, call_event("c2", "answered", 2, "bob"))
    at(120.0)
    inline.presence(controller, "erin", Channel.APP, True)
    inline.update_agent(controller, "gina", {"manual_status": "AVAILABLE"})
    inline.decide(controller, ["c3"], "support", {})
    at(160.0)
    inline.pcc_event(controller, call_event("c1", "ended", 3, "alice"))
    inline.decide(controller, ["c4"], "support", {})
    at(170.0)
    inline.fire_timer(controller, "wrapup:alice")
    inline.pcc_event(controller, call_event("c2", "ended", 4, "bob"))
    inline.decide(controller, ["c5"], "support", {})
    return store


def test_replay_reproduces_every_decision(logged: repo.Store, project: Project) -> None:
    with logged.session() as session:
        rows = repo.events_after(session, 0)
    report = replay(project, rows, start=100.0)
    assert len(report.decisions) == 5 and report.stopped_at is None
    assert report.divergences == []
    # the log really moved the state: the first and the last answers differ
    assert report.decisions[0].logged != report.decisions[-1].logged
    last = report.decisions[-1].logged
    assert "bob" not in last and last[-1] == "alice"  # bob in wrap-up; alice idle the shortest


def test_a_what_if_shows_where_another_strategy_differs(
    logged: repo.Store, project: Project
) -> None:
    top_down = replace(
        project, queues=tuple(replace(q, strategy=Strategy.TOP_DOWN) for q in project.queues)
    )
    with logged.session() as session:
        rows = repo.events_after(session, 0)
    report = replay(top_down, rows, start=100.0)
    assert len(report.divergences) >= 1
    diverged = report.divergences[0]
    assert diverged.replayed[0] == "alice" and diverged.logged != diverged.replayed


def test_a_configuration_change_ends_the_replay(logged: repo.Store, project: Project) -> None:
    controller = Controller(store=logged)
    # nothing changed: no row
    assert inline.change_config(controller, lambda session: None) is False
    new_group = GroupSpec(id=GroupId("night"), agents=(AgentId("alice"),))
    add_night = lambda session: repo.save_group(session, new_group)  # noqa: E731
    assert inline.change_config(controller, add_night) is True
    inline.decide(controller, ["c6"], "support", {})
    with logged.session() as session:
        report = replay(project, repo.events_after(session, 0), start=100.0)
    assert report.stopped_at is not None and len(report.decisions) == 5


def test_replay_cli(logged: repo.Store, capsys: pytest.CaptureFixture[str]) -> None:
    from pcc_router.api.cli import main

    url = str(logged.engine.url)
    hotline = str(HOTLINE)
    assert main(["replay", hotline, "--database", url]) == 0
    assert "5 decisions replayed: 5 the same, 0 different" in capsys.readouterr().out
    assert (
        main(
            ["replay", "--database", url, "--scenario", hotline, "--strategy", "top_down", "--json"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert '"same": false' in out
    assert main(["replay", "--database", url, "--scenario", hotline, "--strategy", "fastest"]) == 2
    assert "is not one of" in capsys.readouterr().err
    assert main(["replay", "--database", url]) == 2
    assert "error: SCENARIO:" in capsys.readouterr().err


def test_random_queues_replay_as_the_same_agents(tmp_path: Path, project: Project) -> None:
    randomised = replace(
        project, queues=tuple(replace(q, strategy=Strategy.RANDOM) for q in project.queues)
    )
    store = seeded_store(f"sqlite:///{tmp_path / 'r.db'}", randomised)
    controller = Controller(store=store, clock=lambda: 100.0)
    orders = {tuple(inline.decide(controller, [f"c{n}"], "support", {})) for n in range(12)}
    assert len(orders) > 1  # PCC is given random orders
    with store.session() as session:
        report = replay(randomised, repo.events_after(session, 0), start=100.0)
    assert len(report.decisions) == 12 and report.divergences == []


def test_replay_reserves_as_the_controller_did(tmp_path: Path, project: Project) -> None:
    """A request for several calls offers each a different first agent; so does the replay."""
    store = seeded_store(f"sqlite:///{tmp_path / 'o.db'}", project)
    clock = [100.0]
    controller = Controller(store=store, clock=lambda: clock[0])
    orders = inline.decide(controller, ["c1", "c2"], "support", {})
    assert [orders["c1"][0], orders["c2"][0]] == ["alice", "bob"]
    inline.pcc_event(controller, call_event("c1", "answered", 1, "alice"))
    clock[0] = 120.0  # bob's offer for c2 has run out (15 s)
    inline.fire_timer(controller, "offer:bob")
    assert inline.decide(controller, ["c3"], "support", {})["c3"][0] == "bob"
    with store.session() as session:
        report = replay(project, repo.events_after(session, 0), start=100.0)
    assert [d.call_id for d in report.decisions] == ["c1", "c2", "c3"]
    assert report.divergences == []
