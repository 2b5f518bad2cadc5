"""Queueing theory for one queue: Erlang C (M/M/N) and Erlang A (M/M/N+M).

Erlang A is the model of Garnett, Mandelbaum and Reiman (2002): Poisson
arrivals at rate λ, N agents with exponential talk of rate μ, and callers
with exponential patience of rate θ who leave while waiting. Its state is the
number of calls in the system, a birth-death chain with death rate
``min(n, N)·μ + max(n - N, 0)·θ``. An arriving call sees the stationary
distribution (PASTA). A call that finds ``k`` calls queued ahead moves up one
place at rate ``Nμ + jθ`` while ``j`` are ahead, and abandons at rate θ
meanwhile, so its fate and its wait are a chain of exponential phases; the
wait distribution comes from uniformising that chain.

All rates are per second. The KPIs are those of the simulator: ``asa`` over
answered calls, ``service_level`` = answered within the target / offered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["QueueModel", "TheoryKpis", "erlang_a", "erlang_c"]

_LOG_CUTOFF = 60.0  # states below e^-60 of the most likely one are dropped


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueModel:
    arrival_rate: float  # λ, calls per second
    mean_talk: float  # 1/μ, seconds
    agents: int  # N
    mean_patience: float | None = None  # 1/θ, seconds; None: callers never leave

    @property
    def offered_load(self) -> float:
        """A = λ/μ, in erlangs."""
        return self.arrival_rate * self.mean_talk


@dataclass(frozen=True, slots=True, kw_only=True)
class TheoryKpis:
    model: str
    p_wait: float
    asa: float
    service_level: float
    abandon_rate: float
    occupancy: float

    def as_kpis(self) -> dict[str, float]:
        """The values under the simulator's KPI names."""
        return {
            "service_level_20s": self.service_level,
            "asa": self.asa,
            "abandon_rate": self.abandon_rate,
            "occupancy": self.occupancy,
        }


def erlang_c(model: QueueModel, *, target: float = 20.0) -> TheoryKpis:
    """M/M/N with no abandonment; needs A < N."""
    n, a = model.agents, model.offered_load
    if a >= n:
        raise ValueError(
            f"Erlang C needs load below the agent count: {a:.2f} erlangs on {n} agents"
        )
    blocking = 1.0  # Erlang B by the stable recursion, then C from B
    for k in range(1, n + 1):
        blocking = a * blocking / (k + a * blocking)
    p_wait = n * blocking / (n - a * (1 - blocking))
    drain = n / model.mean_talk - model.arrival_rate  # Nμ - λ
    return TheoryKpis(
        model="Erlang C",
        p_wait=p_wait,
        asa=p_wait / drain,
        service_level=1 - p_wait * math.exp(-drain * target),
        abandon_rate=0.0,
        occupancy=a / n,
    )


def erlang_a(model: QueueModel, *, target: float = 20.0) -> TheoryKpis:
    """M/M/N+M (Erlang A); with no patience given it is Erlang C."""
    if model.mean_patience is None:
        return erlang_c(model, target=target)
    lam, mu, theta, n = (model.arrival_rate, 1 / model.mean_talk, 1 / model.mean_patience,
                         model.agents)  # fmt: skip
    probs = _stationary(lam, mu, theta, n)
    free = sum(probs[:n])
    queued = probs[n:]  # queued[k]: an arrival finds k calls waiting ahead
    served_after_wait = 0.0
    wait_of_served = 0.0
    survive, time_ahead = 1.0, 0.0
    for k, p in enumerate(queued):
        advance = n * mu + k * theta
        survive *= advance / (advance + theta)  # P(served | k ahead)
        time_ahead += 1 / (advance + theta)  # E[wait] over the k+1 phases
        served_after_wait += p * survive
        wait_of_served += p * survive * time_ahead
    served = free + served_after_wait
    within = free + _served_within(queued, n * mu, theta, target)
    return TheoryKpis(
        model="Erlang A",
        p_wait=1 - free,
        asa=wait_of_served / served,
        service_level=within,
        abandon_rate=1 - served,
        occupancy=lam * served / (n * mu),
    )


def _stationary(lam: float, mu: float, theta: float, n: int) -> list[float]:
    """π_0, π_1, … of the Erlang A chain, cut where it falls below e^-60 of its peak."""
    logs = [0.0]
    peak = 0.0
    i = 0
    while True:
        i += 1
        death = min(i, n) * mu + max(i - n, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
        peak = max(peak, logs[-1])
        if i > n and logs[-1] < peak - _LOG_CUTOFF:
            break
    weights = [math.exp(v - peak) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


def _served_within(queued: list[float], service: float, theta: float, t: float) -> float:
    """P(a call waits, then is answered within ``t``), by uniformisation of the phases."""
    if not queued:
        return 0.0
    size = len(queued)
    rates = [service + j * theta for j in range(size)]  # moving up from j ahead
    uniform = rates[-1] + theta
    mass = list(queued)
    served = 0.0
    total = 0.0
    steps = int(uniform * t + 12 * math.sqrt(uniform * t) + 30)
    log_weight = -uniform * t  # log Poisson(0; Λt)
    for step in range(steps + 1):
        total += math.exp(log_weight) * served
        served += mass[0] * rates[0] / uniform
        mass = [
            mass[j] * (1 - (rates[j] + theta) / uniform)
            + (mass[j + 1] * rates[j + 1] / uniform if j + 1 < size else 0.0)
            for j in range(size)
        ]
        log_weight += math.log(uniform * t) - math.log(step + 1)
    return total
