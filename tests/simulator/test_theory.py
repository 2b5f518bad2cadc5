"""Erlang C / Erlang A, and the simulator's agreement with them.

Agreement tests run each model of ``theory_models.py`` (25,000 calls) over 6
seeds and compare the seed average with the theory. The allowed gap is 4
standard errors of that average, 4 * sd / sqrt(6), with ``sd`` the spread of
one run measured by ``bench/calibrate_theory.py`` over 20 seeds (2026-11-22):

    M/M/10 at 8 erlangs:        asa 1.751 s, service level 0.0187, occupancy 0.0074
    M/M/10+M at 9 erlangs, 60 s patience:
                                asa 0.263 s, service level 0.0103,
                                abandonment 0.0048, occupancy 0.0047

4 standard errors leave a chance of about 1 in 15,000 per check of failing
on noise alone; the seeds are fixed, so the outcome does not change between
runs. A bias of a few per cent in any KPI (a wrong wait origin, a lost
abandonment) shows up as a failure.
"""

from __future__ import annotations

import json
import math
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator.fit import queue_model
from pcc_router.simulator.theory import QueueModel, _stationary, erlang_a, erlang_c
from tests.simulator.theory_models import MODELS, run_model

SEEDS = 6
SD_ONE_RUN = {
    "mmc": {"asa": 1.751, "service_level_20s": 0.0187, "occupancy": 0.0074},
    "mmcm": {"asa": 0.263, "service_level_20s": 0.0103, "abandon_rate": 0.0048,
             "occupancy": 0.0047},
}  # fmt: skip


def test_erlang_c_textbook_value() -> None:
    kpis = erlang_c(QueueModel(arrival_rate=8 / 60, mean_talk=60, agents=10))
    assert kpis.p_wait == pytest.approx(0.40918, abs=1e-5)
    assert kpis.asa == pytest.approx(0.40918 * 60 / 2, rel=1e-4)  # C / (Nμ - λ)
    assert kpis.service_level == pytest.approx(1 - 0.40918 * math.exp(-20 / 30), rel=1e-4)


def test_erlang_c_rejects_overload() -> None:
    with pytest.raises(ValueError, match="load below the agent count"):
        erlang_c(QueueModel(arrival_rate=1, mean_talk=60, agents=10))


def test_erlang_a_tends_to_erlang_c_when_nobody_leaves() -> None:
    c = erlang_c(QueueModel(arrival_rate=8 / 60, mean_talk=60, agents=10))
    a = erlang_a(QueueModel(arrival_rate=8 / 60, mean_talk=60, agents=10, mean_patience=1e9))
    assert a.asa == pytest.approx(c.asa, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.abandon_rate == pytest.approx(0.0, abs=1e-6)


def test_erlang_a_abandonment_matches_littles_law() -> None:
    lam, mu, theta, n = 9 / 60, 1 / 60, 1 / 60, 10
    model = QueueModel(arrival_rate=lam, mean_talk=1 / mu, agents=n, mean_patience=1 / theta)
    probs = _stationary(lam, mu, theta, n)
    mean_queue = sum(max(k - n, 0) * p for k, p in enumerate(probs))
    # every abandonment leaves from the queue at rate θ per waiting call
    assert erlang_a(model).abandon_rate == pytest.approx(theta * mean_queue / lam, rel=1e-6)


def test_erlang_a_handles_overload_and_large_centres() -> None:
    over = erlang_a(QueueModel(arrival_rate=2, mean_talk=60, agents=100, mean_patience=60))
    assert 0.1 < over.abandon_rate < 0.25 and over.occupancy <= 1
    big = erlang_a(QueueModel(arrival_rate=30, mean_talk=60, agents=1900, mean_patience=120))
    assert 0 < big.asa < 5 and big.service_level > 0.9


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict[str, object]]]:
    jobs = {name: [replace(s, seed=seed) for seed in range(SEEDS)] for name, s in MODELS.items()}
    with ProcessPoolExecutor(max_workers=2) as pool:
        return {name: list(pool.map(run_model, scenarios)) for name, scenarios in jobs.items()}


