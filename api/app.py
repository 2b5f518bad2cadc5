"""The controller's aiohttp application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pcc_router.api import sessions
from pcc_router.api.controller import jobs, sync
from pcc_router.api.controller.batcher import EventBatcher
from pcc_router.api.controller.clock import ClockWatch, SteadyClock
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.outage import StoreHealth, is_outage
from pcc_router.api.controller.seeding import seed
from pcc_router.api.controller.worker import StoreWorker
from pcc_router.api.keys import (
    BATCHER,
    CLOCK,
    CONTROLLER,
    PCC,
    SETTINGS,
    SIP,
    STORE,
    SUBSCRIBERS,
    WALL,
)
from pcc_router.api.routes import ROUTES
from pcc_router.api.settings import Settings
from pcc_router.api.store import repo
from pcc_router.api.stringee.pcc import PccClient, PccError
from pcc_router.api.stringee.sip import SipPhoneClient
from pcc_router.api.stringee.tokens import TokenMinter, short_secret_warning
from pcc_router.api.views import live
from pcc_router.api.views.live import broadcast
from pcc_router.api.web import deadlines
from pcc_router.api.web.docs import add_doc_assets
from pcc_router.api.web.errors import ApiError
from pcc_router.api.web.keys import METRICS, OPENAPI, THROTTLE, UNAVAILABLE
from pcc_router.api.web.logs import Throttle
from pcc_router.api.web.metrics import Metrics
from pcc_router.api.web.middlewares import error_middleware, security_headers
from pcc_router.api.web.openapi import spec
from pcc_router.api.web.routing import REMOTE_DEADLINE, Check, Guard, Handler, Route, mount
from pcc_router.routing import ConfigError
from pcc_router.simulator.version import VERSION

__all__ = ["create_app"]

log = logging.getLogger("pcc_router.api")


def _health(metrics: Metrics) -> StoreHealth:
    def failure(exc: BaseException) -> None:
        kind = "timeout" if type(exc).__name__ == "StoreTimeout" else "error"
        metrics.store_errors.labels(kind).inc()

    return StoreHealth(on_change=lambda up: metrics.store_up.set(int(up)), on_failure=failure)


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    store = repo.Store(
        settings.database_url, new_store=settings.new_store, store_id=settings.store_id
    )
    if settings.scenario is not None:
        from pcc_router.simulator import load_scenario  # the scenario format is the simulator's

        added = seed(store, load_scenario(settings.scenario).project, reset=settings.reset)
        if added:
            log.info("seeded the store from %s: %s", settings.scenario, ", ".join(added[:20]))
    log.info("store %s: store id %d", store.url, store.store_id)
    app[STORE] = store
    worker = StoreWorker(interrupt=store.interrupt)
    app[CONTROLLER] = controller = Controller(
        store=store,
        clock=app[CLOCK],
        wall=app[WALL],
        on_change=lambda kind, data: _changed(app, kind, data),
        worker=worker,
        max_call_age=settings.max_call_age,
        max_clock_skew=settings.max_clock_skew,
        log_retention=settings.log_retention,
        health=_health(app[METRICS]),
    )
    app[BATCHER] = EventBatcher(controller)
    _say_open_calls(store, controller.clock())
    yield
    await controller.drain()
    worker.close()
    store.close()


def _say_open_calls(store: repo.Store, now: float) -> None:
    """Calls left open by an earlier run: said once, at start (docs/operations.md)."""
    with store.session() as session:
        count, oldest = repo.open_call_count(session)
    if count:
        log.warning(
            "%s open when this controller started (the oldest heard of %.0f s ago): they "
            "stay open until PCC reports them, or are closed as lost after PCC_MAX_CALL_AGE",
            "1 call was" if count == 1 else f"{count} calls were",
            max(0.0, now - (oldest or now)),
        )


def _changed(app: web.Application, kind: str, data: dict[str, Any]) -> None:
    if kind == "expired":
        app[METRICS].expired.inc()
    elif kind == "adjusted":
        app[METRICS].adjusted.inc()
        return  # counted, not streamed: the call's own event is
    broadcast(app, kind, data)


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = AsyncIOScheduler(timezone="UTC")
    controller = app[CONTROLLER]
    scheduler.start()
    controller.start(scheduler)  # stored timers are put back, and the stale-call sweep
    settings = app[SETTINGS]
    if app[PCC] is not None:
        scheduler.add_job(
            _scheduled_sync,
            "interval",
            args=[app],
            id="pcc-sync",
            seconds=settings.sync_interval,
            next_run_time=datetime.now(UTC),
        )
    jobs.start_retention(controller, scheduler, settings.log_retention, app[METRICS])
    watch = _watch_clock(app, scheduler)
    yield
    if watch is not None:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
    scheduler.shutdown(wait=False)
    controller.scheduler = None


def _watch_clock(app: web.Application, scheduler: AsyncIOScheduler) -> asyncio.Task[None] | None:
    """Watch the wall clock (a steady clock only): a step moves the scheduler's jobs."""
    clock = app[CLOCK]
    if not isinstance(clock, SteadyClock):
        return None
    metrics = app[METRICS]

    def stepped(seconds: float) -> None:
        metrics.clock_steps.inc()
        metrics.clock_drift.set(clock.drift())
        jobs.shift(scheduler, seconds)

    return asyncio.create_task(ClockWatch(clock, stepped).run())


