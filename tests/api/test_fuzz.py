"""Whatever a client sends, the answer is never a 5xx (hypothesis over JSON bodies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from conftest import make_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.tokens import TokenMinter

scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "call_id",
    "call_status",
    "timestamp_ms",
    "from",
    "to",
    "queueId",
    "calls",
    "stringee_user_id",
    "ttl",
    "manual_status",
    "routing_type",
    "phone_number",
    "app",
    "push",
    "sip",
    "expires",
    "ipphone",
    "phone",
    "temp_id",
    "id",
    "agents",
    "groups",
    "number",
    "queue_id",
    "ivr",
    "strategy",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)
ROUTES = [
    ("post", "/pcc/events"),
    ("post", "/pcc/agents-for-queue"),
    ("post", "/v1/tokens/agent"),
    ("put", "/v1/agents/alice"),
    ("post", "/v1/agents/alice/presence"),
    ("post", "/v1/agents"),
    ("post", "/v1/groups"),
    ("post", "/v1/queues"),
    ("post", "/v1/numbers"),
    ("post", "/v1/caresoft/links/call"),
    ("post", "/v1/caresoft/token"),
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), body=bodies)
async def test_no_client_input_gets_a_5xx(
    tmp_path: Path, route: tuple[str, str], body: dict[str, Any]
) -> None:
    app = create_app(
        make_settings(tmp_path / str(abs(hash((route, json.dumps(body, default=str))))))
    )
    headers = {
        "X-STRINGEE-AUTH": TokenMinter(
            sid="SKtest", secret="test-secret-of-at-least-32-bytes!"
        ).rest()
    }
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        method, path = route
        data = json.dumps(body, allow_nan=True).encode()
        response = await client.request(method, path, data=data, headers=headers)
        text = await response.text()
        assert response.status < 500, f"{method} {path} {body!r} -> {response.status} {text}"
