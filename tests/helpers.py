"""Test helpers: small projects to route, and a harness that feeds the engine and
compares the exact commands it returns (after h11's ``ConnectionPair``)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pcc_router.routing import (
    Action,
    AgentId,
    AgentSpec,
    Channel,
    Command,
    Engine,
    Event,
    GroupId,
    GroupRoute,
    GroupSpec,
    NumberSpec,
    Project,
    QueueId,
    QueueSpec,
    RingAgent,
    RoutingType,
    Strategy,
)

HOTLINE = "02473000062"


def agent(agent_id: str, *online: str, **fields: object) -> AgentSpec:
    spec = AgentSpec(
        stringee_user_id=AgentId(agent_id),
        online=frozenset(Channel(c) for c in online),
    )
    if "routing_type" in fields:
        fields["routing_type"] = RoutingType(int(str(fields["routing_type"])))
    return replace(spec, **fields)  # type: ignore[arg-type]


def project(
    agents: Sequence[AgentSpec],
    *,
    strategy: Strategy = Strategy.LONGEST_IDLE,
    backups: Sequence[str] = (),
    menu: dict[str, str] | None = None,
    **queue_fields: object,
) -> Project:
    """One queue ``q`` on the hotline, group ``g`` of the agents; ``backups`` form group ``b``."""
    primary = [a.stringee_user_id for a in agents if a.stringee_user_id not in backups]
    groups = [GroupSpec(id=GroupId("g"), agents=tuple(primary))]
    routes = [GroupRoute(group=GroupId("g"))]
    if backups:
        groups.append(GroupSpec(id=GroupId("b"), agents=tuple(AgentId(a) for a in backups)))
        routes.append(GroupRoute(group=GroupId("b"), primary=False))
    queue = QueueSpec(id=QueueId("q"), groups=tuple(routes), strategy=strategy)
    queue = replace(queue, **queue_fields)  # type: ignore[arg-type]
    if menu is None:
        number = NumberSpec(number=HOTLINE, queue_id=QueueId("q"))
    else:
        parsed = {key: Action.parse(action) for key, action in menu.items()}
        number = NumberSpec(number=HOTLINE, menu=parsed)
    return Project(agents=tuple(agents), groups=tuple(groups), queues=(queue,), numbers=(number,))


class EngineHarness:
    """Feeds events to an engine and checks the commands, ring decisions stripped."""

    def __init__(
        self,
        proj: Project,
        *,
        seed: int = 0,
        explain: bool = False,
        ask_lists: bool = False,
        **options: Any,
    ) -> None:
        self.engine = Engine(
            proj, rng=random.Random(seed), explain=explain, ask_lists=ask_lists, **options
        )

    def feed(
        self, event: Event, now: float, expect: Sequence[Command] | None = None
    ) -> list[Command]:
        commands = [
            replace(c, decision=None) if isinstance(c, RingAgent) else c
            for c in self.engine.handle(event, now)
        ]
        if expect is not None:
            assert commands == list(expect)
        return commands
