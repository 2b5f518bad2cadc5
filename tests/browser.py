"""Headless Chromium for page tests, driven over the DevTools protocol (aiohttp's websocket).

Debian's ``chromium`` (``.ci/run`` installs it when missing), started with
the flags the brief names; a test is skipped when it is not installed. The
browser listens on 127.0.0.1 only and never reaches the network: pages must
work offline.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (Debian's chromium; .ci/run installs it)")
    return found


class Page:
    """One tab: navigate, evaluate, wait for a condition, take a screenshot."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self._socket, self._session = socket, session
        self._next = 0

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        await self._socket.send_json(
            {"id": ident, "method": method, "params": params, "sessionId": self._session}
        )
        while True:  # events come in between: only our answer ends the wait
            message = await asyncio.wait_for(self._socket.receive_json(), 30)
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def goto(self, url: str, *, width: int = 1600, height: int = 1000) -> None:
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=1, mobile=False)  # fmt: skip
        await self.send("Page.navigate", url=url)

    async def value(self, expression: str) -> Any:
        answer = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer.get("result", {}).get("value")

    async def wait_for(self, expression: str, *, seconds: float = 20.0) -> Any:
        """Poll until ``expression`` is truthy in the page; its value."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            value = await self.value(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"still false after {seconds} s: {expression}")
            await asyncio.sleep(0.1)

    async def screenshot(self) -> bytes:
        shot = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])


@contextlib.asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    """A fresh headless Chromium with one tab; closed afterwards."""
    binary = chromium()
    with tempfile.TemporaryDirectory() as profile:
        process = await asyncio.create_subprocess_exec(
            binary, *FLAGS, "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            url = await _devtools_url(process)
            async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
                await ws.send_json({"id": 1, "method": "Target.createTarget",
                                    "params": {"url": "about:blank"}})  # fmt: skip
                target = (await _answer(ws, 1))["targetId"]
                await ws.send_json({"id": 2, "method": "Target.attachToTarget",
                                    "params": {"targetId": target, "flatten": True}})  # fmt: skip
                session = (await _answer(ws, 2))["sessionId"]
                page = Page(ws, session)
                page._next = 10
                yield page
        finally:
            process.kill()
            await process.wait()


async def _devtools_url(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    for _ in range(200):
        line = await asyncio.wait_for(process.stderr.readline(), 30)
        found = re.search(rb"DevTools listening on (ws://\S+)", line)
        if found:
            return found.group(1).decode()
        if not line:
            break
    raise RuntimeError("Chromium did not start its DevTools endpoint")


async def _answer(ws: aiohttp.ClientWebSocketResponse, ident: int) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(ws.receive_json(), 30)
        if message.get("id") == ident:
            result: dict[str, Any] = message["result"]
            return result
