"""Calls PCC routes itself: rings, answers and ends as PCC reports them, lost and reordered."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pcc_router.routing import (
    AgentCallEnded,
    AgentCallStarted,
    AgentId,
    AgentRingStarted,
    CallId,
    CancelTimer,
    QueueId,
    SetSystemStatus,
    StartTimer,
    TimerFired,
    TimerKey,
)
from tests.helpers import EngineHarness, agent, project

Q = QueueId("q")
A, B, C = AgentId("a"), AgentId("b"), AgentId("c")
X, Y = CallId("x"), CallId("y")


def harness() -> EngineHarness:
    return EngineHarness(project([agent("a", "app"), agent("b", "app"), agent("c", "app")]))


def rung(agent_id: AgentId, call_id: CallId, until: float) -> AgentRingStarted:
    return AgentRingStarted(agent_id=agent_id, call_id=call_id, until=until)


def answered(agent_id: AgentId, call_id: CallId, since: float | None = None) -> AgentCallStarted:
    return AgentCallStarted(agent_id=agent_id, call_id=call_id, since=since)


def ended(call_id: CallId, agent_id: AgentId | None = None) -> AgentCallEnded:
    return AgentCallEnded(call_id=call_id, agent_id=agent_id, queue_id=Q)


def codes(h: EngineHarness, agent_id: str, now: float) -> list[str]:
    return [str(r.code) for r in h.engine.verdict(agent_id, now).reasons]


def test_a_ring_keeps_the_agent_out_until_it_times_out() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 5.0, [StartTimer(key=TimerKey("offer:a"), at=20.0)])
    assert h.engine.ring_order("q") == ["b", "c"]
    assert h.engine.verdict("a", 6.0).reasons[0].text == "ringing for call x until 00:00:20"
    h.feed(TimerFired(key=TimerKey("offer:a")), 20.0, [])
    # a missed ring is not a call: a keeps her place in longest_idle order
    assert h.engine.ring_order("q") == ["a", "b", "c"]


def test_an_answer_ends_the_ring_and_frees_whoever_else_was_offered() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 5.0)
    h.feed(
        answered(A, X),
        8.0,
        [CancelTimer(key=TimerKey("offer:a")), SetSystemStatus(agent_id=A, system_status=0)],
    )
    assert codes(h, "a", 8.0) == ["in_call"]
    h.feed(rung(B, Y, 30.0), 9.0)
    # y is answered by c: b, offered first for y, is free again
    h.feed(
        answered(C, Y),
        10.0,
        [CancelTimer(key=TimerKey("offer:b")), SetSystemStatus(agent_id=C, system_status=0)],
    )
    assert h.engine.ring_order("q") == ["b"]


def test_a_ring_of_the_next_agent_ends_the_ring_of_the_one_before() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 5.0)
    h.feed(
        rung(B, X, 35.0),
        20.0,
        [CancelTimer(key=TimerKey("offer:a")), StartTimer(key=TimerKey("offer:b"), at=35.0)],
    )
    assert h.engine.ring_order("q") == ["a", "c"]
    h.feed(TimerFired(key=TimerKey("offer:a")), 20.0, [])  # the old timer, late: nothing more to do
    assert codes(h, "b", 21.0) == ["ringing"]


def test_the_end_of_a_call_frees_the_agent_still_ringing_for_it() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 5.0)
    h.feed(ended(X), 7.0, [CancelTimer(key=TimerKey("offer:a"))])
    assert h.engine.verdict("a", 7.0).routable


def test_a_lost_ended_does_not_keep_the_agent_busy() -> None:
    """a answers x; x's ``ended`` never comes; she answers y; y ends: she is free."""
    h = harness()
    h.feed(answered(A, X, since=100.0), 100.0, [SetSystemStatus(agent_id=A, system_status=0)])
    h.feed(answered(A, Y, since=400.0), 400.0, [])  # still in a call: no status change
    assert h.engine.agent_view("a", 400.0).call_id == Y
    h.feed(
        ended(Y, A),
        460.0,
        [
            SetSystemStatus(agent_id=A, system_status=1),
            StartTimer(key=TimerKey("wrapup:a"), at=470.0),
        ],
    )
    h.feed(ended(X, A), 465.0, [])  # x's late end is not her call any more
    assert codes(h, "a", 465.0) == ["wrap_up"]
    assert h.engine.agent_history("a").handled == 2


