"""Serving an aiohttp app on loopback for a test: the one helper the plugin, EmulatedPcc and
the project's own tests use.

The system picks the port (port 0) as the server binds, so two test runs
never race for a port that was free a moment before.
"""

from __future__ import annotations

from aiohttp import web

__all__ = ["serve_on_loopback"]


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on 127.0.0.1 at a port the system picks; the runner and the base URL."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
