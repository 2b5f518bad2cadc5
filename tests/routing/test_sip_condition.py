"""A queue's SIP condition (PCC ``cond_routing``): 1 = agents online on Web/App only, 2 = or SIP."""

from __future__ import annotations

import random

from pcc_router.routing import (
    AgentId,
    CallArrived,
    CallId,
    Channel,
    Engine,
    GroupId,
    GroupRoute,
    NumberSpec,
    PresenceChanged,
    Project,
    QueueId,
    QueueSpec,
    RingAgent,
    TimerFired,
    TimerKey,
)
from pcc_router.routing.eligibility import SIP_ONLY_TEXT, ReasonCode
from pcc_router.routing.model import GroupSpec
from tests.helpers import agent

DESK = AgentId("desk")  # a SIP desk phone, nothing else


def engine() -> Engine:
    return Engine(e_project(), rng=random.Random(0))


def test_the_default_takes_sip_phones() -> None:
    assert QueueSpec(id=QueueId("q"), groups=()).cond_routing == 2


def test_an_agent_online_only_by_sip_rings_only_where_sip_phones_are_taken() -> None:
    e = engine()
    assert e.ring_order("any") == ["desk", "web"]
    assert e.ring_order("web") == ["web"]
    web_verdict = e.verdict("desk", 0.0, "web")
    assert not web_verdict.routable
    assert [(r.code, r.text) for r in web_verdict.reasons] == [(ReasonCode.SIP_ONLY, SIP_ONLY_TEXT)]
    assert e.verdict("desk", 0.0, "any").routable and e.verdict("desk", 0.0).routable


def test_logging_in_on_the_app_makes_her_routable_everywhere_and_out_again() -> None:
    e = engine()
    e.handle(PresenceChanged(agent_id=DESK, channel=Channel.APP, present=True), 1.0)
    assert e.ring_order("web") == ["desk", "web"]
    e.handle(PresenceChanged(agent_id=DESK, channel=Channel.APP, present=False), 2.0)
    assert e.ring_order("web") == ["web"] and e.ring_order("any") == ["desk", "web"]
    e.handle(
        PresenceChanged(agent_id=DESK, channel=Channel.SIP, present=True, expires_at=10.0), 3.0
    )
    e.handle(TimerFired(key=TimerKey("sip:desk")), 10.0)  # the registration lapsed
    assert e.ring_order("any") == ["web"]
    assert e.verdict("desk", 10.0, "web").reasons[0].code is ReasonCode.OFFLINE


def test_calls_ring_the_sip_phone_only_from_a_queue_that_takes_it() -> None:
    e = engine()
    e.handle(PresenceChanged(agent_id=AgentId("web"), channel=Channel.APP, present=False), 0.0)
    to_web = e.handle(CallArrived(call_id=CallId("c1"), to="1001"), 1.0)
    assert not any(isinstance(c, RingAgent) for c in to_web)  # waits: nobody on Web/App
    assert e.waiting("web") == 1
    to_any = e.handle(CallArrived(call_id=CallId("c2"), to="1002"), 2.0)
    assert [c.agent_id for c in to_any if isinstance(c, RingAgent)] == ["desk"]


def test_a_rebuilt_engine_keeps_each_queues_rule() -> None:
    e = engine()
    e.handle(PresenceChanged(agent_id=AgentId("web"), channel=Channel.APP, present=False), 0.0)
    rebuilt = Engine(e_project(), rng=random.Random(0), snapshot=e.snapshot())
    assert rebuilt.ring_order("web") == [] and rebuilt.ring_order("any") == ["desk"]


def e_project() -> Project:
    """Queue ``web`` (cond_routing 1) and ``any`` (2, PCC's default), both served by one group."""
    route = (GroupRoute(group=GroupId("g")),)
    return Project(
        agents=(agent("desk", "sip"), agent("web", "app")),
        groups=(GroupSpec(id=GroupId("g"), agents=(DESK, AgentId("web"))),),
        queues=(
            QueueSpec(id=QueueId("web"), groups=route, cond_routing=1),
            QueueSpec(id=QueueId("any"), groups=route),
        ),
        numbers=(
            NumberSpec(number="1001", queue_id=QueueId("web")),
            NumberSpec(number="1002", queue_id=QueueId("any")),
        ),
    )
