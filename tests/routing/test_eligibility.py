"""The PCC routable rule: every reason, together, in words."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcc_router.routing import (
    AgentId,
    AgentUpdated,
    CallArrived,
    CallId,
    Channel,
    PresenceChanged,
    ReasonCode,
    RoutingType,
)
from pcc_router.routing.eligibility import is_routable, verdict
from pcc_router.routing.state import Activity, AgentState
from tests.helpers import HOTLINE, EngineHarness, agent, project


def codes(h: EngineHarness, agent_id: str, now: float = 0.0) -> list[str]:
    return [r.code.value for r in h.engine.verdict(agent_id, now).reasons]


@pytest.mark.parametrize("channel", ["app", "push", "sip"])
def test_routing_type_1_is_online_by_any_channel(channel: str) -> None:
    h = EngineHarness(project([agent("a", channel)]))
    assert h.engine.verdict("a", 0.0).routable


def test_routing_type_1_offline_names_all_three_channels() -> None:
    h = EngineHarness(project([agent("a")]))
    verdict = h.engine.verdict("a", 0.0)
    assert not verdict.routable
    assert verdict.reasons[0].code is ReasonCode.OFFLINE
    assert verdict.reasons[0].text == (
        "routing_type 1 but offline: no App/Web session, no push token, no SIP registration"
    )


def test_routing_type_2_needs_a_phone_number_and_not_a_session() -> None:
    h = EngineHarness(
        project(
            [agent("a", routing_type=2), agent("b", routing_type=2, phone_number="84901234567")]
        )
    )
    assert codes(h, "a") == ["no_phone"]
    assert h.engine.verdict("b", 0.0).routable


def test_every_failing_reason_is_listed() -> None:
    h = EngineHarness(project([agent("a", manual_status="LUNCH BREAK")]))
    assert codes(h, "a") == ["manual_status", "offline"]
    assert str(h.engine.verdict("a", 0.0)).startswith(
        'not routable: manual_status is "LUNCH BREAK"'
    )


def test_ringing_and_talking_and_wrap_up_are_reasons() -> None:
    from pcc_router.routing import AgentAnswered, CallEnded

    h = EngineHarness(project([agent("a", "app")]))
    h.feed(CallArrived(call_id=CallId("c1"), to=HOTLINE), 0.0)
    assert codes(h, "a") == ["ringing"]
    h.feed(AgentAnswered(call_id=CallId("c1"), agent_id=AgentId("a")), 1.0)
    assert codes(h, "a") == ["in_call"]
    h.feed(CallEnded(call_id=CallId("c1")), 5.0)
    assert codes(h, "a") == ["wrap_up"]
    assert h.engine.verdict("a", 5.0).reasons[0].text == "in wrap-up until 00:00:15"


def test_presence_and_manual_status_changes_apply() -> None:
    h = EngineHarness(project([agent("a")]))
    h.feed(PresenceChanged(agent_id=AgentId("a"), channel=Channel.PUSH, present=True), 1.0)
    assert h.engine.verdict("a", 1.0).routable
    h.feed(AgentUpdated(agent_id=AgentId("a"), manual_status="INVISIBLE"), 2.0)
    assert codes(h, "a") == ["manual_status"]
    h.feed(AgentUpdated(agent_id=AgentId("a"), routing_type=2), 3.0)
    assert codes(h, "a") == ["manual_status", "no_phone"]


@given(
    activity=st.sampled_from(list(Activity)),
    manual=st.sampled_from(["AVAILABLE", "NOT AVAILABLE", "available", ""]),
    routing_type=st.sampled_from([1, 2]),
    phone=st.sampled_from(["", "84901234567"]),
    app=st.booleans(),
    push=st.booleans(),
    sip=st.sampled_from([None, 5.0, 50.0, math.inf]),
)
def test_fast_rule_agrees_with_the_rule_table(
    activity: Activity,
    manual: str,
    routing_type: int,
    phone: str,
    app: bool,
    push: bool,
    sip: float | None,
) -> None:
    state = AgentState(agent("a"), start=0.0)
    state.activity, state.manual_status = activity, manual
    state.routing_type, state.phone_number = RoutingType(routing_type), phone
    state.app, state.push, state.sip_expires = app, push, sip
    assert is_routable(state, 10.0) == verdict(state, 10.0).routable
