"""Live views: server-sent events of every state change, a wallboard, the API description."""

from __future__ import annotations

import asyncio
import html
import json
from typing import Any

from aiohttp import web

from pcc_router.api.keys import CONTROLLER, SUBSCRIBERS

__all__ = ["broadcast", "close_streams", "docs", "openapi", "stream", "wallboard"]

QUEUE_LIMIT = 1000  # a subscriber this far behind misses events rather than growing memory
KEEPALIVE = 15.0  # seconds of silence before a stream sends a keep-alive comment
CLOSE = ""  # put in a subscriber's queue: the stream ends

SUMMARIES = {
    "/healthz": "liveness and store check",
    "/metrics": "Prometheus metrics",
    "/pcc/events": "PCC event_url: call events, idempotent and order-safe",
    "/pcc/agents-for-queue": "PCC get_list_agents_url: routable agents in ring order (version 2)",
    "/pcc/customer-info": "PCC get_customer_info_url",
    "/v1/tokens/agent": "mint an agent's Stringee client token (icc_api)",
    "/v1/agents": "agents with state, online channels and routing verdict",
    "/v1/agents/{agent_id}": "one agent; PUT changes manual_status, routing_type, phone_number",
    "/v1/agents/{agent_id}/presence": "app login/logout, push register/unregister, SIP register",
    "/v1/queues/{queue_id}": "waiting calls, ring order, and why others are not routable",
    "/v1/calls/{call_id}": "a call's history as received and applied",
    "/v1/stream": "server-sent events of every state change",
    "/v1/caresoft/token": "CareSoft mobile voice JWT {ipphone}",
    "/v1/caresoft/links/login": "CsCall login link",
    "/v1/caresoft/links/call": "CsCall click-to-call link with a unique temp_id",
    "/v1/caresoft/calls/{temp_id}": "what is known of a click-to-call call",
    "/caresoft/webhook": "CareSoft webhook deliveries (X-Hub-Signature checked)",
}


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


def _spec(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not path or route.method == "HEAD":
            continue
        summary = SUMMARIES.get(path, "")
        paths.setdefault(path, {})[route.method.lower()] = {"summary": summary}
    return {
        "openapi": "3.0.3",
        "info": {"title": "pcc-router controller", "version": "1"},
        "paths": dict(sorted(paths.items())),
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(_spec(request.app))


async def docs(request: web.Request) -> web.Response:
    rows = "".join(
        f"<tr><td>{', '.join(m.upper() for m in methods)}</td><td><code>{html.escape(path)}</code>"
        f"</td><td>{html.escape(next(iter(methods.values()))['summary'])}</td></tr>"
        for path, methods in _spec(request.app)["paths"].items()
    )
    page = (
        f"<!doctype html><meta charset=utf-8><title>pcc-router API</title>"
        f"<style>body{{font-family:sans-serif;margin:2em}}td{{padding:.2em .8em}}</style>"
        f"<h1>pcc-router controller API</h1><p>Admin and read endpoints need a Stringee "
        f"REST token in <code>X-STRINGEE-AUTH</code> or <code>?access_token=</code>. "
        f"Machine-readable: <a href=/openapi.json>/openapi.json</a>.</p><table>{rows}</table>"
    )
    return web.Response(text=page, content_type="text/html")


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
