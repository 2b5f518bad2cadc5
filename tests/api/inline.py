"""A controller driven inline, as tests drive it: each input one unit of work, on this thread.

The service runs its units on the event loop through the store worker
(:meth:`~pcc_router.api.controller.core.Controller.submit`); a test that wants
no event loop runs the very same units with
:func:`~pcc_router.api.controller.worker.run_inline`. Nothing here is a second
path: each function is one of the controller's units, run now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from pcc_router.api.controller import handlers
from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.worker import run_inline
from pcc_router.api.stringee.calls import PccEvent
from pcc_router.routing import AgentId, Channel


def pcc_events(controller: Controller, events: list[PccEvent]) -> list[str]:
    """PCC call events in order, in one transaction: each ``applied``, ``duplicate``..."""
    return run_inline(handlers.pcc_unit(controller, events))


def pcc_event(controller: Controller, event: PccEvent) -> str:
    return pcc_events(controller, [event])[0]


def decide(
    controller: Controller, call_ids: list[str], queue_id: str, callers: dict[str, str]
) -> dict[str, list[AgentId]]:
    """The ring order PCC is given for each call (the first of each reserved for it)."""
    offers = run_inline(handlers.decision_unit(controller, call_ids, queue_id, callers))
    assert offers is not None, f"no queue {queue_id!r}"
    return {offer.call_id: list(offer.agents) for offer in offers}


def presence(
    controller: Controller,
    agent_id: str,
    channel: Channel,
    present: bool,
    *,
    device_token: str | None = None,
    expires: float | None = None,
) -> None:
    unit = handlers.presence_unit(
        controller, agent_id, channel, present, device_token=device_token, expires=expires
    )
    run_inline(unit)


def update_agent(controller: Controller, agent_id: str, changes: dict[str, Any]) -> None:
    run_inline(handlers.agent_update_unit(controller, agent_id, changes))


def fire_timer(controller: Controller, key: str) -> None:
    run_inline(handlers.timer_unit(controller, key))


def change_config(controller: Controller, change: Callable[[Session], None]) -> bool:
    """Whether the project changed (the engine rebuilt)."""
    return run_inline(handlers.config_unit(controller, change))


def expire_stale_calls(controller: Controller) -> list[str]:
    return run_inline(handlers.expiry_unit(controller))


def catch_up(controller: Controller) -> None:
    """Apply what other instances logged since this engine's last row."""
    run_inline(handlers.catch_up_unit(controller))
