"""Engine scripts: feed events, compare the exact commands.

(Just over 300 lines: each script spells out its full command list, on purpose.)
"""

from __future__ import annotations

from pcc_router.routing import (
    AgentAnswered,
    AgentId,
    CallArrived,
    CallEnded,
    CallerHungUp,
    CallId,
    CancelRing,
    CancelTimer,
    CloseCall,
    ConnectCall,
    ForwardCall,
    HangUp,
    Outcome,
    QueueCall,
    QueueId,
    RingAgent,
    RingOutcome,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
    Strategy,
    TimerFired,
    TimerKey,
)
from tests.helpers import HOTLINE, EngineHarness, agent, project

Q = QueueId("q")
C1, C2 = CallId("c1"), CallId("c2")
A, B, C = AgentId("a"), AgentId("b"), AgentId("c")


def arrive(call_id: str, keys: str = "") -> CallArrived:
    return CallArrived(call_id=CallId(call_id), to=HOTLINE, keys=keys)


def ring(call_id: str, agent_id: str, until: float) -> RingAgent:
    return RingAgent(call_id=CallId(call_id), agent_id=AgentId(agent_id), queue_id=Q, until=until)


def test_a_call_rings_answers_talks_and_wraps_up() -> None:
    h = EngineHarness(project([agent("a", "app"), agent("b", "app")]))
    h.feed(
        arrive("c1"),
        0.0,
        [
            QueueCall(call_id=C1, queue_id=Q),
            ring("c1", "a", 15.0),
            StartTimer(key=TimerKey("ring:c1"), at=15.0),
        ],
    )
    h.feed(
        AgentAnswered(call_id=C1, agent_id=A),
        2.0,
        [
            CancelTimer(key=TimerKey("ring:c1")),
            ConnectCall(call_id=C1, agent_id=A),
            SetSystemStatus(agent_id=A, system_status=0),
        ],
    )
    h.feed(
        CallEnded(call_id=C1),
        62.0,
        [
            SetSystemStatus(agent_id=A, system_status=1),
            StartTimer(key=TimerKey("wrapup:a"), at=72.0),
            CloseCall(call_id=C1, outcome=Outcome.ANSWERED, queue_id=Q),
        ],
    )
    # a is in wrap-up, so the next call goes to b although a was rung first.
    assert h.feed(arrive("c2"), 65.0)[1] == ring("c2", "b", 80.0)
    h.feed(TimerFired(key=TimerKey("wrapup:a")), 72.0, [])
    assert h.engine.verdict("a", 72.0).routable


def test_no_answer_moves_the_call_to_the_next_agent_and_keeps_its_place() -> None:
    h = EngineHarness(project([agent("a", "app"), agent("b", "app")], strategy=Strategy.TOP_DOWN))
    h.feed(arrive("c1"), 0.0)
    h.feed(AgentAnswered(call_id=C1, agent_id=A), 0.5)  # b is still free
    h.feed(arrive("c2"), 1.0)  # rings b
    # c3 waits behind nobody: every agent is busy
    h.feed(
        CallArrived(call_id=CallId("c3"), to=HOTLINE),
        2.0,
        [
            QueueCall(call_id=CallId("c3"), queue_id=Q),
        ],
    )
    # b lets c2 ring out: c2 is older than c3, so it keeps the head and rings b again
    h.feed(
        TimerFired(key=TimerKey("ring:c2")),
        16.0,
        [
            CancelRing(call_id=C2, agent_id=B, outcome=RingOutcome.NO_ANSWER),
            ring("c2", "b", 31.0),
            StartTimer(key=TimerKey("ring:c2"), at=31.0),
        ],
    )


def test_ring_all_first_answer_wins_and_cancels_the_rest() -> None:
    h = EngineHarness(
        project(
            [agent("a", "app"), agent("b", "push"), agent("c", "sip")], strategy=Strategy.RING_ALL
        )
    )
    h.feed(
        arrive("c1"),
        0.0,
        [
            QueueCall(call_id=C1, queue_id=Q),
            ring("c1", "a", 15.0),
            ring("c1", "b", 15.0),
            ring("c1", "c", 15.0),
            StartTimer(key=TimerKey("ring:c1"), at=15.0),
        ],
    )
    h.feed(
        AgentAnswered(call_id=C1, agent_id=B),
        3.0,
        [
            CancelTimer(key=TimerKey("ring:c1")),
            CancelRing(call_id=C1, agent_id=A, outcome=RingOutcome.CANCELLED),
            CancelRing(call_id=C1, agent_id=C, outcome=RingOutcome.CANCELLED),
            ConnectCall(call_id=C1, agent_id=B),
            SetSystemStatus(agent_id=B, system_status=0),
        ],
    )
    # a late answer from a cancelled ring changes nothing
    h.feed(AgentAnswered(call_id=C1, agent_id=A), 3.5, [])


