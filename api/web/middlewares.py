"""Errors as JSON ``{"r", "message"}``, request latency, security headers.

A client's mistake is a 4xx that names the field; a store that cannot be
used now (down, hung past the request's deadline: the app's
:data:`~pcc_router.api.web.keys.UNAVAILABLE` says which errors mean so) is a
503 that PCC retries, logged once per outage by the app, not per request;
anything else is a bug, logged with its traceback and answered 500 without
details. Who may call a route is its guard's business
(:func:`pcc_router.api.web.routing.mount`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from pcc_router.api.web.deadlines import StoreTimeout
from pcc_router.api.web.errors import ApiError, check_text
from pcc_router.api.web.keys import METRICS, UNAVAILABLE
from pcc_router.routing import RoutingError

__all__ = ["error_middleware", "security_headers"]

log = logging.getLogger("pcc_router.api")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Every page and answer: no sniffing, no framing, no referrer, scripts from here only.
_SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
}


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"r": status, "message": message, **extra}, status=status)


def _check_url(request: web.Request) -> None:
    """A NUL (``%00``) in the path or the query is nobody's id: refuse it before any lookup."""
    check_text(request.path, "the path")
    for name, value in request.query.items():
        check_text(name, "a query parameter's name")
        check_text(value, f"query parameter {name}")


def _route_name(request: web.Request) -> str:
    route = request.match_info.route.resource
    return route.canonical if route is not None else "unmatched"


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    try:
        _check_url(request)
        return await handler(request)
    except ApiError as exc:
        extra = {"errors": exc.errors} if exc.errors else {}
        return _error(exc.status, exc.message, **extra)
    except RoutingError as exc:
        return _error(exc.http_status, exc.msg)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        answer = _error(exc.status, exc.reason)
        if "Allow" in exc.headers:  # a 405 says which methods the resource takes
            answer.headers["Allow"] = exc.headers["Allow"]
        return answer
    except StoreTimeout:
        request.app[METRICS].deadlines.labels(_route_name(request)).inc()
        return _error(503, "the store did not answer in time; try again")
    except Exception as exc:
        unavailable = request.app.get(UNAVAILABLE)
        if unavailable is not None and unavailable(exc):  # the app logs outages, once each
            return _error(503, "the store cannot be used now; try again")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal error (a bug in pcc-router; see the server log)")
    finally:
        request.app[METRICS].latency.labels(_route_name(request)).observe(
            time.perf_counter() - started
        )


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the headers every answer carries."""
    for name, value in _SECURITY.items():
        response.headers.setdefault(name, value)
