"""pcc-router's simulator: scenario files replayed through the routing engine on a virtual clock.

The simulator owns time (a heap kernel) and chance (seeded generators), reads
scenarios, executes the engine's commands, measures KPIs and checks
expectations. See :mod:`simulator.runner` for the loop.
"""

from __future__ import annotations

from simulator.result import SimResult
from simulator.runner import Simulation, simulate
from simulator.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["Scenario", "ScenarioError", "SimResult", "Simulation", "load_scenario", "simulate"]
