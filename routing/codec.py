"""Engine events as JSON-ready dicts and back: one codec for the event log and its replays.

An event is written as ``{"type": "<class name>", <field>: <value>, ...}``
with enums as their values; :func:`decode_event` gives the very same event
back (a round-trip test holds it to that). Unknown types and fields are
refused, so a log written by a newer version is never half-read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, get_args

from pcc_router.routing.errors import CodecError, RoutingError
from pcc_router.routing.events import Event
from pcc_router.routing.model import AgentId, CallId, Channel
from pcc_router.routing.timers import TimerKey, parse_timer_key

__all__ = ["decode_event", "encode_event"]

#: Every event the engine takes, by class name: the ``Event`` union itself, so that a new
#: event is in the log's codec the day it is in the union.
_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in get_args(Event)}


def _timer_key(text: str) -> TimerKey:
    parse_timer_key(text)  # a kind this engine knows
    return TimerKey(text)


#: Fields that are not plain JSON values, by field name: how to read them back.
_READERS: dict[str, Callable[[Any], Any]] = {
    "channel": Channel,
    "key": _timer_key,
    "call_ids": lambda ids: tuple(CallId(i) for i in ids),
    "agents": lambda ids: tuple(AgentId(i) for i in ids),
    "answer_timeouts": lambda values: tuple(float(v) for v in values),
}


def encode_event(event: Event) -> dict[str, Any]:
    """The event as a dict of JSON values."""
    data: dict[str, Any] = {"type": type(event).__name__}
    for field in fields(event):
        value = getattr(event, field.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        data[field.name] = value
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
        for name, read in _READERS.items():
            if name in values:
                values[name] = read(values[name])
        event: Event = cls(**values)
    except (TypeError, ValueError, RoutingError) as exc:
        raise CodecError(f"{kind}: {exc}") from None
    return event
