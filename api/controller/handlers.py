"""What each input does, as a unit of work of the controller (:meth:`Controller.unit`).

Each function returns a unit: what it reads under the project's lock, what
it feeds the engine, and what it writes in the same transaction (always an
event-log row carrying the engine events it meant, so that other instances
and replays apply exactly those).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from pcc_router.api.controller.retention import Pruned, prune_batch
from pcc_router.api.controller.timestamps import believed
from pcc_router.api.controller.worker import Unit
from pcc_router.api.store import repo
from pcc_router.api.store.records import CallWrite
from pcc_router.api.store.tables import CallRow
from pcc_router.api.stringee.calls import FREE, AgentOnCall, PccEvent, agent_of, meaning
from pcc_router.routing import (
    AgentCallEnded,
    AgentId,
    AgentsRequested,
    AgentUpdated,
    CallId,
    Channel,
    OfferAgents,
    PresenceChanged,
    QueueId,
    normal_number,
)

if TYPE_CHECKING:
    from pcc_router.api.controller.context import UnitContext
    from pcc_router.api.controller.core import Controller

__all__ = [
    "EXPIRED",
    "agent_update_unit",
    "catch_up_unit",
    "config_unit",
    "decision_unit",
    "expiry_unit",
    "pcc_unit",
    "presence_unit",
    "prune_unit",
    "timer_unit",
]

log = logging.getLogger("pcc_router.controller")

#: The status of a call closed because nothing was heard of it for too long.
EXPIRED = "expired"


def _key(kind: str) -> str:
    return f"{kind}|{uuid.uuid4().hex}"


# ------------------------------------------------------------- PCC events


def pcc_unit(ctl: Controller, events: list[PccEvent]) -> Unit[list[str]]:
    """PCC call events, in order: ``applied``, ``duplicate`` or ``stale`` each."""

    def read(session: Session) -> tuple[dict[str, repo.KnownCall], set[str]]:
        calls = repo.known_calls(session, (event.call_id for event in events))
        return calls, repo.logged_keys(session, (event.key for event in events))

    def apply(data: tuple[dict[str, repo.KnownCall], set[str]], unit: UnitContext) -> list[str]:
        known, seen = data
        return [_pcc_event(ctl, event, known, seen, unit) for event in events]

    return ctl.unit(read, apply)


def _pcc_event(
    ctl: Controller,
    event: PccEvent,
    known: dict[str, repo.KnownCall],
    seen: set[str],
    unit: UnitContext,
) -> str:
    if event.key in seen:
        return "duplicate"
    seen.add(event.key)
    call = known.get(event.call_id)
    named = agent_of(event, unit.engine)
    frees = event.call_status == "ended" or (event.call_status == "agentEnded" and bool(named))
    stamp = believed(
        event.timestamp_ms,
        wall=ctl.wall_now(),
        skew=ctl.max_clock_skew,
        last_ts_ms=call.last_ts_ms if call is not None and call.last_ts_ms >= 0 else None,
        frees=frees,
    )
    forgotten = call is None and not frees and _older_than_kept(ctl, event)
    if forgotten or stamp is None or (call is not None and _contradicts(event, call)):
        # older than what is applied, for a call given up as lost, or a call that is over
        # starting again (another run reusing its id): kept, not applied
        unit.log(
            "pcc", event.key, event.raw, [], applied=False,
            call_id=event.call_id, ts_ms=event.timestamp_ms,
        )  # fmt: skip
        return "stale"
    if stamp.adjusted is not None:
        _adjusted(ctl, event, stamp.adjusted, unit)
    agent = named
    on_call = call.agent_id if call is not None else None
    if agent is None and on_call and unit.engine.has_agent(on_call):
        agent = AgentOnCall(AgentId(on_call), None)
    queue_id = call.queue_id if call is not None else None
    at = ctl.pcc_time(stamp.ts_ms, unit.now)
    taken = replace(event, timestamp_ms=stamp.ts_ms)
    events = meaning(taken, agent, queue_id=queue_id, now=unit.now, at=at, engine=unit.engine)
    unit.feed(events)
    unit.log(
        "pcc", event.key, event.raw, events,
        call_id=event.call_id, ts_ms=event.timestamp_ms, adjusted=stamp.adjusted,
    )  # fmt: skip
    still_open = event.call_status not in FREE
    unit.write_call(
        CallWrite(
            call_id=event.call_id,
            seen=unit.now,
            status=event.call_status,
            last_ts_ms=stamp.ts_ms,
            caller=normal_number(event.from_number),
            callee=normal_number(event.to_number),
            agent_id=named.agent_id if named is not None else None,
            is_open=still_open,
            answered_at=unit.now if event.call_status == "answered" else None,
        )
    )
    known[event.call_id] = repo.KnownCall(
        last_ts_ms=max(stamp.ts_ms, call.last_ts_ms if call else -1),
        agent_id=agent.agent_id if agent is not None else None,
        queue_id=queue_id,
        is_open=still_open and (call.is_open if call else True),
        status=event.call_status,
    )
    unit.note("call", {"call_id": event.call_id, "call_status": event.call_status})
    return "applied"


def _adjusted(ctl: Controller, event: PccEvent, why: str, unit: UnitContext) -> None:
    """Say once (a second at most, with a count) that a timestamp was not believed."""
    let_through, held = ctl.adjusted_lines.due()
    if let_through:
        log.warning(
            "PCC event %r %r: %s (%d more since)", event.call_id, event.call_status, why, held
        )
    unit.note("adjusted", {"call_id": event.call_id, "call_status": event.call_status})


def _older_than_kept(ctl: Controller, event: PccEvent) -> bool:
    """Stamped before anything the store keeps (EVENT_LOG_RETENTION): a redelivery of a
    call pruned since cannot be told from a new one, so it changes nothing."""
    return event.timestamp_ms / 1000 < ctl.wall_now() - ctl.log_retention


def _contradicts(event: PccEvent, call: repo.KnownCall) -> bool:
    """Whether what the store knows of the call rules the event out: any event of a call
    closed as lost, or a call that ended ringing or being answered again (its id reused):
    never merged into the call that is over. (Order is :func:`believed`'s.)"""
    if call.status == EXPIRED:
        return True
    return not call.is_open and call.status in FREE and event.call_status not in FREE


# ---------------------------------------------------- get_list_agents_url


def decision_unit(
    ctl: Controller, call_ids: list[str], queue_id: str, callers: dict[str, str]
) -> Unit[list[OfferAgents] | None]:
    """Whom PCC should ring for each call, in order; the first of each is reserved for it.
    ``None``: the queue is not known (once caught up with the log: one unit, one truth).

    The decision is the engine's (:class:`AgentsRequested` in, one
    :class:`OfferAgents` per call out), its draw seeded by the event: the
    log row keeps the request, so another instance, or a replay, decides
    the same.
    """

    def apply(_: None, unit: UnitContext) -> list[OfferAgents] | None:
        if not unit.engine.has_queue(queue_id):
            return None
        calls = tuple(CallId(c) for c in dict.fromkeys(call_ids))
        request = AgentsRequested(queue_id=QueueId(queue_id), call_ids=calls, seed=unit.next_seed())
        unit.feed([request])
        for call_id in calls:
            caller = normal_number(callers.get(call_id, ""))
            unit.write_call(
                CallWrite(call_id=call_id, seen=unit.now, caller=caller, queue_id=queue_id,
                          queued_at=unit.now)
            )  # fmt: skip
        orders = {offer.call_id: list(offer.agents) for offer in unit.offers}
        body = {"queue": queue_id, "calls": list(calls), "orders": orders}
        unit.log("decision", _key("decision"), json.dumps(body), [request])
        unit.note("decision", {"queue": queue_id, "calls": list(calls)})
        return list(unit.offers)

    return ctl.unit(_nothing, apply)


# ----------------------------------------------------------------- agents


def presence_unit(
    ctl: Controller,
    agent_id: str,
    channel: Channel,
    present: bool,
    *,
    device_token: str | None = None,
    expires: float | None = None,
) -> Unit[None]:
    def apply(_: None, unit: UnitContext) -> None:
        expires_at = unit.now + expires if expires is not None else None
        event = PresenceChanged(
            agent_id=AgentId(agent_id), channel=channel, present=present, expires_at=expires_at
        )
        unit.feed([event])
        if channel is Channel.PUSH:
            token = (device_token or "registered") if present else None
            unit.write(lambda session: repo.set_push_token(session, agent_id, token))
        body = {"agent": agent_id, "channel": str(channel), "present": present}
        unit.log("presence", _key("presence"), json.dumps(body), [event])
        unit.note("presence", {"stringee_user_id": agent_id, str(channel): present})

    return ctl.unit(_nothing, apply)


def agent_update_unit(ctl: Controller, agent_id: str, changes: dict[str, Any]) -> Unit[None]:
    """PCC agent fields changed (``manual_status``, ``routing_type``, ``phone_number``)."""

    def apply(_: None, unit: UnitContext) -> None:
        event = AgentUpdated(agent_id=AgentId(agent_id), **changes)
        unit.feed([event])
        body = json.dumps({"agent": agent_id, "changes": changes})
        unit.log("agent", _key("agent"), body, [event])
        unit.note("agent", {"stringee_user_id": agent_id, **changes})

    return ctl.unit(_nothing, apply)


# ----------------------------------------------------------- timers, sweep


def timer_unit(ctl: Controller, key: str) -> Unit[None]:
    """A stored timer fell due: once, whichever instance gets there first."""

    def read(session: Session) -> bool:
        return repo.timer_due(session, key)

    def apply(due: bool, unit: UnitContext) -> None:
        if due:  # else cancelled, or fired already (here or elsewhere)
            unit.fire_timer(key, at=unit.now)

    return ctl.unit(read, apply)


def expiry_unit(ctl: Controller) -> Unit[list[str]]:
    """Close every call silent for longer than ``max_call_age``, and free its agent."""
    silent_since = ctl.clock() - ctl.max_call_age

    def read(session: Session) -> list[CallRow]:
        return repo.stale_calls(session, silent_since=silent_since)

    def apply(calls: list[CallRow], unit: UnitContext) -> list[str]:
        for call in calls:
            known = call.agent_id is not None and unit.engine.has_agent(call.agent_id)
            agent = AgentId(call.agent_id) if known and call.agent_id else None
            event = AgentCallEnded(call_id=CallId(call.call_id), agent_id=agent)
            unit.feed([event])
            unit.write(_closer(call.call_id))
            body = json.dumps({"call_id": call.call_id, "last_seen": call.last_seen})
            unit.log("expire", f"expire|{call.call_id}", body, [event], call_id=call.call_id)
            log.warning(
                "call %s: no event for %.0f s; closed as lost (agent %s freed)",
                call.call_id,
                unit.now - call.last_seen,
                agent or "none",
            )
            unit.note("expired", {"call_id": call.call_id, "agent": agent})
        return [call.call_id for call in calls]

    return ctl.unit(read, apply)


def _closer(call_id: str) -> Callable[[Session], None]:
    return lambda session: repo.close_call(session, call_id, EXPIRED)


# ---------------------------------------------------------- configuration


def config_unit(ctl: Controller, change: Callable[[Session], None]) -> Unit[bool]:
    """A configuration change; whether the project changed.

    The change is written in the unit's transaction; if the project it leaves
    differs from the one before, the engine is rebuilt from that store (with
    its whole state) in the same unit, and a configuration row tells the
    other instances to do the same. A change that leaves the project equal
    (a PCC sync that finds nothing new) rebuilds nothing and logs nothing.
    """
    now = ctl.clock()

    def read(session: Session) -> repo.StoredState | None:
        before = repo.load_project(session, now=now)
        change(session)
        session.flush()
        if repo.load_project(session, now=now) == before:
            return None
        return repo.load_state(session, now=now)

    def apply(state: repo.StoredState | None, unit: UnitContext) -> bool:
        if state is None:
            return False
        unit.replace_engine(state)
        unit.log("config", _key("config"), "{}", [])
        unit.note("config", {})
        return True

    return ctl.unit(read, apply, fire_due=False)


def catch_up_unit(ctl: Controller) -> Unit[None]:
    """Apply what other instances logged (before a read); writes nothing, and takes no lock
    unless timers have fallen due (then it fires them, under the lock, like any input)."""
    return ctl.unit(_nothing, lambda _, unit: None, lock=False)


def _nothing(session: Session) -> None:
    return None


# ------------------------------------------------------------- retention


def prune_unit(ctl: Controller, *, older_than: float) -> Unit[Pruned]:
    """One batch of the event log's retention (:mod:`pcc_router.api.controller.retention`)."""

    def read(session: Session) -> Pruned:
        return prune_batch(session, older_than=older_than)

    return ctl.unit(read, lambda pruned, unit: pruned)
