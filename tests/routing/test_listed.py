"""Custom routing as PCC does it: a queue with get_list_agents_url asks whom to ring.

Only an engine built with ``ask_lists`` (the emulator's) asks; the listed
agents ring one after the other, each for its own answer_timeout.
"""

from __future__ import annotations

from typing import Any

import pytest

from pcc_router.routing import (
    AgentAnswered,
    AgentId,
    AgentsListed,
    AgentUpdated,
    CallArrived,
    CallerHungUp,
    CallId,
    CancelRing,
    CancelTimer,
    CloseCall,
    ConnectCall,
    ListFallback,
    Outcome,
    QueueCall,
    QueueId,
    RequestAgents,
    RingAgent,
    RingOutcome,
    SetSystemStatus,
    StartTimer,
    TimerFired,
    TimerKey,
)
from tests.helpers import HOTLINE, EngineHarness, agent, project

Q = QueueId("q")
C1, C2 = CallId("c1"), CallId("c2")
URL = "http://127.0.0.1:1/agents"


def harness(*, ask: bool = True, **options: Any) -> EngineHarness:
    agents = [agent("a", "app"), agent("b", "app"), agent("c")]  # c is offline
    return EngineHarness(project(agents, get_list_agents_url=URL), ask_lists=ask, **options)


def arrive(call_id: str) -> CallArrived:
    return CallArrived(call_id=CallId(call_id), to=HOTLINE)


def listed(call_id: str, *pairs: tuple[str, float]) -> AgentsListed:
    return AgentsListed(
        call_id=CallId(call_id),
        agents=tuple(AgentId(a) for a, _ in pairs),
        answer_timeouts=tuple(t for _, t in pairs),
    )


def ring(call_id: str, agent_id: str, until: float) -> RingAgent:
    return RingAgent(call_id=CallId(call_id), agent_id=AgentId(agent_id), queue_id=Q, until=until)


def test_the_queue_asks_then_rings_the_list_in_order_each_for_its_timeout() -> None:
    h = harness()
    h.feed(
        arrive("c1"),
        0.0,
        [QueueCall(call_id=C1, queue_id=Q), RequestAgents(call_id=C1, queue_id=Q)],
    )
    # c is offline: skipped; b rings first for 10 s, then a for 20 s.
    h.feed(
        listed("c1", ("c", 5), ("b", 10), ("a", 20)),
        1.0,
        [ring("c1", "b", 11.0), StartTimer(key=TimerKey("ring:c1"), at=11.0)],
    )
    h.feed(
        TimerFired(key=TimerKey("ring:c1")),
        11.0,
        [
            CancelRing(call_id=C1, agent_id=AgentId("b"), outcome=RingOutcome.NO_ANSWER),
            ring("c1", "a", 31.0),
            StartTimer(key=TimerKey("ring:c1"), at=31.0),
        ],
    )
    h.feed(
        AgentAnswered(call_id=C1, agent_id=AgentId("a")),
        12.0,
        [
            CancelTimer(key=TimerKey("ring:c1")),
            ConnectCall(call_id=C1, agent_id=AgentId("a")),
            SetSystemStatus(agent_id=AgentId("a"), system_status=0),
        ],
    )


def test_a_list_run_out_puts_the_call_back_in_line_until_an_agent_frees_up() -> None:
    h = harness()
    h.feed(arrive("c1"), 0.0)
    h.feed(listed("c1", ("b", 10)), 0.0)
    # b rang out and is routable again: the queue asks again for the call.
    assert h.feed(TimerFired(key=TimerKey("ring:c1")), 10.0) == [
        CancelRing(call_id=C1, agent_id=AgentId("b"), outcome=RingOutcome.NO_ANSWER),
        RequestAgents(call_id=C1, queue_id=Q),
    ]
    # A list of nobody who can ring: the queue's own groups ring (the default fallback).
    assert h.feed(listed("c1", ("c", 10), ("nobody", 10)), 10.0) == [
        ring("c1", "a", 25.0),
        StartTimer(key=TimerKey("ring:c1"), at=25.0),
    ]


def test_with_reask_a_list_of_nobody_is_asked_again_after_a_while() -> None:
    """``ListFallback.REASK``: the call waits and the queue asks again reask_after later
    (not in a loop at one instant); by then the URL may name someone."""
    h = harness(empty_list=ListFallback.REASK, reask_after=2.0)
    h.feed(arrive("c1"), 0.0)
    assert h.feed(listed("c1", ("c", 10)), 0.5) == [StartTimer(key=TimerKey("reask:q"), at=2.5)]
    assert h.engine.waiting("q") == 1
    assert h.feed(TimerFired(key=TimerKey("reask:q")), 2.5) == [
        RequestAgents(call_id=C1, queue_id=Q)
    ]
    h.feed(
        listed("c1", ("b", 10)),
        2.6,
        [ring("c1", "b", 12.6), StartTimer(key=TimerKey("ring:c1"), at=12.6)],
    )
    assert h.feed(TimerFired(key=TimerKey("reask:q")), 4.5) == []  # nobody waits: nothing to ask


def test_with_nobody_routable_a_reask_asks_nothing_until_an_agent_frees() -> None:
    h = harness(empty_list=ListFallback.REASK)
    for agent_id in ("a", "b"):
        h.feed(AgentUpdated(agent_id=AgentId(agent_id), manual_status="NOT AVAILABLE"), 0.0)
    h.feed(arrive("c1"), 0.0)
    h.feed(listed("c1"), 0.1)
    assert h.feed(TimerFired(key=TimerKey("reask:q")), 2.1) == []  # PCC sees nobody to ring: no ask
    back = AgentUpdated(agent_id=AgentId("a"), manual_status="AVAILABLE")
    assert h.feed(back, 3.0) == [RequestAgents(call_id=C1, queue_id=Q)]


def test_a_failed_list_falls_back_to_the_queues_own_routing() -> None:
    h = harness()
    h.feed(arrive("c1"), 0.0)
    h.feed(
        AgentsListed(call_id=C1, failed=True),
        2.0,
        [ring("c1", "a", 17.0), StartTimer(key=TimerKey("ring:c1"), at=17.0)],
    )


def test_a_caller_who_leaves_while_the_list_is_coming_ends_the_call_once() -> None:
    h = harness()
    h.feed(arrive("c1"), 0.0)
    h.feed(
        CallerHungUp(call_id=C1),
        1.0,
        [CloseCall(call_id=C1, outcome=Outcome.ABANDONED, queue_id=Q)],
    )
    h.feed(listed("c1", ("a", 10)), 2.0, [])  # the late list rings nobody
    assert h.engine.verdict("a", 2.0).routable


def test_waiting_calls_are_each_asked_for_while_agents_are_routable() -> None:
    h = harness()
    h.feed(arrive("c1"), 0.0)
    assert h.feed(arrive("c2"), 0.0) == [
        QueueCall(call_id=C2, queue_id=Q),
        RequestAgents(call_id=C2, queue_id=Q),
    ]


def test_an_engine_that_does_not_ask_uses_the_strategy_in_place_of_the_url() -> None:
    h = harness(ask=False)
    assert h.feed(arrive("c1"), 0.0) == [
        QueueCall(call_id=C1, queue_id=Q),
        ring("c1", "a", 15.0),
        StartTimer(key=TimerKey("ring:c1"), at=15.0),
    ]


def test_a_list_must_pair_agents_with_timeouts() -> None:
    with pytest.raises(ValueError, match="pair up"):
        AgentsListed(call_id=C1, agents=(AgentId("a"),), answer_timeouts=())