def test_an_older_answer_arriving_late_does_not_replace_the_newer_call() -> None:
    h = harness()
    h.feed(answered(A, Y, since=400.0), 400.0)
    h.feed(answered(A, X, since=100.0), 401.0, [])  # x was answered before y: it is over
    assert h.engine.agent_view("a", 401.0).call_id == Y
    h.feed(ended(X, A), 402.0, [])
    assert codes(h, "a", 402.0) == ["in_call"]
    h.feed(ended(Y, A), 460.0)
    assert codes(h, "a", 460.0) == ["wrap_up"]


def test_a_ring_never_overrides_a_call_or_a_wrap_up() -> None:
    h = harness()
    h.feed(answered(A, X), 1.0)
    h.feed(rung(A, Y, 30.0), 2.0, [])
    assert h.engine.agent_view("a", 2.0).call_id == X
    h.feed(ended(X, A), 3.0)
    h.feed(rung(A, Y, 30.0), 4.0, [])
    assert codes(h, "a", 4.0) == ["wrap_up"]
    # answering from wrap-up ends the wrap-up (and its timer)
    h.feed(
        answered(A, Y),
        5.0,
        [CancelTimer(key=TimerKey("wrapup:a")), SetSystemStatus(agent_id=A, system_status=0)],
    )


def test_a_ring_already_over_changes_nothing() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 20.0, [])
    assert h.engine.verdict("a", 20.0).routable


def test_changed_agents_are_reported_once() -> None:
    h = harness()
    h.feed(rung(A, X, 20.0), 5.0)
    h.feed(answered(B, X), 6.0)
    assert list(h.engine.drain_changes().agents) == [A, B]
    assert not h.engine.drain_changes()


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["ring", "answer", "end", "end_anonymous", "timer"]),
        st.sampled_from([A, B, C]),
        st.sampled_from([X, Y, CallId("z")]),
        st.floats(min_value=0.0, max_value=5.0),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(steps=EVENTS)
def test_no_agent_rings_for_two_calls_and_every_ring_ends(
    steps: list[tuple[str, AgentId, CallId, float]],
) -> None:
    h = harness()
    engine = h.engine
    now = 0.0
    for kind, agent_id, call_id, gap in steps:
        now += gap
        if kind == "ring":
            h.feed(rung(agent_id, call_id, now + 15.0), now)
        elif kind == "answer":
            h.feed(answered(agent_id, call_id, since=now), now)
        elif kind == "end":
            h.feed(ended(call_id, agent_id), now)
        elif kind == "end_anonymous":
            h.feed(ended(call_id), now)
        else:
            h.feed(TimerFired(key=TimerKey(f"offer:{agent_id}")), now)
        views = [engine.agent_view(a, now) for a in (A, B, C)]
        ringing = [v for v in views if v.activity == "ringing"]
        # one call per agent, at most one ringing agent per call (PCC rings in turn)
        assert len({v.call_id for v in ringing}) == len(ringing)
        for view in ringing:
            assert view.until is not None  # a timer will end it
            assert view.stringee_user_id not in engine.ring_order("q")
    # every ring ends: once each agent's ring time has passed and its timer fired
    later = now + 16.0
    for agent_id in (A, B, C):
        h.feed(TimerFired(key=TimerKey(f"offer:{agent_id}")), later)
        assert engine.agent_view(agent_id, later).activity != "ringing"


def test_a_request_offers_each_call_a_different_first_agent() -> None:
    from pcc_router.routing import AgentsRequested, OfferAgents

    h = harness()
    request = AgentsRequested(queue_id=Q, call_ids=(X, Y), seed=0)
    h.feed(
        request,
        0.0,
        [
            StartTimer(key=TimerKey("offer:a"), at=15.0),
            OfferAgents(call_id=X, queue_id=Q, agents=(A, B, C), answer_timeout=15),
            StartTimer(key=TimerKey("offer:b"), at=15.0),
            OfferAgents(call_id=Y, queue_id=Q, agents=(B, C), answer_timeout=15),
        ],
    )
    z = CallId("z")
    h.feed(AgentsRequested(queue_id=Q, call_ids=(z,)), 1.0)
    assert h.engine.agent_view("c", 1.0).call_id == z
    # nobody left: the next call is offered nobody, and nobody is reserved for it
    late = h.feed(AgentsRequested(queue_id=Q, call_ids=(CallId("w"),)), 2.0)
    assert late == [OfferAgents(call_id=CallId("w"), queue_id=Q, agents=(), answer_timeout=15)]


