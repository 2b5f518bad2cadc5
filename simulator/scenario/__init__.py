"""Scenario files (format version 1): their model, their reading and its errors.

- :mod:`~pcc_router.simulator.scenario.model`: what a file says, as data;
- :mod:`~pcc_router.simulator.scenario.loader`: :func:`load_scenario`, the file read and
  checked in full;
- :mod:`~pcc_router.simulator.scenario.sections`: the top level and the project half
  (read with the core's project codec), the ``[emulator]`` table;
- :mod:`~pcc_router.simulator.scenario.activity`: what happens: ``[[calls]]``,
  ``[[traffic]]``, ``[[events]]``, ``[[expect]]``;
- :mod:`~pcc_router.simulator.scenario.schema`: :class:`ScenarioError` and where a key is.
"""

from __future__ import annotations

from pcc_router.simulator.scenario.loader import load_scenario
from pcc_router.simulator.scenario.model import (
    AgentBehaviour,
    Approx,
    Checks,
    Expectation,
    PccBehaviour,
    Scenario,
    ScriptedCall,
    TimelineEvent,
    Traffic,
)
from pcc_router.simulator.scenario.schema import ScenarioError

__all__ = [
    "AgentBehaviour",
    "Approx",
    "Checks",
    "Expectation",
    "PccBehaviour",
    "Scenario",
    "ScenarioError",
    "ScriptedCall",
    "TimelineEvent",
    "Traffic",
    "load_scenario",
]
