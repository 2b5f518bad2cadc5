"""Typed keys for the aiohttp application's state (no module-level singletons)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from api.batcher import EventBatcher
from api.controller import Controller
from api.metrics import Metrics
from api.pcc import PccClient
from api.settings import Settings
from api.store.repo import Store

__all__ = ["BATCHER", "CONTROLLER", "METRICS", "PCC", "SETTINGS", "STORE", "SUBSCRIBERS"]

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CONTROLLER = web.AppKey("controller", Controller)
BATCHER = web.AppKey("batcher", EventBatcher)
METRICS = web.AppKey("metrics", Metrics)
#: The PCC REST client, or None when PCC_BASE_URL is not set.
PCC: web.AppKey[PccClient | None] = web.AppKey("pcc")
#: Server-sent-event subscribers: one queue of rendered messages each.
SUBSCRIBERS = web.AppKey("subscribers", set[asyncio.Queue[str]])
