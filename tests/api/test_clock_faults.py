"""Time you can trust: the wall clock stepped, PCC's clock off, events that arrive late.

A fake pair of clocks (wall and monotonic) stands in for the machine's:
stepping the wall clock is what NTP (or an operator) does; durations must
follow the monotonic one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pcc_router.api.app import create_app
from pcc_router.api.controller import jobs
from pcc_router.api.controller.clock import ClockWatch, SteadyClock
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.rebuild import longest_hold
from pcc_router.api.store.tables import AgentRow, TimerRow
from pcc_router.api.web.keys import METRICS
from tests.api import inline, support
from tests.api.support import call_event, hotline, make_settings, seeded_store


class Machine:
    """A wall clock that can be stepped and a monotonic clock that cannot."""

    def __init__(self, wall: float) -> None:
        self.wall_time = wall
        self.mono_time = 1000.0

    def wall(self) -> float:
        return self.wall_time

    def mono(self) -> float:
        return self.mono_time

    def run(self, seconds: float) -> None:
        """Time passes: both clocks move."""
        self.wall_time += seconds
        self.mono_time += seconds

    def step(self, seconds: float) -> None:
        """The wall clock is set: only it moves."""
        self.wall_time += seconds

    def clock(self) -> SteadyClock:
        return SteadyClock(wall=self.wall, monotonic=self.mono)


def test_the_steady_clock_never_jumps_and_tells_the_drift() -> None:
    machine = Machine(1_000_000.0)
    clock = machine.clock()
    assert clock() == 1_000_000.0
    machine.run(10)
    machine.step(5 * 3600)
    assert clock() == 1_000_010.0 and clock.drift() == 5 * 3600
    steps: list[float] = []
    watch = ClockWatch(clock, steps.append)
    assert watch.check() == 0.0  # seen at the start: not a step
    machine.step(-3600)
    assert watch.check() == -3600 and steps == [-3600]
    machine.run(0.5)
    assert watch.check() == 0.0 and steps == [-3600]  # seen once


def _controller(tmp_path: Path, machine: Machine, **more: Any) -> Controller:
    store = seeded_store(f"sqlite:///{tmp_path / 'clock.db'}")
    clock = machine.clock()
    return Controller(store=store, clock=clock, wall=clock.wall, **more)


def test_a_wall_clock_step_forward_does_not_close_a_call_answered_just_now(
    tmp_path: Path,
) -> None:
    machine = Machine(support.EPOCH_MS / 1000)
    controller = _controller(tmp_path, machine, max_call_age=4 * 3600)
    inline.pcc_event(controller, call_event("c1", "answered", 0, "alice"))
    machine.run(5)
    machine.step(5 * 3600)  # NTP sets the clock 5 h ahead
    assert (
        inline.expire_stale_calls(
            controller,
        )
        == []
    )
    now = controller.clock()
    assert controller.engine.agent_view("alice", now).activity == "talking"
    machine.run(4 * 3600)  # ... but a call really silent for 4 h is still closed
    assert inline.expire_stale_calls(
        controller,
    ) == ["c1"]


def test_a_wall_clock_step_back_does_not_stretch_a_wrap_up(tmp_path: Path) -> None:
    machine = Machine(support.EPOCH_MS / 1000)
    controller = _controller(tmp_path, machine)
    inline.pcc_event(controller, call_event("c1", "answered", 0, "alice"))
    inline.pcc_event(controller, call_event("c1", "ended", 0, "alice"))  # wrap-up: 10 s
    machine.step(-3600)
    machine.run(9)
    assert "alice" not in inline.decide(controller, ["c2"], "support", {})["c2"]
    machine.run(2)  # 11 s of real time: her wrap-up is over, whatever the wall clock says
    assert "alice" in inline.decide(controller, ["c3"], "support", {})["c3"]


def test_a_wrap_up_starts_when_pcc_says_the_call_ended(tmp_path: Path) -> None:
    """An ``ended`` that arrives 3 s late (PCC retried it): PCC's wrap-up of 10 s began
    3 s ago, and the controller's ends with it, 7 s from now."""
    machine = Machine(support.EPOCH_MS / 1000 + 3)
    controller = _controller(tmp_path, machine)
    inline.pcc_event(controller, call_event("c1", "answered", -60_000, "alice"))
    inline.pcc_event(controller, call_event("c1", "ended", 0, "alice"))  # stamped 3 s ago
    view = controller.engine.agent_view("alice", controller.clock())
    assert view.activity == "wrap_up" and view.until == pytest.approx(controller.clock() + 7)
    # an ended older than the whole wrap-up leaves her free at once
    inline.pcc_event(controller, call_event("c2", "answered", -50_000, "bob"))
    machine.run(12)
    inline.pcc_event(controller, call_event("c2", "ended", 0, "bob"))  # stamped 15 s ago
    assert controller.engine.agent_view("bob", controller.clock()).activity == "idle"


