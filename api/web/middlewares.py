"""Errors as JSON ``{"r", "message"}``, REST-token auth, request latency, security headers.

A client's mistake is a 4xx that names the field; a store that cannot be
used now (down, hung past the request's deadline) is a 503 that PCC retries,
logged once per outage by :class:`~pcc_router.api.controller.outage.StoreHealth`, not
per request; anything else is a bug, logged with its traceback and answered
500 without details.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from pcc_router.api.controller.outage import is_outage
from pcc_router.api.keys import METRICS
from pcc_router.api.sessions import board_session, verified_rest_token
from pcc_router.api.web.deadlines import StoreTimeout
from pcc_router.api.web.errors import ApiError, check_text
from pcc_router.routing import RoutingError

__all__ = ["auth_middleware", "error_middleware", "rest_token", "security_headers"]

log = logging.getLogger("pcc_router.api")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Paths open without a REST token: PCC's callbacks (their own secret), health, docs.
PUBLIC = (
    "/pcc/",
    "/caresoft/webhook",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/static/",
)
#: Read-only paths a wallboard's session cookie opens too (see :mod:`pcc_router.api.sessions`).
BOARD = ("/v1/board", "/v1/stream")

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
        if is_outage(exc):  # logged once per outage by the controller's StoreHealth
            return _error(503, "the store cannot be used now; try again")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal error (a bug in pcc-router; see the server log)")
    finally:
        request.app[METRICS].latency.labels(_route_name(request)).observe(
            time.perf_counter() - started
        )


def rest_token(request: web.Request) -> dict[str, Any]:
    """The claims of the request's REST token (header, or ``?access_token=``); 401 if none."""
    token = request.headers.get("X-STRINGEE-AUTH") or request.query.get("access_token")
    if not token:
        raise ApiError(401, "a REST token is required in X-STRINGEE-AUTH or ?access_token=")
    return verified_rest_token(request, token)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/" or request.path.startswith(PUBLIC):
        return await handler(request)
    if request.path in BOARD and request.method == "GET" and not _has_token(request):
        board_session(request)  # a wallboard's cookie, or 401
        return await handler(request)
    rest_token(request)
    return await handler(request)


def _has_token(request: web.Request) -> bool:
    return bool(request.headers.get("X-STRINGEE-AUTH") or request.query.get("access_token"))


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the headers every answer carries."""
    for name, value in _SECURITY.items():
        response.headers.setdefault(name, value)
