"""How far one simulated run strays from Erlang C/A: the spread behind the theory tests.

Runs the two models of ``tests/simulator/test_theory.py`` over many seeds and
prints, per KPI, the theory, the mean over seeds and the standard deviation of
one run. The tests allow 4 standard errors of their seed average, using the
standard deviations this script printed (recorded in the test's docstring).
Run: ``.venv/bin/python bench/calibrate_theory.py [SEEDS]``.
"""

from __future__ import annotations

import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "simulator"))

from theory_models import MODELS, run_model

from pcc_router.simulator.fit import queue_model
from pcc_router.simulator.theory import erlang_a

KPIS = ("asa", "service_level_20s", "abandon_rate", "occupancy")


def main() -> int:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for name, scenario in MODELS.items():
        theory = erlang_a(queue_model(scenario))
        expected = theory.as_kpis()
        with ProcessPoolExecutor() as pool:
            runs = list(pool.map(run_model, [replace(scenario, seed=s) for s in range(seeds)]))
        print(f"{name}: {seeds} seeds")
        for kpi in KPIS:
            values = [float(run[kpi]) for run in runs]  # type: ignore[arg-type]
            print(f"  {kpi:18} theory {expected[kpi]:.5f}  mean {statistics.fmean(values):.5f}"
                  f"  sd of one run {statistics.stdev(values):.5f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
