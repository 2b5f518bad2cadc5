"""``pcc-router plan`` end to end: the requirement, shifts, outputs, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario import load_scenario
from tests.simulator.plan_helpers import SHIFTS, STATIONARY, write

TARGET = ["--target", "service_level_20s>=0.8"]


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, object], str]:
    assert main(["plan", *args, "--json"]) == 0
    out = capsys.readouterr().out
    return json.loads(out), out


def test_a_stationary_forecast_needs_what_erlang_a_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Long steady intervals, agents who pick up at once: Erlang A's own model. The
    simulated requirement is within one agent of it everywhere, and the plan says so."""
    path = write(tmp_path, STATIONARY)
    plan, out = plan_json(capsys, str(path), *TARGET, "--interval", "1h", "--workers", "1")
    rows = plan["intervals"]
    assert isinstance(rows, list) and len(rows) == 6
    assert all(abs(r["simulated"] - r["erlang_a"]) <= 1 for r in rows)
    assert plan["summary"]["simulated_within_one_of_erlang_a"] is True  # type: ignore[index]
    assert [r["rostered"] for r in rows] == [r["simulated"] for r in rows]  # no shifts
    assert all(r["verdict"] == "met" for r in rows)
    # the same plan on two worker processes: the same bytes
    _, again = plan_json(capsys, str(path), *TARGET, "--interval", "1h", "--workers", "2")
    assert again == out
    assert main(["plan", str(path), *TARGET, "--interval", "1h", "--workers", "2"]) == 0
    table = capsys.readouterr().out
    assert "within one agent of Erlang A in every interval" in table and "00:00-01:00" in table


def test_shifts_roster_report_and_roster_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, STATIONARY + SHIFTS)
    roster, report = tmp_path / "roster.toml", tmp_path / "report"
    plan, _ = plan_json(capsys, str(path), *TARGET, "--interval", "1h", "--workers", "2",
                        "--write-roster", str(roster), "--report", str(report))  # fmt: skip
    rows = plan["intervals"]
    assert isinstance(rows, list)
    assert all(r["rostered"] >= r["simulated"] for r in rows)
    assert all(r["verdict"] in ("met", "within CI") for r in rows)
    shifts = plan["shifts"]
    assert isinstance(shifts, list) and shifts and {s["shift"] for s in shifts} <= {"long", "short"}
    # the roster file runs as it is: the pool as large as the roster, on and off by its events
    scenario = load_scenario(roster)
    assert main(["check", str(roster)]) == 0
    agents = sum(s["agents"] for s in shifts)
    assert len(scenario.project.agents) == agents and not scenario.shifts
    assert len(scenario.events) >= agents  # each goes off at least once (lunch, shift's end)
    offered = simulate(scenario, keep_calls=False).kpis["offered"]
    assert isinstance(offered, int) and 900 < offered < 1_300  # 1,080 forecast
    assert json.loads((report / "plan.json").read_text()) == plan
    made = {p.name for p in report.iterdir()}
    assert {"plan.html", "staffing.png", "service_level_20s.png", "plan.json"} <= made
    assert "<img src='staffing.png'" in (report / "plan.html").read_text()


@pytest.mark.parametrize(
    ("extra", "text", "said"),
    [
        (["--target", "happiness>=1"], None, "--target"),
        (["--target", "wait_p90<=30"], None, "--target"),
        ([*TARGET, "--interval", "42m"], None, "--interval: 42m does not divide the day"),
        ([*TARGET, "--interval", "soon"], None, "--interval"),
        ([*TARGET, "--seeds", "0"], None, "--seeds"),
        ([*TARGET, "--scheduler", "localhost:8786"], None, "--scheduler"),
        (TARGET, STATIONARY.replace('["0h", 120], ["2h", 240], ["4h", 180]', '["0h", 0]'),
         "traffic: the forecast has no calls"),
        ([*TARGET, "--interval", "1h"],
         STATIONARY + SHIFTS.replace('starts = ["0h", "1h", "2h"]', 'starts = ["0h"]').replace(
             'max_agents = 6', 'max_agents = 1'),
         "shifts: cannot cover the requirement: short in"),
        ([*TARGET, "--interval", "30m"], STATIONARY + SHIFTS.replace('"4h"', '"4.25h"', 1),
         "shifts[0].length"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_key_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    text: str | None,
    said: str,
) -> None:
    path = write(tmp_path, text or STATIONARY)
    roster = tmp_path / "roster.toml"
    assert main(["plan", str(path), *extra, "--write-roster", str(roster), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not roster.exists() and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_outputs_that_cannot_be_written_are_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, STATIONARY)
    cases = {
        str(tmp_path / "missing" / "roster.toml"): "--write-roster: cannot write into",
        str(path): "--write-roster: would overwrite the scenario itself",
    }
    for target, said in cases.items():
        assert main(["plan", str(path), *TARGET, "--write-roster", target]) == 2
        assert said in capsys.readouterr().err
    assert main(["plan", str(path), *TARGET, "--report", str(path)]) == 2
    assert "--report" in capsys.readouterr().err
    assert path.read_text() == STATIONARY


def test_the_bundled_forecast_differs_from_erlang_a_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rings, unanswered rings and wrap-up busy the agents beyond their talk; backup
    supervisors take calls only when the pool is busy: the simulated requirement moves
    away from Erlang A, and every interval where it does by more than one has a reason."""
    forecast = Path(__file__).parents[2] / "scenarios" / "hotline_forecast.toml"
    plan, _ = plan_json(capsys, str(forecast), *TARGET, "--seeds", "3")
    rows = plan["intervals"]
    assert isinstance(rows, list) and len(rows) == 20 and rows[0]["interval"] == "08:00-08:30"
    apart = [r for r in rows if abs(r["simulated"] - r["erlang_a"]) > 1]
    assert apart and all(r["why"] for r in apart)
    assert all(not r["why"] for r in rows if r not in apart)
    assert plan["summary"]["simulated_within_one_of_erlang_a"] is False  # type: ignore[index]
    assert any("wrap-up 15 s" in r["why"] for r in apart)
    assert plan["shifts"] and all(r["verdict"] != "missed" for r in rows)
