"""Prometheus metrics of one app instance, in a registry of its own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "pcc_events_received",
            "PCC call events received, by outcome (applied, duplicate, stale, ignored)",
            ["outcome"],
            registry=self.registry,
        )
        self.expired = Counter(
            "pcc_calls_expired",
            "Calls closed because no event came for PCC_MAX_CALL_AGE (a lost ended)",
            registry=self.registry,
        )
        self.decisions = Counter(
            "pcc_routing_decisions",
            "get_list_agents_url answers, by queue",
            ["queue"],
            registry=self.registry,
        )
        self.routable = Gauge(
            "pcc_routable_agents", "Routable agents per queue", ["queue"], registry=self.registry
        )
        self.waiting = Gauge(
            "pcc_waiting_calls",
            "Calls in a queue not yet answered",
            ["queue"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pcc_request_seconds", "HTTP request latency", ["route"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
