"""Benchmark: what ``pcc-router`` costs to start, against the simulator's own command.

``pcc-router check`` and ``simulate`` must not load the controller's stack
(aiohttp, SQLAlchemy, APScheduler, pydantic): each runs here in a fresh
interpreter, beside ``python -m pcc_router.simulator`` doing the same, and the
table shows the medians and their ratio (the goal: within 1.3x). Run: ``make bench``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import machine
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = str(ROOT / "scenarios" / "hotline_02473000062.toml")
CASES = {
    "check": ["check", SCENARIO],
    "simulate --json": ["simulate", SCENARIO, "--json"],
}


def _median_seconds(module: str, args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", module, *args], check=True, capture_output=True, timeout=120
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each command (median)")
    args = parser.parse_args()
    table = Table(title=f"Command start-up, median of {args.runs} fresh runs ({machine()})")
    for column in ("command", "pcc-router (s)", "python -m pcc_router.simulator (s)", "ratio"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for name, command in CASES.items():
        ours = _median_seconds("pcc_router.api", command, args.runs)
        alone = _median_seconds("pcc_router.simulator", command, args.runs)
        table.add_row(name, f"{ours:.3f}", f"{alone:.3f}", f"{ours / alone:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
