"""``pcc-router sweep``: run the staffing what-if and show its table."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from pcc_router.simulator.scenario import Scenario, ScenarioError
from pcc_router.simulator.sweep import (
    MAX_RUNS,
    SWEPT_KPIS,
    SweepRow,
    Target,
    parse_counts,
    pick_pool,
    run_sweep,
)
from pcc_router.simulator.workers import WorkersError, open_workers

__all__ = ["sweep_command"]


def sweep_command(scenario: Scenario, args: argparse.Namespace) -> int:
    try:
        counts = parse_counts(args.agents)
        target = Target.parse(args.target) if args.target else None
        if not 1 <= args.seeds <= 1000:
            raise ValueError(f"--seeds {args.seeds}: from 1 to 1000")
        if len(counts) * args.seeds > MAX_RUNS:
            raise ValueError(
                f"--agents and --seeds make {len(counts) * args.seeds:,} runs; at most "
                f"{MAX_RUNS:,} (fewer counts, or fewer seeds)"
            )
        if args.workers is not None and not 1 <= args.workers <= 256:
            raise ValueError(f"--workers {args.workers}: from 1 to 256")
        pool = pick_pool(scenario.path, args.pool)
    except (ValueError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    kpis: tuple[str, ...] = SWEPT_KPIS
    if target is not None and target.kpi not in kpis:
        kpis = (*kpis, target.kpi)
    try:
        workers = open_workers(args.scheduler, args.workers)
    except WorkersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        with _progress() as progress:
            rows = run_sweep(scenario.path, pool=pool, counts=counts, seeds=args.seeds,
                             kpis=kpis, workers=workers, progress=progress)  # fmt: skip
    finally:
        workers.close()
    smallest = next((r.agents for r in rows if target and target.met(r.means[target.kpi])), None)
    if args.json:
        payload = {
            "scenario": scenario.name,
            "seeds": args.seeds,
            "target": str(target) if target else None,
            "smallest_meeting_target": smallest,
            "rows": [{"agents": r.agents, "mean": r.means, "ci95_half_width": r.half_widths}
                     for r in rows],
        }  # fmt: skip
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        _render(scenario, args.seeds, rows, target, smallest, kpis)
    return 0


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """Runs done, on standard error: a bar on a terminal, else a line at every tenth of the
    runs (standard output keeps only the table or the JSON)."""
    errors = Console(stderr=True)
    bar = errors.is_terminal
    told = [0]
    with Progress(console=errors, transient=True, disable=not bar) as shown:
        task = shown.add_task("simulating", total=None)

        def tell(done: int, total: int) -> None:
            shown.update(task, completed=done, total=total)
            if not bar and done * 10 // total > told[0]:
                told[0] = done * 10 // total
                print(f"sweep: {done}/{total} runs done", file=sys.stderr, flush=True)

        yield tell


def _render(scenario: Scenario, seeds: int, rows: list[SweepRow], target: Target | None,
            smallest: int | None, kpis: tuple[str, ...]) -> None:  # fmt: skip
    console = Console(width=max(110, Console().width))
    table = Table(title=f"{scenario.name}: mean ± 95 % CI over {seeds} seeds", title_justify="left")
    table.add_column("agents", justify="right")
    for kpi in kpis:
        table.add_column(kpi, justify="right")
    if target:
        table.add_column(str(target))
    for row in rows:
        cells = [_cell(kpi, row.means[kpi], row.half_widths[kpi]) for kpi in kpis]
        mark = []
        if target:
            mark = ["[green]yes[/]" if target.met(row.means[target.kpi]) else "[red]no[/]"]
        table.add_row(str(row.agents), *cells, *mark)
    console.print(table)
    if target:
        answer = f"{smallest} agents" if smallest is not None else "none of the counts tried"
        console.print(f"Smallest count meeting {target} (on the mean): [bold]{answer}[/]")


def _cell(kpi: str, mean: float | None, half: float | None) -> str:
    if mean is None:
        return "-"
    if kpi in ("service_level_20s", "abandon_rate", "occupancy"):
        text = f"{mean:.1%}" + (f" ± {half:.1%}" if half is not None else "")
    else:
        text = f"{mean:.1f}" + (f" ± {half:.1f}" if half is not None else "")
    return text
