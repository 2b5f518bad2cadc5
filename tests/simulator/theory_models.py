"""The two queueing models the theory tests and their calibration share."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pcc_router.simulator import Scenario, load_scenario, simulate

CALLS = 25_000

_TEMPLATE = """\
version = 1
name = "{name}"
numbers = [{{ number = "1", queue_id = "q" }}]
queues = [{{ id = "q", agent_wrap_up_after_calls = false, groups = [{{ group = "g" }}] }}]
agent_pools = [{{ prefix = "a", count = 10, group = "g", online = ["app"], answer_after = 0 }}]

[[traffic]]
to = "1"
calls = {calls}
arrivals = {{ process = "poisson", per_hour = {per_hour} }}
talk = {{ dist = "exponential", mean = "60s" }}
{patience}
"""


def _scenario(name: str, per_hour: int, patience: str) -> Scenario:
    text = _TEMPLATE.format(name=name, calls=CALLS, per_hour=per_hour, patience=patience)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.toml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


#: M/M/10 at 8 erlangs (80 % load); M/M/10+M at 9 erlangs with 60 s mean patience.
MODELS = {
    "mmc": _scenario("M/M/10", 480, ""),
    "mmcm": _scenario("M/M/10+M", 540, 'patience = { dist = "exponential", mean = "60s" }'),
}


def run_model(scenario: Scenario) -> dict[str, object]:
    return simulate(scenario, keep_calls=False).kpis