def test_caller_hanging_up_while_ringing_cancels_the_ring() -> None:
    h = EngineHarness(project([agent("a", "app")], maximum_queue_wait_time=60.0))
    h.feed(arrive("c1"), 0.0)
    h.feed(
        CallerHungUp(call_id=C1),
        4.0,
        [
            CancelTimer(key=TimerKey("ring:c1")),
            CancelRing(call_id=C1, agent_id=A, outcome=RingOutcome.CANCELLED),
            CancelTimer(key=TimerKey("qwait:c1")),
            CloseCall(call_id=C1, outcome=Outcome.ABANDONED, queue_id=Q),
        ],
    )
    assert h.engine.verdict("a", 4.0).routable


def test_max_no_answer_sets_not_available() -> None:
    h = EngineHarness(project([agent("a", "app")], max_no_answer=2))
    h.feed(arrive("c1"), 0.0)
    h.feed(TimerFired(key=TimerKey("ring:c1")), 15.0)
    reason = "2 consecutive unanswered rings (max_no_answer of q)"
    h.feed(
        TimerFired(key=TimerKey("ring:c1")),
        30.0,
        [
            CancelRing(call_id=C1, agent_id=A, outcome=RingOutcome.NO_ANSWER),
            SetManualStatus(agent_id=A, manual_status="NOT AVAILABLE", reason=reason),
        ],
    )
    verdict = h.engine.verdict("a", 30.0)
    assert [r.code for r in verdict.reasons] == ["manual_status"]
    assert h.engine.waiting("q") == 1


def test_full_queue_turns_calls_away_or_overflows() -> None:
    h = EngineHarness(project([agent("a")], maximum_queue_size=1))
    h.feed(arrive("c1"), 0.0)
    h.feed(
        arrive("c2"),
        1.0,
        [
            HangUp(call_id=C2, reason=Outcome.QUEUE_FULL),
            CloseCall(call_id=C2, outcome=Outcome.QUEUE_FULL, queue_id=Q),
        ],
    )


def test_queue_timeout_forwards_by_overflow() -> None:
    from pcc_router.routing import Action

    h = EngineHarness(
        project(
            [agent("a")], maximum_queue_wait_time=30.0, overflow=Action.parse("forward:84900000000")
        )
    )
    h.feed(
        arrive("c1"),
        0.0,
        [QueueCall(call_id=C1, queue_id=Q), StartTimer(key=TimerKey("qwait:c1"), at=30.0)],
    )
    h.feed(
        TimerFired(key=TimerKey("qwait:c1")),
        30.0,
        [
            ForwardCall(call_id=C1, number="84900000000"),
            CloseCall(call_id=C1, outcome=Outcome.FORWARDED, queue_id=Q),
        ],
    )
    assert h.engine.waiting("q") == 0


def test_menu_replays_once_then_fails() -> None:
    h = EngineHarness(project([agent("a", "app")], menu={"0": "queue:q"}))
    h.feed(arrive("c1"), 0.0, [StartTimer(key=TimerKey("ivr:c1"), at=5.0)])
    h.feed(TimerFired(key=TimerKey("ivr:c1")), 5.0, [StartTimer(key=TimerKey("ivr:c1"), at=10.0)])
    h.feed(
        TimerFired(key=TimerKey("ivr:c1")),
        10.0,
        [
            HangUp(call_id=C1, reason=Outcome.IVR_FAILED),
            CloseCall(call_id=C1, outcome=Outcome.IVR_FAILED, queue_id=None),
        ],
    )


def test_menu_keys_empty_and_invalid() -> None:
    menu = {"0": "queue:q", "EMPTY_KEY": "hangup", "INVALID_KEY": "forward:8490"}
    h = EngineHarness(project([agent("a", "app")], menu=menu))
    h.feed(
        arrive("c1", keys="7"),
        0.0,
        [
            ForwardCall(call_id=C1, number="8490"),
            CloseCall(call_id=C1, outcome=Outcome.FORWARDED, queue_id=None),
        ],
    )
    h.feed(arrive("c2"), 0.0, [StartTimer(key=TimerKey("ivr:c2"), at=5.0)])
    h.feed(
        TimerFired(key=TimerKey("ivr:c2")),
        5.0,
        [
            HangUp(call_id=C2, reason=Outcome.HANGUP),
            CloseCall(call_id=C2, outcome=Outcome.HANGUP, queue_id=None),
        ],
    )
    commands = h.feed(arrive("c3", keys="0"), 6.0)
    assert commands[0] == QueueCall(call_id=CallId("c3"), queue_id=Q)


