"""Typed keys of the emulator's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from pcc_router.api.emulator.driver import Emulator

__all__ = ["API_KEY", "EMULATOR"]

EMULATOR = web.AppKey("emulator", Emulator)
#: (sid, secret) of the API key whose REST tokens PCC's paths accept.
API_KEY = web.AppKey("api_key", tuple[str, str])
