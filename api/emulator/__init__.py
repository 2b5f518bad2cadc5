"""The PCC emulator: Stringee PCC on localhost, driven by a scenario.

:class:`Emulator` runs the scenario's calls on the simulator's engine and
kernel and does what PCC does over HTTP (call events to ``event_url``,
requests to ``get_list_agents_url``, customer-info fetches);
:func:`create_emulator_app` serves PCC's REST subset and ``/_emulator``.
See docs/emulator.md.

The names below load on first use (PEP 562), so that the command line can
read the emulator's options without loading aiohttp.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pcc_router.api.emulator.app import EMULATOR_ROUTES, create_emulator_app
    from pcc_router.api.emulator.deliveries import Faults, FaultsError
    from pcc_router.api.emulator.driver import Emulator

__all__ = ["EMULATOR_ROUTES", "Emulator", "Faults", "FaultsError", "create_emulator_app"]

_HOMES = {
    "EMULATOR_ROUTES": "app",
    "create_emulator_app": "app",
    "Faults": "deliveries",
    "FaultsError": "deliveries",
    "Emulator": "driver",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