@pytest.fixture
async def client(tmp_path: Path) -> Any:
    app = create_app(make_settings(tmp_path))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def test_a_step_moves_the_schedulers_jobs_to_their_real_due_time() -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    try:
        due = datetime.now(UTC) + timedelta(seconds=10)
        job = scheduler.add_job(lambda: None, "date", run_date=due, id="wrapup:alice")
        sweep = scheduler.add_job(lambda: None, "interval", seconds=60, id="stale-calls")
        sweep_due = sweep.next_run_time
        assert jobs.shift(scheduler, -3600) == 2  # the wall clock went back an hour
        assert job.next_run_time == due - timedelta(hours=1)
        assert sweep.next_run_time == sweep_due - timedelta(hours=1)
    finally:
        scheduler.shutdown(wait=False)


async def test_a_timer_is_scheduled_by_its_distance_not_its_wall_time(tmp_path: Path) -> None:
    """The steady clock runs 5 h behind the (stepped) wall clock: a timer due in 10 s
    is put 10 s ahead on the wall clock APScheduler reads, not 5 h in the past."""
    machine = Machine(support.EPOCH_MS / 1000)
    controller = _controller(tmp_path, machine)
    machine.step(5 * 3600)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    controller.scheduler = scheduler
    try:
        jobs.set_timer(controller, "wrapup:alice", controller.clock() + 10)
        run = scheduler.get_job("wrapup:alice").next_run_time
        assert run.timestamp() == pytest.approx(machine.wall() + 10)
    finally:
        scheduler.shutdown(wait=False)


async def test_the_app_watches_the_clock_and_counts_steps(tmp_path: Path) -> None:
    machine = Machine(1_800_000_000.0)
    clock = machine.clock()
    app = create_app(make_settings(tmp_path), clock=clock)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        machine.step(7200)
        for _ in range(30):
            await asyncio.sleep(0.1)
            if app[METRICS].clock_steps._value.get() >= 1:
                break
        metrics = (await (await client.get("/metrics")).text()).splitlines()
        assert "pcc_clock_steps_total 1.0" in metrics
        assert "pcc_clock_drift_seconds 7200.0" in metrics
    finally:
        await client.close()


def test_a_restart_after_the_clock_went_back_keeps_nobody_out_for_the_step(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Stored by an instance whose clock ran an hour ahead: her wrap-up "until" is an hour
    and 10 s away for the new one. It lasts at most what the project allows."""
    store = seeded_store(f"sqlite:///{tmp_path / 'back.db'}")
    start = support.EPOCH_MS / 1000
    clock = [start]
    first = Controller(store=store, clock=lambda: clock[0])
    inline.pcc_event(first, call_event("c1", "answered", 0, "alice"))
    inline.pcc_event(first, call_event("c1", "ended", 0, "alice"))
    clock[0] -= 3600  # the restarted instance's clock is an hour behind the first's
    second = Controller(store=store, clock=lambda: clock[0])
    view = second.engine.agent_view("alice", clock[0])
    longest = longest_hold(hotline())
    assert view.activity == "wrap_up" and view.until == clock[0] + longest
    with store.session() as session:
        timer = session.get(TimerRow, "wrapup:alice")
        assert timer is not None and timer.at == start + 10  # the stored row as it was
    assert second._timers["wrapup:alice"] == clock[0] + longest
    with store.session() as session:
        assert session.get(AgentRow, "alice").activity == "wrap_up"  # type: ignore[union-attr]


def test_longest_hold_covers_every_ring_and_wrap_up() -> None:
    project = hotline()
    longest = longest_hold(project)
    assert longest >= max(q.wrap_up for q in project.queues)
    assert longest >= 60  # a call an agent places rings up to a minute
