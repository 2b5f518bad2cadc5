"""The HTML report with its plots, and progress reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator import Simulation, load_scenario
from pcc_router.simulator.progress import ProgressBar

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
    assert "<td>service_level_20s</td>" in page and "Expectations" in page
    assert "report.html" in capsys.readouterr().err


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
