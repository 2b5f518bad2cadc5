"""Timer keys: a typed value naming what a timer is for.

The engine starts timers with :class:`~pcc_router.routing.commands.StartTimer`
and hears of them again as :class:`~pcc_router.routing.events.TimerFired`.
A key is made from its kind and what it is about (a call, an agent) with
:func:`timer_key`, and read back with :func:`parse_timer_key`: the only
place the ``kind:ident`` text is put together or taken apart. At run time a
:data:`TimerKey` is the text itself (``wrapup:alice``), so shells store,
schedule and compare it as text at no cost; the type keeps other strings out.
"""

from __future__ import annotations

import enum
from typing import NewType

from pcc_router.routing.errors import RoutingError

__all__ = ["TimerKey", "TimerKind", "parse_timer_key", "timer_key"]


class TimerKind(enum.StrEnum):
    RING = "ring"  # a ring the engine started times out (per call)
    QUEUE_WAIT = "qwait"  # a caller has waited the queue's maximum (per call)
    KEYPRESS = "ivr"  # no key pressed at the menu in time (per call)
    WRAP_UP = "wrapup"  # an agent's wrap-up ends (per agent)
    SIP = "sip"  # an agent's SIP registration lapses (per agent)
    OFFER = "offer"  # a ring PCC started, or an offer, times out (per agent)
    REASK = "reask"  # a queue asks its get_list_agents_url again for its waiting calls


TimerKey = NewType("TimerKey", str)

# Built once: keys are made on the engine's hot path.
_PREFIX = {kind: f"{kind.value}:" for kind in TimerKind}
_KIND = {kind.value: kind for kind in TimerKind}


def timer_key(kind: TimerKind, ident: str) -> TimerKey:
    """``timer_key(TimerKind.WRAP_UP, "alice") == "wrapup:alice"``."""
    key: TimerKey = _PREFIX[kind] + ident  # type: ignore[assignment]  # no call: hot path
    return key


def parse_timer_key(key: str) -> tuple[TimerKind, str]:
    """``(kind, ident)`` of a key; :class:`RoutingError` for a kind this engine does not know."""
    prefix, _, ident = key.partition(":")
    kind = _KIND.get(prefix)
    if kind is None:
        raise RoutingError(f"unknown timer {key!r}")
    return kind, ident
