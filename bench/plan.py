"""Benchmark: a staffing plan of a 10-hour day, 30-minute intervals, 5 seeds.

``scenarios/hotline_forecast.toml`` planned to ``service_level_20s>=0.8``
with its shifts: the requirement search, the integer program and the roster's
day simulated again. Each build runs it as a user would (``pcc-router plan
--json``, a fresh process) on this machine's cores, then the compiled build
(or the pure one, without it) on a local Dask cluster started here (a
scheduler and one worker process per core, all on 127.0.0.1). The table gives
wall time and simulated days per second, and whether every run printed the
very same plan. Aim: under a minute on this machine.

Run: ``make bench``, or ``python bench/plan.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import machine
from compare import COMPILED
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
FORECAST = ROOT / "scenarios" / "hotline_forecast.toml"
PLAN = ["plan", str(FORECAST), "--target", "service_level_20s>=0.8", "--interval", "30m",
        "--seeds", "5", "--json"]  # fmt: skip


def run(build: str, where: list[str]) -> tuple[float, str]:
    """Seconds for the whole command, and its standard output."""
    env = dict(os.environ)
    if build == "compiled":
        env["PYTHONPATH"] = str(COMPILED)
    command = [sys.executable, "-P", "-m", "pcc_router.simulator", *PLAN, *where]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd="/", env=env)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask cluster row")
    args = parser.parse_args()
    builds = ["pure", *(["compiled"] if (COMPILED / "pcc_router" / "routing").is_dir() else [])]
    cores = os.cpu_count() or 1
    rows: list[tuple[str, str, float, str]] = []
    for build in builds:
        seconds, out = run(build, ["--workers", str(cores)])
        rows.append((build, f"{cores} local processes", seconds, out))
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:  # fmt: skip
            build = builds[-1]
            if build == "compiled":  # the workers import what their parent process does
                os.environ["PYTHONPATH"] = str(COMPILED)
            seconds, out = run(build, ["--scheduler", cluster.scheduler_address])
            rows.append((build, f"Dask LocalCluster, {cores} workers", seconds, out))
    table = Table(title="pcc-router plan: 10-hour day, 30-minute intervals, 5 seeds, with shifts")
    for column in ("build", "runs on", "wall s", "simulated days", "days/s", "plan sha256"):
        table.add_column(column, justify="right")
    for build, where, seconds, out in rows:
        days = json.loads(out)["summary"]["simulations"]
        digest = hashlib.sha256(out.encode()).hexdigest()[:12]
        table.add_row(build, where, f"{seconds:.1f}", f"{days:,}", f"{days / seconds:.1f}", digest)
    console = Console(width=120)
    console.print(table)
    same = len({out for *_, out in rows}) == 1
    console.print(f"every run printed the same plan: {'yes' if same else 'NO'}")
    console.print(f"machine: {machine()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