def test_backup_group_rings_only_without_a_routable_primary() -> None:
    h = EngineHarness(project([agent("a", "app"), agent("z", "app")], backups=["z"]))
    assert h.engine.ring_order("q") == ["a"]
    h.feed(arrive("c1"), 0.0)  # rings a
    assert h.engine.ring_order("q") == ["z"]
    assert h.feed(arrive("c2"), 1.0)[1] == ring("c2", "z", 16.0)


def test_retry_rule_tries_everyone_before_repeating() -> None:
    agents = [agent("a", "app"), agent("b", "app"), agent("c", "app")]
    h = EngineHarness(project(agents, strategy=Strategy.TOP_DOWN))
    h.feed(arrive("c1"), 0.0)
    rung = []
    for n in range(1, 5):
        commands = h.feed(TimerFired(key=TimerKey("ring:c1")), 15.0 * n)
        rung += [c.agent_id for c in commands if isinstance(c, RingAgent)]
    assert rung == ["b", "c", "a", "b"]


def test_sip_registration_lapses_by_itself() -> None:
    from pcc_router.routing import Channel, PresenceChanged

    h = EngineHarness(project([agent("a")]))
    h.feed(
        PresenceChanged(agent_id=A, channel=Channel.SIP, present=True, expires_at=100.0),
        0.0,
        [StartTimer(key=TimerKey("sip:a"), at=100.0)],
    )
    assert h.engine.verdict("a", 50.0).routable
    h.feed(TimerFired(key=TimerKey("sip:a")), 100.0, [])
    verdict = h.engine.verdict("a", 100.0)
    assert not verdict.routable
    assert "SIP registration expired at 00:01:40" in verdict.reasons[0].text
    # a call now waits: nobody is routable
    assert h.feed(arrive("c1"), 101.0) == [QueueCall(call_id=C1, queue_id=Q)]


def test_calls_routed_by_pcc_itself_make_the_agent_busy_then_wrap_up() -> None:
    from pcc_router.routing import AgentCallEnded, AgentCallStarted

    h = EngineHarness(project([agent("a", "app"), agent("b", "app")]))
    started = AgentCallStarted(agent_id=A, call_id=CallId("pcc-1"))
    h.feed(started, 5.0, [SetSystemStatus(agent_id=A, system_status=0)])
    h.feed(started, 6.0, [])  # the same report twice changes nothing
    assert h.engine.ring_order("q") == ["b"]
    # the end of another call of a's is not this one: a stays busy
    h.feed(AgentCallEnded(agent_id=A, call_id=CallId("other")), 7.0, [])
    h.feed(
        AgentCallEnded(agent_id=A, call_id=CallId("pcc-1"), queue_id=Q),
        65.0,
        [
            SetSystemStatus(agent_id=A, system_status=1),
            StartTimer(key=TimerKey("wrapup:a"), at=75.0),
        ],
    )
    h.feed(TimerFired(key=TimerKey("wrapup:a")), 75.0, [])
    # a's call ended most recently, so longest_idle puts b first
    assert h.engine.ring_order("q") == ["b", "a"]


def test_a_snapshot_carries_an_engine_over() -> None:
    proj = project([agent("a", "app"), agent("b", "app")], agent_wrap_up_after_calls=False)
    h = EngineHarness(proj)
    h.feed(arrive("c1"), 0.0)  # rings a (tie order)
    h.feed(AgentAnswered(call_id=C1, agent_id=A), 1.0)
    h.feed(CallEnded(call_id=C1), 50.0)  # a idle since 50, b since the start
    assert h.engine.ring_order("q") == ["b", "a"]
    fresh = EngineHarness(proj).engine
    assert fresh.ring_order("q") == ["a", "b"]  # without a snapshot: tie order again
    import random

    from pcc_router.routing import Engine

    rebuilt = Engine(proj, rng=random.Random(0), start=60.0, snapshot=h.engine.snapshot())
    assert rebuilt.ring_order("q") == ["b", "a"]
    assert rebuilt.agent_history("a").handled == 1 and rebuilt.agent_history("a").talk_time == 49.0
    assert rebuilt.snapshot() == h.engine.snapshot()
