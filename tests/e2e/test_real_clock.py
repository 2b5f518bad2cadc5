"""PCC on your machine, on the real clock: the emulator and the controller as ``make serve``
and ``make emulate`` run them, a burst of calls, nobody left idle while a call waits.

The controller starts its wrap-ups when PCC's ``timestamp_ms`` says the call
ended, so both free an agent at the same moment; and when the controller's
list names nobody who can ring, the emulator rings the queue's groups (or asks
again after ``reask_after``). Bounded: a few seconds of calls, 30 s at most.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pcc_router.api.app import create_app
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.routing import ListFallback
from pcc_router.simulator import load_scenario
from pcc_router.simulator.scenario import PccBehaviour
from tests.api.support import SECRET, SID, make_settings

SIGNING = "real-clock-signing-secret"
CENTER = """\
version = 1
numbers = [{ number = "1900", queue_id = "q" }]
groups = [{ id = "g", agents = ["a", "b"] }]
agents = [
  { stringee_user_id = "a", online = ["app"], answer_after = "0.3s" },
  { stringee_user_id = "b", online = ["app"], answer_after = "0.3s" },
]

[[queues]]
id = "q"
wrap_up_time_limit = "1s"
wait_agent_answer_timeout = "5s"
groups = [{ group = "g" }]
"""


@pytest.mark.slow
@pytest.mark.parametrize("fallback", [ListFallback.GROUPS, ListFallback.REASK])
async def test_no_call_waits_while_the_controller_has_a_routable_agent(
    tmp_path: Path, fallback: ListFallback
) -> None:
    path = tmp_path / "center.toml"
    path.write_text(CENTER, encoding="utf-8")
    app = create_app(make_settings(tmp_path, scenario=path, signing_secret=SIGNING))
    controller = TestClient(TestServer(app, host="127.0.0.1"))
    await controller.start_server()
    auth = {"X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).rest()}
    behaviour = PccBehaviour(empty_list=fallback, reask_after=1.0)
    pcc = EmulatedPcc(
        load_scenario(path), clock="real", signing_secret=SIGNING, behaviour=behaviour
    )
    idle_while_waiting = 0.0
    try:
        async with pcc:
            await pcc.point_at(
                event_url=str(controller.make_url("/pcc/events")),
                agents_url=str(controller.make_url("/pcc/agents-for-queue")),
            )
            for _ in range(6):  # more calls than agents: they queue
                await pcc.place_call("1900", talk=0.8)
            engine = pcc.emulator.world.sim.engine
            since: float | None = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                if all(c["outcome"] not in ("waiting", "ringing", "talking") for c in pcc.calls()):
                    break  # every call is over
                queue = await (await controller.get("/v1/queues/q", headers=auth)).json()
                stuck = engine.waiting("q") > 0 and bool(queue["ring_order"])
                if stuck and since is None:
                    since = time.monotonic()
                elif not stuck and since is not None:
                    idle_while_waiting = max(idle_while_waiting, time.monotonic() - since)
                    since = None
            outcomes = [c["outcome"] for c in pcc.calls()]
    finally:
        await controller.close()
    assert outcomes == ["answered"] * 6
    # a call may see a free agent for at most one re-ask period (and a poll) before it rings
    assert idle_while_waiting <= behaviour.reask_after + 0.5
