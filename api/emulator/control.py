"""``/_emulator``: what is not PCC's: placing calls, moving the clock, reading what was sent.

- ``POST /_emulator/calls`` places a call now (its ``call_id`` is PCC's, the one
  the events carry); ``GET /_emulator/calls`` lists every call so far with its
  rings (agent, time, outcome) and outcome, in ``pcc-router simulate --json``'s
  shape, each with PCC's ``call_id`` beside the run's ``id``.
- ``POST /_emulator/clock`` moves a virtual clock (``advance``) or runs it
  until nothing is left (``until_idle``).
- ``GET /_emulator/deliveries`` lists every event delivery (its fault, each
  try and the answer), every request for agents and every customer-info
  fetch; ``?kind=event|agents|customer_info`` and ``?call_id=`` filter.
- ``PUT /_emulator/agents/{user}`` sets an emulated agent's presence and how
  she picks up; ``GET /_emulator/state`` shows the clock and the KPIs.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from pcc_router.api.emulator import bodies as b
from pcc_router.api.emulator.keys import EMULATOR
from pcc_router.api.web.errors import ApiError, read_body
from pcc_router.routing import AgentId, Channel
from pcc_router.routing.durations import parse_duration
from pcc_router.simulator.scenario import AgentBehaviour

__all__ = ["clock", "deliveries", "healthz", "list_calls", "place_call", "set_agent", "state"]


DAY = 86400.0


def _bounded(name: str, value: float | str, most: float) -> float:
    seconds = parse_duration(value)
    if not 0 <= seconds <= most:
        raise ApiError(400, f"{name} must be from 0 to {most:g} seconds")
    return seconds


def _ok(message: str, **more: Any) -> web.Response:
    return web.json_response({"r": 0, "message": message, **more})


async def place_call(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.CallIn)
    emulator = request.app[EMULATOR]
    if not emulator.world.sim.engine.has_number(body.to):
        raise ApiError(404, f"to: {body.to!r} is not a number of the project")
    talk = _bounded("talk", body.talk, DAY)
    patience = _bounded("patience", body.patience, DAY) if body.patience is not None else None
    call_id = await emulator.place_call(
        caller=body.from_, to=body.to, keys=body.keys, talk=talk, patience=patience
    )
    return _ok("call placed", call_id=call_id, now=emulator.now())


async def list_calls(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    return _ok("calls so far", now=emulator.now(), calls=emulator.calls())


async def clock(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.ClockIn)
    emulator = request.app[EMULATOR]
    if emulator.mode != "virtual":
        raise ApiError(409, "the clock is real (--clock real): it cannot be moved")
    if body.advance is not None:
        idle = await emulator.advance(_bounded("advance", body.advance, 366 * DAY))
    else:
        idle = await emulator.until_idle()
    return _ok("clock moved", now=emulator.now(), idle=idle)


async def deliveries(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    kind, call_id = request.query.get("kind"), request.query.get("call_id")
    if kind is not None and kind not in ("event", "agents", "customer_info"):
        raise ApiError(400, "kind must be event, agents or customer_info")
    found = [
        record
        for record in emulator.log
        if (kind is None or record["kind"] == kind)
        and (call_id is None or _names_call(record, call_id))
    ]
    return _ok("deliveries so far", deliveries=found)


def _names_call(record: dict[str, Any], call_id: str) -> bool:
    if record.get("call_id") == call_id:
        return True
    calls = record.get("request", {}).get("calls", [])
    return any(c.get("callId") == call_id for c in calls if isinstance(c, dict))


async def set_agent(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.AgentBehaviourIn)
    emulator = request.app[EMULATOR]
    user = request.match_info["user"]
    if emulator.records.agent_by_user(user) is None:
        raise ApiError(404, f"no agent with stringee_user_id {user!r}")
    current = emulator.world.sim.behaviours.get(AgentId(user)) or AgentBehaviour()
    behaviour = None
    if body.answer_after is not None or body.answer_prob is not None:
        behaviour = AgentBehaviour(
            answer_after=parse_duration(body.answer_after)
            if body.answer_after is not None
            else current.answer_after,
            answer_prob=body.answer_prob if body.answer_prob is not None else current.answer_prob,
        )
    online = frozenset(Channel(c) for c in body.online) if body.online is not None else None
    await emulator.set_agent(user, online=online, behaviour=behaviour)
    return _ok("agent set")


async def state(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    world = emulator.world
    result = world.sim.result()
    return _ok(
        "state",
        now=emulator.now(),
        epoch=emulator.epoch,
        clock=emulator.mode,
        speed=emulator.speed,
        calls_in_progress=world.sim.engine.calls_in_progress(),
        pending_deliveries=emulator.deliveries.pending(),
        kpis=result.kpis,
    )


async def healthz(request: web.Request) -> web.Response:
    return _ok("ok", now=request.app[EMULATOR].now())
