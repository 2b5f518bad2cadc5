"""The controller's aiohttp application: ``create_app(settings)`` and ``pcc-router serve``."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from swagger_ui_bundle import swagger_ui_path

from pcc_router.api import inputs
from pcc_router.api.batcher import EventBatcher
from pcc_router.api.controller import Controller
from pcc_router.api.keys import (
    BATCHER,
    CLOCK,
    CONTROLLER,
    METRICS,
    OPENAPI,
    PCC,
    SETTINGS,
    SIP,
    STORE,
    SUBSCRIBERS,
)
from pcc_router.api.metrics import Metrics
from pcc_router.api.middlewares import auth_middleware, error_middleware
from pcc_router.api.openapi import spec
from pcc_router.api.pcc import PccClient, PccError
from pcc_router.api.routes import ROUTES
from pcc_router.api.settings import Settings
from pcc_router.api.sipphones import SipPhoneClient
from pcc_router.api.store import repo
from pcc_router.api.tokens import TokenMinter, short_secret_warning
from pcc_router.api.views import live
from pcc_router.api.views.live import broadcast
from pcc_router.api.worker import StoreWorker
from pcc_router.routing import ConfigError
from pcc_router.simulator.result import package_version

__all__ = ["create_app"]

log = logging.getLogger("pcc_router.api")


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    store = repo.Store(settings.database_url)
    if settings.scenario is not None:
        from pcc_router.simulator import load_scenario  # the scenario format is the simulator's

        project = load_scenario(settings.scenario).project
        with store.session() as session:
            repo.save_project(session, project)
    app[STORE] = store
    worker = StoreWorker()
    app[CONTROLLER] = controller = Controller(
        store=store,
        clock=app[CLOCK],
        on_change=lambda kind, data: _changed(app, kind, data),
        worker=worker,
        max_call_age=settings.max_call_age,
    )
    app[BATCHER] = EventBatcher(controller)
    yield
    worker.close()
    store.close()


def _changed(app: web.Application, kind: str, data: dict[str, Any]) -> None:
    if kind == "expired":
        app[METRICS].expired.inc()
    broadcast(app, kind, data)


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = AsyncIOScheduler(timezone="UTC")
    controller = app[CONTROLLER]
    scheduler.start()
    controller.start(scheduler)  # stored timers are put back, and the stale-call sweep
    client = app[PCC]
    if client is not None:
        scheduler.add_job(
            _scheduled_sync,
            "interval",
            args=[app],
            id="pcc-sync",
            seconds=app[SETTINGS].sync_interval,
            next_run_time=datetime.now(UTC),
        )
    yield
    scheduler.shutdown(wait=False)
    controller.scheduler = None


async def _scheduled_sync(app: web.Application) -> None:
    client = app[PCC]
    assert client is not None
    controller = app[CONTROLLER]
    try:
        config = await client.fetch()
        await controller.submit(inputs.config_unit(controller, config.save))
    except (PccError, ConfigError) as exc:
        log.warning("scheduled PCC sync failed: %s", exc)
        return
    log.info("synced from PCC: %s", config.counts)


def _routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    app.router.add_static("/docs/static", swagger_ui_path)
    app.router.add_static("/static", live.STATIC)
    app[OPENAPI] = spec(ROUTES, version=package_version())


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    scheduler: bool = True,
) -> web.Application:
    """A new controller app; the store and the scheduler open when it starts.

    ``clock`` and ``scheduler=False`` are for running on another clock (the
    emulator's virtual time in tests): timers then fire as inputs come, each
    at its due time (see :meth:`Controller.unit`), with no scheduler at all.
    """
    app = web.Application(
        middlewares=[error_middleware, auth_middleware], client_max_size=settings.max_body
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[SUBSCRIBERS] = set()
    app[CLOCK] = clock
    minter = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
    app[PCC] = PccClient(settings.base_url, minter) if settings.pcc_enabled else None
    app[SIP] = (
        SipPhoneClient(settings.stringee_api_url, minter) if settings.call_api_enabled else None
    )
    warning = short_secret_warning(settings.api_key_secret)
    if warning:
        log.warning(warning)
    app.on_shutdown.append(live.close_streams)
    app.cleanup_ctx.append(_store_ctx)
    if scheduler:
        app.cleanup_ctx.append(_scheduler_ctx)
    _routes(app)
    return app


def serve(settings: Settings, *, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log.info("store: %s", settings.database_url)
    web.run_app(create_app(settings), host=host, port=port, print=None)
