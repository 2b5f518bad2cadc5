"""The emulator's clock and I/O: a virtual clock or the wall clock over one simulation.

:class:`Emulator` runs a :class:`~pcc_router.api.emulator.world.World` (the
simulator with PCC's side) and does what PCC does over HTTP: POSTs call
events (:mod:`~pcc_router.api.emulator.deliveries`), asks queues'
``get_list_agents_url`` and fetches ``get_customer_info_url``.

Two clocks over the simulation's one kernel (SimPy's ``rt.py`` idea): the
kernel (the :class:`~pcc_router.api.emulator.world.World`'s simulation) holds
what is due and when; the driver decides when "now" moves:

- ``virtual`` (tests): time moves only when asked (:meth:`Emulator.advance`,
  :meth:`Emulator.until_idle`); every HTTP exchange happens at a frozen
  instant, so a receiver sees events exactly in emulated order and a run
  repeats to the event.
- ``real`` (demos): a task follows the wall clock, ``speed`` times faster.

At one instant, the events already due go out before the next input is
applied, and a step's events go out before its requests for agents: a
receiver always knows what happened before it is asked whom to ring.

(Over 300 lines on purpose: the clock and the order of every exchange at one
instant belong together.)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiohttp

from pcc_router.api.emulator.asking import get, post, read_agents_answer
from pcc_router.api.emulator.deliveries import Deliveries, Faults
from pcc_router.api.emulator.records import PccRecords
from pcc_router.api.emulator.world import (
    AgentChange,
    Ask,
    CustomerInfoFetch,
    Webhook,
    World,
)
from pcc_router.api.stringee.signing import stringee_signature
from pcc_router.routing import AgentId, Channel
from pcc_router.simulator.scenario import AgentBehaviour, PccBehaviour, Scenario

__all__ = ["Emulator", "read_agents_answer"]

log = logging.getLogger("pcc_router.emulator")

Clock = Literal["virtual", "real"]
MAX_STEPS = 2_000_000  # until_idle gives up after this many inputs (endless traffic)


class Emulator:
    """A local Stringee PCC for one scenario. ``await start()`` before use, ``close()`` after."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: Clock = "virtual",
        speed: float = 1.0,
        faults: Faults | None = None,
        seed: int | None = None,
        signing_secret: str | None = None,
        project_id: int = 1,
        epoch: float | None = None,
        behaviour: PccBehaviour | None = None,
    ) -> None:
        if speed <= 0 or not math.isfinite(speed):
            raise ValueError("speed must be a positive number")
        self.mode: Clock = clock
        self.speed = speed
        self.faults = faults or Faults()
        self.epoch = time.time() if epoch is None else epoch
        self.records = PccRecords.of(scenario.project, project_id=project_id)
        self.world = World(scenario, self.records, self.epoch, behaviour or scenario.emulator)
        self.signing_secret = signing_secret
        draw = random.Random(f"{scenario.seed if seed is None else seed}:faults")
        self._draw = draw
        self.deliveries = Deliveries(self.faults, draw, signing_secret)
        #: Every event delivery, request for agents and customer-info fetch, in order.
        self.log = self.deliveries.log
        #: What ``get_customer_info_url`` answered, by call.
        self.customer_info: dict[str, Any] = {}
        self._now = 0.0
        self._t0 = 0.0
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._runner: asyncio.Task[None] | None = None
        self._pending_config = False
        #: Told of every change to an agent's fields or presence, before time moves on
        #: (PCC sends no webhook for those; a harness keeps a controller in step with it).
        self.on_agent_change: Callable[[AgentChange], Awaitable[None]] | None = None

    # ---------------------------------------------------------- life

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        if self.mode == "real":
            self._t0 = asyncio.get_running_loop().time()
            self._runner = asyncio.create_task(self._follow_the_wall_clock())

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self._session is not None:
            await self._session.close()

    # ---------------------------------------------------------- clock

    def now(self) -> float:
        """Seconds since the run started, on the emulator's clock."""
        if self.mode == "real":
            return (asyncio.get_running_loop().time() - self._t0) * self.speed
        return self._now

    def clock(self) -> float:
        """The emulated wall clock (epoch seconds): give it to a controller under test."""
        return self.epoch + self.now()

    async def advance(self, seconds: float) -> bool:
        """Virtual time: run everything due in the next ``seconds``; whether all is idle."""
        if self.mode != "virtual":
            raise RuntimeError("the clock is real: it cannot be advanced")
        async with self._lock:
            target = self._now + seconds
            idle = await self._process(target)
            self._now = max(self._now, target)
            return idle

    async def until_idle(self) -> bool:
        """Virtual time: run until no call, timer or delivery is left (``False``: gave up)."""
        if self.mode != "virtual":
            raise RuntimeError("the clock is real: wait for it instead")
        async with self._lock:
            return await self._process(math.inf)

    async def _follow_the_wall_clock(self) -> None:
        while True:
            try:
                async with self._lock:
                    await self._process(self.now())
            except Exception:  # a bug: say so, and keep the clock running
                log.exception("the emulator's clock hit an error; it goes on")
                await asyncio.sleep(1.0)
            due = self._next_due()
            self._wake.clear()
            wait = None if due is None else max(0.0, (due - self.now()) / self.speed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    # ---------------------------------------------------------- inputs

    async def place_call(
        self,
        *,
        caller: str,
        to: str,
        keys: str = "",
        talk: float = 60.0,
        patience: float | None = None,
    ) -> str:
        """A customer calls ``to`` now; the call's id (PCC's: the one events carry)."""
        async with self._lock:
            call_id = self.world.place_call(
                caller=caller, to=to, keys=keys, talk=talk, patience=patience, at=self.now()
            )
            if self.mode == "virtual":
                await self._process(self._now)
        self._wake.set()
        return call_id

    def configure(self, records: PccRecords, *, rebuild: bool = True) -> None:
        """New configuration records (a REST change, already checked).

        REST reads show them at once; the engine takes them as soon as no call
        is in progress (it cannot move a call to a new configuration).
        ``rebuild=False``: nothing the engine routes by changed (or it hears of
        the change as an event, as for an agent's fields).
        """
        self.records = records
        self.world.records = records
        self._pending_config = self._pending_config or rebuild
        self._apply_config()
        self._wake.set()

    def point_at(self, *, event_url: str | None = None, agents_url: str | None = None) -> None:
        """Set ``event_url`` and every queue's ``get_list_agents_url`` (as REST would)."""
        records = copy.deepcopy(self.records)
        if event_url is not None:
            records.settings["event_url"] = event_url
        if agents_url is not None:
            for queue in records.queues.values():
                queue["get_list_agents_url"] = agents_url
        records.project()
        self.configure(records, rebuild=agents_url is not None)

    def calls(self) -> list[dict[str, Any]]:
        """Every call so far, as ``simulate --json`` shows it, with PCC's ``call_id``."""
        world = self.world
        return [
            {**call.as_dict(), "call_id": world.pcc_call_id(call.id)}
            for call in world.sim.recorder.calls()
        ]

    def system_status(self, user_id: str) -> int:
        """PCC's ``system_status`` of an agent: 0 in a call, 1 otherwise."""
        engine = self.world.sim.engine
        if not engine.has_agent(user_id):
            return 1
        return engine.agent_view(user_id, self.now()).system_status

    def _apply_config(self) -> None:
        if self._pending_config and not self.world.busy():
            behaviours = self.world.sim.behaviours
            for user in self.records.online:
                behaviours.setdefault(user, AgentBehaviour())
            self.world.reconfigure(self.records)
            self._pending_config = False

    async def set_agent(
        self, user_id: str, *, online: frozenset[Channel] | None, behaviour: AgentBehaviour | None
    ) -> None:
        """The emulated agent's presence and how she picks up (``/_emulator/agents``)."""
        async with self._lock:
            agent = AgentId(user_id)
            if behaviour is not None:
                self.world.sim.behaviours[agent] = behaviour
            if online is not None:
                self.world.set_online(agent, online, self.now())
                await self._settle(self.now())
        self._wake.set()

    async def update_agent(self, user_id: str, changes: dict[str, Any]) -> None:
        async with self._lock:
            self.world.update_agent(user_id, changes, self.now())
            await self._settle(self.now())
        self._wake.set()

    # ------------------------------------------------------------ steps

    def _next_due(self) -> float | None:
        times = [t for t in (self.world.next_time(), self.deliveries.next_time()) if t is not None]
        return min(times) if times else None

    async def _process(self, until: float) -> bool:
        """Run every input and delivery due by ``until``; whether nothing at all is left."""
        for _ in range(MAX_STEPS):
            due = self._next_due()
            if due is None:
                return True
            if due > until:
                return False
            if self.mode == "virtual":
                self._now = max(self._now, due)
            delivery = self.deliveries.next_time()
            if delivery is not None and delivery <= due:  # events already due go first
                await self.deliveries.send_due(due, self._client(), self._event_url())
            else:
                self.world.step()
                await self._settle(due)
                self._apply_config()
        return False

    async def _settle(self, now: float) -> None:
        """Send what a step gave: its events first, then its requests for agents (whose
        answers ring agents: more events), until nothing is left to send."""
        while True:
            outgoing = self.world.take()
            asks: list[Ask] = []
            fetches: list[CustomerInfoFetch] = []
            for item in outgoing:
                if isinstance(item, Webhook):
                    self.deliveries.add(item, now)
                elif isinstance(item, Ask):
                    asks.append(item)
                elif isinstance(item, CustomerInfoFetch):
                    fetches.append(item)
                elif self.on_agent_change is not None:
                    await self.on_agent_change(item)
            await self.deliveries.send_due(now, self._client(), self._event_url())
            for fetch in fetches:
                await self._fetch_customer_info(fetch, now)
            if not asks:
                return
            for ask in asks:
                answers = await self._ask(ask, now)
                for call in ask.calls:
                    self.world.listed(call["callId"], answers.get(call["callId"]), now)

    # ------------------------------------------------------------- HTTP

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the emulator is not started: await start() first")
        return self._session

    def _event_url(self) -> str:
        return str(self.records.settings.get("event_url") or "")

    def _headers(self, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.signing_secret:
            headers["X-STRINGEE-SIGNATURE"] = stringee_signature(body, self.signing_secret)
        return headers

    async def _ask(self, ask: Ask, now: float) -> dict[str, list[tuple[str, float]]]:
        """PCC's request for agents; each call's list, or none for a call it cannot use."""
        request = {
            "queueId": ask.queue_id,
            "projectId": self.records.project_id,
            "calls": list(ask.calls),
        }
        record: dict[str, Any] = {
            "id": len(self.log) + 1,
            "kind": "agents",
            "at": now,
            "url": ask.url,
            "request": request,
            "state": "pending",
        }
        self.log.append(record)
        timed_out = bool(self.faults.agents_timeout) and (
            self._draw.random() < self.faults.agents_timeout
        )
        body = json.dumps(request, separators=(",", ":")).encode()
        text = await post(self._client(), ask.url, body, self._headers(body), record)
        if text is None:
            return {}
        if timed_out:
            record.update(state="timed out (fault)", fault="agents_timeout")
            return {}
        default = self.world.sim.engine.answer_timeout(ask.queue_id)
        answers, problem = read_agents_answer(text, default)
        if problem is not None:
            record["state"] = f"unusable: {problem}"
        return answers

    async def _fetch_customer_info(self, fetch: CustomerInfoFetch, now: float) -> None:
        settings = self.records.settings
        url = str(settings.get("get_customer_info_url") or "")
        if not url:
            return
        params = {"from": fetch.caller, "to": fetch.to, "project": str(self.records.project_id)}
        record: dict[str, Any] = {
            "id": len(self.log) + 1,
            "kind": "customer_info",
            "at": now,
            "url": url,
            "call_id": fetch.call_id,
            "request": params,
            "state": "pending",
        }
        self.log.append(record)
        wait = float(settings.get("get_customer_info_timeout") or 2000) / 1000
        answer = await get(self._client(), url, params, wait, record, secret=self.signing_secret)
        if answer is not None:
            self.customer_info[fetch.call_id] = answer
