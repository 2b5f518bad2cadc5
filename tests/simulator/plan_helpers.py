"""Forecast scenarios shared by the staffing-plan tests."""

from __future__ import annotations

from pathlib import Path

from pcc_router.simulator.plan.forecast import Forecast, read_forecast
from pcc_router.simulator.scenario import load_scenario
from pcc_router.simulator.scenario.loader import read_document

# Six hours of Poisson calls in hour-long steady pieces: Erlang A's world when agents
# pick up at once and go straight back (no wrap-up).
STATIONARY = """\
version = 1
name = "stationary forecast"
seed = 7
until = "6h"
numbers = [{ number = "1900", queue_id = "q" }]

[[queues]]
id = "q"
strategy = "longest_idle"
agent_wrap_up_after_calls = false
groups = [{ group = "g" }]

[[agent_pools]]
prefix = "a"
count = 10
group = "g"
online = ["app"]
answer_after = 0

[[traffic]]
to = "1900"
arrivals = { process = "poisson", profile = [["0h", 120], ["2h", 240], ["4h", 180]] }
talk = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
"""

SHIFTS = """
[[shifts]]
id = "long"
starts = ["0h", "1h", "2h"]
length = "4h"
breaks = [{ after = { from = "1h", to = "2h", every = "1h" }, length = "1h" }]

[[shifts]]
id = "short"
starts = { from = "0h", to = "4h", every = "1h" }
length = "2h"
max_agents = 6
"""


def write(tmp_path: Path, text: str, name: str = "forecast.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def forecast_of(path: Path, interval: float = 3600.0, pool: str | None = None) -> Forecast:
    return read_forecast(load_scenario(path), read_document(path), interval=interval, pool=pool)
