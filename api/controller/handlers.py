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
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from pcc_router.api.controller.retention import Pruned, prune_batch
from pcc_router.api.controller.worker import Unit
from pcc_router.api.store import repo
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
    TimerFired,
    TimerKey,
    normal_number,
)

if TYPE_CHECKING:
    from pcc_router.api.controller.core import Controller
    from pcc_router.api.controller.writes import UnitWrites

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

    def apply(data: tuple[dict[str, repo.KnownCall], set[str]], tx: UnitWrites) -> list[str]:
        known, seen = data
        return [_pcc_event(ctl, event, known, seen, tx) for event in events]

    return ctl.unit(read, apply)


def _pcc_event(
    ctl: Controller,
    event: PccEvent,
    known: dict[str, repo.KnownCall],
    seen: set[str],
    tx: UnitWrites,
) -> str:
    if event.key in seen:
        return "duplicate"
    seen.add(event.key)
    call = known.get(event.call_id)
    logged: dict[str, Any] = {"call_id": event.call_id, "ts_ms": event.timestamp_ms}
    if call is not None and _contradicts(event, call):
        # older than what is applied, for a call given up as lost, or a call that is over
        # starting again (another run reusing its id): kept, not applied
        tx.add_log("pcc", event.key, event.raw, [], applied=False, **logged)
        return "stale"
    named = agent_of(event, ctl.engine)
    agent = named
    if agent is None and call is not None and call.agent_id and ctl.engine.has_agent(call.agent_id):
        agent = AgentOnCall(AgentId(call.agent_id), None)
    queue_id = call.queue_id if call is not None else None
    at = ctl.pcc_time(event.timestamp_ms, tx.now)
    events = meaning(event, agent, queue_id=queue_id, now=tx.now, at=at, engine=ctl.engine)
    ctl.handle(events, tx)
    tx.add_log("pcc", event.key, event.raw, events, **logged)
    still_open = event.call_status not in FREE
    tx.calls.append(
        {
            "call_id": event.call_id,
            "status": event.call_status,
            "last_ts_ms": event.timestamp_ms,
            "caller": normal_number(event.from_number),
            "callee": normal_number(event.to_number),
            "agent_id": named.agent_id if named is not None else None,
            "queue_id": None,
            "seen": tx.now,
            "is_open": still_open,
            "answered_at": tx.now if event.call_status == "answered" else None,
        }
    )
    known[event.call_id] = repo.KnownCall(
        last_ts_ms=max(event.timestamp_ms, call.last_ts_ms if call else -1),
        agent_id=agent.agent_id if agent is not None else None,
        queue_id=queue_id,
        is_open=still_open and (call.is_open if call else True),
        status=event.call_status,
    )
    tx.notes.append(("call", {"call_id": event.call_id, "call_status": event.call_status}))
    return "applied"


def _contradicts(event: PccEvent, call: repo.KnownCall) -> bool:
    """Whether what the store knows of the call rules the event out: an older event than
    one applied, any event of a call closed as lost, or a call that ended ringing or being
    answered again (its id reused): never merged into the call that is over."""
    if event.timestamp_ms < call.last_ts_ms or call.status == EXPIRED:
        return True
    return not call.is_open and call.status in FREE and event.call_status not in FREE


# ---------------------------------------------------- get_list_agents_url


def decision_unit(
    ctl: Controller, call_ids: list[str], queue_id: str, callers: dict[str, str]
) -> Unit[list[OfferAgents]]:
    """Whom PCC should ring for each call, in order; the first of each is reserved for it.

    The decision is the engine's (:class:`AgentsRequested` in, one
    :class:`OfferAgents` per call out), its draw seeded by the event: the
    log row keeps the request, so another instance, or a replay, decides
    the same.
    """

    def apply(_: None, tx: UnitWrites) -> list[OfferAgents]:
        calls = tuple(CallId(c) for c in dict.fromkeys(call_ids))
        request = AgentsRequested(queue_id=QueueId(queue_id), call_ids=calls, seed=ctl.next_seed())
        ctl.handle([request], tx)
        for call_id in calls:
            tx.calls.append(
                {
                    "call_id": call_id,
                    "status": "",
                    "last_ts_ms": -1,
                    "caller": normal_number(callers.get(call_id, "")),
                    "callee": "",
                    "agent_id": None,
                    "queue_id": queue_id,
                    "seen": tx.now,
                    "is_open": True,
                    "queued_at": tx.now,
                }
            )
        orders = {offer.call_id: list(offer.agents) for offer in tx.offers}
        body = {"queue": queue_id, "calls": list(calls), "orders": orders}
        tx.add_log("decision", _key("decision"), json.dumps(body), [request])
        tx.notes.append(("decision", {"queue": queue_id, "calls": list(calls)}))
        return tx.offers

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
    def apply(_: None, tx: UnitWrites) -> None:
        expires_at = tx.now + expires if expires is not None else None
        event = PresenceChanged(
            agent_id=AgentId(agent_id), channel=channel, present=present, expires_at=expires_at
        )
        ctl.handle([event], tx)
        if channel is Channel.PUSH:
            token = (device_token or "registered") if present else None
            tx.writes.append(lambda session: repo.set_push_token(session, agent_id, token))
        body = {"agent": agent_id, "channel": str(channel), "present": present}
        tx.add_log("presence", _key("presence"), json.dumps(body), [event])
        tx.notes.append(("presence", {"stringee_user_id": agent_id, str(channel): present}))

    return ctl.unit(_nothing, apply)


