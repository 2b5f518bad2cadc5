"""Typed keys for the aiohttp application's state (no module-level singletons)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pcc_router.api.controller.batcher import EventBatcher
from pcc_router.api.controller.core import Controller
from pcc_router.api.settings import Settings
from pcc_router.api.store.repo import Store
from pcc_router.api.stringee.pcc import PccClient
from pcc_router.api.stringee.sip import SipPhoneClient
from pcc_router.api.web.logs import Throttle
from pcc_router.api.web.metrics import Metrics

__all__ = [
    "CLOCK",
    "SIP",
    "BATCHER",
    "CONTROLLER",
    "METRICS",
    "OPENAPI",
    "PCC",
    "SETTINGS",
    "STORE",
    "SUBSCRIBERS",
    "THROTTLE",
    "WALL",
]

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CONTROLLER = web.AppKey("controller", Controller)
BATCHER = web.AppKey("batcher", EventBatcher)
METRICS = web.AppKey("metrics", Metrics)
#: The PCC REST client, or None when PCC_BASE_URL is not set.
PCC: web.AppKey[PccClient | None] = web.AppKey("pcc")
#: Stringee's call REST API for SIP phone accounts; ``None`` when not configured.
SIP: web.AppKey[SipPhoneClient | None] = web.AppKey("sip")
#: The OpenAPI document, made once from the route table.
OPENAPI = web.AppKey("openapi", dict[str, Any])
#: Server-sent-event subscribers: one queue of rendered messages each.
SUBSCRIBERS = web.AppKey("subscribers", set[asyncio.Queue[str]])
#: The controller's clock (epoch seconds that never jump), or an emulator's in tests.
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")
#: The wall clock, to compare other machines' timestamps with (PCC's ``timestamp_ms``).
WALL: web.AppKey[Callable[[], float]] = web.AppKey("wall")
#: Messages that could repeat many times a second go to the log once a second at most.
THROTTLE = web.AppKey("throttle", Throttle)
