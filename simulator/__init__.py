"""pcc-router's simulator: scenario files replayed through the routing engine on a virtual clock.

The simulator owns time (a heap kernel) and chance (seeded generators), reads
scenarios, executes the engine's commands, measures KPIs and checks
expectations. See :mod:`pcc_router.simulator.runner` for the loop.
"""

from __future__ import annotations

# The compiled modules' records pickle by their constructors too (scenarios and results
# go to other processes): see pcc_router.routing.pickling.
from pcc_router.routing.pickling import register_dataclasses
from pcc_router.simulator.kpis import register_call_records
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.runner import Simulation, simulate
from pcc_router.simulator.scenario import Scenario, ScenarioError, load_scenario

register_dataclasses(f"pcc_router.simulator.{name}" for name in ("arrivals", "kpis", "measures"))
register_call_records()

__all__ = ["Scenario", "ScenarioError", "SimResult", "Simulation", "load_scenario", "simulate"]
