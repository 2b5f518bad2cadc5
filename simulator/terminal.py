"""The readable view of a run: which agent each call rang, why the others did not, KPIs, checks."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pcc_router.routing import Decision
from pcc_router.routing.durations import clock
from pcc_router.simulator.kpis import CallRecord
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.theory import QueueModel

__all__ = ["render", "render_theory"]

MAX_CALL_ROWS = 200
MAX_AGENT_ROWS = 60
_RING_MARK = {"answered": "[green]answered[/]", "no_answer": "[yellow]no answer[/]",
              "cancelled": "[dim]cancelled[/]", None: "[dim]ringing[/]"}  # fmt: skip
_OUTCOME_STYLE = {"answered": "green", "abandoned": "red", "queue_timeout": "red",
                  "queue_full": "red", "ivr_failed": "red", "waiting": "yellow"}  # fmt: skip


def render(result: SimResult, *, summary: bool = False, console: Console | None = None) -> None:
    console = console or Console(width=max(110, Console().width))
    console.rule(f"[bold]{result.scenario}[/]  seed {result.seed}  ran to {clock(result.end)}")
    if not summary and result.calls:
        console.print(_calls_table(result.calls))
    if not summary and result.decisions:
        console.print(_why(result.decisions))
    console.print(_kpi_table(result))
    console.print(_agents_table(result))
    if result.checks:
        console.print(_checks_table(result))


def _calls_table(calls: list[CallRecord]) -> Table:
    table = Table(title="Calls", title_justify="left", expand=False)
    for column in ("call", "arrived", "queue", "rang", "answered by", "wait", "outcome"):
        table.add_column(column)
    for record in calls[:MAX_CALL_ROWS]:
        rings = ", ".join(
            f"{r.agent} @{clock(r.at)} {_RING_MARK.get(r.outcome, r.outcome or '')}"
            for r in record.rang or ()
        )
        wait = record.wait
        style = _OUTCOME_STYLE.get(record.outcome, "")
        table.add_row(
            record.id,
            clock(record.arrived),
            record.queue or "-",
            rings or "[dim]nobody[/]",
            record.answered_by or "-",
            "-" if wait is None else f"{wait:.1f}s",
            f"[{style}]{record.outcome}[/]" if style else record.outcome,
        )
    if len(calls) > MAX_CALL_ROWS:
        table.caption = f"{len(calls) - MAX_CALL_ROWS} more calls: use --json to see them all"
    return table


def _why(decisions: list[Decision]) -> Text:
    text = Text()
    text.append("Why each ring went where it did\n", style="bold")
    for decision in decisions:
        chosen = ", ".join(decision.chosen)
        text.append(
            f"{clock(decision.at)}  {decision.call_id} in {decision.queue_id} "
            f"({decision.strategy}): rang {chosen}\n",
            style="cyan",
        )
        for considered in decision.considered:
            if considered.agent_id in decision.chosen:
                continue
            text.append(f"    {considered.agent_id}: {considered.note}\n")
    return text


def _kpi_table(result: SimResult) -> Table:
    table = Table(title="KPIs", title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for name, value in result.kpis.items():
        table.add_row(name, _fmt(name, value))
    return table


def _fmt(name: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if name in ("service_level_20s", "abandon_rate", "occupancy", "p_wait"):
            return f"{value:.1%}"
        if name.startswith("fairness"):
            return f"{value:.2f}"
        return f"{value:.1f}s"
    return str(value)


def _agents_table(result: SimResult) -> Table:
    table = Table(title="Agents", title_justify="left")
    for column in ("agent", "handled", "talk time", "occupancy", "no answers", "manual_status"):
        table.add_column(
            column, justify="left" if column in ("agent", "manual_status") else "right"
        )
    for stats in result.agents[:MAX_AGENT_ROWS]:
        table.add_row(
            stats.stringee_user_id,
            str(stats.handled),
            f"{stats.talk_time:.0f}s",
            f"{stats.occupancy:.1%}",
            str(stats.no_answers),
            stats.manual_status,
        )
    if len(result.agents) > MAX_AGENT_ROWS:
        table.caption = f"{len(result.agents) - MAX_AGENT_ROWS} more agents in --json"
    return table


def _checks_table(result: SimResult) -> Table:
    failed = sum(not c.passed for c in result.checks)
    title = f"Expectations: {len(result.checks) - failed} passed, {failed} failed"
    table = Table(title=title, title_justify="left")
    for column in ("", "subject", "check", "expected", "seen"):
        table.add_column(column)
    for check in result.checks:
        mark = "[green]PASS[/]" if check.passed else "[bold red]FAIL[/]"
        expected = check.as_dict()["expected"]
        table.add_row(mark, f"{check.subject} {check.target}", check.check,
                      str(expected), str(check.seen))  # fmt: skip
    return table


def render_theory(name: str, model: QueueModel, rows: list[dict[str, object]]) -> None:
    console = Console(width=max(100, Console().width))
    patience = f"{model.mean_patience:g} s" if model.mean_patience else "none"
    rate = model.arrival_rate * 3600
    title = (
        f"{name}: {model.agents} agents, {model.offered_load:.2f} erlangs offered\n"
        f"(λ {rate:g}/h, talk {model.mean_talk:g} s, patience {patience})"
    )
    table = Table(title=title, title_justify="left")
    for column in ("KPI", "theory", "simulated"):
        table.add_column(column, justify="right")
    for row in rows:
        name_ = str(row["kpi"])
        table.add_row(name_, _fmt(name_, row["theory"]), _fmt(name_, row.get("simulated")))
    console.print(table)
    console.print(
        "[dim]simulated: one run of the file's seed; KPIs carry sampling noise, and occupancy also "
        "counts the emptying of the system after the last arrival.[/]"
    )
