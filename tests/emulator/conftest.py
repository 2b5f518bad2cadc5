"""Fixtures: an emulator on a scenario, in virtual time, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.simulator import load_scenario
from tests.conftest import HOTLINE


@pytest.fixture
async def pcc() -> AsyncIterator[EmulatedPcc]:
    async with EmulatedPcc(load_scenario(HOTLINE), signing_secret="sign-me") as emulated:
        yield emulated
