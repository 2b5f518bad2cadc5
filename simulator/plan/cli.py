"""``pcc-router plan``: a staffing plan from a scenario's forecast.

Bad input (a target the plan cannot staff to, an interval that does not
divide the day, shifts that cannot cover the requirement, a forecast with no
traffic, an output that cannot be written) exits with 2 and a message naming
the key or option, and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from pcc_router.routing.durations import parse_duration
from pcc_router.simulator.plan.days import summarise
from pcc_router.simulator.plan.forecast import PlanError, parse_targets, read_forecast
from pcc_router.simulator.plan.output import Plan, roster_text
from pcc_router.simulator.plan.requirement import (
    SimulatedDay,
    erlang_requirement,
    simulated_requirement,
)
from pcc_router.simulator.plan.shifts import cover, shift_options
from pcc_router.simulator.scenario import Scenario, ScenarioError
from pcc_router.simulator.scenario.loader import read_document
from pcc_router.simulator.workers import WorkersError, open_workers

__all__ = ["plan_command"]

MAX_SEEDS = 200


def plan_command(scenario: Scenario, args: argparse.Namespace) -> int:
    errors = Console(stderr=True, highlight=False)
    try:
        plan = _make_plan(scenario, args, errors)
    except PlanError as exc:
        where = exc.where if exc.where.startswith("--") else f"{scenario.path}: {exc.where}"
        print(f"error: {where}: {exc.message}", file=sys.stderr)
        return 2
    except (WorkersError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.write_roster:
        _write_atomically(Path(args.write_roster), roster_text(plan, scenario.path))
        print(f"roster: {args.write_roster}", file=sys.stderr)
    if args.report:
        from pcc_router.simulator.plan.report import write_report

        print(f"report: {write_report(plan, Path(args.report))}", file=sys.stderr)
    if args.json:
        sys.stdout.write(json.dumps(plan.to_json(), indent=2) + "\n")
    else:
        from pcc_router.simulator.plan.report import render

        render(plan, Console(width=max(120, Console().width)))
    return 0


def _make_plan(scenario: Scenario, args: argparse.Namespace, errors: Console) -> Plan:
    targets = parse_targets(args.target)
    try:
        interval = parse_duration(args.interval)
    except ValueError as exc:
        raise PlanError("--interval", str(exc)) from None
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise PlanError("--seeds", f"{args.seeds}: from 1 to {MAX_SEEDS}")
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise PlanError("--workers", f"{args.workers}: from 1 to 256")
    _check_outputs(args, scenario.path)
    forecast = read_forecast(scenario, read_document(scenario.path), interval=interval,
                             pool=args.pool)  # fmt: skip
    options = shift_options(forecast) if scenario.shifts else None
    erlang = erlang_requirement(forecast, targets)
    workers = open_workers(args.scheduler, args.workers)
    progress = _Progress(errors, workers.describe())
    try:
        need = simulated_requirement(forecast, targets, erlang, seeds=args.seeds,
                                     workers=workers, progress=progress)  # fmt: skip
        roster, kpis, runs = None, need.kpis, need.runs
        if options is not None:
            roster = cover(forecast, need.staffing, options)
            day = SimulatedDay(forecast, args.seeds, workers, None)
            [measured] = day.measure_days([roster.timelines(forecast.day)], forecast.intervals)
            staffed = [r + forecast.fixed_agents for r in roster.rostered]
            kpis, runs = summarise(measured, staffed, forecast.interval), runs + day.runs
    finally:
        workers.close()
        progress.done()
    return Plan(forecast=forecast, targets=targets, seeds=args.seeds, erlang=erlang,
                requirement=need, roster=roster, kpis=kpis, runs=runs)  # fmt: skip


def _check_outputs(args: argparse.Namespace, source: Path) -> None:
    """Refuse, before any run, outputs that could not be written."""
    if args.write_roster:
        target = Path(args.write_roster)
        if target.resolve() == source.resolve():
            raise PlanError("--write-roster", "would overwrite the scenario itself")
        if not target.parent.is_dir() or not os.access(target.parent, os.W_OK):
            raise PlanError("--write-roster", f"cannot write into {target.parent}")
    if args.report:
        report = Path(args.report)
        if report.exists() and not report.is_dir():
            raise PlanError("--report", f"{report} is a file, not a directory")
        parent = next((p for p in (report, *report.parents) if p.exists()), Path("."))
        if not os.access(parent, os.W_OK):
            raise PlanError("--report", f"cannot write into {parent}")


def _write_atomically(path: Path, text: str) -> None:
    """The whole file or none of it (a plan interrupted mid-write leaves no half roster)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Progress:
    """Simulated days so far, on standard error: a live line on a terminal, else a line
    every hundred days (standard output keeps only the table or the JSON)."""

    def __init__(self, console: Console, where: str) -> None:
        self.console = console
        self.told = 0
        self.status = console.status(f"plan: simulating on {where}") if console.is_terminal \
            else None  # fmt: skip
        if self.status is not None:
            self.status.start()
        else:
            print(f"plan: simulating on {where}", file=sys.stderr, flush=True)

    def __call__(self, done: int, total: int) -> None:
        if self.status is not None:
            self.status.update(f"plan: {done:,} simulated days")
        elif done // 100 > self.told:
            self.told = done // 100
            print(f"plan: {done:,} simulated days", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.status is not None:
            self.status.stop()
