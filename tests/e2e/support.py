"""The emulator and the controller side by side, in one event loop, on one virtual clock."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from pcc_router.api.app import create_app
from pcc_router.api.controller import handlers
from pcc_router.api.emulator.world import AgentChange
from pcc_router.api.keys import CONTROLLER
from pcc_router.api.store import repo
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.routing import AgentUpdated, Channel
from pcc_router.simulator.scenario import PccBehaviour, Scenario
from tests.api.support import SECRET, SID, make_settings

Client = TestClient
SIGNING = "pcc-signing-secret"
_VERBS = {Channel.APP: ("login", "logout"), Channel.PUSH: ("register", "unregister"),
          Channel.SIP: ("register", "unregister")}  # fmt: skip


@dataclasses.dataclass
class Pair:
    pcc: EmulatedPcc
    controller: Client
    auth: dict[str, str]

    async def agents(self) -> dict[str, dict[str, Any]]:
        """The controller's agents, by id."""
        listed = await (await self.controller.get("/v1/agents", headers=self.auth)).json()
        return {agent["stringee_user_id"]: agent for agent in listed["agents"]}


def relay(controller: Client, auth: dict[str, str]) -> Callable[[AgentChange], Awaitable[None]]:
    """Pass the scenario's agent changes on to the controller, as its users' apps would
    (PCC posts no webhook for them)."""

    async def tell(change: AgentChange) -> None:
        event = change.event
        if isinstance(event, AgentUpdated):
            fields = ("manual_status", "routing_type", "phone_number")
            body = {k: v for k in fields if (v := getattr(event, k)) is not None}
            response = await controller.put(f"/v1/agents/{event.agent_id}", json=body, headers=auth)
        else:
            verb = _VERBS[event.channel][0 if event.present else 1]
            body = {event.channel.value: verb}
            if event.channel is Channel.PUSH and event.present:
                body["device_token"] = "emulated-device"
            path = f"/v1/agents/{event.agent_id}/presence"
            response = await controller.post(path, json=body, headers=auth)
        assert response.status == 200, await response.text()

    return tell


@asynccontextmanager
async def side_by_side(
    scenario: Scenario, tmp_path: Path, *, faults: str | None = None
) -> AsyncIterator[Pair]:
    """The emulator on the scenario, the controller on its project and on the emulator's
    clock (no scheduler: due timers fire as inputs come); PCC pointed at the controller."""
    # the queue limits PCC marks "coming soon" enforced, as the simulator does
    behaviour = PccBehaviour(enforce_coming_soon=True)
    pcc = EmulatedPcc(
        scenario, faults=faults, signing_secret=SIGNING, epoch=1_764_547_200.0, behaviour=behaviour
    )
    settings = make_settings(tmp_path, scenario=None, signing_secret=SIGNING)
    store = repo.Store(settings.database_url)
    with store.session() as session:
        repo.save_project(session, scenario.project)
    store.close()
    app = create_app(settings, clock=pcc.emulator.clock, scheduler=False)
    controller = TestClient(TestServer(app, host="127.0.0.1"))
    await controller.start_server()
    auth = {"X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).rest(ttl=3600)}
    try:
        async with pcc:
            await pcc.point_at(
                event_url=str(controller.make_url("/pcc/events")),
                agents_url=str(controller.make_url("/pcc/agents-for-queue")),
            )
            pcc.emulator.on_agent_change = relay(controller, auth)
            yield Pair(pcc, controller, auth)
    finally:
        await controller.close()


async def expire_lost_calls(pair: Pair) -> None:
    """Move both clocks past the controller's PCC_MAX_CALL_AGE and run its sweep."""

    controller = pair.controller.app[CONTROLLER]
    await pair.pcc.advance(controller.max_call_age + 60)
    await controller.submit(handlers.expiry_unit(controller))


def with_distinct_phones(scenario: Scenario) -> Scenario:
    """The scenario with every routing_type 2 agent on a phone number of her own."""
    agents = tuple(
        dataclasses.replace(agent, phone_number=f"8490100{i:04d}") if agent.phone_number else agent
        for i, agent in enumerate(scenario.project.agents)
    )
    project = dataclasses.replace(scenario.project, agents=agents)
    return dataclasses.replace(scenario, project=project)
