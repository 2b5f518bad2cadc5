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
        self.adjusted = Counter(
            "pcc_event_timestamps_adjusted",
            "PCC events applied at receive time or in their call's order: their timestamp_ms "
            "was ahead of this clock, too old, or before the call's newest event",
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
        self._faults(self.registry)

    def _faults(self, registry: CollectorRegistry) -> None:
        """What an operator watches when something around the controller goes wrong."""
        self.store_up = Gauge(
            "pcc_store_up", "1 while the store answers, 0 while it is down", registry=registry
        )
        self.store_up.set(1)
        self.store_errors = Counter(
            "pcc_store_errors",
            "Requests and jobs the store failed (timeout: past the deadline; error: refused)",
            ["kind"],
            registry=registry,
        )
        self.deadlines = Counter(
            "pcc_request_deadline_exceeded",
            "Requests answered 503 because their deadline passed",
            ["route"],
            registry=registry,
        )
        self.clock_steps = Counter(
            "pcc_clock_steps",
            "Wall-clock steps seen (timers keep their real due times)",
            registry=registry,
        )
        self.clock_drift = Gauge(
            "pcc_clock_drift_seconds",
            "The wall clock less the controller's steady clock (moves only when it steps)",
            registry=registry,
        )
        self.connections = Gauge(
            "pcc_open_connections", "HTTP connections open now", registry=registry
        )
        self.connections_refused = Counter(
            "pcc_connections_refused",
            "Connections closed at once (over MAX_CONNECTIONS) or cut off (too slow)",
            ["reason"],
            registry=registry,
        )
        self.accept_errors = Counter(
            "pcc_accept_errors",
            "Connections the process could not accept (out of files or memory)",
            registry=registry,
        )
        self.log_retention = Counter(
            "pcc_event_log_pruned_rows",
            "Event-log rows pruned by the retention job",
            registry=registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
