"""The outcome of a run, and its JSON form (the contract's ``simulate --json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pcc_router.routing import AgentStats, Decision
from pcc_router.simulator.expect import CheckResult, check_all
from pcc_router.simulator.kpis import CallRecord, agent_rows
from pcc_router.simulator.version import VERSION

if TYPE_CHECKING:
    from pcc_router.simulator.runner import Simulation

__all__ = ["SimResult"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimResult:
    scenario: str
    seed: int
    end: float
    kpis: dict[str, object]
    calls: list[CallRecord]
    agents: list[AgentStats]
    intervals: list[dict[str, object]]
    checks: list[CheckResult]
    decisions: list[Decision]
    load: list[tuple[float, float]]
    wait_distribution: list[tuple[float, int]]
    starts_at: float = 0.0  # the scenario's time of day at offset 0 (seconds after midnight)

    @classmethod
    def collect(cls, sim: Simulation, *, end: float, agents: list[AgentStats]) -> SimResult:
        recorder = sim.recorder
        kpis = recorder.kpis(agents)
        calls = recorder.calls()
        checks = check_all(sim.scenario.expects, calls=calls, agents=agents, kpis=kpis)
        return cls(
            scenario=sim.scenario.name,
            seed=sim.scenario.seed,
            end=end,
            kpis=kpis,
            calls=calls if recorder.keep_calls else [],
            agents=agents,
            intervals=recorder.interval_rows(),
            checks=checks,
            decisions=sim.decisions,
            load=recorder.load.points(end),
            wait_distribution=recorder.waits.distribution(),
            starts_at=sim.scenario.starts_at,
        )

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_json(self, *, summary: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "version": VERSION,
            "kpis": self.kpis,
        }
        if not summary:
            out["calls"] = [c.as_dict() for c in self.calls]
        out["agents"] = agent_rows(self.agents)
        out["intervals"] = self.intervals
        out["expect"] = [c.as_dict() for c in self.checks]
        return out
