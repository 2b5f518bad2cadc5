"""Misuse raises a RoutingError and leaves the engine as it was."""

from __future__ import annotations

import pytest

from pcc_router.routing import (
    AgentId,
    AgentUpdated,
    CallArrived,
    CallEnded,
    CallId,
    ConfigError,
    GroupId,
    GroupRoute,
    Project,
    QueueId,
    QueueSpec,
    RoutingError,
    TimerFired,
    TimerKey,
    UnknownAgent,
    UnknownCall,
    UnknownNumber,
)
from tests.helpers import HOTLINE, EngineHarness, agent, project


def test_unknown_number_agent_call_and_timer() -> None:
    h = EngineHarness(project([agent("a", "app")]))
    with pytest.raises(UnknownNumber) as number_error:
        h.feed(CallArrived(call_id=CallId("c1"), to="999"), 0.0)
    assert number_error.value.http_status == 404
    with pytest.raises(UnknownAgent):
        h.feed(AgentUpdated(agent_id=AgentId("zz"), manual_status="AVAILABLE"), 0.0)
    with pytest.raises(UnknownCall):
        h.feed(CallEnded(call_id=CallId("nope")), 0.0)
    with pytest.raises(RoutingError, match="unknown timer"):
        h.feed(TimerFired(key=TimerKey("bogus:1")), 0.0)
    # nothing was rung or queued by the failed calls
    assert h.engine.ring_order("q") == ["a"]


def test_bad_update_changes_nothing() -> None:
    h = EngineHarness(project([agent("a", "app")]))
    with pytest.raises(RoutingError, match="routing_type must be 1 or 2"):
        h.feed(AgentUpdated(agent_id=AgentId("a"), manual_status="AWAY", routing_type=7), 0.0)
    assert h.engine.verdict("a", 0.0).routable


def test_duplicate_call_is_refused_and_the_first_goes_on() -> None:
    h = EngineHarness(project([agent("a", "app")]))
    h.feed(CallArrived(call_id=CallId("c1"), to=HOTLINE), 0.0)
    with pytest.raises(RoutingError, match="already in progress"):
        h.feed(CallArrived(call_id=CallId("c1"), to=HOTLINE), 1.0)
    assert [r.code.value for r in h.engine.verdict("a", 1.0).reasons] == ["ringing"]


@pytest.mark.parametrize(
    ("queue", "message"),
    [
        (QueueSpec(id=QueueId("q"), groups=(GroupRoute(group=GroupId("x")),)), "group 'x'"),
        (QueueSpec(id=QueueId("q"), groups=()), "has no groups"),
        (
            QueueSpec(
                id=QueueId("q"),
                groups=(GroupRoute(group=GroupId("g")),),
                wait_agent_answer_timeout=2.0,
            ),
            "at least 3 s",
        ),
    ],
)
def test_project_check_rejects_broken_configuration(queue: QueueSpec, message: str) -> None:
    base = project([agent("a", "app")])
    broken = Project(agents=base.agents, groups=base.groups, queues=(queue,), numbers=base.numbers)
    with pytest.raises(ConfigError, match=message):
        broken.check()


def test_overflow_loops_are_rejected() -> None:
    from pcc_router.routing import Action

    base = project([agent("a", "app")])
    route = (GroupRoute(group=GroupId("g")),)
    q1 = QueueSpec(id=QueueId("q"), groups=route, overflow=Action.parse("queue:q2"))
    q2 = QueueSpec(id=QueueId("q2"), groups=route, overflow=Action.parse("queue:q"))
    looped = Project(agents=base.agents, groups=base.groups, queues=(q1, q2), numbers=base.numbers)
    with pytest.raises(ConfigError, match="overflow loops: q -> q2 -> q"):
        looped.check()
