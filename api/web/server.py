"""Serving the controller: bounded connections, slow clients cut off, quiet about both.

aiohttp serves the app; this module puts a guard in front of each
connection and decides what a failure at the HTTP layer looks like:

- **Slow clients**: a connection must send a whole request head within
  ``HEADER_TIMEOUT`` of connecting, or it is cut off (a "slowloris" that
  drips header bytes holds nothing for long); after the first request,
  aiohttp's keep-alive timeout (``KEEPALIVE_TIMEOUT``) bounds an idle
  connection or a slow next request, and a request's body must arrive within
  its route's deadline (408 otherwise).
- **Too many connections**: past ``MAX_CONNECTIONS`` (by default, a margin
  under the process's file limit, which is first raised to its hard limit) a
  new connection is closed at once, so that the process never runs out of
  files serving clients and keeps the ones it has; if it runs out all the
  same, asyncio's "accept() out of system resource" is logged at most once a
  second, with a count, instead of thousands of times.
- **Malformed HTTP** (aiohttp's own 400s): answered in the JSON error shape,
  logged in one line (at most one a second), without a traceback.
- Both count in ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import resource
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from signal import SIGINT, SIGTERM
from typing import Any, Protocol

from aiohttp import web

from pcc_router.api.web.keys import METRICS, THROTTLE
from pcc_router.api.web.logs import AccessLog, Every, Throttle, redact
from pcc_router.api.web.metrics import Metrics

__all__ = [
    "Guard",
    "GuardedSite",
    "JsonErrors",
    "connection_limit",
    "handler_options",
    "listening",
    "run",
]

log = logging.getLogger("pcc_router.server")
#: Files kept for the store, logs and the scheduler when the cap comes from the file limit.
_RESERVED_FILES = 64


def connection_limit(configured: int) -> int:
    """``configured``, or (0) a margin under the process's file limit, raised to its hard
    limit first."""
    if configured:
        return configured
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return max(16, min(10_000, soft - _RESERVED_FILES))


class Limits(Protocol):
    """What serving is bounded by (the controller's ``Settings`` has these)."""

    @property
    def keepalive_timeout(self) -> float: ...
    @property
    def header_timeout(self) -> float: ...
    @property
    def max_connections(self) -> int: ...


def handler_options(settings: Limits) -> dict[str, Any]:
    """What every connection's aiohttp handler is made with (the runner's and ours)."""
    return {
        "access_log_class": AccessLog,
        "keepalive_timeout": settings.keepalive_timeout,
    }


class JsonErrors(web.RequestHandler):
    """aiohttp's connection handler, answering malformed HTTP in this project's shape."""

    #: The app's (set once made): malformed requests are logged once a second at most.
    throttle: Throttle

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500:  # not the client's: keep aiohttp's logging (with the traceback)
            return super().handle_error(request, status, exc, message)
        what = redact((message or HTTPStatus(status).phrase).strip().splitlines()[0])[:200]
        let_through, held = self.throttle.due("malformed")
        if let_through:
            log.info("malformed HTTP from %s: %s (%d more since)", request.remote, what, held)
        if request.writer.output_size > 0:
            raise ConnectionError("a response was already sent; the connection is closed")
        body = json.dumps({"r": status, "message": f"malformed HTTP request: {what}"})
        response = web.Response(status=status, text=body, content_type="application/json")
        response.force_close()
        return response


class Guard:
    """Counts open connections, refuses those over the cap, cuts off slow heads."""

    def __init__(self, *, limit: int, header_timeout: float, metrics: Metrics | None) -> None:
        self.limit = limit
        self.header_timeout = header_timeout
        self.open = 0
        self._metrics = metrics
        self._full_log = Every(1.0)

    def admit(self) -> bool:
        if self.open >= self.limit:
            self._refused("full")
            let_through, held = self._full_log.due()
            if let_through:
                log.warning(
                    "%d connections open (MAX_CONNECTIONS): refusing new ones (%d more since)",
                    self.open,
                    held,
                )
            return False
        self.open += 1
        self._count()
        return True

    def left(self) -> None:
        self.open -= 1
        self._count()

    def slow(self) -> None:
        self._refused("slow")

    def _refused(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.connections_refused.labels(reason).inc()

    def _count(self) -> None:
        if self._metrics is not None:
            self._metrics.connections.set(self.open)


class _Guarded(asyncio.Protocol):
    """One connection: aiohttp's handler behind the :class:`Guard`."""

    def __init__(self, inner: web.RequestHandler, guard: Guard) -> None:
        self._inner = inner
        self._guard = guard
        self._admitted = False
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tail = b""  # the last bytes seen, for a head's end split across reads

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if not self._guard.admit():
            transport.abort()
            return
        self._admitted = True
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._guard.header_timeout, self._too_slow)
        self._inner.connection_made(transport)

    def _too_slow(self) -> None:
        self._timer = None
        self._guard.slow()
        if self._transport is not None:
            self._transport.abort()

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            seen = self._tail + data
            if b"\r\n\r\n" in seen:  # the first request's head is complete
                self._timer.cancel()
                self._timer = None
            else:
                self._tail = seen[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        if self._admitted:
            self._inner.eof_received()  # aiohttp's: keeps the transport open (returns None)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._admitted:
            self._admitted = False
            self._guard.left()
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a :class:`Guard`."""

    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        *,
        guard: Guard,
        options: dict[str, Any],
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, backlog=backlog)
        self._host, self._port = host, port
        self._guard = guard
        self._options = options
        self.bound_port = port

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self.bound_port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        manager = self._runner.server
        assert manager is not None
        options = {**self._options, "debug": False}

        throttle = (
            self._runner.app[THROTTLE] if isinstance(self._runner, web.AppRunner) else Throttle()
        )

        def connection() -> _Guarded:
            handler = JsonErrors(manager, loop=loop, **options)
            handler.throttle = throttle
            return _Guarded(handler, self._guard)

        self._server = await loop.create_server(
            connection, self._host, self._port, backlog=self._backlog, reuse_address=True
        )
        if self._server.sockets:
            self.bound_port = int(self._server.sockets[0].getsockname()[1])


ExceptionHandler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]


def quiet_accept_errors(metrics: Metrics) -> ExceptionHandler:
    """A loop exception handler: asyncio's accept() failures counted, logged once a second."""
    every = Every(1.0)

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "accept" not in str(context.get("message", "")):
            loop.default_exception_handler(context)
            return
        metrics.accept_errors.inc()
        let_through, held = every.due()
        if let_through:
            error = context.get("exception")
            log.error("cannot accept connections: %s (%d more since)", error, held)

    return handle


@contextlib.asynccontextmanager
async def listening(
    app: web.Application, settings: Limits, *, host: str, port: int
) -> AsyncIterator[GuardedSite]:
    """``app`` served on ``host:port`` behind the guard, until the block ends."""
    options = handler_options(settings)
    runner = web.AppRunner(app, **options)
    await runner.setup()
    metrics = app[METRICS]
    asyncio.get_running_loop().set_exception_handler(quiet_accept_errors(metrics))
    limit = connection_limit(settings.max_connections)
    guard = Guard(limit=limit, header_timeout=settings.header_timeout, metrics=metrics)
    site = GuardedSite(runner, host, port, guard=guard, options=options)
    try:
        await site.start()
        log.info("listening on %s (at most %d connections)", site.name, limit)
        yield site
    finally:
        await runner.cleanup()


async def run(
    app: web.Application,
    settings: Limits,
    *,
    host: str,
    port: int,
    on_ready: Callable[[str], None] = lambda url: None,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM; ``on_ready(url)`` once it listens."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signal in (SIGINT, SIGTERM):
        loop.add_signal_handler(signal, stop.set)
    async with listening(app, settings, host=host, port=port) as site:
        on_ready(site.name)
        await stop.wait()
        log.info("stopping")
