"""Benchmark: does the cost of a call stay flat as the agent count grows?

Runs the full simulator (engine, kernel, KPIs) in-process on an M/M/c model
at the same load per agent (80 % occupancy, exponential talk of 60 s, no
abandonment) with 10 to 10,000 agents, for three strategies. It prints the
whole run's cost per call and, separately, the time spent inside
``Engine.handle`` (the routing decisions themselves), each with its ratio to
the 10-agent run. Building the run (10,000 agents to create) is not timed.
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
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--agents", default="10,100,1000,5000,10000")
    parser.add_argument("--strategies", default="longest_idle,round_robin,random")
    args = parser.parse_args()
    sizes = [int(n) for n in args.agents.split(",")]
    title = f"Cost per call, median of {args.repeat} runs of {args.calls} calls ({describe()})"
    table = Table(title=title)
    columns = ("strategy", "agents", "calls/s", "µs/call", "vs smallest", "engine µs/call",
               "vs smallest")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        run_once(sizes[0], "longest_idle", args.calls // 4, Path(tmp))  # warm-up
        for strategy in args.strategies.split(","):
            base: tuple[float, float] | None = None
            for agents in sizes:
                runs = [
                    run_once(agents, strategy, args.calls, Path(tmp)) for _ in range(args.repeat)
                ]
                whole = statistics.median(r[0] for r in runs) / args.calls * 1e6
                engine = statistics.median(r[1] for r in runs) / args.calls * 1e6
                base = base or (whole, engine)
                inside = (
                    ("-", "-")
                    if math.isnan(engine)
                    else (f"{engine:.1f}", f"{engine / base[1]:.2f}x")
                )
                table.add_row(strategy, f"{agents:,}", f"{1e6 / whole:,.0f}", f"{whole:.1f}",
                              f"{whole / base[0]:.2f}x", *inside)  # fmt: skip
    console = Console(width=120)
    console.print(table)
    console.print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
