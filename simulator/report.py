"""``simulate --report DIR``: the day report, an HTML page with PNG plots (no network).

Written for a call-centre engineer without docs/scenarios.md open: times of
day (the scenario's ``starts_at`` plus the offset), KPIs by readable name with
their units, per 15 minutes the calls offered, answered and abandoned beside
service level and ASA, and a row per agent (calls, talk time, occupancy).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

from pcc_router.routing.durations import clock
from pcc_router.simulator.kpis import INTERVAL
from pcc_router.simulator.plots import day_label, figures
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.version import describe

__all__ = ["KPI_LABELS", "write_report"]

# Each KPI of ``--json`` as the report names it, with its unit:
# "n" a count, "%" a share, "s" seconds, "x" a ratio, "" a plain number.
KPI_LABELS: dict[str, tuple[str, str]] = {
    "offered": ("Calls offered (entered a queue)", "n"),
    "answered": ("Calls answered", "n"),
    "abandoned": ("Calls abandoned (the caller hung up while queued)", "n"),
    "queue_timeout": ("Calls dropped at the queue's wait limit", "n"),
    "queue_full": ("Calls turned away by a full queue", "n"),
    "service_level_20s": ("Service level (answered within 20 s of queueing)", "%"),
    "asa": ("Average speed of answer (ASA)", "s"),
    "abandon_rate": ("Abandonment rate", "%"),
    "occupancy": ("Occupancy (talk time / staffed time)", "%"),
    "mean_talk": ("Mean talk time", "s"),
    "wait_p50": ("Wait of answered calls: median", "s"),
    "wait_p90": ("Wait of answered calls: 90th percentile", "s"),
    "wait_p99": ("Wait of answered calls: 99th percentile", "s"),
    "fairness_calls_cv": ("Fairness: spread of calls per agent (coefficient of variation)", ""),
    "fairness_calls_max_min": ("Fairness: most / fewest calls per agent", "x"),
    "fairness_talk_cv": ("Fairness: spread of talk time per agent (coefficient of variation)", ""),
    "fairness_talk_max_min": ("Fairness: most / least talk time per agent", "x"),
}
_MAX_AGENT_ROWS = 1000

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1040px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
td:first-child, th:first-child { text-align: left; }
td.text { text-align: left; }
td.key { color: #777; font-family: monospace; font-size: 0.85em; text-align: left; }
tr.bad td { background: #fdd; } tr.ok td:first-child { color: #080; }
img { display: block; max-width: 100%; margin: 1em 0; }
dt { font-weight: bold; } dd { margin: 0 0 0.5em 1.5em; }
"""

_GLOSSARY = """<h2>What the words mean</h2><dl>
<dt>Offered</dt><dd>A call that entered a queue (a call moved on by overflow counts once).</dd>
<dt>Service level</dt><dd>Calls answered within 20 s of entering the queue, out of all offered.</dd>
<dt>ASA</dt><dd>Average speed of answer: the mean wait of answered calls.</dd>
<dt>Abandoned</dt><dd>The caller hung up while waiting in the queue.</dd>
<dt>Occupancy</dt><dd>Talk time out of staffed time; an agent is staffed while available and
reachable, or busy ringing, talking or in wrap-up.</dd>
<dt>Per 15 minutes</dt><dd>Calls count in the quarter hour they entered a queue.</dd>
</dl>"""


def write_report(result: SimResult, directory: Path) -> Path:
    """Write ``report.html`` and its PNGs into ``directory``; return the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    plots = figures(result)
    for name, figure in plots.items():
        figure.savefig(directory / name, dpi=100)
    page = directory / "report.html"
    page.write_text(_page(result, list(plots)), encoding="utf-8")
    return page


def _page(result: SimResult, images: list[str]) -> str:
    esc = html.escape
    start, end = result.starts_at, result.starts_at + result.end
    span = f"{day_label(start)} to {day_label(end)} ({clock(result.end)} of simulated time)"
    figures_html = "".join(f"<img src='{name}' alt='{name[:-4]}'>" for name in images)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(result.scenario)}</title>
<style>{_STYLE}</style></head><body>
<h1>{esc(result.scenario)}</h1>
<p>Simulated {esc(span)}; seed {result.seed}; {esc(describe())}.</p>
<h2>Key figures</h2>{_kpi_table(result)}
{_check_table(result)}
<h2>Plots</h2>{figures_html}
<h2>Per 15 minutes</h2>{_interval_table(result)}
<h2>Agents</h2>{_agent_table(result)}
{_GLOSSARY}
<p>Made by pcc-router. The same figures as JSON: <code>simulate --json</code>.</p>
</body></html>
"""


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    esc = html.escape
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"


