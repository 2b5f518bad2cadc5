"""The IVR menu of a hotline: which action the caller's keys (or silence) lead to.

PCC plays the menu and waits ``keypress_timeout`` for a key. A key in the menu
takes its action; a key not in it takes ``INVALID_KEY`` if bound; no key takes
``EMPTY_KEY`` if bound. Otherwise the menu is played once more, and a second
failure ends the call (``ivr_failed``). Scripted keys are read one per play.
"""

from __future__ import annotations

import enum

from pcc_router.routing.model import Action
from pcc_router.routing.state import CallState

__all__ = ["MenuStep", "after_silence", "read_keys"]


class MenuStep(enum.Enum):
    WAIT = "wait"  # start the keypress timer
    FAIL = "fail"  # the call ends ivr_failed


def read_keys(call: CallState) -> Action | MenuStep:
    """Read the caller's keys for the current play of the menu."""
    menu = call.number.menu
    while call.keys:
        key, call.keys = call.keys[0], call.keys[1:]
        action = menu.get(key) or menu.get("INVALID_KEY")
        if action is not None:
            return action
        if call.ivr_plays >= 2:
            return MenuStep.FAIL
        call.ivr_plays += 1  # played again: the next key answers it
    return MenuStep.WAIT


def after_silence(call: CallState) -> Action | MenuStep:
    """No key came before ``keypress_timeout``."""
    action = call.number.menu.get("EMPTY_KEY")
    if action is not None:
        return action
    if call.ivr_plays >= 2:
        return MenuStep.FAIL
    call.ivr_plays += 1
    return read_keys(call)
