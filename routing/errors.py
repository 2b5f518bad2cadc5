"""Errors raised when the engine is misused (bad configuration, unknown ids).

Expected outcomes of routing (no agent free, a full queue, a caller who hangs
up) are never exceptions: they are commands. An exception means the caller of
the engine asked for something impossible, and the engine's state is left as
it was before the call.
"""

from __future__ import annotations

__all__ = [
    "CodecError",
    "ConfigError",
    "RoutingError",
    "UnknownAgent",
    "UnknownCall",
    "UnknownNumber",
]


class RoutingError(Exception):
    """Base of the engine's errors; ``http_status`` hints how a service should answer."""

    def __init__(self, msg: str, *, http_status: int = 400) -> None:
        super().__init__(msg)
        self.msg = msg
        self.http_status = http_status


class ConfigError(RoutingError):
    """The project (numbers, queues, groups, agents) does not hold together."""


class CodecError(RoutingError):
    """A stored event that is not one this version of the engine knows how to read."""


class UnknownAgent(RoutingError):
    def __init__(self, agent_id: str) -> None:
        super().__init__(f"unknown agent {agent_id!r}", http_status=404)


class UnknownCall(RoutingError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"unknown call {call_id!r}", http_status=404)


class UnknownNumber(RoutingError):
    def __init__(self, number: str) -> None:
        super().__init__(f"no hotline {number!r} is configured", http_status=404)
