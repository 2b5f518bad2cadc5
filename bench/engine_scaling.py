"""Benchmark: does the cost of a call stay flat as the agent count grows?

Runs the full simulator (engine, kernel, KPIs) in-process on an M/M/c model
at the same load per agent (80 % occupancy, exponential talk of 60 s, no
abandonment) with 10 to 10,000 agents, for three strategies. It prints the
whole run's cost per call and, separately, the time spent inside
``Engine.handle`` (the routing decisions themselves, pure build only). The
sizes run interleaved, ``--rounds`` times, each round in a rotated order; the
ratio to the 10-agent run is the median of the per-round ratios, and the
best round's ratio is shown beside it. On a shared machine a busy neighbour
slows the large runs (which live in the shared cache) far more than the
small ones (which fit in the core's own), so a round is compared only with
itself. Building the run (10,000 agents to create) is not timed.
Run: ``make bench``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import machine
from rich.console import Console
from rich.table import Table

from pcc_router.routing import Command, Event
from pcc_router.simulator import Simulation, load_scenario
from pcc_router.simulator.version import describe

TEMPLATE = """\
version = 1
name = "scaling {agents} agents"
seed = 1
numbers = [{{ number = "1", queue_id = "q" }}]

[[queues]]
id = "q"
strategy = "{strategy}"
agent_wrap_up_after_calls = false
groups = [{{ group = "g" }}]

[[agent_pools]]
prefix = "a"
count = {agents}
group = "g"
online = ["app"]
answer_after = 0

[[traffic]]
to = "1"
calls = {calls}
arrivals = {{ process = "poisson", per_hour = {per_hour} }}
talk = {{ dist = "exponential", mean = "60s" }}
"""


def run_once(agents: int, strategy: str, calls: int, workdir: Path) -> tuple[float, float]:
    """Seconds for the whole run and seconds inside the engine (NaN when compiled: a
    compiled engine's method cannot be wrapped)."""
    per_hour = agents * 0.8 * 3600 / 60
    text = TEMPLATE.format(agents=agents, strategy=strategy, calls=calls, per_hour=per_hour)
    path = workdir / f"s_{agents}_{strategy}.toml"
    path.write_text(text, encoding="utf-8")
    sim = Simulation(load_scenario(path), keep_calls=False)
    handle, in_engine = sim.engine.handle, [0.0]

    def timed_handle(event: Event, now: float) -> list[Command]:
        started = time.perf_counter()
        commands = handle(event, now)
        in_engine[0] += time.perf_counter() - started
        return commands

    try:
        sim.engine.handle = timed_handle  # type: ignore[method-assign]
    except AttributeError:
        in_engine[0] = math.nan
    start = time.perf_counter()
    result = sim.run()
    elapsed = time.perf_counter() - start
    assert result.kpis["answered"] == calls, result.kpis
    return elapsed, in_engine[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agents", default="10,100,1000,5000,10000")
    parser.add_argument("--strategies", default="longest_idle,round_robin,random")
    args = parser.parse_args()
    sizes = [int(n) for n in args.agents.split(",")]
    strategies = args.strategies.split(",")
    title = (
        f"Cost per call, {args.rounds} interleaved rounds of {args.calls:,} calls "
        f"({describe()}); ratios to {sizes[0]} agents in the same round"
    )
    table = Table(title=title)
    columns = ("strategy", "agents", "calls/s", "µs/call", "vs smallest", "best µs",
               "best vs best", "engine µs/call")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_once(sizes[0], "longest_idle", args.calls // 4, Path(tmp))  # warm-up
        for round_number in range(args.rounds):
            # Every size once per round, the order rotated, so that a drift of the shared
            # machine (a neighbour filling the caches) hits all sizes alike.
            shift = round_number % len(sizes)
            for strategy in strategies:
                for agents in sizes[shift:] + sizes[:shift]:
                    run = run_once(agents, strategy, args.calls, Path(tmp))
                    runs.setdefault((strategy, agents), []).append(run)
    for strategy in strategies:
        base = runs[(strategy, sizes[0])]
        for agents in sizes:
            mine = runs[(strategy, agents)]
            whole = [r[0] / args.calls * 1e6 for r in mine]
            ratios = [r[0] / b[0] for r, b in zip(mine, base, strict=True)]
            best_ratio = min(r[0] for r in mine) / min(b[0] for b in base)
            engine = statistics.median(r[1] for r in mine) / args.calls * 1e6
            table.add_row(strategy, f"{agents:,}", f"{1e6 / statistics.median(whole):,.0f}",
                          f"{statistics.median(whole):.1f}", f"{statistics.median(ratios):.2f}x",
                          f"{min(whole):.1f}", f"{best_ratio:.2f}x",
                          "-" if math.isnan(engine) else f"{engine:.1f}")  # fmt: skip
    console = Console(width=140)
    console.print(table)
    console.print(
        "µs/call: median over rounds; vs smallest: median of the per-round ratios; best: "
        "the fastest round (noise only ever adds time)."
    )
    console.print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
