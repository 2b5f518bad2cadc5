"""pcc-router's simulator: scenario files replayed through the routing engine on a virtual clock.

The simulator owns time (a heap kernel) and chance (seeded generators), reads
scenarios, executes the engine's commands, measures KPIs and checks
expectations. See :mod:`pcc_router.simulator.runner` for the loop.
"""

from __future__ import annotations

from pcc_router.simulator.result import SimResult
from pcc_router.simulator.runner import Simulation, simulate
from pcc_router.simulator.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["Scenario", "ScenarioError", "SimResult", "Simulation", "load_scenario", "simulate"]
