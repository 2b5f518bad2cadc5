"""A scenario read as a forecast: calls per interval, targets, Erlang A, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcc_router.simulator.plan.forecast import PlanError, parse_targets
from pcc_router.simulator.plan.requirement import erlang_requirement
from pcc_router.simulator.theory import QueueModel, erlang_a
from tests.simulator.plan_helpers import STATIONARY, forecast_of, write


def test_calls_per_interval_integrate_the_profile(tmp_path: Path) -> None:
    hourly = forecast_of(write(tmp_path, STATIONARY))
    assert hourly.calls == pytest.approx((120, 120, 240, 240, 180, 180))
    assert hourly.talk == pytest.approx((180,) * 6) and hourly.patience == pytest.approx((120,) * 6)
    # 90-minute intervals straddle the steps: 01:30-03:00 is 30 min at 120/h and 60 at 240/h
    straddling = forecast_of(write(tmp_path, STATIONARY), interval=5400)
    assert straddling.calls == pytest.approx((180, 300, 330, 270))
    assert straddling.label(1) == "01:30-03:00" and straddling.fixed_agents == 0


def test_targets_a_plan_can_staff_to() -> None:
    [target] = parse_targets(["asa<=30"])
    assert (target.kpi, target.op, target.value) == ("asa", "<=", 30.0)
    cases = {
        "happiness>=1": "--target",
        "wait_p90<=30": "a plan staffs to",
        "service_level_20s<=0.8": "must be >= or >",
        "occupancy>=0.7": "must be <= or <",
        "asa<=0": "no staffing reaches that; give a value above 0",
        "service_level_20s>=1.5": "at most 1",
        "abandon_rate<0": "above 0",
    }
    for text, said in cases.items():
        with pytest.raises(PlanError) as caught:
            parse_targets([text])
        assert caught.value.where == "--target" and said in str(caught.value)
    with pytest.raises(PlanError, match="at least one"):
        parse_targets([])


def test_erlang_requirement_is_the_fewest_agents_meeting_the_target(tmp_path: Path) -> None:
    forecast = forecast_of(write(tmp_path, STATIONARY))
    targets = parse_targets(["service_level_20s>=0.8", "abandon_rate<=0.05"])
    need = erlang_requirement(forecast, targets)
    assert need[0] == need[1] and need[2] == need[3] and need[0] < need[4] < need[2]

    def kpis(calls: float, n: int) -> dict[str, float]:
        model = QueueModel(arrival_rate=calls / 3600, mean_talk=180, agents=n, mean_patience=120)
        return erlang_a(model).as_kpis()

    for calls, agents in zip(forecast.calls, need, strict=True):
        assert all(t.met(kpis(calls, agents)[t.kpi]) for t in targets)
        assert not all(t.met(kpis(calls, agents - 1)[t.kpi]) for t in targets)


def test_the_queues_other_agents_are_taken_off_erlangs_count(tmp_path: Path) -> None:
    text = STATIONARY.replace(
        'numbers = [', 'agents = [{ stringee_user_id = "boss", online = ["app"] }]\n'
        'groups = [{ id = "g", agents = ["boss"] }]\nnumbers = ['
    )  # fmt: skip
    alone = erlang_requirement(forecast_of(write(tmp_path, STATIONARY, "a.toml")),
                               parse_targets(["service_level_20s>=0.8"]))  # fmt: skip
    helped = forecast_of(write(tmp_path, text, "b.toml"))
    assert helped.fixed_agents == 1
    assert erlang_requirement(helped, parse_targets(["service_level_20s>=0.8"])) == [
        n - 1 for n in alone
    ]


@pytest.mark.parametrize(
    ("change", "where", "said"),
    [
        # no until (the file then needs a calls cap: the until check comes first)
        (('until = "6h"\n', ""), "until", "day's length"),
        (('to = "1900"', 'to = "1900"\ncalls = 50'), "traffic[0].calls", "calls cap"),
    ],
)
def test_forecasts_that_cannot_be_planned(
    tmp_path: Path, change: tuple[str, str], where: str, said: str
) -> None:
    text = STATIONARY.replace(*change)
    if where == "until":
        text = text.replace('to = "1900"', 'to = "1900"\ncalls = 500')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as caught:
        forecast_of(path)
    assert caught.value.where == where and said in caught.value.message


def test_an_empty_keys_string_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, STATIONARY.replace("[[traffic]]", '[[traffic]]\nkeys = ""'))
    assert forecast_of(path).intervals == 6


def test_interval_must_divide_the_day(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        forecast_of(write(tmp_path, STATIONARY), interval=2520)  # 42 minutes
    assert caught.value.where == "--interval" and "does not divide the day" in caught.value.message
    with pytest.raises(PlanError, match="from 5m to 24h"):
        forecast_of(write(tmp_path, STATIONARY), interval=60)


def test_a_forecast_with_no_calls_for_the_queue_is_refused(tmp_path: Path) -> None:
    silent = STATIONARY.replace('profile = [["0h", 120], ["2h", 240], ["4h", 180]]',
                                'profile = [["0h", 0]]')  # fmt: skip
    with pytest.raises(PlanError, match="no calls"):
        forecast_of(write(tmp_path, silent))


def test_the_planned_pool_must_be_named_among_several_and_keep_its_timeline(
    tmp_path: Path,
) -> None:
    two = STATIONARY + '\n[[agent_pools]]\nprefix = "b"\ncount = 2\ngroup = "g"\nonline = ["app"]\n'
    with pytest.raises(PlanError) as caught:
        forecast_of(write(tmp_path, two))
    assert caught.value.where == "agent_pools" and "--pool" in caught.value.message
    assert forecast_of(write(tmp_path, two), pool="b").fixed_agents == 10
    with pytest.raises(PlanError, match=r"no .* prefix 'c'"):
        forecast_of(write(tmp_path, two), pool="c")
    lunch = STATIONARY + (
        '\n[[events]]\nat = "1h"\nagent = "a002"\nset = { manual_status = "LUNCH BREAK" }\n'
    )
    with pytest.raises(PlanError) as caught:
        forecast_of(write(tmp_path, lunch))
    assert caught.value.where == "events[0].agent" and "[[shifts]]" in caught.value.message


def test_an_agent_named_like_the_pools_is_refused(tmp_path: Path) -> None:
    clash = STATIONARY.replace(
        "numbers = [", 'agents = [{ stringee_user_id = "a011", online = ["app"] }]\nnumbers = ['
    )
    with pytest.raises(PlanError) as caught:
        forecast_of(write(tmp_path, clash))
    assert caught.value.where == "agents" and "'a011'" in caught.value.message
