"""The controller's timers and periodic jobs on APScheduler.

Every job is a coroutine, so APScheduler runs it on the event loop like every
other input (a plain function would run on a worker thread, next to requests
touching the same engine). Each job runs under a deadline of its own
(:data:`~pcc_router.api.web.deadlines.BACKGROUND`), set when it runs: a job
scheduled while a request was served would otherwise inherit that request's
context, and with it a deadline long passed by the time the job runs (it was
then refused before it started, retried, refused again: an idle store "down").
A stored timer is an APScheduler job under the timer's key; the sweep closes
calls silent for longer than ``max_call_age``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pcc_router.api.controller import handlers
from pcc_router.api.controller.outage import is_outage
from pcc_router.api.store import repo
from pcc_router.api.web import deadlines
from pcc_router.api.web.metrics import Metrics

if TYPE_CHECKING:
    from pcc_router.api.controller.core import Controller

__all__ = ["set_timer", "shift", "start", "start_retention", "sweep_interval"]

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
    """Schedule the timer ``key`` at ``at`` (one already due fires at once), or drop it.

    ``at`` is on the controller's steady clock; APScheduler runs by the wall
    clock, so the job is set for the same distance from now on it (and moved
    if the wall clock steps: :func:`shift`).
    """
    scheduler = controller.scheduler
    if scheduler is None:
        return
    if at is None:
        job = scheduler.get_job(key)
        if job is not None:
            job.remove()
        return
    now = controller.clock()
    wall = controller.wall() if controller.wall is not None else now
    scheduler.add_job(
        _fire,
        "date",
        run_date=datetime.fromtimestamp(wall + max(0.0, at - now), tz=UTC),
        args=[controller, key],
        id=key,
        replace_existing=True,
        misfire_grace_time=None,
    )


def shift(scheduler: AsyncIOScheduler, seconds: float) -> int:
    """The wall clock stepped by ``seconds``: move every job as far, so that each still
    runs when it was due in real time; how many jobs moved."""
    moved = 0
    for job in scheduler.get_jobs():
        if job.next_run_time is None:
            continue  # paused
        job.modify(next_run_time=job.next_run_time + timedelta(seconds=seconds))
        moved += 1
    scheduler.wakeup()
    return moved


#: Seconds before a timer the store could not take (it was down) is tried again.
RETRY = 2.0


async def _fire(controller: Controller, key: str) -> None:
    try:
        with deadlines.within(deadlines.BACKGROUND):  # its own budget (module docstring)
            await controller.submit(handlers.timer_unit(controller, key))
    except Exception as exc:
        # it stays stored and due: it fires before the next input in any case
        if is_outage(exc):  # logged once by the store's health; tried again soon
            set_timer(controller, key, controller.clock() + RETRY)
        else:
            log.exception("timer %s failed; it fires before the next input", key)


async def _sweep(controller: Controller) -> None:
    try:
        with deadlines.within(deadlines.BACKGROUND):
            await controller.submit(handlers.expiry_unit(controller))
    except Exception as exc:
        if not is_outage(exc):
            log.exception("closing silent calls failed; the next sweep tries again")


def start_retention(
    controller: Controller, scheduler: AsyncIOScheduler, retention: float, metrics: Metrics
) -> None:
    """Prune the event log of rows older than ``retention`` seconds, every hour or so."""
    scheduler.add_job(
        _prune,
        "interval",
        args=[controller, retention, metrics],
        id="event-log-retention",
        seconds=min(3600.0, max(60.0, retention / 4)),
        replace_existing=True,
    )


async def _prune(controller: Controller, retention: float, metrics: Metrics) -> None:
    """Batch after batch (each a unit of its own), at most :data:`_PRUNE_BATCHES` a run."""
    older_than = controller.clock() - retention
    total = 0
    for _ in range(_PRUNE_BATCHES):
        try:
            with deadlines.within(deadlines.BACKGROUND):
                unit = handlers.prune_unit(controller, older_than=older_than)
                pruned = await controller.submit(unit)
        except Exception as exc:
            log.warning("pruning the event log failed (%s); the next run tries again", exc)
            break
        total += pruned.rows
        metrics.log_retention.inc(pruned.rows)
        if not pruned.full:
            break
    if total:
        log.info("pruned %d event-log rows older than %.0f s", total, retention)


_PRUNE_BATCHES = 50
