"""The PCC emulator: Stringee PCC on localhost, driven by a scenario.

:class:`Emulator` runs the scenario's calls on the simulator's engine and
kernel and does what PCC does over HTTP (call events to ``event_url``,
requests to ``get_list_agents_url``, customer-info fetches);
:func:`create_emulator_app` serves PCC's REST subset and ``/_emulator``.
See docs/emulator.md.
"""

from __future__ import annotations

from pcc_router.api.emulator.app import EMULATOR_ROUTES, create_emulator_app
from pcc_router.api.emulator.deliveries import Faults, FaultsError
from pcc_router.api.emulator.driver import Emulator

__all__ = ["EMULATOR_ROUTES", "Emulator", "Faults", "FaultsError", "create_emulator_app"]
