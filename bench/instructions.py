"""Benchmark: CPU instructions per simulated call, pure and compiled, by callgrind's count.

Wall time on a shared machine drifts by a third between runs; an instruction
count does not. Each build simulates the benchmark model of ``compare.py``
(M/M/130+M) twice, at two run lengths, under ``valgrind --tool=callgrind``;
the slope between the two totals is the cost of one call, and what is left at
zero calls is the process's start-up. Without valgrind the table is skipped.

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


def instructions(command: list[str]) -> int:
    """The instructions callgrind counted for the whole process."""
    probe = ["valgrind", "--tool=callgrind", "--trace-children=yes"]
    probe += ["--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(probe, capture_output=True, text=True, check=True, cwd="/")
    found = _COLLECTED.findall(done.stderr)  # the last: ``env`` execs the interpreter
    if not found:
        raise RuntimeError(f"callgrind printed no count: {done.stderr[-300:]}")
    return int(found[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs=2, default=(4_000, 8_000))
    parser.add_argument("--agents", type=int, default=130)
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
    console.print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
