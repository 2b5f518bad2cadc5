"""A plan's day: staffing as timelines, the staffed scenario, and what each interval counted."""

from __future__ import annotations

from pathlib import Path

from pcc_router.simulator.kpis import CallRecord
from pcc_router.simulator.plan.days import (
    IntervalCounts,
    IntervalKpis,
    day_document,
    interval_counts,
    staffing_timelines,
    summarise,
)
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario.loader import read_document, scenario_from_document
from pcc_router.simulator.sweep import Target
from tests.simulator.plan_helpers import STATIONARY, write


def test_staffing_becomes_agents_coming_on_and_off() -> None:
    assert staffing_timelines([2, 3, 1, 0], 1800.0) == [
        ("AVAILABLE", ((5400.0, "NOT AVAILABLE"),)),
        ("AVAILABLE", ((3600.0, "NOT AVAILABLE"),)),
        ("NOT AVAILABLE", ((1800.0, "AVAILABLE"), (3600.0, "NOT AVAILABLE"))),
    ]
    assert staffing_timelines([0, 0], 1800.0) == [("NOT AVAILABLE", ())]  # a pool has one


def test_the_staffed_document_runs_with_its_timeline(tmp_path: Path) -> None:
    path = write(tmp_path, STATIONARY + '\n[[shifts]]\nid = "s"\nstarts = ["0h"]\nlength = "6h"\n')
    document = read_document(path)
    timelines = staffing_timelines([1, 2, 2, 1, 0, 0], 3600.0)
    day = day_document(document, pool_index=0, timelines=timelines, until=7200.0)
    assert day["agent_pools"][0]["count"] == 2 and day["until"] == "7200s" and day["seed"] == 7
    assert "shifts" not in day and document["agent_pools"][0]["count"] == 10  # a copy
    assert day["events"] == [  # changes at or after until are left out
        {"at": "0s", "agent": "a002", "set": {"manual_status": "NOT AVAILABLE"}},
        {"at": "3600s", "agent": "a002", "set": {"manual_status": "AVAILABLE"}},
    ]
    scenario = scenario_from_document(day, path)
    assert scenario.until == 7200.0 and [a.stringee_user_id for a in scenario.project.agents] == [
        "a001", "a002"
    ]  # fmt: skip


def _call(entered: float, answered: float | None, ended: float, outcome: str) -> CallRecord:
    record = CallRecord(f"c{entered}", entered)
    record.queue, record.entered = "q", entered
    record.answered_at, record.ended_at, record.outcome = answered, ended, outcome
    return record


def test_interval_counts_follow_the_kpi_definitions() -> None:
    calls = [
        _call(10, 15, 100, "completed"),  # answered in 5 s, talk 85 s in interval 0
        _call(50, 90, 150, "completed"),  # answered in 40 s (late), talk 10 s + 50 s
        _call(80, None, 130, "abandoned"),  # waiting at 100 s: the backlog of interval 1
        _call(120, 125, 160, "completed"),
        _call(20, 25, 30, "completed"),
    ]
    calls[-1].queue = "other"  # another queue's call counts nowhere
    counts = interval_counts(calls, "q", 100.0, 2)
    assert counts == (
        IntervalCounts(offered=3, answered=2, abandoned=1, within_target=1, wait_sum=45.0,
                       talk=95.0, backlog=0),
        IntervalCounts(offered=1, answered=1, abandoned=0, within_target=1, wait_sum=5.0,
                       talk=85.0, backlog=1),
    )  # fmt: skip


def test_kpis_over_seeds_and_the_verdicts() -> None:
    one = (IntervalCounts(10, 9, 1, 8, 90.0, 1440.0, 0),)
    two = (IntervalCounts(10, 10, 0, 10, 30.0, 1800.0, 2),)
    [row] = summarise([one, two], staffed=[2], interval=1800.0)
    assert row.mean["service_level_20s"] == 0.9 and row.mean["abandon_rate"] == 0.05
    assert row.mean["asa"] == 6.5 and row.mean["occupancy"] == 0.45 and row.backlog == 1.0
    assert row.half["service_level_20s"] is not None and row.half["service_level_20s"] > 0.1
    assert row.meets([Target("service_level_20s", ">=", 0.9)])
    assert not row.meets([Target("service_level_20s", ">=", 0.95)])
    assert row.within_ci([Target("service_level_20s", ">=", 0.95)])  # 0.9 ± 1.27
    tight = IntervalKpis(mean={"asa": 40.0}, half={"asa": 5.0}, backlog=0.0)
    assert not tight.within_ci([Target("asa", "<=", 30.0)])
    assert tight.within_ci([Target("asa", "<=", 35.0)])
    quiet = IntervalKpis(mean={"asa": None}, half={"asa": None}, backlog=0.0)
    assert quiet.meets([Target("asa", "<=", 1.0)])  # no calls: nothing to miss


def test_an_agent_going_off_finishes_her_call_and_is_rung_no_more(tmp_path: Path) -> None:
    calls = (
        '\n[[calls]]\nid = "before"\nat = "3500s"\nto = "1900"\ntalk = "10m"\n'
        '\n[[calls]]\nid = "after"\nat = "3700s"\nto = "1900"\ntalk = "1m"\npatience = "20m"\n'
    )
    path = write(tmp_path, STATIONARY.replace("[[traffic]]", calls + "\n[[traffic_off]]"))
    document = read_document(path)
    del document["traffic_off"]
    day = day_document(document, pool_index=0, timelines=staffing_timelines([1, 0], 3600.0),
                       until=7200.0)  # fmt: skip
    records = {c.id: c for c in simulate(scenario_from_document(day, path)).calls}
    before, after = records["before"], records["after"]
    assert (before.answered_by, before.answered_at, before.ended_at) == ("a001", 3500.0, 4100.0)
    # she would have been free at 4100 s, within its patience: she is off, so nobody rings
    assert after.answered_by is None and after.outcome == "abandoned" and not after.rang
    assert after.ended_at == 4900.0
