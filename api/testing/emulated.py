"""The emulator in a test: :class:`EmulatedPcc` starts it on 127.0.0.1 and points it at you.

::

    async with EmulatedPcc(load_scenario("scenarios/hotline.toml")) as pcc:
        await pcc.point_at(event_url="http://127.0.0.1:8080/pcc/events",
                           agents_url="http://127.0.0.1:8080/pcc/agents-for-queue")
        await pcc.until_idle()
        calls = pcc.calls()            # rings and outcomes, as `simulate --json` has them
        events = pcc.deliveries("event")

Time is virtual unless ``clock="real"``: nothing happens between the
calls you make, and a run repeats exactly. The REST helpers sign requests
with a REST token of the emulator's API key, as PCC's clients do.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from pcc_router.api.emulator.app import create_emulator_app
from pcc_router.api.emulator.deliveries import Faults
from pcc_router.api.emulator.driver import Clock, Emulator
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.loopback import serve_on_loopback
from pcc_router.simulator.scenario import PccBehaviour, Scenario

__all__ = ["TEST_API_KEY", "EmulatedPcc"]

#: The API key the emulator accepts REST tokens for, unless told another.
TEST_API_KEY = ("SKemulator0000000000000000000000000", "emulator-secret-emulator-secret-0")


class EmulatedPcc:
    """A running emulator on a free loopback port (an async context manager)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: Clock = "virtual",
        speed: float = 1.0,
        faults: Faults | str | None = None,
        signing_secret: str | None = None,
        api_key: tuple[str, str] = TEST_API_KEY,
        epoch: float | None = None,
        seed: int | None = None,
        behaviour: PccBehaviour | None = None,
    ) -> None:
        if isinstance(faults, str):
            faults = Faults.parse(faults)
        self.emulator = Emulator(
            scenario,
            clock=clock,
            speed=speed,
            faults=faults,
            signing_secret=signing_secret,
            epoch=epoch,
            seed=seed,
            behaviour=behaviour,
        )
        self.api_key = api_key
        self._minter = TokenMinter(sid=api_key[0], secret=api_key[1])
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> EmulatedPcc:
        app = create_emulator_app(self.emulator, api_key=self.api_key)
        self._runner, self.url = await serve_on_loopback(app)
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---------------------------------------------------------------- REST

    async def rest(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """A PCC REST request with a fresh REST token; the answer's JSON (any status)."""
        assert self._http is not None, "use EmulatedPcc in `async with`"
        headers = {"X-STRINGEE-AUTH": self._minter.rest(ttl=300)}
        async with self._http.request(
            method, self.url + path, json=body, headers=headers
        ) as response:
            answer: dict[str, Any] = await response.json()
            answer.setdefault("status", response.status)
            return answer

    async def point_at(
        self,
        *,
        event_url: str | None = None,
        agents_url: str | None = None,
        customer_info_url: str | None = None,
    ) -> None:
        """Set the project's call settings and, with ``agents_url``, every queue's
        ``get_list_agents_url`` (PCC's custom routing) to your server."""
        settings = {
            key: value
            for key, value in (
                ("event_url", event_url),
                ("get_customer_info_url", customer_info_url),
            )
            if value is not None
        }
        if settings:
            await self._ok("PUT", "/v1/callsettings", settings)
        if agents_url is not None:
            listed = await self._ok("GET", "/v1/queue?limit=1000")
            for queue in listed["data"]["queues"]:
                await self._ok(
                    "PUT", f"/v1/queue/{queue['id']}", {"get_list_agents_url": agents_url}
                )

    async def _ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        answer = await self.rest(method, path, body)
        if answer.get("r") != 0:
            raise RuntimeError(f"{method} {path}: {answer}")
        return answer

    # ------------------------------------------------------------- driving

    async def until_idle(self) -> bool:
        return await self.emulator.until_idle()

    async def advance(self, seconds: float) -> bool:
        return await self.emulator.advance(seconds)

    async def place_call(
        self,
        to: str,
        *,
        caller: str = "84900000000",
        keys: str = "",
        talk: float = 60.0,
        patience: float | None = None,
    ) -> str:
        return await self.emulator.place_call(
            caller=caller, to=to, keys=keys, talk=talk, patience=patience
        )

    # --------------------------------------------------------------- reads

    def calls(self) -> list[dict[str, Any]]:
        """Every call so far: its rings (agent, time, outcome) and outcome; ``id`` is the
        run's (a scenario's ``c1``), ``call_id`` PCC's (what events carry)."""
        return self.emulator.calls()

    def call_id(self, run_id: str) -> str:
        """PCC's id of the call the run knows as ``run_id`` (a scenario's ``c1``)."""
        return self.emulator.world.pcc_call_id(run_id)

    def deliveries(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every event delivery (``event``), request for agents (``agents``), customer-info
        fetch (``customer_info``), or only those of ``kind``."""
        return [d for d in self.emulator.log if kind is None or d["kind"] == kind]
