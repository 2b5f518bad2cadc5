"""Staffing sweeps: argument parsing, the parallel runs, and the smallest count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator.sweep import Target, parse_counts, run_sweep
from pcc_router.simulator.workers import LocalWorkers

SCENARIO = """\
version = 1
name = "sweep"
seed = 3
numbers = [{ number = "1", queue_id = "q" }]
queues = [{ id = "q", groups = [{ group = "g" }] }]
agent_pools = [{ prefix = "a", count = 10, group = "g", online = ["app"] }]

[[traffic]]
to = "1"
calls = 600
arrivals = { process = "poisson", per_hour = 400 }
talk = { dist = "exponential", mean = "2m" }
patience = { dist = "exponential", mean = "2m" }
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "sweep.toml"
    file.write_text(SCENARIO, encoding="utf-8")
    return file


def test_parse_counts_and_targets() -> None:
    assert parse_counts("50..54") == [50, 51, 52, 53, 54]
    assert parse_counts("10..20:5") == [10, 15, 20]
    assert parse_counts("7,3,5") == [3, 5, 7]
    for bad in ("0..3", "9..3", "x", "3..9:0"):
        with pytest.raises(ValueError, match="--agents"):
            parse_counts(bad)
    target = Target.parse("service_level_20s >= 0.8")
    assert (target.kpi, target.op, target.value) == ("service_level_20s", ">=", 0.8)
    assert target.met(0.8) and not target.met(0.79) and not target.met(None)
    with pytest.raises(ValueError, match="--target"):
        Target.parse("happiness>=1")


def test_more_agents_serve_better(path: Path) -> None:
    told: list[tuple[int, int]] = []
    workers = LocalWorkers(2)
    try:
        rows = run_sweep(path, pool=0, counts=[8, 20], seeds=3, workers=workers,
                         progress=lambda done, total: told.append((done, total)))  # fmt: skip
    finally:
        workers.close()
    assert told[-1] == (6, 6) and len(told) == 6
    few, many = rows
    assert (few.agents, many.agents) == (8, 20)
    assert few.means["service_level_20s"] < many.means["service_level_20s"]  # type: ignore[operator]
    assert few.means["abandon_rate"] > many.means["abandon_rate"]  # type: ignore[operator]
    assert all(h is not None and h >= 0 for h in few.half_widths.values())


def test_cli_json_and_errors(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sweep", str(path), "--agents", "6,20", "--seeds", "2", "--workers", "2"]
    assert main([*args, "--target", "service_level_20s>=0.8", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["smallest_meeting_target"] == 20
    assert [row["agents"] for row in payload["rows"]] == [6, 20]
    assert main([*args[:3], "ten"]) == 2
    assert "--agents 'ten'" in capsys.readouterr().err
    assert main([*args, "--pool", "zz"]) == 2
    assert "no pool has prefix 'zz'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("more", "words"),
    [
        (["--agents", "2..100000"], "at most 10,000 agents"),
        (["--agents", "1..5000"], "at most 200"),
        (["--agents", "1..100", "--seeds", "100"], "10,000 runs; at most 5,000"),
        (["--agents", "6,20", "--workers", "-1"], "--workers -1"),
        (["--agents", "6,20", "--seeds", "0"], "--seeds 0"),
    ],
)
def test_out_of_range_values_are_refused_at_once(
    path: Path, capsys: pytest.CaptureFixture[str], more: list[str], words: str
) -> None:
    assert main(["sweep", str(path), *more]) == 2
    error = capsys.readouterr().err
    assert words in error and "Traceback" not in error


def test_a_sweep_says_how_far_it_is_on_stderr(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["sweep", str(path), "--agents", "6,8,10,20", "--seeds", "3", "--workers", "2"]
    assert main([*args, "--json"]) == 0
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if line.startswith("sweep: ")]
    assert progress and progress[-1] == "sweep: 12/12 runs done"
    assert json.loads(captured.out)["seeds"] == 3  # standard output: the JSON only
