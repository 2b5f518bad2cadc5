"""The simulator's commands of ``pcc-router``: simulate, check, theory, sweep, plan.

The command line's root is :mod:`pcc_router.api.cli`, which adds the
controller's commands; ``python -m pcc_router.simulator`` runs these alone.
Exit codes: 0 fine; 1 an ``[[expect]]`` failed; 2 the scenario (or the
command line) is wrong, with the file, the key and what is wrong on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pcc_router.simulator.progress import ProgressBar
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario import Scenario, ScenarioError, load_scenario
from pcc_router.simulator.scenario.sections import time_of_day
from pcc_router.simulator.theory import TheoryKpis
from pcc_router.simulator.version import describe

__all__ = ["COMMANDS", "add_parsers", "add_scenario", "command", "main", "parser", "run"]

COMMANDS = ("simulate", "check", "theory", "sweep", "plan")

# Explanations cost a verdict per queue member per ring: shown by default only
# for runs small enough to read.
EXPLAIN_MAX_CALLS = 100
EXPLAIN_MAX_AGENTS = 50


#: What every command's exit codes mean (each command lists those it uses).
EXIT_OK = "done"
EXIT_BAD = "bad input: the file, the key or the option, and what is wrong, on standard error"


def parser(description: str) -> tuple[argparse.ArgumentParser, Any]:
    """The ``pcc-router`` parser with no command yet, and its sub-command set."""
    made = argparse.ArgumentParser(
        prog="pcc-router",
        description=description,
        epilog="Run `pcc-router COMMAND --help` for a command's options, examples and exit codes.",
    )
    made.add_argument("--version", action="version", version=describe())
    return made, made.add_subparsers(dest="command", required=True, metavar="COMMAND")


def command(
    commands: Any,
    name: str,
    *,
    summary: str,
    about: str = "",
    examples: Sequence[str] = (),
    exits: Sequence[tuple[int, str]] = ((0, EXIT_OK), (2, EXIT_BAD)),
) -> argparse.ArgumentParser:
    """A command in the one style of ``pcc-router``: a one-line summary (the list of
    commands), a description, and an epilog of examples and exit codes."""
    epilog = ""
    if examples:
        epilog += "examples:\n" + "\n".join(f"  {line}" for line in examples) + "\n\n"
    epilog += "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in exits)
    made: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=about or _sentence(summary),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return made


def _sentence(summary: str) -> str:
    """A one-line summary as a sentence: capital first, a full stop unless it asks."""
    text = summary[:1].upper() + summary[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def add_scenario(made: argparse.ArgumentParser, what: str = "the scenario file (TOML)") -> None:
    """The scenario a command works on: always the first argument, ``SCENARIO``."""
    made.add_argument("scenario", metavar="SCENARIO", type=Path, help=what)


def add_parsers(commands: Any) -> None:
    """Add simulate, check, theory, sweep and plan to ``commands``."""
    sim = command(
        commands,
        "simulate",
        summary="run a scenario file and report what happened",
        about="Run a scenario on a virtual clock: every call's rings and why, the KPIs, and "
        "its [[expect]] checks.",
        examples=(
            "pcc-router simulate scenarios/hotline_02473000062.toml",
            "pcc-router simulate day.toml --summary --report reports/day",
            "pcc-router simulate day.toml --json > result.json",
        ),
        exits=((0, "done, every [[expect]] met"), (1, "an [[expect]] failed"), (2, EXIT_BAD)),
    )
    add_scenario(sim)
    sim.add_argument("--json", action="store_true", help="print the result as JSON")
    sim.add_argument("--summary", action="store_true", help="leave out the per-call list")
    sim.add_argument("--report", metavar="DIR", help="write report.html and plots into DIR")
    sim.add_argument("--starts-at", metavar="HH:MM", type=_time_of_day,
                     help="the time of day the run starts, for the report's clock "
                     "(default: the scenario's starts_at, else 00:00)")  # fmt: skip
    sim.add_argument("--why", choices=("auto", "always", "never"), default="auto",
                     help="explain each ring decision (auto: small scenarios only)")  # fmt: skip
    check = command(
        commands,
        "check",
        summary="validate a scenario file without running it",
        examples=("pcc-router check my_center.toml",),
    )
    add_scenario(check)
    theory = command(
        commands,
        "theory",
        summary="Erlang C/A for a one-queue scenario, beside what simulate measures",
        examples=("pcc-router theory scenarios/traffic_pools.toml --json",),
    )
    add_scenario(theory)
    theory.add_argument("--json", action="store_true", help="print the comparison as JSON")
    theory.add_argument("--no-simulate", action="store_true", help="print the theory only")
    sweep = command(
        commands,
        "sweep",
        summary="staffing what-if over agent counts and seeds",
        about="Run a scenario with each count of one [[agent_pools]] entry, several seeds "
        "each, in parallel: the KPIs with 95 % confidence intervals, and the smallest count "
        "meeting a target. Progress goes to standard error.",
        examples=(
            'pcc-router sweep day.toml --agents 20..30 --seeds 5 --target "service_level_20s>=0.8"',
            "pcc-router sweep day.toml --agents 10..100:10 --pool web --json",
        ),
    )
    add_scenario(sweep, "the scenario file (TOML), with an [[agent_pools]] entry")
    sweep.add_argument("--agents", required=True, help="LOW..HIGH[:STEP] or N,N,...")
    sweep.add_argument("--seeds", type=int, default=5, help="runs per agent count (default 5)")
    sweep.add_argument("--target", help='e.g. "service_level_20s>=0.8"')
    sweep.add_argument("--pool", help="prefix of the pool to vary, when there are several")
    _add_workers(sweep)
    sweep.add_argument("--json", action="store_true", help="print the table as JSON")
    plan = command(
        commands,
        "plan",
        summary="staffing plan from a forecast: agents per interval, shifts, roster",
        about="Agents per interval that meet the target: Erlang A, then the whole day "
        "simulated with every routing rule (backlogs carry over), with 95 % confidence "
        "intervals; with [[shifts]], how many agents start on each shift (an integer "
        "program), and that roster simulated again. Progress goes to standard error.",
        examples=(
            'pcc-router plan scenarios/hotline_forecast.toml --target "service_level_20s>=0.8"',
            'pcc-router plan day.toml --target "asa<=30" --interval 1h --seeds 10 --json',
            'pcc-router plan day.toml --target "service_level_20s>=0.8" --report reports/plan '
            "--write-roster roster.toml",
            'pcc-router plan day.toml --target "abandon_rate<=0.05" --scheduler tcp://10.0.0.5:8786',
        ),
    )
    add_scenario(plan, "the forecast: a scenario with until, traffic and an [[agent_pools]] entry")
    _plan_arguments(plan)


def _plan_arguments(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("--target", action="append", default=[], metavar="KPI>=VALUE",
                      help='e.g. "service_level_20s>=0.8" (repeat for several; '
                      "service_level_20s, asa, abandon_rate or occupancy)")  # fmt: skip
    plan.add_argument("--interval", default="30m", help="length of an interval (default 30m)")
    plan.add_argument("--seeds", type=int, default=5, help="runs per simulated day (default 5)")
    plan.add_argument("--pool", help="prefix of the [[agent_pools]] entry to staff, when several")
    _add_workers(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("--report", metavar="DIR", help="write plan.html, plots and plan.json")
    plan.add_argument("--write-roster", metavar="FILE",
                      help="write a scenario file with the roster")  # fmt: skip


def _add_workers(made: argparse.ArgumentParser) -> None:
    """Where the runs of a sweep or a plan go (:mod:`pcc_router.simulator.workers`)."""
    made.add_argument("--workers", type=int, help="local processes (default: all cores)")
    made.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                      help="run on this Dask scheduler (default: $DASK_SCHEDULER_ADDRESS, "
                      "else local processes)")  # fmt: skip


def _time_of_day(text: str) -> float:
    try:
        return time_of_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """The simulator's commands alone (``python -m pcc_router.simulator``)."""
    made, commands = parser("Simulate and explain Stringee PCC call routing.")
    add_parsers(commands)
    return run(made.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run one of :data:`COMMANDS`."""
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        print(_describe(scenario))
        return 0
    if args.command == "theory":
        return _theory(scenario, args)
    if args.command == "sweep":
        from pcc_router.simulator.sweep_cli import sweep_command

        return sweep_command(scenario, args)
    if args.command == "plan":
        from pcc_router.simulator.plan.cli import plan_command

        return plan_command(scenario, args)
    return _simulate(scenario, args)


def _describe(scenario: Scenario) -> str:
    p = scenario.project
    return (
        f"{scenario.path}: ok: {len(p.numbers)} numbers, {len(p.queues)} queues, "
        f"{len(p.groups)} groups, {len(p.agents)} agents, {len(scenario.calls)} scripted calls, "
        f"{len(scenario.traffic)} traffic streams, {len(scenario.events)} timeline events, "
        f"{sum(len(e.checks) for e in scenario.expects)} checks"
    )


def _simulate(scenario: Scenario, args: argparse.Namespace) -> int:
    small = (
        not scenario.traffic
        and len(scenario.calls) <= EXPLAIN_MAX_CALLS
        and len(scenario.project.agents) <= EXPLAIN_MAX_AGENTS
    )
    if args.starts_at is not None:
        scenario = replace(scenario, starts_at=args.starts_at)
    explain = not args.json and (args.why == "always" or (args.why == "auto" and small))
    with ProgressBar(show=not args.json and sys.stdout.isatty()) as bar:
        result = simulate(scenario, keep_calls=not args.summary, explain=explain, progress=bar)
    if args.report:
        from pcc_router.simulator.report import write_report

        try:
            page = write_report(result, Path(args.report))
        except OSError as exc:
            print(f"error: --report {args.report}: cannot write there ({exc.strerror})",
                  file=sys.stderr)  # fmt: skip
            return 2
        print(f"report: {page}", file=sys.stderr)
    if args.json:
        text = json.dumps(result.to_json(summary=args.summary), indent=2, ensure_ascii=False)
        _write(text + "\n")
    else:
        from pcc_router.simulator.terminal import render

        render(result, summary=args.summary)
    return 0 if result.passed else 1


def _theory(scenario: Scenario, args: argparse.Namespace) -> int:
    from pcc_router.simulator.fit import queue_model
    from pcc_router.simulator.theory import erlang_a

    try:
        model = queue_model(scenario)
        theory = erlang_a(model)
    except ScenarioError as exc:
        exc.file = str(scenario.path)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # Erlang C with more load than agents: no steady state
        print(f"error: {scenario.path}: {exc}", file=sys.stderr)
        return 2
    simulated = None if args.no_simulate else simulate(scenario, keep_calls=False).kpis
    rows = theory_rows(theory, simulated)
    if args.json:
        payload = {"model": theory.model, "agents": model.agents,
                   "offered_load": model.offered_load, "kpis": rows}  # fmt: skip
        _write(json.dumps(payload, indent=2) + "\n")
    else:
        from pcc_router.simulator.terminal import render_theory

        render_theory(theory.model, model, rows)
    return 0


def theory_rows(theory: TheoryKpis, simulated: dict[str, object] | None) -> list[dict[str, object]]:
    """KPI by KPI: the analytic value and, when given, the simulated one."""
    rows: list[dict[str, object]] = [{"kpi": "p_wait", "theory": round(theory.p_wait, 6)}]
    for name, value in theory.as_kpis().items():
        row: dict[str, object] = {"kpi": name, "theory": round(value, 6)}
        if simulated is not None:
            row["simulated"] = simulated[name]
        rows.append(row)
    return rows


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: the reader is gone, not an error
        sys.stdout = None


if __name__ == "__main__":
    sys.exit(main())
