"""Routes as data: each states its handler, bodies, answers, deadline and who may call it.

A server's route table is a tuple of :class:`Route`; :func:`mount` adds it to
an aiohttp app and :func:`pcc_router.api.web.openapi.spec` describes it, so
the published API cannot drift from the one served. Access control is stated
once, by each route's ``guard``: :func:`mount` puts the app's check for that
guard in front of the handler, and refuses to mount a route whose guard the
app did not say how to check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

__all__ = [
    "REMOTE_DEADLINE",
    "Answers",
    "Check",
    "Deadline",
    "Guard",
    "Handler",
    "Route",
    "mount",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: A route's answers: a model (JSON) or a media type, by status.
Answers = Mapping[int, type[BaseModel] | str]
#: token: a Stringee REST token; board: a REST token or the wallboard's session cookie;
#: pcc: Stringee's signature or the URL secret; caresoft: CareSoft's X-Hub-Signature;
#: open: nobody is refused.
Guard = Literal["token", "board", "pcc", "caresoft", "open"]
#: How long a route may take: ``request`` (REQUEST_DEADLINE, under PCC's 2 s), ``remote``
#: (it calls Stringee's or PCC's API: :data:`REMOTE_DEADLINE`), ``stream`` (no end).
Deadline = Literal["request", "remote", "stream"]
REMOTE_DEADLINE = 30.0
#: Refuses a request its guard does not let in (raises an ``ApiError`` 401), or returns.
Check = Callable[[web.Request], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    answers: Answers = field(default_factory=dict)
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    guard: Guard = "token"
    deadline: Deadline = "request"


def mount(
    app: web.Application,
    routes: Iterable[Route],
    *,
    checks: Mapping[Guard, Check | None],
    bound: Callable[[Route, Handler], Handler] | None = None,
    slash_too: Callable[[Route], bool] = lambda route: False,
) -> None:
    """Add ``routes`` to ``app``, each behind the check of its guard.

    ``checks`` says, for every guard the routes use, how it is checked: a
    function, or ``None`` when nobody is refused here (``open``) or the handler
    checks the request itself (a signature over the raw body). ``bound`` wraps
    each handler (a deadline); ``slash_too`` picks routes also served with a
    trailing slash.
    """
    for route in routes:
        if route.guard not in checks:
            raise ValueError(f"{route.method} {route.path}: no check for guard {route.guard!r}")
        handler = bound(route, route.handler) if bound is not None else route.handler
        check = checks[route.guard]
        if check is not None:
            handler = _guarded(handler, check)
        app.router.add_route(route.method, route.path, handler)
        if slash_too(route):
            app.router.add_route(route.method, route.path + "/", handler)


def _guarded(handler: Handler, check: Check) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        check(request)
        return await handler(request)

    return guarded
