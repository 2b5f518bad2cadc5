"""Webhook deliveries as PCC makes them: signed, retried with back-off, logged; faults on demand.

Every call event goes to the project's ``event_url`` as a JSON POST signed
with ``X-STRINGEE-SIGNATURE`` (base64 HMAC-SHA1 of the body). A delivery
that fails (no connection, a time-out, a 5xx) is tried again after 1, 2, 4
and 8 s, five tries in all; a 4xx is the receiver's answer and is not
retried. Every try is logged (:attr:`Deliveries.log`).

Faults (:class:`Faults`, drawn from a seeded generator so a run repeats):
``drop`` never sends an event; ``duplicate`` sends it twice; ``reorder``
holds it back until the next event has gone; ``delay`` holds each event for
a random time up to that many seconds (which reorders too). Times are the
emulator's clock: virtual time in tests, wall time otherwise.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from pcc_router.api.emulator.world import Webhook
from pcc_router.api.stringee.signing import stringee_signature
from pcc_router.routing.durations import parse_duration
from pcc_router.simulator.kernel import Kernel

__all__ = ["Deliveries", "Faults", "FaultsError"]

BACKOFF = (1.0, 2.0, 4.0, 8.0)  # seconds before the 2nd, 3rd, 4th and 5th try
TIMEOUT = aiohttp.ClientTimeout(total=5)
_RATES = ("drop", "duplicate", "reorder", "agents_timeout")


class FaultsError(ValueError):
    """A ``--faults`` text that does not read; the message names the part."""


@dataclass(frozen=True, slots=True)
class Faults:
    """Rates (0 to 1) of each fault, and the longest added delay in seconds."""

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    delay: float = 0.0
    agents_timeout: float = 0.0  # get_list_agents_url answers too late to be used

    @classmethod
    def parse(cls, text: str) -> Faults:
        """``"drop=0.05,duplicate=0.05,delay=2s,reorder=0.05,agents_timeout=0.1"``."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in (*_RATES, "delay"):
                known = ", ".join((*_RATES, "delay"))
                raise FaultsError(f"{part!r}: expected name=value with name one of {known}")
            try:
                value = parse_duration(raw.strip()) if name == "delay" else float(raw)
            except ValueError:
                raise FaultsError(f"{name}: {raw.strip()!r} is not a number") from None
            if name != "delay" and not 0.0 <= value <= 1.0:
                raise FaultsError(f"{name}: a rate is between 0 and 1, not {value}")
            values[name] = value
        return cls(**values)

    @property
    def any(self) -> bool:
        return any((self.drop, self.duplicate, self.reorder, self.delay, self.agents_timeout))


@dataclass
class _Delivery:
    """One event on its way: every try of it is logged under its ``id``."""

    id: int
    hook: Webhook
    fault: str | None
    tries: list[dict[str, Any]] = field(default_factory=list)
    state: str = "pending"  # pending, delivered, refused, failed, dropped

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": "event",
            "call_id": self.hook.call_id,
            "call_status": self.hook.status,
            "fault": self.fault,
            "state": self.state,
            "tries": self.tries,
            "body": self.hook.body,
        }


@dataclass
class Deliveries:
    """The project's outgoing call events, on the emulator's clock."""

    faults: Faults
    rng: random.Random
    secret: str | None
    #: Every delivery and request the emulator made, in order (shared with the driver).
    log: list[dict[str, Any]] = field(default_factory=list)
    _queue: Kernel[_Delivery] = field(default_factory=Kernel)
    _held: list[_Delivery] = field(default_factory=list)

    def add(self, hook: Webhook, now: float) -> None:
        """An event PCC has to send: its fault decided now, its first try scheduled."""
        faults, draw = self.faults, self.rng.random
        fault = None
        if faults.drop and draw() < faults.drop:
            fault = "dropped"
        elif faults.duplicate and draw() < faults.duplicate:
            fault = "duplicated"
        elif faults.reorder and draw() < faults.reorder:
            fault = "reordered"
        delivery = self._new(hook, fault)
        if fault == "dropped":
            delivery.state = "dropped"
            return
        delay = self.rng.uniform(0.0, faults.delay) if faults.delay else 0.0
        if fault == "reordered":
            self._held.append(delivery)  # goes right after the next one
            self._queue.schedule(now + max(delay, 1.0), delivery, key=f"d{delivery.id}")
            return
        self._queue.schedule(now + delay, delivery, key=f"d{delivery.id}")
        for held in self._held:
            self._queue.schedule(now + delay, held, key=f"d{held.id}")
        self._held.clear()
        if fault == "duplicated":
            twin = self._new(hook, "duplicate of " + str(delivery.id))
            self._queue.schedule(now + delay, twin, key=f"d{twin.id}")

    def _new(self, hook: Webhook, fault: str | None) -> _Delivery:
        delivery = _Delivery(len(self.log) + 1, hook, fault)
        self.log.append(delivery.record())  # kept up to date by _update
        return delivery

    def next_time(self) -> float | None:
        return self._queue.peek()

    async def send_due(self, now: float, session: aiohttp.ClientSession, url: str) -> None:
        """Every try due by ``now``, in order (each awaited: one at a time, as PCC sends)."""
        while (due := self._queue.peek()) is not None and due <= now:
            delivery = self._queue.pop()
            assert delivery is not None
            await self._try(delivery, now, session, url)

    async def _try(
        self, delivery: _Delivery, now: float, session: aiohttp.ClientSession, url: str
    ) -> None:
        if not url:
            delivery.state = "not sent: no event_url in the call settings"
            self._update(delivery)
            return
        body = json.dumps(delivery.hook.body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret:
            headers["X-STRINGEE-SIGNATURE"] = stringee_signature(body, self.secret)
        started = time.perf_counter()
        attempt: dict[str, Any] = {"at": now}
        try:
            async with session.post(url, data=body, headers=headers, timeout=TIMEOUT) as response:
                attempt["status"] = response.status
                attempt["answer"] = (await response.text())[:500]
        except (aiohttp.ClientError, TimeoutError) as exc:
            attempt["error"] = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        attempt["ms"] = round((time.perf_counter() - started) * 1000, 1)
        delivery.tries.append(attempt)
        status = attempt.get("status")
        if status is not None and status < 500:
            delivery.state = "delivered" if status < 300 else "refused"
        elif len(delivery.tries) <= len(BACKOFF):
            wait = BACKOFF[len(delivery.tries) - 1]
            self._queue.schedule(now + wait, delivery, key=f"d{delivery.id}")
        else:
            delivery.state = "failed"
        self._update(delivery)

    def _update(self, delivery: _Delivery) -> None:
        self.log[delivery.id - 1] = delivery.record()

    def pending(self) -> int:
        return sum(1 for r in self.log if r["kind"] == "event" and r["state"] == "pending")
