"""Engine events as JSON-ready dicts and back: one codec for the event log and its replays.

An event is written as ``{"type": "<class name>", <field>: <value>, ...}``
with enums as their values; :func:`decode_event` gives the very same event
back (a round-trip test holds it to that). Unknown types and fields are
refused, so a log written by a newer version is never half-read.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from pcc_router.routing.errors import CodecError
from pcc_router.routing.events import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentUpdated,
    AgentWrappingUp,
    CallArrived,
    CallEnded,
    CallerHungUp,
    Event,
    PresenceChanged,
    TimerFired,
)
from pcc_router.routing.model import Channel

__all__ = ["decode_event", "encode_event"]

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        AgentAnswered,
        AgentCallEnded,
        AgentCallStarted,
        AgentRingStarted,
        AgentUpdated,
        AgentWrappingUp,
        CallArrived,
        CallEnded,
        CallerHungUp,
        PresenceChanged,
        TimerFired,
    )
}
#: Fields whose values are enums, by field name (the only ones events carry).
_ENUMS: dict[str, type[enum.Enum]] = {"channel": Channel}


def encode_event(event: Event) -> dict[str, Any]:
    """The event as a dict of JSON values."""
    data: dict[str, Any] = {"type": type(event).__name__}
    for field in fields(event):
        value = getattr(event, field.name)
        data[field.name] = value.value if isinstance(value, enum.Enum) else value
    return data


def decode_event(data: Mapping[str, Any]) -> Event:
    """The event :func:`encode_event` wrote; :class:`CodecError` for anything else."""
    kind = data.get("type")
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise CodecError(f"not an engine event type: {kind!r}")
    values = {key: value for key, value in data.items() if key != "type"}
    known = {field.name for field in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise CodecError(f"{kind} has no field {unknown[0]!r}")
    try:
        for name, enum_type in _ENUMS.items():
            if name in values:
                values[name] = enum_type(values[name])
        event: Event = cls(**values)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"{kind}: {exc}") from None
    return event
