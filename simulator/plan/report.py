"""A plan for people: the terminal table, and ``--report DIR`` (plots and a page, offline)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pcc_router.simulator.plan.days import IntervalKpis
from pcc_router.simulator.plan.output import Plan, reasons

__all__ = ["render", "write_report"]

_PERCENT = ("service_level_20s", "abandon_rate", "occupancy")


def render(plan: Plan, console: Console) -> None:
    f = plan.forecast
    targets = ", ".join(str(t) for t in plan.targets)
    title = (f"{f.scenario.name}: queue {f.queue_id}, pool {f.pool_prefix!r}, {targets}; "
             f"KPIs of the rostered day, mean ± 95 % CI over {plan.seeds} seeds")  # fmt: skip
    table = Table(title=title, title_justify="left")
    for column in ("interval", "calls", "Erlang A", "simulated", "rostered", "SL 20 s %",
                   "ASA s", "abandoned %", "occupancy %", "verdict"):  # fmt: skip
        table.add_column(column, justify="right" if column != "interval" else "left",
                         no_wrap=True)  # fmt: skip
    verdicts = plan.verdicts()
    for i in range(f.intervals):
        row = plan.kpis[i]
        style = {"met": "green", "within CI": "yellow", "missed": "red"}[verdicts[i]]
        table.add_row(f.label(i), f"{f.calls[i]:.0f}", str(plan.erlang[i]),
                      str(plan.requirement.staffing[i]), str(plan.rostered[i]),
                      *(_cell(row, k) for k in ("service_level_20s", "asa", "abandon_rate")),
                      _cell(row, "occupancy"),
                      f"[{style}]{verdicts[i].replace('within', 'in')}[/]")  # fmt: skip
    console.print(table)
    summary = plan.to_json()["summary"]
    assert isinstance(summary, dict)
    console.print(
        f"Agent-hours: Erlang A {summary['erlang_a_agent_hours']:g}, simulated "
        f"{summary['simulated_agent_hours']:g}, rostered {summary['rostered_agent_hours']:g}; "
        f"{plan.runs:,} simulated days."
    )
    console.print(_comparison(plan))
    for i, why in enumerate(reasons(plan)):
        if why:
            console.print(
                f"  {f.label(i)}: simulated {plan.requirement.staffing[i]} vs Erlang A "
                f"{plan.erlang[i]}: {why}"
            )
    _roster_lines(plan, console)


def _comparison(plan: Plan) -> str:
    apart = plan.apart
    if not apart:
        return "The simulated requirement is within one agent of Erlang A in every interval."
    return (f"The simulated requirement differs from Erlang A by more than one agent in "
            f"{len(apart)} of {plan.forecast.intervals} intervals:")  # fmt: skip


def _roster_lines(plan: Plan, console: Console) -> None:
    missed = [plan.forecast.label(i) for i, v in enumerate(plan.verdicts()) if v == "missed"]
    if plan.roster is not None:
        console.print("Shifts chosen (agents starting on each):")
        for option, count in plan.roster.chosen:
            breaks = ", ".join(plan.forecast.clock(at) for at in option.breaks)
            console.print(
                f"  {count:>3} x {option.shift.id} from {plan.forecast.clock(option.start)}"
                + (f", break at {breaks}" if breaks else "")
            )
    if missed:
        console.print(f"[red]The roster misses the target beyond its CI in: {', '.join(missed)}[/]")
    else:
        console.print("The roster meets the target in every interval (within its CI).")
    if plan.requirement.unsettled:
        late = ", ".join(plan.forecast.label(i) for i in plan.requirement.unsettled)
        console.print(f"[yellow]The requirement search did not settle: {late}[/]")


def _cell(row: IntervalKpis, kpi: str) -> str:
    mean, half = row.mean[kpi], row.half[kpi]
    if mean is None:
        return "-"
    scale = 100 if kpi in _PERCENT else 1
    return f"{mean * scale:.1f}" + (f" ±{half * scale:.1f}" if half is not None else "")


def write_report(plan: Plan, directory: Path) -> Path:
    """``plan.html`` with two plots (requirement against roster; each target's KPI against
    the target) and ``plan.json`` into ``directory``; the page's path."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    directory.mkdir(parents=True, exist_ok=True)
    f = plan.forecast
    x = list(range(f.intervals))
    labels = [f.label(i).split("-")[0] for i in x]
    staff = Figure(figsize=(10, 3.6), layout="constrained")
    axes = staff.subplots()
    for values, name in ((plan.erlang, "Erlang A"), (plan.requirement.staffing, "simulated"),
                         (plan.rostered, "rostered")):  # fmt: skip
        axes.step(x, values, where="mid", label=name)
    axes.set(title="Agents per interval", ylabel="agents")
    _ticks(axes, labels)
    axes.legend()
    staff.savefig(directory / "staffing.png", dpi=100)
    images = ["staffing.png"]
    for target in plan.targets:
        figure = Figure(figsize=(10, 3.6), layout="constrained")
        axes = figure.subplots()
        means = [row.mean[target.kpi] for row in plan.kpis]
        halves = [row.half[target.kpi] or 0.0 for row in plan.kpis]
        shown = [(i, m, h) for i, (m, h) in enumerate(zip(means, halves, strict=True))
                 if m is not None]  # fmt: skip
        axes.errorbar([s[0] for s in shown], [s[1] for s in shown], yerr=[s[2] for s in shown],
                      fmt="o", capsize=3, label=f"{target.kpi} (95 % CI)")  # fmt: skip
        axes.axhline(target.value, color="red", linestyle="--", label=f"target {target}")
        axes.set(title=f"{target.kpi} per interval, rostered day", ylabel=target.kpi)
        _ticks(axes, labels)
        axes.legend()
        name = f"{target.kpi}.png"
        figure.savefig(directory / name, dpi=100)
        images.append(name)
    data = plan.to_json()
    (directory / "plan.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    page = directory / "plan.html"
    page.write_text(_page(plan, images, data), encoding="utf-8")
    return page


def _ticks(axes: object, labels: list[str]) -> None:
    step = max(1, len(labels) // 12)
    axes.set_xticks(range(0, len(labels), step), labels[::step])  # type: ignore[attr-defined]
    axes.set_xlabel("interval start")  # type: ignore[attr-defined]


def _page(plan: Plan, images: list[str], data: dict[str, object]) -> str:
    esc = html.escape
    rows = data["intervals"]
    assert isinstance(rows, list)
    head = ("interval", "calls", "Erlang A", "simulated", "rostered", "verdict", "why")
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(str(r[k]))}</td>" for k in
                         ("interval", "forecast_calls", "erlang_a", "simulated", "rostered",
                          "verdict", "why")) + "</tr>"
        for r in rows
    )  # fmt: skip
    table = "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + f"</tr>{body}</table>"
    pictures = "".join(f"<img src='{name}' alt='{name[:-4]}'>" for name in images)
    name = esc(plan.forecast.scenario.name)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Staffing plan: {name}</title>
<style>body{{font-family:sans-serif;margin:2em}}img{{max-width:100%}}
td,th{{border:1px solid #ccc;padding:2px 6px}}table{{border-collapse:collapse}}</style>
</head><body><h1>Staffing plan: {name}</h1>
<p>Targets: {esc(", ".join(str(t) for t in plan.targets))}; {plan.seeds} seeds per day.
The same figures as JSON: <a href="plan.json">plan.json</a>.</p>
{pictures}<h2>Per interval</h2>{table}</body></html>
"""
