"""Benchmark: CPU instructions per simulated call, pure and compiled, by callgrind's count.

Wall time on a shared machine drifts by a third between runs; an instruction
count does not. Each build simulates the benchmark model of ``compare.py``
(M/M/130+M) twice, at two run lengths, under ``valgrind --tool=callgrind``;
the slope between the two totals is the cost of one call, and what is left at
zero calls is the process's start-up. Without valgrind the table is skipped.

A second table follows the cost as agents grow (``engine_scaling.py``'s model,
10 and 5,000 agents): instructions, and data reads that miss a 512 kB cache
(cachegrind told that the last level is an L2 of that size), per call. Wall
time at 5,000 agents grows far more than the instructions do: the misses
say why.

Run: ``make bench``, or ``python bench/instructions.py [--calls 4000 8000]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import machine
from compare import SCENARIO, builds
from rich.console import Console
from rich.table import Table

_COLLECTED = re.compile(r"Collected : (\d+)")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_L2_READ_MISSES = re.compile(r"LLd misses:\s+[\d,]+\s+\(\s*([\d,]+) rd")
#: The agent counts of the scaling table, and its two run lengths (long enough for 5,000
#: agents to reach their steady state before the shorter one ends).
SCALING_AGENTS = (10, 5_000)
SCALING_CALLS = (20_000, 40_000)


def instructions(command: list[str]) -> int:
    """The instructions callgrind counted for the whole process."""
    probe = ["valgrind", "--tool=callgrind", "--trace-children=yes"]
    probe += ["--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(probe, capture_output=True, text=True, check=True, cwd="/")
    found = _COLLECTED.findall(done.stderr)  # the last: ``env`` execs the interpreter
    if not found:
        raise RuntimeError(f"callgrind printed no count: {done.stderr[-300:]}")
    return int(found[-1])


def reads_missing_l2(command: list[str]) -> tuple[int, int]:
    """Instructions, and data reads that miss a simulated 512 kB L2, for the whole process."""
    probe = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--LL=524288,8,64"]
    probe += ["--trace-children=yes", "--cachegrind-out-file=/dev/null", *command]
    done = subprocess.run(probe, capture_output=True, text=True, check=True, cwd="/")
    refs, misses = _REFS.findall(done.stderr), _L2_READ_MISSES.findall(done.stderr)
    if not refs or not misses:
        raise RuntimeError(f"cachegrind printed no count: {done.stderr[-300:]}")
    return int(refs[-1].replace(",", "")), int(misses[-1].replace(",", ""))


def scaling_table(workdir: Path) -> Table:
    """Per call at 10 and 5,000 agents, for the compiled build (the default install) when
    there is one, else the pure one: valgrind runs a 5,000-agent pure run for minutes."""
    from engine_scaling import TEMPLATE

    short, long = SCALING_CALLS
    table = Table(title=f"Cost per call as agents grow (cachegrind slope, {short:,} -> {long:,})")
    for column in ("build", "agents", "instructions", "ratio", "L2 read misses", "ratio"):
        table.add_column(column, justify="right")
    base: tuple[float, float] | None = None
    for agents in SCALING_AGENTS:
        totals = []
        for calls in (short, long):
            scenario = workdir / f"scaling{agents}_{calls}.toml"
            text = TEMPLATE.format(agents=agents, strategy="longest_idle", calls=calls,
                                   per_hour=agents * 0.8 * 60)  # fmt: skip
            scenario.write_text(text, encoding="utf-8")
            name, simulate = list(builds(scenario).items())[-1]  # compiled when built
            totals.append(reads_missing_l2(simulate))
        (i1, m1), (i2, m2) = totals
        per_call = ((i2 - i1) / (long - short), (m2 - m1) / (long - short))
        base = base or per_call
        table.add_row(name, f"{agents:,}", f"{per_call[0]:,.0f}", f"{per_call[0] / base[0]:.2f}x",
                      f"{per_call[1]:,.1f}", f"{per_call[1] / base[1]:.2f}x")  # fmt: skip
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs=2, default=(4_000, 8_000))
    parser.add_argument("--agents", type=int, default=130)
    parser.add_argument("--no-scaling", action="store_true", help="leave out the agents table")
    args = parser.parse_args()
    console = Console(width=120)
    if shutil.which("valgrind") is None:
        console.print("valgrind is not installed: instructions per call left out")
        return 0
    short, long = sorted(args.calls)
    table = Table(title=f"Instructions per call (callgrind slope, {short:,} -> {long:,} calls)")
    for column in ("build", "per call", "start-up (M)"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        counts: dict[str, list[int]] = {}
        for calls in (short, long):
            scenario = Path(tmp) / f"bench{calls}.toml"
            scenario.write_text(SCENARIO.format(calls=calls, agents=args.agents), "utf-8")
            for name, simulate in builds(scenario).items():
                counts.setdefault(name, []).append(instructions(simulate))
    for name, (at_short, at_long) in counts.items():
        per_call = (at_long - at_short) / (long - short)
        start_up = at_short - per_call * short
        table.add_row(name, f"{per_call:,.0f}", f"{start_up / 1e6:,.0f}")
    console.print(table)
    if not args.no_scaling:
        with tempfile.TemporaryDirectory() as tmp:
            console.print(scaling_table(Path(tmp)))
    console.print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
