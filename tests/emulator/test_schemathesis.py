"""Schemathesis against the emulator's published OpenAPI: no 5xx, every answer as documented."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from pcc_router.api.emulator import EMULATOR_ROUTES, Emulator, create_emulator_app
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.emulated import TEST_API_KEY
from pcc_router.api.web.openapi import spec
from pcc_router.simulator import load_scenario
from tests.api.support import ThreadServer
from tests.api.test_schemathesis import CHECKS
from tests.emulator.conftest import HOTLINE

SCHEMA = schemathesis.openapi.from_dict(spec(EMULATOR_ROUTES, version="test"))
SCHEMA.config.generation.update(modes=list(schemathesis.GenerationMode))
AUTH = {"X-STRINGEE-AUTH": TokenMinter(sid=TEST_API_KEY[0], secret=TEST_API_KEY[1]).rest(ttl=86400)}


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadServer]:
    emulator = Emulator(load_scenario(HOTLINE))
    running = ThreadServer(create_emulator_app(emulator, api_key=TEST_API_KEY))
    running.start()
    yield running
    running.stop()


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_emulator_keeps_its_published_contract(
    case: schemathesis.Case, server: ThreadServer
) -> None:
    case.call_and_validate(base_url=server.url, headers=AUTH, checks=CHECKS, timeout=10)
