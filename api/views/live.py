"""Live views: server-sent events of every state change, the wallboard and its numbers,
the API description."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from pcc_router.api import sessions
from pcc_router.api.keys import CONTROLLER, SETTINGS, SUBSCRIBERS, WALL
from pcc_router.api.sessions import credential_expiry, exchange
from pcc_router.api.store import crud
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.views.board import TARGET, build_board, day_start
from pcc_router.api.views.schemas import LinkAnswer
from pcc_router.api.web.errors import answer

__all__ = [
    "STATIC",
    "board",
    "board_link",
    "broadcast",
    "close_streams",
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
    """Every state change as it happens, until the credential it was opened with expires
    (then an ``expired`` event, and the end: the client signs in again)."""
    expires = credential_expiry(request)
    orders = (await request.app[CONTROLLER].read()).ring_orders()  # a 503 before it starts
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    queue: asyncio.Queue[str] = asyncio.Queue()
    subscribers = request.app[SUBSCRIBERS]
    loop = asyncio.get_running_loop()
    ends = None if expires is None else loop.time() + (expires - request.app[WALL]())
    try:
        # a browser that closes while the stream opens is gone, not a server error
        await response.prepare(request)
        subscribers.add(queue)
        await response.write(f"event: hello\ndata: {json.dumps(orders)}\n\n".encode())
        while True:
            left = KEEPALIVE if ends is None else min(KEEPALIVE, ends - loop.time())
            if left <= 0:
                await response.write(b'event: expired\ndata: {"reason": "credential expired"}\n\n')
                break
            try:
                message = await asyncio.wait_for(queue.get(), left)
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


STATIC = Path(__file__).resolve().parent.parent / "static"


async def wallboard(request: web.Request) -> web.StreamResponse:
    """The wallboard page (its script and style are served from /static: no CDN); a link
    with a ticket first signs the screen in (:mod:`pcc_router.api.sessions`)."""
    signed_in = exchange(request)
    if signed_in is not None:
        return signed_in
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


async def board_link(request: web.Request) -> web.Response:
    """A wallboard link with a fresh, short-lived sign-in ticket (for this controller's
    address as the request reached it)."""
    settings = request.app[SETTINGS]
    minter = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
    base = f"{request.scheme}://{request.host}"
    return answer(LinkAnswer(url=sessions.board_link(base, minter)))
