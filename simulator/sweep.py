"""Staffing what-if: the same scenario over a range of agent counts and seeds, in parallel.

Runs go to :mod:`~pcc_router.simulator.workers` (local processes, or a Dask cluster).

The agent count is the ``count`` of one ``[[agent_pools]]`` entry. Each
(count, seed) pair is one run in a worker process; the table gives, per
count, the mean of each KPI over the seeds with a 95 % confidence interval
(Student's t), and the smallest count whose mean meets the target.
"""

from __future__ import annotations

import copy
import math
import operator
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcc_router.simulator.kpis import KPI_NAMES
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario import ScenarioError, load_scenario
from pcc_router.simulator.scenario.loader import read_document, scenario_from_document
from pcc_router.simulator.workers import LocalWorkers, Workers

__all__ = [
    "SWEPT_KPIS",
    "SweepRow",
    "Target",
    "mean_and_half_width",
    "parse_counts",
    "pick_pool",
    "run_sweep",
]

SWEPT_KPIS = ("service_level_20s", "asa", "abandon_rate", "occupancy")
# Student's t, 97.5 % quantile, by degrees of freedom (1-30); 1.96 beyond.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    kpi: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Target:
        match = re.fullmatch(r"\s*(\w+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*", text)
        if match is None or match.group(1) not in KPI_NAMES:
            raise ValueError(f"--target {text!r}: expected KPI>=VALUE with a KPI of the result, "
                             'e.g. "service_level_20s>=0.8"')  # fmt: skip
        return cls(match.group(1), match.group(2), float(match.group(3)))

    def met(self, value: float | None) -> bool:
        return value is not None and _OPS[self.op](value, self.value)

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.value:g}"


@dataclass(frozen=True, slots=True)
class SweepRow:
    agents: int
    means: dict[str, float | None]
    half_widths: dict[str, float | None]


#: The most agents one run may have, and the most counts one sweep may try: past these a
#: sweep would run for hours; the message says so rather than running silently.
MAX_AGENTS = 10_000
MAX_COUNTS = 200
#: The most runs (counts times seeds) one sweep may make.
MAX_RUNS = 5_000


def parse_counts(text: str) -> list[int]:
    """``50..70``, ``50..70:5`` or ``50,55,60``; within :data:`MAX_AGENTS` and
    :data:`MAX_COUNTS`."""
    match = re.fullmatch(r"(\d+)\.\.(\d+)(?::(\d+))?", text.strip())
    if match:
        low, high, step = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
        if low < 1 or high < low or step < 1:
            raise ValueError(f"--agents {text!r}: need 1 <= LOW <= HIGH and STEP >= 1")
        counts = list(range(low, min(high, MAX_AGENTS + 1) + 1, step))
        if high > MAX_AGENTS:
            counts.append(high)  # refused below, with the others
    else:
        try:
            counts = sorted({int(part) for part in text.split(",")})
        except ValueError:
            raise ValueError(f"--agents {text!r}: expected LOW..HIGH[:STEP] or N,N,...") from None
        if not counts or counts[0] < 1:
            raise ValueError(f"--agents {text!r}: counts are whole numbers >= 1")
    if counts[-1] > MAX_AGENTS:
        raise ValueError(f"--agents {text!r}: at most {MAX_AGENTS:,} agents a run")
    if len(counts) > MAX_COUNTS:
        raise ValueError(
            f"--agents {text!r}: {len(counts):,} counts; at most {MAX_COUNTS} "
            "(use a STEP: 10..1000:10)"
        )
    return counts


def pick_pool(path: Path, prefix: str | None) -> int:
    """The index of the ``[[agent_pools]]`` entry the sweep varies."""
    import tomllib

    pools = tomllib.loads(path.read_text(encoding="utf-8")).get("agent_pools", [])
    prefixes = [p.get("prefix") for p in pools if isinstance(p, dict)]
    if prefix is not None:
        if prefix not in prefixes:
            raise ScenarioError("agent_pools", f"no pool has prefix {prefix!r}", file=str(path))
        return prefixes.index(prefix)
    if len(prefixes) != 1:
        raise ScenarioError("agent_pools", f"the sweep varies one pool's count; this file has "
                            f"{len(prefixes)}: name one with --pool", file=str(path))  # fmt: skip
    return 0


@dataclass(frozen=True, slots=True)
class _SweepRun:
    document: dict[str, Any]  # the file's TOML: a worker on another machine needs no file
    path: str
    pool: int
    count: int
    seed: int


def _one_run(job: _SweepRun) -> dict[str, object]:
    document = copy.deepcopy(job.document)
    document["agent_pools"][job.pool]["count"] = job.count
    document["seed"] = job.seed
    scenario = scenario_from_document(document, Path(job.path))
    return simulate(scenario, keep_calls=False).kpis


def run_sweep(
    path: Path,
    *,
    pool: int,
    counts: list[int],
    seeds: int,
    kpis: tuple[str, ...] = SWEPT_KPIS,
    workers: Workers | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SweepRow]:
    """One row per count: each KPI's mean over ``seeds`` runs and its 95 % interval. Seeds
    are the scenario's seed plus 0, 1, ...; results are averaged in the jobs' order, so the
    rows are the same whoever ran them (``workers``: local processes by default)."""
    document = read_document(path)
    base_seed = load_scenario(path, pool_counts={pool: counts[0]}).seed
    jobs = [_SweepRun(document, str(path), pool, count, base_seed + k)
            for count in counts for k in range(seeds)]  # fmt: skip
    own = workers is None
    runner = workers if workers is not None else LocalWorkers()
    try:
        results = runner.map(_one_run, jobs, progress)
    finally:
        if own:
            runner.close()
    by_count: dict[int, list[dict[str, object]]] = {count: [] for count in counts}
    for job, result in zip(jobs, results, strict=True):
        by_count[job.count].append(result)
    return [_summarise(c, by_count[c], kpis) for c in counts]


def _summarise(count: int, runs: list[dict[str, object]], kpis: tuple[str, ...]) -> SweepRow:
    means: dict[str, float | None] = {}
    halves: dict[str, float | None] = {}
    for kpi in kpis:
        values = [float(v) for run in runs if isinstance(v := run[kpi], (int, float))]
        means[kpi], halves[kpi] = mean_and_half_width(values)
    return SweepRow(agents=count, means=means, half_widths=halves)


def mean_and_half_width(values: Sequence[float]) -> tuple[float | None, float | None]:
    """The mean and the half-width of its 95 % confidence interval (Student's t);
    ``None`` where there are too few values."""
    if not values:
        return None, None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    t = _T975[len(values) - 2] if len(values) - 1 <= len(_T975) else 1.96
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))
