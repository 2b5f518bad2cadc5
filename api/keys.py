"""Typed keys for the controller app's state (no module-level singletons).

The keys every server shares (metrics, the OpenAPI document, the log throttle) are
in :mod:`pcc_router.api.web.keys`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from pcc_router.api.controller.batcher import EventBatcher
from pcc_router.api.controller.core import Controller
from pcc_router.api.settings import Settings
from pcc_router.api.store.repo import Store
from pcc_router.api.stringee.pcc import PccClient
from pcc_router.api.stringee.sip import SipPhoneClient

__all__ = [
    "BATCHER",
    "CLOCK",
    "CONTROLLER",
    "PCC",
    "SETTINGS",
    "SIP",
    "STORE",
    "SUBSCRIBERS",
    "WALL",
]

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CONTROLLER = web.AppKey("controller", Controller)
BATCHER = web.AppKey("batcher", EventBatcher)
#: The PCC REST client, or None when PCC_BASE_URL is not set.
PCC: web.AppKey[PccClient | None] = web.AppKey("pcc")
#: Stringee's call REST API for SIP phone accounts; ``None`` when not configured.
SIP: web.AppKey[SipPhoneClient | None] = web.AppKey("sip")
#: Server-sent-event subscribers: one queue of rendered messages each.
SUBSCRIBERS = web.AppKey("subscribers", set[asyncio.Queue[str]])
#: The controller's clock (epoch seconds that never jump), or an emulator's in tests.
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")
#: The wall clock, to compare other machines' timestamps with (PCC's ``timestamp_ms``).
WALL: web.AppKey[Callable[[], float]] = web.AppKey("wall")
