"""The service's shell around the engine: inputs become events, commands become rows and jobs.

Every input is applied in one store transaction with its event-log row, and
the HTTP answer goes out only after that commit. Timers the engine starts are
written to ``timers`` in the same transaction and handed to APScheduler after
the commit; at start, the engine is rebuilt from the store and every stored
timer is scheduled again, so a restart loses none.

The engine here never rings anyone: PCC does, asking ``get_list_agents_url``
for the order. What the engine keeps is who is routable, in which order, and
why not, updated by PCC's call events and by presence reports.

Several instances share one store: every input that changes the engine is a
row of the event log, written under the project's lock (a PostgreSQL advisory
lock), and an instance first replays, into its own engine, the rows other
instances wrote since its last one. The log's order is thus the order every
engine applies inputs in. A configuration change is a log row too: the
instances that read it rebuild from the store.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session, select

from api.calls import BUSY, PccEvent, agent_of, call_events
from api.store import repo
from api.store.tables import AgentRow, CallRow, EventRow
from routing import (
    AgentCallStarted,
    AgentId,
    AgentUpdated,
    AgentWrappingUp,
    CallId,
    CancelTimer,
    Channel,
    Command,
    Engine,
    Event,
    PresenceChanged,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
    TimerFired,
)

__all__ = ["Controller", "PccEvent"]  # PccEvent re-exported from api.calls

log = logging.getLogger("pcc_router.controller")


def _touched(events: list[Event]) -> set[str]:
    """The agents whose history an event may change (a timer names its agent in its key)."""
    touched = set()
    for event in events:
        if isinstance(event, TimerFired):
            kind, _, ident = event.key.partition(":")
            if kind in ("wrapup", "sip"):
                touched.add(ident)
        elif (agent_id := getattr(event, "agent_id", None)) is not None:
            touched.add(str(agent_id))
    return touched


@dataclass
class Controller:
    store: repo.Store
    clock: Callable[[], float] = time.time
    scheduler: AsyncIOScheduler | None = None
    on_change: Callable[[str, dict[str, Any]], None] = lambda kind, data: None
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._last_id = 0  # the newest event-log row this engine has applied
        self._new_ids: list[int] = []
        self.rebuild()

    # ------------------------------------------------------------ state

    def rebuild(self) -> None:
        """(Re)make the engine from the store: configuration, presence, calls in progress."""
        now = self.clock()
        with self.store.session() as session:
            project = repo.load_project(session, now=now)
            rows = session.exec(select(AgentRow)).all()
            pending_timers = repo.timers(session)
            stored_history = repo.load_history(session)
            self._last_id = repo.last_event_id(session)
        # The generator belongs to the shell; the controller needs no replayable draws.
        # What the strategies remember (idle since, calls, talk) survives a rebuild
        # (from the old engine) and a restart (from the store).
        history = self.engine.history() if hasattr(self, "engine") else stored_history
        self.engine = Engine(project, rng=random.Random(), start=now, history=history)
        self._agent_ids = {row.stringee_user_id for row in rows}
        self._phones = {row.phone_number: row.stringee_user_id for row in rows if row.phone_number}
        events: list[Event] = [
            AgentWrappingUp(agent_id=AgentId(t.key.removeprefix("wrapup:")), until=t.at)
            for t in pending_timers
            if t.key.startswith("wrapup:")
        ]
        for row in rows:
            agent_id = AgentId(row.stringee_user_id)
            if row.system_status == 0:
                call_id = CallId(row.call_id or "")
                events.append(AgentCallStarted(agent_id=agent_id, call_id=call_id, resumed=True))
            expires = row.sip_expires
            if expires is not None and now < expires < float("inf"):
                # the spec knows "registered", not until when: restore the expiry
                events.append(
                    PresenceChanged(
                        agent_id=agent_id, channel=Channel.SIP, present=True, expires_at=expires
                    )
                )
        with self.store.session() as session:
            self._apply(session, events, now)
            for user_id in self._agent_ids - set(stored_history):
                # "idle since the start" must mean this start after a restart too
                repo.save_history(session, user_id, self.engine.agent_history(user_id))
            pending = repo.timers(session)
        for timer in pending:
            self._schedule(timer.key, timer.at)

    def _apply(self, session: Session, events: list[Event], now: float) -> list[Command]:
        """Feed events to the engine and write what they change, in the session's transaction."""
        commands: list[Command] = []
        for event in events:
            commands += self.engine.handle(event, now)
        for agent_id in _touched(events):  # so that a restart keeps the strategies' memory
            if agent_id in self._agent_ids:
                repo.save_history(session, agent_id, self.engine.agent_history(agent_id))
        for command in commands:
            if isinstance(command, SetSystemStatus):
                repo.set_agent(session, command.agent_id, "system_status", command.system_status)
            elif isinstance(command, SetManualStatus):
                repo.set_agent(session, command.agent_id, "manual_status", command.manual_status)
            elif isinstance(command, StartTimer):
                repo.put_timer(session, command.key, command.at)
            elif isinstance(command, CancelTimer):
                repo.drop_timer(session, command.key)
        return commands

    def _after_commit(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, StartTimer):
                self._schedule(command.key, command.at)
            elif isinstance(command, CancelTimer) and self.scheduler is not None:
                job = self.scheduler.get_job(command.key)
                if job is not None:
                    job.remove()

    def _schedule(self, key: str, at: float) -> None:
        if self.scheduler is None:
            return
        run_date = datetime.fromtimestamp(max(at, self.clock()), tz=UTC)
        self.scheduler.add_job(
            self.fire_timer,
            "date",
            run_date=run_date,
            args=[key],
            id=key,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _transaction(self, work: Callable[[Session, float], list[Command]]) -> list[Command]:
        """Run ``work`` under the project's lock, after catching up with the log.

        One transaction; on failure the engine is rebuilt from the store.
        """
        now = self.clock()
        self._new_ids = []
        try:
            with self.store.session() as session:
                repo.serialise(session)
                replayed = self._catch_up(session)
                commands = work(session, now)
        except Exception:
            self.rebuild()  # the engine may hold changes the store did not keep
            raise
        self._last_id = max([self._last_id, *self._new_ids])
        self._after_commit(replayed + commands)
        return commands

    def _record(self, session: Session, kind: str, body: dict[str, Any], now: float) -> None:
        """Log an input (not a PCC event: those log themselves, keyed for idempotency)."""
        row_id = repo.log_event(
            session,
            key=f"{kind}|{uuid.uuid4().hex}",
            kind=kind,
            body=json.dumps(body),
            received_at=now,
        )
        assert row_id is not None  # a fresh uuid key cannot collide
        self._new_ids.append(row_id)

    def catch_up(self) -> None:
        """Apply what other instances logged since this engine's last row (for reads)."""
        with self.store.session() as session:
            commands = self._catch_up(session)
        self._after_commit(commands)

    def _catch_up(self, session: Session) -> list[Command]:
        commands: list[Command] = []
        for row in repo.events_after(session, self._last_id):
            if row.kind == "config":
                self.rebuild()  # the store holds every change up to now
                return []
            commands += self._replay(session, row)
            self._last_id = row.id or self._last_id
        return commands

    def _replay(self, session: Session, row: EventRow) -> list[Command]:
        """Another instance's input, applied to this engine (the store already has it)."""
        body = json.loads(row.body)
        events: list[Event] = []
        if row.kind == "pcc" and row.applied:
            pcc = PccEvent.from_logged(body)
            known = repo.call_state(session, pcc.call_id)
            agent_id = self._agent_of(pcc) or (known.agent_id if known else None)
            events = self._call_events(pcc, agent_id, known.queue_id if known else None)
        elif row.kind == "presence":
            events = [
                PresenceChanged(
                    agent_id=AgentId(body["agent"]),
                    channel=Channel(body["channel"]),
                    present=body["present"],
                    expires_at=body["expires_at"],
                )
            ]
        elif row.kind == "agent":
            events = [AgentUpdated(agent_id=AgentId(body["agent"]), **body["changes"])]
            self._note_phone(body["agent"], body["changes"])
        elif row.kind == "timer":
            events = [TimerFired(key=body["key"])]
        commands: list[Command] = []
        for event in events:
            commands += self.engine.handle(event, row.received_at)
        return commands

    def _note_phone(self, agent_id: str, changes: dict[str, Any]) -> None:
        if "phone_number" in changes:
            self._phones = {p: a for p, a in self._phones.items() if a != agent_id}
            if changes["phone_number"]:
                self._phones[changes["phone_number"]] = agent_id

    def change_config(self, change: Callable[[Session], None]) -> None:
        """Apply a configuration change and log it; every engine is then rebuilt."""

        def work(session: Session, now: float) -> list[Command]:
            change(session)
            self._record(session, "config", {}, now)
            return []

        self._transaction(work)
        self.rebuild()

    # ----------------------------------------------------------- inputs

    def fire_timer(self, key: str) -> None:
        def work(session: Session, now: float) -> list[Command]:
            if not repo.drop_timer(session, key):
                return []  # cancelled meanwhile, or fired by another instance
            self._record(session, "timer", {"key": key}, now)
            return self._apply(session, [TimerFired(key=key)], now)

        self._transaction(work)
        self.on_change("timer", {"key": key})

    def pcc_event(self, event: PccEvent) -> str:
        """Apply a PCC call event once: ``applied``, ``duplicate`` or ``stale``."""
        return self.pcc_events([event])[0]

    def pcc_events(self, events: list[PccEvent]) -> list[str]:
        """Apply PCC call events in order, in one transaction (a group commit)."""
        outcomes: list[str] = []

        def work(session: Session, now: float) -> list[Command]:
            commands: list[Command] = []
            for event in events:
                outcome, applied = self._one_pcc_event(session, event, now)
                outcomes.append(outcome)
                commands += applied
            return commands

        self._transaction(work)
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome == "applied":
                self.on_change("call", {"call_id": event.call_id, "call_status": event.call_status})
        return outcomes

    def _one_pcc_event(
        self, session: Session, event: PccEvent, now: float
    ) -> tuple[str, list[Command]]:
        known = repo.call_state(session, event.call_id)
        stale = known is not None and event.timestamp_ms < known.last_ts_ms
        logged = repo.log_event(
            session,
            key=event.key,
            kind="pcc",
            call_id=event.call_id,
            ts_ms=event.timestamp_ms,
            applied=not stale,
            body=event.raw or json.dumps(event.as_body()),
            received_at=now,
        )
        if logged is None:
            return "duplicate", []
        self._new_ids.append(logged)
        if stale:
            return "stale", []  # older than what is applied: logged, not applied
        agent_id = self._agent_of(event) or (known.agent_id if known else None)
        queue_id = known.queue_id if known else None
        commands = self._apply(session, self._call_events(event, agent_id, queue_id), now)
        if agent_id and event.call_status in BUSY:
            repo.set_agent(session, agent_id, "call_id", event.call_id)
        repo.save_call(
            session,
            call_id=event.call_id,
            status=event.call_status,
            last_ts_ms=event.timestamp_ms,
            caller=event.from_number,
            callee=event.to_number,
            agent_id=agent_id if event.call_status in BUSY else None,
        )
        return "applied", commands

    def _call_events(
        self, event: PccEvent, agent_id: str | None, queue_id: str | None
    ) -> list[Event]:
        return call_events(event, agent_id, queue_id, only_queue=self._only_queue)

    def _agent_of(self, event: PccEvent) -> str | None:
        return agent_of(event, self._agent_ids, self._phones)

    def _only_queue(self, agent_id: str) -> str | None:
        queues = [q for q in self.queue_ids() if agent_id in self.engine.members(q)]
        return queues[0] if len(queues) == 1 else None

    def queue_ids(self) -> list[str]:
        return [str(q) for q in self.engine.queue_ids()]

    def decide(self, call_ids: list[str], queue_id: str, caller: dict[str, str]) -> list[AgentId]:
        """PCC asks whom to ring for these calls of the queue: the ring order, logged.

        The calls are remembered as being in that queue (for their wrap-up), and
        the answer is a ``decision`` row of the event log, so a replay of the log
        can check that it would have decided the same.
        """
        order: list[AgentId] = []

        def work(session: Session, now: float) -> list[Command]:
            for call_id in call_ids:
                call = session.get(CallRow, call_id) or CallRow(call_id=call_id)
                call.queue_id = queue_id
                call.caller = call.caller or caller.get(call_id, "")
                session.add(call)
            order.extend(self.engine.ring_order(queue_id, draw=True))
            body = {"queue": queue_id, "calls": call_ids, "order": list(order)}
            self._record(session, "decision", body, now)
            return []

        self._transaction(work)
        return order

    def update_agent(self, agent_id: str, changes: dict[str, Any]) -> None:
        def work(session: Session, now: float) -> list[Command]:
            commands = self._apply(
                session, [AgentUpdated(agent_id=AgentId(agent_id), **changes)], now
            )
            row = session.get(AgentRow, agent_id)
            assert row is not None  # the engine knew the agent
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            self._note_phone(agent_id, changes)
            self._record(session, "agent", {"agent": agent_id, "changes": changes}, now)
            return commands

        self._transaction(work)
        self.on_change("agent", {"stringee_user_id": agent_id, **changes})

    def presence(
        self,
        agent_id: str,
        channel: Channel,
        present: bool,
        *,
        device_token: str | None = None,
        expires: float | None = None,
    ) -> None:
        def work(session: Session, now: float) -> list[Command]:
            expires_at = now + expires if expires is not None else None
            event = PresenceChanged(
                agent_id=AgentId(agent_id), channel=channel, present=present, expires_at=expires_at
            )
            commands = self._apply(session, [event], now)
            row = session.get(AgentRow, agent_id)
            assert row is not None
            if channel is Channel.APP:
                row.app = present
            elif channel is Channel.PUSH:
                row.push_token = (device_token or "registered") if present else None
            else:
                row.sip_expires = (expires_at or float("inf")) if present else None
            session.add(row)
            body = {
                "agent": agent_id,
                "channel": str(channel),
                "present": present,
                "expires_at": expires_at,
            }
            self._record(session, "presence", body, now)
            return commands

        self._transaction(work)
        self.on_change("presence", {"stringee_user_id": agent_id, str(channel): present})
