"""The event codec round-trips every engine event and refuses what it does not know."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcc_router.routing import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentsListed,
    AgentsRequested,
    AgentUpdated,
    CallArrived,
    CallEnded,
    CallerHungUp,
    CodecError,
    PresenceChanged,
    TimerFired,
    TimerKind,
    decode_event,
    encode_event,
    timer_key,
)

ids = st.text(min_size=1, max_size=12)
times = st.floats(allow_nan=False, allow_infinity=False, width=64)
events = st.one_of(
    st.builds(CallArrived, call_id=ids, to=ids, caller=ids, keys=st.text(max_size=3)),
    st.builds(CallerHungUp, call_id=ids),
    st.builds(AgentAnswered, call_id=ids, agent_id=ids),
    st.builds(CallEnded, call_id=ids),
    st.builds(TimerFired, key=st.builds(timer_key, st.sampled_from(list(TimerKind)), ids)),
    st.builds(
        AgentUpdated,
        agent_id=ids,
        manual_status=st.none() | ids,
        routing_type=st.none() | st.sampled_from([1, 2]),
        phone_number=st.none() | ids,
    ),
    st.builds(PresenceChanged, agent_id=ids, present=st.booleans(), expires_at=st.none() | times),
    st.builds(AgentRingStarted, agent_id=ids, call_id=ids, until=times),
    st.builds(AgentCallStarted, agent_id=ids, call_id=ids, since=st.none() | times),
    st.builds(AgentCallEnded, call_id=ids, agent_id=st.none() | ids, queue_id=st.none() | ids),
    st.builds(
        AgentsRequested,
        queue_id=ids,
        call_ids=st.lists(ids, max_size=3).map(tuple),
        seed=st.integers(0, 2**32 - 1),
    ),
    st.lists(st.tuples(ids, times), max_size=3).flatmap(
        lambda pairs: st.builds(
            AgentsListed,
            call_id=ids,
            agents=st.just(tuple(agent for agent, _ in pairs)),
            answer_timeouts=st.just(tuple(timeout for _, timeout in pairs)),
            failed=st.booleans(),
        )
    ),
)


@given(event=events)
def test_every_event_survives_a_trip_through_json(event: object) -> None:
    text = json.dumps(encode_event(event))  # type: ignore[arg-type]
    assert decode_event(json.loads(text)) == event


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "Teleported", "agent_id": "a"}, "not an engine event type"),
        ({"agent_id": "a"}, "not an engine event type"),
        ({"type": "TimerFired", "key": "k", "colour": "red"}, "no field 'colour'"),
        ({"type": "TimerFired"}, "TimerFired"),
        ({"type": "TimerFired", "key": "lunch:alice"}, "unknown timer"),
        ({"type": "PresenceChanged", "agent_id": "a", "channel": "fax", "present": True}, "fax"),
    ],
)
def test_what_it_does_not_know_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_event(data)
