"""The controller's timers and periodic jobs on APScheduler.

Every job is a coroutine, so APScheduler runs it on the event loop like every
other input (a plain function would run on a worker thread, next to requests
touching the same engine). A stored timer is an APScheduler job under the
timer's key; the sweep closes calls silent for longer than ``max_call_age``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pcc_router.api import inputs
from pcc_router.api.store import repo

if TYPE_CHECKING:
    from pcc_router.api.controller import Controller

__all__ = ["set_timer", "start", "sweep_interval"]

log = logging.getLogger("pcc_router.controller")


def sweep_interval(max_call_age: float) -> float:
    """How often silent calls are looked for: a quarter of the age, within 1 s to a minute."""
    return min(60.0, max(1.0, max_call_age / 4))


def start(controller: Controller, scheduler: AsyncIOScheduler) -> None:
    """Every stored timer now, new ones as they come, and the stale-call sweep."""
    controller.scheduler = scheduler
    with controller.store.session() as session:
        for timer in repo.timers(session):
            set_timer(controller, timer.key, timer.at)
    scheduler.add_job(
        _sweep,
        "interval",
        args=[controller],
        id="stale-calls",
        seconds=sweep_interval(controller.max_call_age),
        replace_existing=True,
    )


def set_timer(controller: Controller, key: str, at: float | None) -> None:
    """Schedule the timer ``key`` at ``at`` (one already due fires at once), or drop it."""
    scheduler = controller.scheduler
    if scheduler is None:
        return
    if at is None:
        job = scheduler.get_job(key)
        if job is not None:
            job.remove()
        return
    scheduler.add_job(
        _fire,
        "date",
        run_date=datetime.fromtimestamp(max(at, controller.clock()), tz=UTC),
        args=[controller, key],
        id=key,
        replace_existing=True,
        misfire_grace_time=None,
    )


async def _fire(controller: Controller, key: str) -> None:
    try:
        await controller.submit(inputs.timer_unit(controller, key))
    except Exception:
        log.exception("timer %s failed; it stays stored and fires at the next start", key)


async def _sweep(controller: Controller) -> None:
    try:
        await controller.submit(inputs.expiry_unit(controller))
    except Exception:
        log.exception("closing silent calls failed; the next sweep tries again")
