"""Scenarios, results and the engine's records survive pickle and deepcopy, compiled or not.

Runs go to other processes (a sweep, a staffing plan) and other machines; a
record compiled by mypyc cannot be rebuilt the default way, so each registers
a reduction by its constructor (``pcc_router.routing.pickling``). CI runs this
on both builds.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any, get_args

import pytest

from pcc_router.routing import (
    AgentsListed,
    AgentSnapshot,
    CallArrived,
    Command,
    Event,
    RingAgent,
    TimerFired,
    TimerKey,
)
from pcc_router.simulator import load_scenario, simulate
from tests.conftest import HOTLINE


def _roundtrips(value: Any) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value


def test_a_scenario_pickles_whole() -> None:
    scenario = load_scenario(HOTLINE)
    again = pickle.loads(pickle.dumps(scenario))
    assert again == scenario
    assert simulate(again).kpis == simulate(scenario).kpis


def test_a_result_with_its_calls_pickles() -> None:
    result = simulate(load_scenario(HOTLINE))
    again = pickle.loads(pickle.dumps(result))
    assert [c.as_dict() for c in again.calls] == [c.as_dict() for c in result.calls]
    assert again.kpis == result.kpis and again.agents == result.agents
    assert again.decisions == result.decisions


@pytest.mark.parametrize(
    "record",
    [
        CallArrived(call_id="c1", to="02473000062", keys="0"),  # type: ignore[arg-type]
        TimerFired(key=TimerKey("ring:c1")),
        AgentsListed(call_id="c1", agents=("a",), answer_timeouts=(15.0,)),  # type: ignore[arg-type]
        RingAgent(call_id="c1", agent_id="a", queue_id="q", until=3.0),  # type: ignore[arg-type]
    ],
)
def test_events_and_commands_pickle(record: Any) -> None:
    _roundtrips(record)


def test_every_event_and_command_type_is_registered() -> None:
    import copyreg

    for cls in (*get_args(Event), *get_args(Command), AgentSnapshot):
        assert cls in copyreg.dispatch_table, cls.__name__
