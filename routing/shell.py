"""The loop every shell of the engine runs: an input, ``engine.handle``, then each command.

A shell (the simulator on its virtual clock, the controller on the wall
clock) implements :class:`Shell`, one method per command type, and feeds
inputs with :meth:`Loop.feed`. :func:`method_for` dispatches over the
closed :data:`~pcc_router.routing.commands.Command` union with
``assert_never``: a command type added to the engine is a type error until
every shell says what it does with it (nothing, at least, on purpose).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, assert_never

from pcc_router.routing.commands import (
    CancelRing,
    CancelTimer,
    CloseCall,
    Command,
    ConnectCall,
    ForwardCall,
    HangUp,
    OfferAgents,
    QueueCall,
    RequestAgents,
    RingAgent,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
)
from pcc_router.routing.engine import Engine
from pcc_router.routing.events import Event

__all__ = ["Loop", "Shell", "method_for"]


class Shell(Protocol):
    """What a shell does with each command (``now``: when the engine gave it)."""

    def start_timer(self, command: StartTimer, now: float) -> None: ...
    def cancel_timer(self, command: CancelTimer, now: float) -> None: ...
    def ring_agent(self, command: RingAgent, now: float) -> None: ...
    def cancel_ring(self, command: CancelRing, now: float) -> None: ...
    def queue_call(self, command: QueueCall, now: float) -> None: ...
    def connect_call(self, command: ConnectCall, now: float) -> None: ...
    def close_call(self, command: CloseCall, now: float) -> None: ...
    def hang_up(self, command: HangUp, now: float) -> None: ...
    def forward_call(self, command: ForwardCall, now: float) -> None: ...
    def set_system_status(self, command: SetSystemStatus, now: float) -> None: ...
    def set_manual_status(self, command: SetManualStatus, now: float) -> None: ...
    def offer_agents(self, command: OfferAgents, now: float) -> None: ...
    def request_agents(self, command: RequestAgents, now: float) -> None: ...


def method_for(shell: Shell, command: Command) -> Callable[[Any, float], None]:
    """The shell's method for this command's type: exhaustive over the union (mypy checks)."""
    match command:
        case StartTimer():
            return shell.start_timer
        case CancelTimer():
            return shell.cancel_timer
        case RingAgent():
            return shell.ring_agent
        case CancelRing():
            return shell.cancel_ring
        case QueueCall():
            return shell.queue_call
        case ConnectCall():
            return shell.connect_call
        case CloseCall():
            return shell.close_call
        case SetSystemStatus():
            return shell.set_system_status
        case HangUp():
            return shell.hang_up
        case ForwardCall():
            return shell.forward_call
        case SetManualStatus():
            return shell.set_manual_status
        case OfferAgents():
            return shell.offer_agents
        case RequestAgents():
            return shell.request_agents
        case _:
            assert_never(command)


class Loop:
    """The loop of one shell around one engine: :meth:`feed` an input, the commands run.

    :func:`method_for` decides which method runs a command; a table by type
    remembers it (commands are final classes), which spares the simulator's
    hot loop a ``match`` per command. ``observe``, if given, is told each
    command once the shell has run it (the PCC emulator reports them as PCC's
    webhooks would).
    """

    __slots__ = ("_handle", "_methods", "_observe", "_shell")

    def __init__(
        self,
        engine: Engine,
        shell: Shell,
        *,
        observe: Callable[[Command, float], None] | None = None,
    ) -> None:
        self._handle = engine.handle
        self._shell = shell
        self._methods: dict[type, Callable[[Any, float], None]] = {}
        self._observe = observe

    def feed(self, event: Event, now: float) -> None:
        """One turn: the engine applies the event, the shell executes its commands in order."""
        methods = self._methods
        observe = self._observe
        for command in self._handle(event, now):
            method = methods.get(type(command))
            if method is None:
                method = methods[type(command)] = method_for(self._shell, command)
            method(command, now)
            if observe is not None:
                observe(command, now)
