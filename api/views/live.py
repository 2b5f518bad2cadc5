"""Live views: server-sent events of every state change, a wallboard, the API description."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from pcc_router.api.keys import CONTROLLER, OPENAPI, SUBSCRIBERS

__all__ = ["broadcast", "close_streams", "docs", "openapi", "stream", "wallboard"]

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


async def wallboard(request: web.Request) -> web.Response:
    page = """<!doctype html><meta charset=utf-8><title>pcc-router wallboard</title>
<style>body{font-family:sans-serif;margin:2em} li{margin:.2em 0} #log{color:#555}</style>
<h1>Queues</h1><ul id=queues></ul><h2>Changes</h2><ol id=log reversed></ol>
<script>
const token = new URLSearchParams(location.search).get("access_token") || "";
const source = new EventSource("/v1/stream?access_token=" + encodeURIComponent(token));
source.addEventListener("hello", e => {
  const queues = JSON.parse(e.data), list = document.getElementById("queues");
  list.innerHTML = "";
  for (const [q, agents] of Object.entries(queues)) {
    const li = document.createElement("li");
    li.textContent = q + ": " + (agents.join(", ") || "nobody routable");
    list.appendChild(li);
  }
});
for (const kind of ["call", "agent", "presence", "timer"]) {
  source.addEventListener(kind, e => {
    const li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + " " + kind + " " + e.data;
    document.getElementById("log").prepend(li);
  });
}
source.onerror = () => {
  document.title = "pcc-router wallboard (disconnected: add ?access_token=)";
};
</script>"""
    return web.Response(text=page, content_type="text/html")
