"""End to end: the PCC emulator rings by the controller's answers, and both shells agree.

For each scenario in ``scenarios/`` the emulator (virtual time) asks the
controller's ``get_list_agents_url`` and posts every call event to its
``event_url``; the controller runs on the emulator's clock. Every call's rings
(agent, time, outcome) and outcome must equal ``pcc-router simulate``'s for
the same file and seed, except where they cannot, each named below:

- ``ring_all``: PCC rings a custom-routing list one agent at a time, so a
  ``ring_all`` queue rings its agents in turn, not all at once.
- ``hotline_day``: its ``tel`` pool gives four routing_type 2 agents one
  phone number, and PCC's call events name such an agent only by that
  number. The run gives each her own number; then the shells agree call for
  call until PCC first walks on down a list after a ring-out (the simulator
  chooses again at that moment, with what changed since the list was made),
  and in their KPIs after it.
- ``hotline_forecast``: the same day as a forecast (one pool, no ``tel``
  agents); it parts for the same reason, at the same kind of moment.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pcc_router.simulator import load_scenario, simulate
from pcc_router.simulator.scenario import Scenario
from tests.conftest import ROOT
from tests.e2e.support import expire_lost_calls, side_by_side, with_distinct_phones

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
NAMED = {"ring_all.toml", "hotline_day.toml", "hotline_forecast.toml"}


def simulated(scenario: Scenario) -> list[dict[str, Any]]:
    return [call.as_dict() for call in simulate(scenario).calls]


async def emulated(scenario: Scenario, tmp_path: Path) -> list[dict[str, Any]]:
    async with side_by_side(scenario, tmp_path) as pair:
        assert await pair.pcc.until_idle()
        refused = [d for d in pair.pcc.deliveries() if d["state"] not in ("delivered", "answered")]
        assert refused == [], ("the controller refused or missed what PCC sent", refused[:3])
        return [{k: v for k, v in c.items() if k != "call_id"} for c in pair.pcc.calls()]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.slow) if p.stem == "traffic_pools" else p
        for p in SCENARIOS
        if p.name not in NAMED
    ],
    ids=lambda p: p.stem,
)
async def test_every_ring_and_outcome_is_the_simulators(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    assert await emulated(scenario, tmp_path) == simulated(scenario)


async def test_ring_all_rings_in_turn_and_answers_the_same_calls(tmp_path: Path) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "ring_all.toml")
    got, expected = await emulated(scenario, tmp_path), simulated(scenario)
    assert [c["outcome"] for c in got] == [c["outcome"] for c in expected]
    assert all(len({r["at"] for r in c["rang"]}) == len(c["rang"]) for c in got)  # one at a time
    assert any(len(c["rang"]) > 1 and len({r["at"] for r in c["rang"]}) == 1 for c in expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hotline_day", "hotline_forecast"])
async def test_a_day_agrees_call_for_call_until_pcc_walks_its_list(
    tmp_path: Path, name: str
) -> None:
    day = with_distinct_phones(load_scenario(ROOT / "scenarios" / f"{name}.toml"))
    scenario = dataclasses.replace(day, until=5 * 3600.0)  # the morning, past the first parting
    got, expected = await emulated(scenario, tmp_path), simulated(scenario)
    assert len(got) == len(expected) > 1200
    first = next((i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e), None)
    if first is not None:
        assert first > 500, "the shells part too early to be the named cause"
        g, e = got[first], expected[first]
        # the named cause: the same first ring ran out; PCC then rang the next on its list
        assert g["rang"][0] == e["rang"][0] and g["rang"][0]["outcome"] == "no_answer"
        assert g["rang"][1]["agent"] != e["rang"][1]["agent"]
    answered = [sum(c["outcome"] == "answered" for c in calls) for calls in (got, expected)]
    assert abs(answered[0] - answered[1]) <= 0.02 * len(got)


@pytest.mark.slow
async def test_under_faults_the_controller_ends_where_pcc_does(tmp_path: Path) -> None:
    """Events dropped, repeated, held back and delayed: afterwards no agent is left busy,
    and each agent's manual status is PCC's."""
    scenario = load_scenario(ROOT / "scenarios" / "traffic_pools.toml")
    faults = "drop=0.05,duplicate=0.05,reorder=0.05,delay=3s"
    async with side_by_side(scenario, tmp_path, faults=faults) as pair:
        assert await pair.pcc.until_idle()
        faulted = [d for d in pair.pcc.deliveries("event") if d["fault"]]
        assert {d["fault"].split(" ")[0] for d in faulted} >= {"dropped", "duplicated", "reordered"}
        await expire_lost_calls(pair)
        agents = await pair.agents()
        emulated_agents = pair.pcc.emulator.records.agents.values()
        assert {a["stringee_user_id"]: a["manual_status"] for a in emulated_agents} == {
            user: agent["manual_status"] for user, agent in agents.items()
        }
        busy = {user: agent["state"] for user, agent in agents.items() if agent["state"] != "idle"}
        assert busy == {}
        assert all(agent["system_status"] == 1 for agent in agents.values())
