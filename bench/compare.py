"""Benchmark: pcc-router simulate beside SimPy 4.1 and ciw 3.2 on one queueing model.

The model: Poisson arrivals at 2 calls/s, exponential talk (mean 60 s), 130
agents, exponential patience (mean 120 s), 200,000 calls. Each tool runs as
its own process (start-up included); the table shows the median wall time of
``--rounds`` interleaved rounds (each runs every tool once, the order rotated
by one per round), calls per second, and each tool's speed relative to SimPy
and to ciw as the median of the per-round ratios. With ``build/compiled-site``
present (``make compiled``, run by ``make bench``: the wheel ``pip install .``
builds, with the engine compiled by mypyc), a second pcc-router row runs the
compiled build. SimPy and ciw model a bare M/M/c+M queue; pcc-router runs its full engine (agent
identity, rings with timers, the strategy, wrap-up logic, KPIs).

Then, with ``--memory-calls`` > 0, the peak resident memory of a ``simulate
--summary`` run of that many calls (default 2,000,000).
Run: ``make bench`` (installs SimPy and ciw), or ``python bench/compare.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent

SCENARIO = """\
version = 1
name = "benchmark M/M/130+M"
seed = 1
numbers = [{{ number = "1", queue_id = "q" }}]
queues = [{{ id = "q", agent_wrap_up_after_calls = false, groups = [{{ group = "g" }}] }}]

[[agent_pools]]
prefix = "a"
count = {agents}
group = "g"
online = ["app"]
answer_after = 0

[[traffic]]
to = "1"
calls = {calls}
arrivals = {{ process = "poisson", per_hour = 7200 }}
talk = {{ dist = "exponential", mean = "60s" }}
patience = {{ dist = "exponential", mean = "120s" }}
"""


COMPILED = HERE.parent / "build" / "compiled-site"


def builds(scenario: Path) -> dict[str, list[str]]:
    """The pcc-router commands that simulate ``scenario``: pure, and compiled when built."""
    py = sys.executable
    simulate = ["-m", "pcc_router.simulator", "simulate", str(scenario), "--summary", "--json"]
    tools = {"pcc-router": [py, *simulate]}
    if (COMPILED / "pcc_router" / "routing").is_dir():
        # the wheel `pip install .` builds, unpacked by `make compiled`, first on the path
        tools["pcc-router (mypyc)"] = ["env", f"PYTHONPATH={COMPILED}", py, "-P", *simulate]
    return tools


def commands(calls: int, agents: int, workdir: Path) -> dict[str, list[str]]:
    scenario = workdir / "bench.toml"
    scenario.write_text(SCENARIO.format(calls=calls, agents=agents), encoding="utf-8")
    py = sys.executable
    return {
        **builds(scenario),
        "SimPy 4.1": [py, str(HERE / "models" / "simpy_mmcm.py"), str(calls), str(agents)],
        "ciw 3.2": [py, str(HERE / "models" / "ciw_mmcm.py"), str(calls), str(agents)],
    }


def timed(command: list[str]) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    # run outside the source tree, so that the compiled package is the one imported
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd="/")
    elapsed = time.perf_counter() - start
    out = json.loads(done.stdout)
    kpis = out.get("kpis", out)
    return elapsed, kpis


def peak_memory_mb(command: list[str]) -> float:
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return int(done.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


def interleaved(
    tools: dict[str, list[str]], rounds: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, object]]]:
    """Each tool's wall times, one per round; each round runs every tool once, in an order
    rotated by one per round, so that a drift of the shared machine hits all alike."""
    names = list(tools)
    times: dict[str, list[float]] = {name: [] for name in names}
    kpis: dict[str, dict[str, object]] = {}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            seconds, kpis[name] = timed(tools[name])
            times[name].append(seconds)
    return times, kpis


def ratio(times: dict[str, list[float]], name: str, base: str) -> float:
    """The median over rounds of how many times faster ``name`` ran than ``base``."""
    return statistics.median(b / t for b, t in zip(times[base], times[name], strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--agents", type=int, default=130)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-calls", type=int, default=2_000_000)
    args = parser.parse_args()
    console = Console(width=120)
    with tempfile.TemporaryDirectory() as tmp:
        tools = commands(args.calls, args.agents, Path(tmp))
        times, kpis = interleaved(tools, args.rounds)
        title = (
            f"{args.calls:,} calls, M/M/{args.agents}+M, {args.rounds} interleaved rounds "
            "(median wall time; speed: median of the per-round ratios)"
        )
        table = Table(title=title)
        columns = ("tool", "wall s", "calls/s", "speed vs SimPy", "speed vs ciw", "ASA s",
                   "abandoned")  # fmt: skip
        for column in columns:
            table.add_column(column, justify="right")
        for name in tools:
            seconds = statistics.median(times[name])
            table.add_row(
                name,
                f"{seconds:.2f}",
                f"{args.calls / seconds:,.0f}",
                f"{ratio(times, name, 'SimPy 4.1'):.2f}x",
                f"{ratio(times, name, 'ciw 3.2'):.2f}x",
                f"{float(kpis[name]['asa']):.3f}",  # type: ignore[arg-type]
                str(kpis[name]["abandoned"]),
            )
        console.print(table)
        if args.memory_calls:
            runs = commands(args.memory_calls, args.agents, Path(tmp))
            for name in builds(Path(tmp) / "memory.toml"):
                peak = peak_memory_mb(runs[name])
                console.print(f"peak memory of simulate --summary, {args.memory_calls:,} calls, "
                              f"{name}: {peak:.0f} MB")  # fmt: skip
    console.print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
