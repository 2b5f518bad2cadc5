"""Typed keys for what every server's aiohttp application holds (no module-level singletons).

The controller's own keys (its store, engine, settings) are in
:mod:`pcc_router.api.keys`; these are the ones the HTTP kit reads, so that the
PCC emulator's app and the controller's fill them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from pcc_router.api.web.logs import Throttle
from pcc_router.api.web.metrics import Metrics

__all__ = ["METRICS", "OPENAPI", "THROTTLE", "UNAVAILABLE"]

METRICS = web.AppKey("metrics", Metrics)
#: The OpenAPI document, made once from the route table.
OPENAPI = web.AppKey("openapi", dict[str, Any])
#: Messages that could repeat many times a second go to the log once a second at most.
THROTTLE = web.AppKey("throttle", Throttle)
#: Tells an exception that means "a service this app needs cannot be used now" (a 503 the
#: client may retry) from a bug (a 500). An app with nothing that can be down leaves it out.
UNAVAILABLE: web.AppKey[Callable[[BaseException], bool]] = web.AppKey("unavailable")
