"""The HTML report with its plots, and progress reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator import Simulation, load_scenario, simulate
from pcc_router.simulator.plots import day_label, figures
from pcc_router.simulator.progress import ProgressBar
from pcc_router.simulator.report import write_report
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.scenario import ScenarioError
from pcc_router.simulator.version import describe

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def test_report_writes_page_and_four_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = ROOT / "scenarios" / "traffic_pools.toml"
    assert main(["simulate", str(scenario), "--summary", "--report", str(tmp_path / "r")]) == 0
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    images = ["queue.png", "intervals.png", "waits.png", "agents.png"]
    for name in images:
        data = (tmp_path / "r" / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5_000
        assert f"src='{name}'" in page
    assert "<td class='key'>service_level_20s</td>" in page and "Expectations" in page
    assert "report.html" in capsys.readouterr().err
    assert f"; {describe()}.</p>" in page  # which build made it (compiled or pure)


def test_progress_is_reported_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pcc_router.simulator.runner._PROGRESS_EVERY", 100)
    sim = Simulation(load_scenario(ROOT / "scenarios" / "traffic_pools.toml"), keep_calls=False)
    seen: list[float] = []
    sim.run(progress=seen.append)
    assert seen == sorted(seen) and all(0 < f <= 1 for f in seen)
    assert len(seen) >= 5 and seen[-1] > 0.9


def test_progress_bar_stays_silent_when_not_shown() -> None:
    with ProgressBar(show=False) as bar:
        bar(0.5)
        assert bar._progress is None


def test_report_into_a_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    scenario = ROOT / "scenarios" / "abandonment.toml"
    assert main(["simulate", str(scenario), "--report", str(blocker)]) == 2
    assert "--report" in capsys.readouterr().err


DAY = """
version = 1
name = "Morning"
seed = 3
starts_at = "08:00"
until = "2h"
numbers = [{ number = "02473000062", queue_id = "support" }]
queues = [{ id = "support", groups = [{ group = "front", primary = true }] }]
groups = [{ id = "front", agents = ["alice", "bob"] }]
agents = [
  { stringee_user_id = "alice", online = ["app"], answer_after = "3s" },
  { stringee_user_id = "bob", online = ["app"], answer_after = "3s" },
]

[[traffic]]
to = "02473000062"
arrivals = { process = "poisson", per_hour = 40 }
talk = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "1m" }
"""


def _day(tmp_path: Path, text: str = DAY) -> SimResult:
    path = tmp_path / "day.toml"
    path.write_text(text, encoding="utf-8")
    return simulate(load_scenario(path), keep_calls=False)


def _tick_labels(result: SimResult, name: str, panel: int = 0) -> list[str]:
    figure = figures(result)[name]
    figure.canvas.draw()
    axes = figure.axes[panel]
    low, high = axes.get_xlim()
    return [t.get_text() for t in axes.get_xticklabels() if low <= t.get_position()[0] <= high]


def test_time_axes_read_as_the_time_of_day_the_scenario_starts_at(tmp_path: Path) -> None:
    result = _day(tmp_path)
    assert result.starts_at == 8 * 3600
    queue = _tick_labels(result, "queue.png")
    assert queue[:3] == ["08:00", "08:15", "08:30"] or queue[:3] == ["08:00", "08:30", "09:00"]
    assert "10:00" in queue and all(len(label) == 5 for label in queue)
    intervals = _tick_labels(result, "intervals.png", panel=1)
    assert intervals[0] == "08:00" and "09:00" in intervals


def test_an_axis_past_midnight_names_the_day() -> None:
    assert [day_label(s) for s in (0, 8 * 3600 + 59.9, 86_400 + 3600)] == [
        "00:00",
        "08:01",
        "01:00 (day 2)",
    ]


def test_the_report_counts_each_quarter_hour_beside_service_level_and_asa(
    tmp_path: Path,
) -> None:
    result = _day(tmp_path)
    page = write_report(result, tmp_path / "r").read_text(encoding="utf-8")
    first = result.intervals[0]
    cells = (
        f"<td>08:00-08:15</td><td>{first['offered']}</td><td>{first['answered']}</td>"
        f"<td>{first['abandoned']}</td>"
    )
    assert cells in page
    assert "<td>09:45-10:00</td>" in page and "<th>Service level (20 s)</th><th>ASA</th>" in page
    assert sum(int(str(r["offered"])) for r in result.intervals) == result.kpis["offered"]


def test_kpis_have_readable_names_and_units(tmp_path: Path) -> None:
    result = _day(tmp_path)
    page = write_report(result, tmp_path / "r").read_text(encoding="utf-8")
    level = result.kpis["service_level_20s"]
    asa = result.kpis["asa"]
    assert isinstance(level, float) and isinstance(asa, float)
    assert f"<td>Service level (answered within 20 s of queueing)</td><td>{level:.1%}</td>" in page
    assert f"<td>Average speed of answer (ASA)</td><td>{asa:.1f} s</td>" in page
    assert "<td>Mean talk time</td><td>" in page and " min)</td>" in page


def test_the_agents_table_shows_calls_talk_time_and_occupancy(tmp_path: Path) -> None:
    result = _day(tmp_path)
    page = write_report(result, tmp_path / "r").read_text(encoding="utf-8")
    alice = next(a for a in result.agents if a.stringee_user_id == "alice")
    whole = int(alice.talk_time)
    talk = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    row = f"<tr><td>alice</td><td>{alice.handled}</td><td>{talk}"
    assert alice.handled > 0 and row in page
    assert f"<td>{alice.occupancy:.1%}</td>" in page
    assert "<th>Calls answered</th><th>Talk time</th>" in page


def test_starts_at_defaults_to_midnight_and_the_command_line_can_set_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "day.toml"
    path.write_text(DAY.replace('starts_at = "08:00"\n', ""), encoding="utf-8")
    assert load_scenario(path).starts_at == 0.0
    out = tmp_path / "r"
    args = ["simulate", str(path), "--summary", "--report", str(out), "--starts-at", "13:30"]
    assert main(args) == 0
    assert "<td>13:30-13:45</td>" in (out / "report.html").read_text(encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main([*args[:-1], "25:00"])
    assert stopped.value.code == 2
    assert "--starts-at" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "seconds"),
    [('"08:00"', 28_800.0), ('"23:59:30"', 86_370.0), ("07:30:00", 27_000.0)],
)
def test_starts_at_reads_a_time_of_day(tmp_path: Path, value: str, seconds: float) -> None:
    path = tmp_path / "day.toml"
    path.write_text(DAY.replace('"08:00"', value), encoding="utf-8")
    assert load_scenario(path).starts_at == seconds


@pytest.mark.parametrize("value", ['"8am"', '"24:00"', "8", '"08:60"', "07:30:00+07:00"])
def test_a_wrong_starts_at_names_the_key(tmp_path: Path, value: str) -> None:
    path = tmp_path / "day.toml"
    path.write_text(DAY.replace('"08:00"', value), encoding="utf-8")
    with pytest.raises(ScenarioError, match="starts_at"):
        load_scenario(path)