async def _scheduled_sync(app: web.Application) -> None:
    client = app[PCC]
    assert client is not None
    controller = app[CONTROLLER]
    try:
        with deadlines.within(REMOTE_DEADLINE):  # its own, never an inherited request's
            config, changed = await sync.pull(controller, client)
    except (PccError, ConfigError) as exc:
        log.warning("scheduled PCC sync failed: %s", exc)
        return
    except Exception as exc:  # the store: its health has said so; the next sync tries again
        log.warning("scheduled PCC sync not stored: %s", type(exc).__name__)
        return
    log.info("synced from PCC: %s (%s)", config.counts, "changed" if changed else "no change")


#: How each guard of the route table is checked (stated once, in :data:`ROUTES`): ``pcc``
#: and ``caresoft`` by their handlers, which verify the signature over the raw body.
GUARDS: dict[Guard, Check | None] = {
    "token": sessions.require_token,
    "board": sessions.require_board,
    "pcc": None,
    "caresoft": None,
    "open": None,
}


def _routes(app: web.Application) -> None:
    settings = app[SETTINGS]

    def bound(route: Route, handler: Handler) -> Handler:
        return _within_deadline(route, handler, settings)

    mount(app, ROUTES, checks=GUARDS, bound=bound)
    add_doc_assets(app)
    app.router.add_static("/static", live.STATIC)
    app[OPENAPI] = spec(ROUTES, version=VERSION)


def _within_deadline(route: Route, handler: Handler, settings: Settings) -> Handler:
    """``handler`` answered by its route's deadline: 503 when the store (or a service)
    was too slow, 408 when the client was (its body had not all arrived)."""
    seconds = {
        "request": settings.request_deadline,
        "remote": max(settings.request_deadline, REMOTE_DEADLINE),
        "stream": None,
    }[route.deadline]

    async def bounded(request: web.Request) -> web.StreamResponse:
        with deadlines.within(seconds) as deadline:
            if deadline is None:
                return await handler(request)
            try:
                async with asyncio.timeout_at(deadline) as limit:
                    return await handler(request)
            except TimeoutError:
                if not limit.expired():
                    raise  # the handler's own (a call to PCC timing out): its answer
            request.app[METRICS].deadlines.labels(route.path).inc()
            if request.body_exists and not request.content.is_eof():
                raise ApiError(408, f"the request's body did not arrive within {seconds:g} s")
            raise ApiError(503, f"no answer within {seconds:g} s (the store was too slow)")

    return bounded


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], float] | None = None,
    scheduler: bool = True,
) -> web.Application:
    """A new controller app; the store and the scheduler open when it starts.

    ``clock``: the default is a :class:`~pcc_router.api.controller.clock.SteadyClock`
    (epoch seconds that never jump) beside the wall clock. Another clock (the
    emulator's virtual time in tests) stands for both; with
    ``scheduler=False`` timers then fire as inputs come, each at its due time
    (see :meth:`Controller.unit`), with no scheduler at all.
    """
    app = web.Application(middlewares=[error_middleware], client_max_size=settings.max_body)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[THROTTLE] = Throttle()
    app[UNAVAILABLE] = is_outage
    app[SUBSCRIBERS] = set()
    steady = clock if clock is not None else SteadyClock()
    app[CLOCK] = steady
    app[WALL] = steady.wall if isinstance(steady, SteadyClock) else steady
    minter = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
    app[PCC] = PccClient(settings.base_url, minter) if settings.pcc_enabled else None
    app[SIP] = (
        SipPhoneClient(settings.stringee_api_url, minter) if settings.call_api_enabled else None
    )
    warning = short_secret_warning(settings.api_key_secret)
    if warning:
        log.warning(warning)
    app.on_response_prepare.append(security_headers)
    app.on_shutdown.append(live.close_streams)
    app.cleanup_ctx.append(_store_ctx)
    if scheduler:
        app.cleanup_ctx.append(_scheduler_ctx)
    _routes(app)
    return app