@pytest.mark.parametrize(
    ("name", "kpi"), [(name, kpi) for name, sds in SD_ONE_RUN.items() for kpi in sds]
)
@pytest.mark.slow
def test_simulation_agrees_with_theory(
    runs: dict[str, list[dict[str, object]]], name: str, kpi: str
) -> None:
    theory = erlang_a(queue_model(MODELS[name]))
    expected = theory.as_kpis()[kpi]
    seen = statistics.fmean(float(run[kpi]) for run in runs[name])  # type: ignore[arg-type]
    allowed = 4 * SD_ONE_RUN[name][kpi] / math.sqrt(SEEDS)
    assert abs(seen - expected) <= allowed, f"{kpi}: theory {expected:.4f}, simulated {seen:.4f}"


@pytest.mark.slow
def test_erlang_c_model_sees_no_abandonment(runs: dict[str, list[dict[str, object]]]) -> None:
    assert all(run["abandoned"] == 0 for run in runs["mmc"])


THEORY_FILE = """\
version = 1
numbers = [{ number = "1", ivr = { "0" = "queue:q" } }]
queues = [{ id = "q", agent_wrap_up_after_calls = false, groups = [{ group = "g" }] }]
agent_pools = [{ prefix = "a", count = 10, group = "g", online = ["app"], answer_after = 0 }]
agents = [{ stringee_user_id = "off" }]
groups = [{ id = "g", agents = ["off"] }]

[[traffic]]
to = "1"
keys = "0"
calls = 2000
arrivals = { process = "poisson", per_hour = 540 }
talk = { dist = "exponential", mean = "60s" }
patience = { dist = "exponential", mean = "60s" }
"""


def test_theory_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.toml"
    path.write_text(THEORY_FILE, encoding="utf-8")
    assert main(["theory", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # the offline agent is not one of the N
    assert (out["model"], out["agents"], out["offered_load"]) == ("Erlang A", 10, 9.0)
    asa = next(row for row in out["kpis"] if row["kpi"] == "asa")
    assert asa["theory"] == pytest.approx(4.61513, abs=1e-4)
    assert isinstance(asa["simulated"], float)
    assert main(["theory", str(path), "--no-simulate", "--json"]) == 0
    assert "simulated" not in json.loads(capsys.readouterr().out)["kpis"][1]


def test_theory_counts_the_agents_the_engine_would_ring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A queue that takes no SIP phones (``cond_routing = 1``): five app agents and five
    online only by SIP are five agents, as the engine routes, not ten."""
    sip_only = '{ prefix = "s", count = 5, group = "g", online = ["sip"], answer_after = 0 }'
    text = (
        THEORY_FILE.replace("count = 10", "count = 5")
        .replace("agent_pools = [", f"agent_pools = [{sip_only},\n  ")
        .replace('{ id = "q", ', '{ id = "q", cond_routing = 1, ')
    )
    path = tmp_path / "q.toml"
    path.write_text(text.replace("per_hour = 540", "per_hour = 180"), encoding="utf-8")
    assert main(["theory", str(path), "--no-simulate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agents"] == 5
    path.write_text(text.replace("cond_routing = 1", "cond_routing = 2"), encoding="utf-8")
    assert main(["theory", str(path), "--no-simulate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agents"] == 10


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (('talk = { dist = "exponential"', 'talk = { dist = "lognormal", sd = "1m"'), "talk"),
        (("agent_wrap_up_after_calls = false, ", ""), "wrap_up_time_limit"),
        (('keys = "0"', 'keys = "5"'), "keys"),
        (("answer_after = 0", "answer_after = 3"), "answer_after"),
    ],
)
def test_theory_names_what_does_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], where: str
) -> None:
    path = tmp_path / "q.toml"
    path.write_text(THEORY_FILE.replace(*change), encoding="utf-8")
    assert main(["theory", str(path)]) == 2
    err = capsys.readouterr().err
    assert "queueing theory does not apply" in err and where in err


def test_theory_refuses_an_overloaded_erlang_c(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.toml"
    text = THEORY_FILE.replace('patience = { dist = "exponential", mean = "60s" }\n', "")
    path.write_text(text.replace("per_hour = 540", "per_hour = 900"), encoding="utf-8")
    assert main(["theory", str(path), "--no-simulate"]) == 2
    assert "15.00 erlangs on 10 agents" in capsys.readouterr().err