def _kpi_table(result: SimResult) -> str:
    esc = html.escape
    rows = []
    for key, value in result.kpis.items():
        name, unit = KPI_LABELS.get(key, (key, ""))
        rows.append(
            f"<tr><td>{esc(name)}</td><td>{esc(_value(value, unit))}</td>"
            f"<td class='key'>{esc(key)}</td></tr>"
        )
    head = "<tr><th>Measure</th><th>Value</th><th>in --json</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _value(value: object, unit: str) -> str:
    """``value`` with its unit; ``-`` when there was nothing to measure."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "%":
        return f"{value:.1%}"
    if unit == "s":
        return _seconds(value)
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "n" or isinstance(value, int):
        return f"{value:,}"
    return f"{value:.2f}"


def _seconds(value: float) -> str:
    """``12.3 s``, and past a minute also as ``m:ss`` (a talk time reads better so)."""
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{value:,.0f} s ({minutes}:{seconds:02d} min)"


def _check_table(result: SimResult) -> str:
    """The ``[[expect]]`` checks; a KPI's by its readable name, in its unit."""
    if not result.checks:
        return ""
    esc = html.escape
    rows = []
    for c in result.checks:
        name, unit = KPI_LABELS.get(c.target, (c.target, "")) if c.subject == "metric" else ("", "")
        subject = name or f"{c.subject} {c.target}"
        expected = c.as_dict()["expected"]
        shown = _value(expected, unit) if isinstance(expected, (int, float)) else str(expected)
        rows.append(
            f"<tr class='{'ok' if c.passed else 'bad'}'><td>{'PASS' if c.passed else 'FAIL'}</td>"
            f"<td class='text'>{esc(subject)}</td><td>{esc(c.check.replace('_', ' '))}</td>"
            f"<td>{esc(shown)}</td><td>{esc(_value(c.seen, unit))}</td></tr>"
        )
    head = "<tr><th></th><th>subject</th><th>check</th><th>expected</th><th>seen</th></tr>"
    return f"<h2>Expectations</h2><table>{head}{''.join(rows)}</table>"


def _interval_table(result: SimResult) -> str:
    head = ("Interval", "Offered", "Answered", "Abandoned", "Service level (20 s)", "ASA")
    rows = []
    for row in result.intervals:
        begin = result.starts_at + float(row["start"])  # type: ignore[arg-type]
        rows.append((
            f"{day_label(begin)}-{day_label(begin + INTERVAL)}",
            _value(row["offered"], "n"),
            _value(row["answered"], "n"),
            _value(row["abandoned"], "n"),
            _value(row["service_level_20s"], "%"),
            _value(row["asa"], "s"),
        ))  # fmt: skip
    return _table(head, rows) if rows else "<p>No call entered a queue.</p>"


def _agent_table(result: SimResult) -> str:
    head = ("Agent", "Calls answered", "Talk time", "Staffed time", "Occupancy",
            "Rings not answered", "Status at the end")  # fmt: skip
    agents = result.agents[:_MAX_AGENT_ROWS]
    rows = [
        (
            a.stringee_user_id,
            f"{a.handled:,}",
            clock(a.talk_time),
            clock(a.staffed_time),
            f"{a.occupancy:.1%}",
            f"{a.no_answers:,}",
            a.manual_status,
        )
        for a in agents
    ]
    more = len(result.agents) - len(agents)
    note = f"<p>{more:,} more agents in <code>simulate --json</code>.</p>" if more > 0 else ""
    return _table(head, rows) + note
