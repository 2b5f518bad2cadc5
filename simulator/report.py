"""``simulate --report DIR``: an HTML page with PNG plots of a run (matplotlib, no network).

Four plots: calls in queue over time, service level and ASA per 15-minute
interval, the distribution of waits, and each agent's occupancy.
"""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from pcc_router.routing.durations import clock
from pcc_router.simulator.result import SimResult

__all__ = ["write_report"]

_PERCENT = ("service_level_20s", "abandon_rate", "occupancy")
_MAX_AGENT_BARS = 60


def write_report(result: SimResult, directory: Path) -> Path:
    """Write ``report.html`` and its PNGs into ``directory``; return the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    plots = {
        "queue.png": _queue_plot(result),
        "intervals.png": _interval_plot(result),
        "waits.png": _wait_plot(result),
        "agents.png": _agent_plot(result),
    }
    for name, figure in plots.items():
        figure.savefig(directory / name, dpi=100)
        plt.close(figure)
    page = directory / "report.html"
    page.write_text(_page(result, list(plots)), encoding="utf-8")
    return page


def _hours(seconds: list[float]) -> list[float]:
    return [s / 3600 for s in seconds]


def _queue_plot(result: SimResult) -> Figure:
    figure, axes = plt.subplots(figsize=(10, 3.2), layout="constrained")
    times, levels = zip(*result.load, strict=True) if result.load else ((), ())
    axes.fill_between(_hours(list(times)), levels, step="post", alpha=0.4)
    axes.plot(_hours(list(times)), levels, drawstyle="steps-post", linewidth=1)
    axes.set(title="Calls in queue (waiting or ringing), mean per minute",
             xlabel="hours from the start", ylabel="calls")  # fmt: skip
    axes.set_ylim(bottom=0)
    return figure


def _interval_plot(result: SimResult) -> Figure:
    figure, left = plt.subplots(figsize=(10, 3.2), layout="constrained")
    rows = result.intervals
    starts = _hours([float(r["start"]) for r in rows])  # type: ignore[arg-type]
    level = [_pct(r["service_level_20s"]) for r in rows]
    left.bar(starts, level, width=0.25, align="edge", alpha=0.5, label="service level 20 s")
    left.set(xlabel="hours from the start", ylabel="service level (%)", ylim=(0, 105),
             title="Per 15 minutes: service level (bars) and ASA (line)")  # fmt: skip
    right = left.twinx()
    asa = [float(r["asa"]) if r["asa"] is not None else float("nan") for r in rows]  # type: ignore[arg-type]
    right.plot([s + 0.125 for s in starts], asa, color="tab:red", marker=".", label="ASA")
    right.set_ylabel("ASA (s)")
    right.set_ylim(bottom=0)
    return figure


def _pct(value: object) -> float:
    return float(value) * 100 if isinstance(value, (int, float)) else float("nan")


def _wait_plot(result: SimResult) -> Figure:
    figure, axes = plt.subplots(figsize=(10, 3.2), layout="constrained")
    axes.set(title="Waits of answered calls", xlabel="wait (s)", ylabel="calls")
    pairs = result.wait_distribution
    if pairs:
        top = max(w for w, _ in pairs)
        width = max(0.1, round(top / 60, 1))  # about 60 bars whatever the longest wait
        bars: dict[float, int] = {}
        for wait, count in pairs:
            edge = (wait // width) * width
            bars[edge] = bars.get(edge, 0) + count
        axes.bar(list(bars), list(bars.values()), width=width, align="edge")
        axes.axvline(20, color="tab:green", linestyle="--", label="20 s target")
        axes.legend()
        p99 = result.kpis.get("wait_p99")
        if isinstance(p99, float) and top > 2 * max(p99, 15):
            axes.set_xlim(0, 2 * max(p99, 15))  # the far tail would squash the rest
            axes.set_title(f"Waits of answered calls (longest: {top:.0f} s, not shown)")
    return figure


def _agent_plot(result: SimResult) -> Figure:
    figure, axes = plt.subplots(figsize=(10, 3.6), layout="constrained")
    agents = sorted(result.agents, key=lambda a: a.occupancy, reverse=True)
    if len(agents) <= _MAX_AGENT_BARS:
        axes.bar([a.stringee_user_id for a in agents], [a.occupancy * 100 for a in agents])
        axes.tick_params(axis="x", labelrotation=90, labelsize=7)
        axes.set(title="Occupancy per agent", ylabel="occupancy (%)", ylim=(0, 100))
    else:
        axes.hist([a.occupancy * 100 for a in agents], bins=30, range=(0, 100))
        axes.set(title=f"Occupancy of {len(agents)} agents", xlabel="occupancy (%)",
                 ylabel="agents")  # fmt: skip
    return figure


def _page(result: SimResult, images: list[str]) -> str:
    esc = html.escape
    kpi_rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(_fmt(name, value))}</td></tr>"
        for name, value in result.kpis.items()
    )
    checks = "".join(
        f"<tr class='{'ok' if c.passed else 'bad'}'><td>{'PASS' if c.passed else 'FAIL'}</td>"
        f"<td>{esc(c.subject)} {esc(c.target)}</td><td>{esc(c.check)}</td>"
        f"<td>{esc(str(c.as_dict()['expected']))}</td><td>{esc(str(c.seen))}</td></tr>"
        for c in result.checks
    )
    figures = "".join(f"<img src='{name}' alt='{name[:-4]}'>" for name in images)
    head = "<tr><th></th><th>subject</th><th>check</th><th>expected</th><th>seen</th></tr>"
    check_table = f"<h2>Expectations</h2><table>{head}{checks}</table>" if checks else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(result.scenario)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1040px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
td:first-child {{ text-align: left; }}
tr.bad td {{ background: #fdd; }} tr.ok td:first-child {{ color: #080; }}
img {{ display: block; max-width: 100%; margin: 1em 0; }}
</style></head><body>
<h1>{esc(result.scenario)}</h1>
<p>Seed {result.seed}; the run lasted {clock(result.end)} of simulated time.</p>
<h2>KPIs</h2><table>{kpi_rows}</table>
{check_table}
<h2>Plots</h2>{figures}
<p>Made by pcc-router. Definitions: docs/scenarios.md.</p>
</body></html>
"""


def _fmt(name: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and name in _PERCENT:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
