"""A rebuilt engine is the engine it came from: same commands, same views, from then on."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcc_router.routing import (
    NOT_AVAILABLE,
    AgentCallEnded,
    AgentCallStarted,
    AgentId,
    AgentRingStarted,
    AgentsRequested,
    AgentUpdated,
    CallId,
    Channel,
    Command,
    Engine,
    Event,
    OfferAgents,
    PresenceChanged,
    Project,
    QueueId,
    SetManualStatus,
    Strategy,
    TimerFired,
    TimerKey,
)
from pcc_router.routing.agents import AGENT_ROW
from tests.helpers import agent, project

Q = QueueId("q")
AGENTS = [AgentId(a) for a in ("a", "b", "c", "d")]
CALLS = [CallId(c) for c in ("x", "y", "z", "w")]


def world(strategy: Strategy, max_no_answer: int, wrap_up: float) -> Project:
    return project(
        [agent(a, "app") for a in AGENTS],
        strategy=strategy,
        max_no_answer=max_no_answer,
        wrap_up_time_limit=wrap_up,
        agent_wrap_up_after_calls=wrap_up > 0,
        wait_agent_answer_timeout=15.0,
    )


def _event(kind: str, who: int, call: int, now: float, seed: int) -> Event:
    agent_id, call_id = AGENTS[who], CALLS[call]
    match kind:
        case "request":
            return AgentsRequested(queue_id=Q, call_ids=(call_id,), seed=seed)
        case "ring":
            return AgentRingStarted(agent_id=agent_id, call_id=call_id, until=now + 15.0)
        case "answer":
            return AgentCallStarted(agent_id=agent_id, call_id=call_id, since=now)
        case "end":
            return AgentCallEnded(call_id=call_id, agent_id=agent_id, queue_id=Q)
        case "end_earlier":
            return AgentCallEnded(call_id=call_id, agent_id=agent_id, queue_id=Q, ended_at=now - 3)
        case "offer_timer":
            return TimerFired(key=TimerKey(f"offer:{agent_id}"))
        case "wrap_timer":
            return TimerFired(key=TimerKey(f"wrapup:{agent_id}"))
        case "logout":
            return PresenceChanged(agent_id=agent_id, channel=Channel.APP, present=False)
        case "login":
            return PresenceChanged(agent_id=agent_id, channel=Channel.APP, present=True)
        case _:
            return AgentUpdated(agent_id=agent_id, manual_status="AVAILABLE")


KINDS = [
    "request",
    "ring",
    "answer",
    "end",
    "end_earlier",
    "offer_timer",
    "wrap_timer",
    "logout",
    "login",
    "available",
]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, len(AGENTS) - 1),
        st.integers(0, len(CALLS) - 1),
        st.floats(min_value=0.0, max_value=9.0),
        st.integers(0, 2**32 - 1),
    ),
    min_size=1,
    max_size=60,
)


def _state(engine: Engine, now: float) -> tuple[object, ...]:
    return (
        [engine.agent_view(a, now) for a in AGENTS],
        engine.ring_order(Q),
    )


@settings(max_examples=300, deadline=None)
@given(
    steps=STEPS,
    cut=st.integers(0, 60),
    strategy=st.sampled_from(
        [Strategy.ROUND_ROBIN, Strategy.LONGEST_IDLE, Strategy.RANDOM, Strategy.FEWEST_CALLS]
    ),
    max_no_answer=st.integers(0, 2),
    wrap_up=st.sampled_from([0.0, 5.0]),
)
def test_a_snapshot_taken_anywhere_rebuilds_the_same_engine(
    steps: list[tuple[str, int, int, float, int]],
    cut: int,
    strategy: Strategy,
    max_no_answer: int,
    wrap_up: float,
) -> None:
    proj = world(strategy, max_no_answer, wrap_up)
    original = Engine(proj, rng=random.Random(1))
    rebuilt: Engine | None = None
    now = 0.0
    for index, (kind, who, call, gap, seed) in enumerate(steps):
        now += gap
        if index == min(cut, len(steps) - 1):
            rebuilt = Engine(proj, rng=random.Random(2), start=now, snapshot=original.snapshot())
            assert rebuilt.snapshot() == original.snapshot()
        event = _event(kind, who, call, now, seed)
        expected = original.handle(event, now)
        if rebuilt is not None:
            assert rebuilt.handle(event, now) == expected, (index, event)
            assert _state(rebuilt, now) == _state(original, now)
    assert rebuilt is not None and rebuilt.snapshot() == original.snapshot()


def test_a_ring_out_counts_the_same_after_a_rebuild() -> None:
    """The issue's case: with max_no_answer 1, a ring PCC made that runs out makes her
    NOT AVAILABLE, on the engine that heard it and on one rebuilt from its snapshot."""
    proj = world(Strategy.LONGEST_IDLE, 1, 0.0)
    original = Engine(proj, rng=random.Random(0))
    original.handle(AgentRingStarted(agent_id=AGENTS[0], call_id=CALLS[0], until=15.0), 0.0)
    rebuilt = Engine(proj, rng=random.Random(0), start=1.0, snapshot=original.snapshot())
    expected = [
        SetManualStatus(
            agent_id=AGENTS[0],
            manual_status=NOT_AVAILABLE,
            reason="1 consecutive unanswered rings (max_no_answer of q)",
        )
    ]
    for engine in (original, rebuilt):
        assert engine.handle(TimerFired(key=TimerKey("offer:a")), 15.0) == expected
        assert engine.agent_view("a", 15.0).manual_status == NOT_AVAILABLE


def test_tried_agents_go_last_after_a_rebuild() -> None:
    proj = world(Strategy.LONGEST_IDLE, 0, 0.0)
    engine = Engine(proj, rng=random.Random(0))
    engine.handle(AgentsRequested(queue_id=Q, call_ids=(CALLS[0],)), 0.0)  # a offered first
    engine.handle(TimerFired(key=TimerKey("offer:a")), 15.0)  # ... and let it ring out
    snapshot = engine.snapshot()
    assert snapshot.calls[0].call_id == "x" and snapshot.calls[0].tries == (("a", 1),)
    rebuilt = Engine(proj, rng=random.Random(0), start=16.0, snapshot=snapshot)
    again = AgentsRequested(queue_id=Q, call_ids=(CALLS[0],))
    commands: list[Command] = rebuilt.handle(again, 16.0)
    assert commands == engine.handle(again, 16.0)
    offer = next(c for c in commands if isinstance(c, OfferAgents))
    assert offer.agents == ("b", "c", "d", "a")  # she rang out for x: last


def test_changes_name_what_a_shell_must_write() -> None:
    proj = world(Strategy.ROUND_ROBIN, 0, 0.0)
    engine = Engine(proj, rng=random.Random(0))
    engine.handle(AgentsRequested(queue_id=Q, call_ids=(CALLS[0],)), 0.0)
    changes = engine.drain_changes()
    assert list(changes.agents) == ["a"]
    assert changes.rr_last == {"q": 0}
    assert list(changes.calls) == ["x"] and changes.calls[CallId("x")] is not None
    engine.handle(AgentCallStarted(agent_id=AGENTS[0], call_id=CALLS[0], since=1.0), 1.0)
    forgotten = engine.drain_changes()
    assert forgotten.calls == {"x": None} and not forgotten.rr_last
    assert not engine.drain_changes()


def test_an_engine_that_tracks_no_changes_says_so_and_routes_the_same() -> None:
    """The simulator's engine notes no changes (nobody writes them); asking is an error,
    not an empty answer, and its commands are the same."""
    proj = world(Strategy.ROUND_ROBIN, 0, 0.0)
    tracking = Engine(proj, rng=random.Random(0))
    untracked = Engine(proj, rng=random.Random(0), track_changes=False)
    request = AgentsRequested(queue_id=Q, call_ids=(CALLS[0],))
    assert untracked.handle(request, 0.0) == tracking.handle(request, 0.0)
    with pytest.raises(RuntimeError, match="track_changes=False"):
        untracked.drain_changes()


@settings(max_examples=100, deadline=None)
@given(steps=STEPS)
def test_an_agents_store_record_reads_back_as_the_same_snapshot(
    steps: list[tuple[str, int, int, float, int]],
) -> None:
    engine = Engine(world(Strategy.LONGEST_IDLE, 1, 5.0), rng=random.Random(1))
    now = 0.0
    for kind, who, call, gap, seed in steps:
        now += gap
        engine.handle(_event(kind, who, call, now, seed), now)
    for agent_id, snapshot in engine.snapshot().agents.items():
        row = snapshot.as_row()
        assert tuple(row) == AGENT_ROW, agent_id  # one list of columns
        assert type(snapshot).from_row(row, push=snapshot.push) == snapshot
