"""Typed keys for the aiohttp application's state (no module-level singletons)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from api.controller import Controller
from api.metrics import Metrics
from api.settings import Settings
from api.store.repo import Store

__all__ = ["CONTROLLER", "METRICS", "SETTINGS", "STORE", "SUBSCRIBERS"]

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CONTROLLER = web.AppKey("controller", Controller)
METRICS = web.AppKey("metrics", Metrics)
#: Server-sent-event subscribers: one queue of rendered messages each.
SUBSCRIBERS = web.AppKey("subscribers", set[asyncio.Queue[str]])