def agent_update_unit(ctl: Controller, agent_id: str, changes: dict[str, Any]) -> Unit[None]:
    """PCC agent fields changed (``manual_status``, ``routing_type``, ``phone_number``)."""

    def apply(_: None, tx: UnitWrites) -> None:
        event = AgentUpdated(agent_id=AgentId(agent_id), **changes)
        ctl.handle([event], tx)
        body = json.dumps({"agent": agent_id, "changes": changes})
        tx.add_log("agent", _key("agent"), body, [event])
        tx.notes.append(("agent", {"stringee_user_id": agent_id, **changes}))

    return ctl.unit(_nothing, apply)


# ----------------------------------------------------------- timers, sweep


def timer_unit(ctl: Controller, key: str) -> Unit[None]:
    """A stored timer fell due: once, whichever instance gets there first."""

    def read(session: Session) -> bool:
        return repo.timer_due(session, key)

    def apply(due: bool, tx: UnitWrites) -> None:
        if due and key not in tx.fired:  # else cancelled, or fired already (here or elsewhere)
            fire_timer(ctl, key, tx, at=tx.now)

    return ctl.unit(read, apply)


def fire_timer(ctl: Controller, key: str, tx: UnitWrites, *, at: float) -> None:
    """The stored timer ``key`` fires at ``at``: into the engine, the log, out of the store."""
    event = TimerFired(key=TimerKey(key))
    tx.fired.add(key)
    tx.timers[key] = None  # forgotten, unless the engine sets it again right now
    tx.schedule[key] = None
    ctl.handle([event], tx, at=at)
    tx.add_log("timer", _key("timer"), json.dumps({"key": key}), [event], at=at)
    tx.notes.append(("timer", {"key": key}))


def expiry_unit(ctl: Controller) -> Unit[list[str]]:
    """Close every call silent for longer than ``max_call_age``, and free its agent."""
    silent_since = ctl.clock() - ctl.max_call_age

    def read(session: Session) -> list[CallRow]:
        return repo.stale_calls(session, silent_since=silent_since)

    def apply(calls: list[CallRow], tx: UnitWrites) -> list[str]:
        for call in calls:
            known = call.agent_id is not None and ctl.engine.has_agent(call.agent_id)
            agent = AgentId(call.agent_id) if known and call.agent_id else None
            event = AgentCallEnded(call_id=CallId(call.call_id), agent_id=agent)
            ctl.handle([event], tx)
            tx.writes.append(_closer(call.call_id))
            body = json.dumps({"call_id": call.call_id, "last_seen": call.last_seen})
            tx.add_log("expire", f"expire|{call.call_id}", body, [event], call_id=call.call_id)
            log.warning(
                "call %s: no event for %.0f s; closed as lost (agent %s freed)",
                call.call_id,
                tx.now - call.last_seen,
                agent or "none",
            )
            tx.notes.append(("expired", {"call_id": call.call_id, "agent": agent}))
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

    def apply(state: repo.StoredState | None, tx: UnitWrites) -> bool:
        if state is None:
            return False
        ctl.rebuild_from(state, tx)
        tx.add_log("config", _key("config"), "{}", [])
        tx.notes.append(("config", {}))
        return True

    return ctl.unit(read, apply, fire_due=False)


def catch_up_unit(ctl: Controller) -> Unit[None]:
    """Apply what other instances logged (before a read); takes no lock, writes nothing."""
    return ctl.unit(_nothing, lambda _, tx: None, lock=False)


def _nothing(session: Session) -> None:
    return None


# ------------------------------------------------------------- retention


def prune_unit(ctl: Controller, *, older_than: float) -> Unit[Pruned]:
    """One batch of the event log's retention (:mod:`pcc_router.api.controller.retention`)."""

    def read(session: Session) -> Pruned:
        return prune_batch(session, older_than=older_than)

    return ctl.unit(read, lambda pruned, tx: pruned)
