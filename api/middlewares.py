"""Errors as JSON ``{"r", "message"}``, REST-token auth, request latency.

A client's mistake is a 4xx that names the field; a store that cannot be
reached is a 503; anything else is a bug, logged with its traceback and
answered 500 without details.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pcc_router.api.errors import ApiError, check_text
from pcc_router.api.keys import METRICS, SETTINGS
from pcc_router.api.tokens import TokenError, verify_rest_token
from pcc_router.routing import RoutingError

__all__ = ["auth_middleware", "error_middleware"]

log = logging.getLogger("pcc_router.api")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Paths open without a REST token: PCC's callbacks (their own secret), health, docs.
PUBLIC = (
    "/pcc/",
    "/caresoft/webhook",
    "/healthz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/static/",
)


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"r": status, "message": message, **extra}, status=status)


def _check_url(request: web.Request) -> None:
    """A NUL (``%00``) in the path or the query is nobody's id: refuse it before any lookup."""
    check_text(request.path, "the path")
    for name, value in request.query.items():
        check_text(name, "a query parameter's name")
        check_text(value, f"query parameter {name}")


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
    except (OperationalError, PoolTimeout):
        log.exception("the store cannot be reached on %s %s", request.method, request.path)
        return _error(503, "the store cannot be reached; try again")
    except Exception:  # a bug: say so, and keep serving
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal error (a bug in pcc-router; see the server log)")
    finally:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        request.app[METRICS].latency.labels(name).observe(time.perf_counter() - started)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/" or request.path.startswith(PUBLIC):
        return await handler(request)
    token = request.headers.get("X-STRINGEE-AUTH") or request.query.get("access_token")
    if not token:
        raise ApiError(401, "a REST token is required in X-STRINGEE-AUTH or ?access_token=")
    settings = request.app[SETTINGS]
    try:
        verify_rest_token(token, sid=settings.api_key_sid, secret=settings.api_key_secret)
    except TokenError as exc:
        raise ApiError(401, f"token refused: {exc}") from None
    return await handler(request)
