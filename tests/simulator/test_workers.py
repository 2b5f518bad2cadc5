"""Where runs execute: local processes and a real Dask cluster give the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pcc_router.api.cli import main
from pcc_router.simulator import workers
from pcc_router.simulator.workers import DaskWorkers, LocalWorkers, WorkersError, open_workers
from tests.simulator.plan_helpers import SHIFTS, STATIONARY, write

PLAN = ["--target", "service_level_20s>=0.8", "--target", "asa<=20", "--interval", "1h",
        "--seeds", "3", "--json"]  # fmt: skip


def _square(n: int) -> int:
    return n * n


def test_local_workers_return_results_in_job_order() -> None:
    told: list[tuple[int, int]] = []
    pool = LocalWorkers(2)
    try:
        assert pool.map(_square, list(range(12)), lambda d, t: told.append((d, t))) == [
            n * n for n in range(12)
        ]
    finally:
        pool.close()
    assert told[-1] == (12, 12) and len(told) == 12
    assert LocalWorkers(1).map(_square, [3, 4]) == [9, 16]
    assert LocalWorkers(1).describe() == "1 local process"


def test_a_scheduler_is_taken_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(workers.SCHEDULER_ENV, raising=False)
    assert isinstance(open_workers(None, 3), LocalWorkers)
    monkeypatch.setenv(workers.SCHEDULER_ENV, "localhost:1")
    with pytest.raises(WorkersError, match="tcp://HOST:PORT"):
        open_workers(None, None)
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(WorkersError, match="cannot connect"):
        open_workers("tcp://127.0.0.1:9", None)  # nothing listens on the discard port


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask cluster on this machine: a scheduler and two worker processes, all on
    127.0.0.1, started by the test and stopped after it."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as made:  # fmt: skip
        yield made.scheduler_address


def test_a_plan_on_a_dask_cluster_is_the_same_to_the_byte(
    cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, STATIONARY + SHIFTS)
    assert cluster.startswith("tcp://127.0.0.1:")
    outputs: list[tuple[str, bytes]] = []
    for where in (["--workers", "1"], ["--workers", "2"], ["--scheduler", cluster]):
        roster = tmp_path / f"roster{len(outputs)}.toml"
        assert main(["plan", str(path), *PLAN, *where, "--write-roster", str(roster)]) == 0
        outputs.append((capsys.readouterr().out, roster.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[2][0])["summary"]["simulations"] > 0


def test_a_sweep_on_a_dask_cluster_is_the_same_to_the_byte(
    cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, STATIONARY)
    sweep = ["sweep", str(path), "--agents", "8..12:2", "--seeds", "2", "--json"]
    assert main([*sweep, "--workers", "2"]) == 0
    local = capsys.readouterr().out
    assert main([*sweep, "--scheduler", cluster]) == 0
    assert capsys.readouterr().out == local
    runner = DaskWorkers(cluster)
    try:
        assert "2 workers" in runner.describe() and runner.map(_square, [5, 6]) == [25, 36]
    finally:
        runner.close()
