"""The run's numbers and its JSON: KPI definitions on a run worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator import load_scenario, simulate

# Two agents, no wrap-up, answer after 2 s. c1 and c2 are answered at once
# (wait 2 s each); c3 rings a when it finishes at 62 s and is answered at 64 s
# (wait 64 - 10 = 54 s);
# c4 gives up after 30 s of waiting. Talk 60 + 100 + 10 = 170 s.
RUN = """\
version = 1
name = "by hand"
numbers = [{ number = "1", queue_id = "q" }]
queues = [{ id = "q", agent_wrap_up_after_calls = false, groups = [{ group = "g" }] }]
groups = [{ id = "g", agents = ["a", "b"] }]
agents = [
  { stringee_user_id = "a", online = ["app"] },
  { stringee_user_id = "b", online = ["app"] },
]
calls = [
  { id = "c1", at = 0, to = "1", talk = 60 },
  { id = "c2", at = 0, to = "1", talk = 100 },
  { id = "c3", at = 10, to = "1", talk = 10 },
  { id = "c4", at = 1000, to = "1", talk = 10, patience = 30 },
  { id = "c5", at = 1000, to = "1", talk = 10 },
]
events = [{ at = 900, agent = "b", set = { manual_status = "NOT AVAILABLE" } },
          { at = 990, agent = "a", presence = { app = "logout" } }]
expect = [{ metric = "asa", approx = 19.333333, tolerance = 0.00001 }]
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "run.toml"
    file.write_text(RUN, encoding="utf-8")
    return file


def test_kpis_by_hand(path: Path) -> None:
    result = simulate(load_scenario(path))
    kpis = result.kpis
    assert kpis["offered"] == 5 and kpis["answered"] == 3 and kpis["abandoned"] == 1
    assert kpis["asa"] == pytest.approx((2 + 2 + 54) / 3, abs=1e-6)
    assert kpis["service_level_20s"] == pytest.approx(2 / 5)
    assert kpis["abandon_rate"] == pytest.approx(1 / 5)
    assert kpis["mean_talk"] == pytest.approx(170 / 3, abs=1e-6)
    assert (kpis["wait_p50"], kpis["wait_p99"]) == (2.0, 54.0)
    # staffed: a from 0 to its logout at 990 s, b from 0 to 900 s
    assert kpis["occupancy"] == pytest.approx(170 / (990 + 900), abs=1e-6)
    c5 = next(c for c in result.calls if c.id == "c5")
    assert c5.outcome == "waiting" and c5.ended_at is None
    first, second = result.intervals  # 0-15 min and 15-30 min (c4 and c5 at 1000 s)
    assert first == {
        "start": 0.0,
        "offered": 3,
        "answered": 3,
        "abandoned": 0,
        "asa": pytest.approx(58 / 3, abs=1e-6),
        "service_level_20s": pytest.approx(2 / 3),
    }
    assert second["offered"] == 2 and second["abandoned"] == 1 and second["start"] == 900.0
    assert result.passed


def test_json_contract_shape(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(path), "--json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert list(full) == [
        "scenario",
        "seed",
        "version",
        "kpis",
        "calls",
        "agents",
        "intervals",
        "expect",
    ]
    assert full["calls"][2]["rang"] == [{"agent": "a", "at": 62.0, "outcome": "answered"}]
    assert set(full["agents"][0]) == {
        "stringee_user_id",
        "handled",
        "talk_time",
        "occupancy",
        "no_answers",
        "manual_status",
    }
    assert full["expect"][0]["passed"] is True and full["expect"][0]["seen"] == pytest.approx(
        19.333333
    )
    assert main(["simulate", str(path), "--json", "--summary"]) == 0
    assert "calls" not in json.loads(capsys.readouterr().out)


def test_readable_view_explains_each_ring(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Why each ring went where it did" in out
    assert "c3 in q (longest_idle): rang a" in out
    assert "b: not routable: in a call (system_status 0, call c2)" in out
