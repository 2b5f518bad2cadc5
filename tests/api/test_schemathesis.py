"""Schemathesis against the generated OpenAPI: every operation, bounded, on a running controller.

Each operation gets schema-valid requests (and a few invalid ones): no answer
may be a 5xx, every status must be documented, and every JSON answer must
match its documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from pcc_router.api.app import create_app
from pcc_router.api.routes import ROUTES
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.web.openapi import spec
from tests.api.support import SECRET, SID, ThreadServer, make_settings

SCHEMA = schemathesis.openapi.from_dict(spec(ROUTES, version="test")).exclude(
    path="/v1/stream"  # an endless stream: the SSE tests cover it
)
# valid requests and invalid ones (a wrong type, a missing field): none may be a 5xx
SCHEMA.config.generation.update(modes=list(schemathesis.GenerationMode))
AUTH = {"X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).rest(ttl=86400)}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    running = ThreadServer(create_app(make_settings(Path(tmp_path_factory.mktemp("st")))))
    running.start()
    yield running
    running.stop()


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_controller_keeps_its_published_contract(
    case: schemathesis.Case, server: ThreadServer
) -> None:
    case.call_and_validate(base_url=server.url, headers=AUTH, checks=CHECKS, timeout=10)
