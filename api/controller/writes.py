"""What one unit of work writes (:class:`UnitWrites`), and the controller's engine shell.

The engine's commands mean, to the controller, rows to write and jobs to
schedule once the unit's transaction commits: :class:`ControllerShell` is the
controller's :class:`~pcc_router.routing.shell.Shell`, and it writes them down
in the unit's :class:`UnitWrites`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from pcc_router.api.store.records import CallWrite, LogEntry
from pcc_router.routing import (
    AgentId,
    AgentSnapshot,
    CancelTimer,
    Command,
    EngineChanges,
    Event,
    OfferAgents,
    RequestAgents,
    RoutingError,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
    encode_event,
)

__all__ = ["ControllerShell", "UnitWrites"]


@dataclass
class UnitWrites:
    """What one unit of work writes, and what it does once committed."""

    now: float
    log: list[LogEntry] = field(default_factory=list)
    calls: list[CallWrite] = field(default_factory=list)
    writes: list[Callable[[Session], Any]] = field(default_factory=list)
    #: Timers to store (when) or forget (``None``): the engine's, for this input.
    timers: dict[str, float | None] = field(default_factory=dict)
    #: Timers to hand to the scheduler after the commit: this input's and replayed ones.
    schedule: dict[str, float | None] = field(default_factory=dict)
    offers: list[OfferAgents] = field(default_factory=list)
    #: The engine's state this unit changed: written with the unit.
    changes: EngineChanges = field(default_factory=EngineChanges)
    #: Agents new to the store (no snapshot yet), from a rebuild: written with the unit.
    fresh: dict[AgentId, AgentSnapshot] = field(default_factory=dict)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Timers fired in this unit (due ones go first, before the input).
    fired: set[str] = field(default_factory=set)
    #: Whether the engine was fed or replaced: if the unit then fails, it is stale.
    touched_engine: bool = False

    def add_log(
        self,
        kind: str,
        key: str,
        body: str,
        events: list[Event],
        *,
        at: float | None = None,
        call_id: str = "",
        ts_ms: int = 0,
        applied: bool = True,
        adjusted: str | None = None,
    ) -> None:
        """A log row; ``at``: when its events happened, if not now (a timer that was due)."""
        self.log.append(
            LogEntry(
                kind=kind,
                key=key,
                body=body,
                received_at=self.now if at is None else at,
                events=json.dumps([encode_event(event) for event in events]),
                call_id=call_id,
                ts_ms=ts_ms,
                applied=applied,
                adjusted=adjusted,
            )
        )


class ControllerShell:
    """What the engine's commands mean to the controller: the controller's :class:`Shell`.

    PCC rings the agents, so the engine never rings here: the call-flow
    commands cannot come (the controller feeds no call of its own). Agents'
    statuses are written from their snapshots, once per changed agent.
    """

    def __init__(self, tx: UnitWrites, *, replayed: bool) -> None:
        self._tx = tx
        self._replayed = replayed  # another instance's input: it stored the timers

    def start_timer(self, command: StartTimer, now: float) -> None:
        if not self._replayed:
            self._tx.timers[command.key] = command.at
        self._tx.schedule[command.key] = command.at

    def cancel_timer(self, command: CancelTimer, now: float) -> None:
        if not self._replayed:
            self._tx.timers[command.key] = None
        self._tx.schedule[command.key] = None

    def offer_agents(self, command: OfferAgents, now: float) -> None:
        if not self._replayed:
            self._tx.offers.append(command)

    def request_agents(self, command: RequestAgents, now: float) -> None:
        """Never given: the controller's engine rings nobody, PCC does."""

    def set_system_status(self, command: SetSystemStatus, now: float) -> None:
        """Written with the agent's snapshot."""

    def set_manual_status(self, command: SetManualStatus, now: float) -> None:
        """Written with the agent's snapshot (``max_no_answer`` is not the controller's)."""

    def _never(self, command: Command, now: float) -> None:
        raise RoutingError(f"the controller rings no call itself, yet got {command!r}")

    ring_agent = cancel_ring = queue_call = connect_call = close_call = _never
    hang_up = forward_call = _never