def test_a_snapshot_carries_rings_calls_and_wrap_ups_into_a_new_engine() -> None:
    import random

    from pcc_router.routing import Engine

    h = harness()
    h.feed(rung(A, X, 20.0), 5.0)
    h.feed(answered(B, Y, since=1.0), 5.0)
    h.feed(answered(C, CallId("z"), since=1.0), 5.0)
    h.feed(ended(CallId("z"), C), 6.0)  # c in wrap-up until 16
    proj = project([agent("a", "app"), agent("b", "app"), agent("c", "app")])
    rebuilt = Engine(proj, rng=random.Random(0), start=7.0, snapshot=h.engine.snapshot())
    assert rebuilt.snapshot() == h.engine.snapshot()
    for agent_id in ("a", "b", "c"):
        assert rebuilt.verdict(agent_id, 7.0) == h.engine.verdict(agent_id, 7.0)
    # the rebuilt engine carries on: y's answer releases nobody, x's end frees a
    assert rebuilt.handle(ended(X), 8.0) == [CancelTimer(key=TimerKey("offer:a"))]
    assert rebuilt.verdict("a", 8.0).routable
    assert rebuilt.handle(TimerFired(key=TimerKey("wrapup:c")), 16.0) == []
    assert rebuilt.ring_order("q") == ["a", "c"]


def test_a_call_moves_only_along_its_table() -> None:
    import pytest

    from pcc_router.routing import NumberSpec, RoutingError
    from pcc_router.routing.flow import CALL_MOVES, move
    from pcc_router.routing.state import CallPhase, CallState

    call = CallState(CallId("c"), NumberSpec(number="1", queue_id=Q), "")
    assert call.phase is CallPhase.IVR
    with pytest.raises(RoutingError, match="cannot go from ivr to talking"):
        move(call, CallPhase.TALKING)
    assert call.phase is CallPhase.IVR  # refused: unchanged
    for phase in (CallPhase.WAITING, CallPhase.RINGING, CallPhase.TALKING, CallPhase.DONE):
        move(call, phase)
    assert CALL_MOVES[CallPhase.DONE] == frozenset()


def offer(h: EngineHarness, call_id: CallId, now: float) -> tuple[AgentId, ...]:
    from pcc_router.routing import AgentsRequested, OfferAgents

    commands = h.feed(AgentsRequested(queue_id=Q, call_ids=(call_id,)), now)
    offers = [c for c in commands if isinstance(c, OfferAgents)]
    assert len(offers) == 1
    return offers[0].agents


def test_an_agent_who_let_the_call_ring_out_is_offered_last_for_it() -> None:
    h = harness()
    assert offer(h, X, 0.0) == (A, B, C)
    h.feed(rung(B, X, 30.0), 15.0)  # PCC moved on to b: a's ring ended unanswered
    h.feed(TimerFired(key=TimerKey("offer:b")), 30.0)  # and b's ran out too
    assert offer(h, X, 30.0) == (C, A, B)
    # another call is not held to x's tries, and x's tries end with its answer
    assert offer(h, Y, 31.0)[0] == A
    h.feed(answered(A, X), 32.0)
    h.feed(ended(X, A), 40.0)
    assert offer(h, X, 41.0) == (B, C)  # with x's tries kept, c would come before b


def test_round_robin_moves_on_past_whoever_was_offered_first() -> None:
    from pcc_router.routing import Strategy

    agents = [agent("a", "app"), agent("b", "app"), agent("c", "app")]
    h = EngineHarness(project(agents, strategy=Strategy.ROUND_ROBIN))
    assert offer(h, X, 0.0)[0] == A
    h.feed(answered(A, X), 1.0)
    h.feed(ended(X, A), 2.0)
    h.feed(TimerFired(key=TimerKey("wrapup:a")), 20.0)
    # a is free again, yet the next call starts after her
    assert offer(h, Y, 21.0) == (B, C, A)


def test_an_answer_refused_changes_nothing() -> None:
    """PCC says an agent the engine is ringing answered another call: refused, and the
    other call's rings are left as they were (no half-applied event)."""
    import pytest

    from pcc_router.routing import CallArrived, RoutingError
    from tests.helpers import HOTLINE

    h = harness()
    h.feed(CallArrived(call_id=CallId("e"), to=HOTLINE), 1.0)
    rung_by_engine = h.engine.agent_view("a", 1.0)
    assert rung_by_engine.call_id == "e"
    h.feed(rung(B, X, 20.0), 2.0)
    before = h.engine.snapshot()
    with pytest.raises(RoutingError, match="of the engine"):
        h.engine.handle(answered(A, X), 3.0)
    assert h.engine.snapshot() == before
    assert h.engine.agent_view("b", 3.0).board_state == "ringing"
