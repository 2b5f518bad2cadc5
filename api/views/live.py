"""Live views: server-sent events of every state change, the wallboard and its numbers,
the API description."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from pcc_router.api.board import TARGET, build_board, day_start
from pcc_router.api.errors import answer
from pcc_router.api.keys import CONTROLLER, OPENAPI, SUBSCRIBERS
from pcc_router.api.store import crud

__all__ = [
    "STATIC",
    "board",
    "broadcast",
    "close_streams",
    "docs",
    "openapi",
    "stream",
    "wallboard",
]

QUEUE_LIMIT = 1000  # a subscriber this far behind misses events rather than growing memory
KEEPALIVE = 15.0  # seconds of silence before a stream sends a keep-alive comment
CLOSE = ""  # put in a subscriber's queue: the stream ends


def broadcast(app: web.Application, kind: str, data: dict[str, Any]) -> None:
    message = f"event: {kind}\ndata: {json.dumps(data)}\n\n"
    subscribers: set[asyncio.Queue[str]] = app[SUBSCRIBERS]
    for queue in list(subscribers):
        if queue.qsize() < QUEUE_LIMIT:
            queue.put_nowait(message)


async def stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    queue: asyncio.Queue[str] = asyncio.Queue()
    subscribers = request.app[SUBSCRIBERS]
    subscribers.add(queue)
    try:
        orders = (await request.app[CONTROLLER].read()).ring_orders()
        await response.write(f"event: hello\ndata: {json.dumps(orders)}\n\n".encode())
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                # a comment line: keeps proxies from closing an idle stream, and a
                # client that has gone is found out here (the write fails)
                message = ": keepalive\n\n"
            if message == CLOSE:
                break
            await response.write(message.encode())
    except ConnectionResetError:
        pass  # the client went away
    finally:
        subscribers.discard(queue)
    return response


async def close_streams(app: web.Application) -> None:
    """On shutdown: end every stream, so the server does not wait for them."""
    subscribers: set[asyncio.Queue[str]] = app[SUBSCRIBERS]
    for queue in list(subscribers):
        queue.put_nowait(CLOSE)


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


#: Swagger UI, served from the swagger-ui-bundle package under /docs/static (no CDN).
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pcc-router API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, presets: [SwaggerUIBundle.presets.apis]});
</script></body></html>
"""


async def docs(request: web.Request) -> web.Response:
    return web.Response(text=DOCS_PAGE, content_type="text/html")


STATIC = Path(__file__).resolve().parent.parent / "static"


async def wallboard(request: web.Request) -> web.FileResponse:
    """The wallboard page (its script and style are served from /static: no CDN)."""
    return web.FileResponse(STATIC / "wallboard.html")


async def board(request: web.Request) -> web.Response:
    """The wallboard's numbers: each queue today and now, each agent's state and since when."""
    controller = request.app[CONTROLLER]
    snapshot = await controller.read()
    since = day_start(snapshot.now)
    days = await controller.in_store(
        lambda session: crud.queue_days(session, since=since, target=TARGET)
    )
    return answer(build_board(snapshot, days, since=since))
