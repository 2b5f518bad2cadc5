"""The day report's plots (matplotlib, files only), with time axes in clock time.

A scenario's offsets count from its ``starts_at`` (a time of day), so every
time axis plots ``starts_at + offset`` and labels it ``09:00``: a call-centre
engineer reads the morning peak at 10:00, not at "2 hours from the start".
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from pcc_router.simulator.kpis import INTERVAL
from pcc_router.simulator.result import SimResult

__all__ = ["day_label", "figures"]

_DAY = 86_400
# Tick steps a reader counts in, from a quarter hour to a day.
_STEPS = (900, 1800, 3600, 7200, 10_800, 21_600, 43_200, _DAY)
_MAX_TICKS = 12
_MAX_AGENT_BARS = 60


def figures(result: SimResult) -> dict[str, Figure]:
    """The report's plots by file name; the caller saves and closes them."""
    return {
        "queue.png": _queue_plot(result),
        "intervals.png": _interval_plot(result),
        "waits.png": _wait_plot(result),
        "agents.png": _agent_plot(result),
    }


def day_label(seconds: float) -> str:
    """``HH:MM`` for seconds after the first midnight; later days say ``(day 2)``."""
    minute = round(seconds / 60)
    day, minute = divmod(minute, 1440)
    text = f"{minute // 60:02d}:{minute % 60:02d}"
    return f"{text} (day {day + 1})" if day else text


def _clock_axis(axes: Axes, start: float, span: float) -> None:
    """Ticks on whole quarter hours, hours or days of the clock, labelled ``HH:MM``."""
    step = next((s for s in _STEPS if span / s <= _MAX_TICKS), _STEPS[-1])
    axes.xaxis.set_major_locator(MultipleLocator(step))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: day_label(x)))
    axes.set_xlim(start, start + max(span, INTERVAL))
    axes.set_xlabel("time of day")


def _queue_plot(result: SimResult) -> Figure:
    figure = Figure(figsize=(10, 3.2), layout="constrained")
    axes = figure.subplots()
    start = result.starts_at
    times = [start + t for t, _ in result.load]
    levels = [level for _, level in result.load]
    axes.fill_between(times, levels, step="post", alpha=0.4)
    axes.plot(times, levels, drawstyle="steps-post", linewidth=1)
    axes.set(title="Calls in queue (waiting or ringing), mean per minute", ylabel="calls")
    axes.set_ylim(bottom=0)
    _clock_axis(axes, start, result.end)
    return figure


def _interval_plot(result: SimResult) -> Figure:
    """Two panels on one clock: what came and how it ended; how fast it was answered."""
    figure = Figure(figsize=(10, 5.4), layout="constrained")
    counts, speed = figure.subplots(2, 1, sharex=True)
    rows = result.intervals
    starts = [result.starts_at + _float(r["start"]) for r in rows]
    third = INTERVAL / 3
    for shift, key, colour in ((0, "offered", "tab:blue"), (1, "answered", "tab:green"),
                               (2, "abandoned", "tab:red")):  # fmt: skip
        heights = [_float(r[key]) for r in rows]
        counts.bar([s + shift * third for s in starts], heights, width=third, align="edge",
                   color=colour, label=key)  # fmt: skip
    counts.set(title="Per 15 minutes: calls offered, answered and abandoned", ylabel="calls")
    counts.legend(loc="upper right", fontsize=8)
    level = [_float(r["service_level_20s"]) * 100 for r in rows]
    speed.bar(starts, level, width=INTERVAL, align="edge", alpha=0.45, color="tab:green",
              label="service level (answered within 20 s)")  # fmt: skip
    speed.set(title="Per 15 minutes: service level (bars) and ASA (line)",
              ylabel="service level (%)", ylim=(0, 105))  # fmt: skip
    wait = speed.twinx()
    asa = [_float(r["asa"]) for r in rows]
    wait.plot([s + INTERVAL / 2 for s in starts], asa, color="tab:red", marker=".",
              label="ASA: average speed of answer")  # fmt: skip
    wait.set_ylabel("ASA (s)")
    wait.set_ylim(bottom=0)
    handles = [*speed.get_legend_handles_labels()[0], *wait.get_legend_handles_labels()[0]]
    speed.legend(handles=handles, loc="upper right", fontsize=8)
    _clock_axis(speed, result.starts_at, len(rows) * INTERVAL)
    return figure


def _float(value: object) -> float:
    """A number from a JSON row; ``null`` (nothing to average) leaves a gap."""
    return float(value) if isinstance(value, (int, float)) else float("nan")


def _wait_plot(result: SimResult) -> Figure:
    figure = Figure(figsize=(10, 3.2), layout="constrained")
    axes = figure.subplots()
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
    figure = Figure(figsize=(10, 3.6), layout="constrained")
    axes = figure.subplots()
    agents = sorted(result.agents, key=lambda a: a.occupancy, reverse=True)
    if len(agents) <= _MAX_AGENT_BARS:
        axes.bar([a.stringee_user_id for a in agents], [a.occupancy * 100 for a in agents])
        axes.tick_params(axis="x", labelrotation=90, labelsize=7)
        axes.set(title="Occupancy per agent (talk time / staffed time)", ylabel="occupancy (%)",
                 ylim=(0, 100))  # fmt: skip
    else:
        axes.hist([a.occupancy * 100 for a in agents], bins=30, range=(0, 100))
        axes.set(title=f"Occupancy of {len(agents)} agents", xlabel="occupancy (%)",
                 ylabel="agents")  # fmt: skip
    return figure
