"""Whatever a client sends to any route, the answer is never a 5xx, and nothing is poisoned.

One controller runs for the whole test (in a thread of its own, on 127.0.0.1),
so a request that broke the store or the engine would show in the requests
after it: after every example, health, a stored call and the agents must
still read. Bounded: a fixed number of examples, each with a timeout.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pcc_router.api.app import create_app
from pcc_router.api.stringee.tokens import TokenMinter
from tests.api.support import ThreadServer, make_settings, stringee_event

AUTH = {"X-STRINGEE-AUTH": TokenMinter(sid="SKtest", secret="test-secret-of-at-least-32-bytes!")
        .rest(ttl=86400)}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    running = ThreadServer(create_app(make_settings(Path(tmp_path_factory.mktemp("fuzz")))))
    running.start()
    canary = json.dumps(stringee_event("answered", "canary", 0)).encode()
    status, _, _ = running.request("POST", "/pcc/events", canary)
    assert status == 200
    yield running
    running.stop()


ROUTES = [
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/"),
    ("POST", "/pcc/events"),
    ("POST", "/pcc/agents-for-queue"),
    ("GET", "/pcc/agents-for-queue"),
    ("GET", "/pcc/customer-info"),
    ("POST", "/v1/tokens/agent"),
    ("GET", "/v1/agents"),
    ("POST", "/v1/agents"),
    ("GET", "/v1/agents/{}"),
    ("PUT", "/v1/agents/{}"),
    ("DELETE", "/v1/agents/{}"),
    ("POST", "/v1/agents/{}/presence"),
    ("POST", "/v1/groups"),
    ("DELETE", "/v1/groups/{}"),
    ("POST", "/v1/queues"),
    ("GET", "/v1/queues/{}"),
    ("DELETE", "/v1/queues/{}"),
    ("POST", "/v1/numbers"),
    ("DELETE", "/v1/numbers/{}"),
    ("GET", "/v1/calls/{}"),
    ("POST", "/v1/sync"),
    ("GET", "/v1/stream"),
    ("POST", "/v1/caresoft/token"),
    ("POST", "/v1/caresoft/links/login"),
    ("POST", "/v1/caresoft/links/call"),
    ("GET", "/v1/caresoft/calls/{}"),
    ("POST", "/caresoft/webhook"),
    ("PATCH", "/v1/agents"),
]
FIELDS = [
    "call_id", "call_status", "timestamp_ms", "from", "to", "request_from_user_id", "queueId",
    "calls", "callId", "stringee_user_id", "ttl", "manual_status", "routing_type", "phone_number",
    "app", "push", "sip", "expires", "device_token", "ipphone", "phone", "temp_id", "tempId", "id",
    "agents", "groups", "number", "queue_id", "ivr", "strategy", "wait_agent_answer_timeout",
]  # fmt: skip
STATUSES = ["created", "ringing", "answered", "ended", "agentEnded", "connect_failed", ""]
IDS = ["alice", "bob", "support", "tier1", "02473000062", "canary", "c1"]

text = st.one_of(
    st.text(max_size=12),
    st.sampled_from([*IDS, *STATUSES, "internal", "external", "\ud800", "a\x00b", "+84 90-1"]),
)
scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | text
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10,
)
objects = st.dictionaries(st.sampled_from(FIELDS) | text, values, max_size=6)


def _encode(data: Any, how: str) -> bytes:
    raw = json.dumps(data, allow_nan=True)
    if how == "utf-8":
        return raw.encode("utf-8", "surrogatepass")
    if how == "bom":
        return codecs.BOM_UTF8 + raw.encode("utf-8", "surrogatepass")
    return raw.encode(how, "surrogatepass")


bodies = st.one_of(
    st.builds(_encode, objects, st.sampled_from(["utf-8", "bom", "utf-16", "utf-32"])),
    st.builds(_encode, values, st.just("utf-8")),
    st.binary(max_size=64),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.just(b""),
)
segments = st.one_of(st.sampled_from(IDS), st.text(max_size=10)).map(lambda s: quote(s, safe=""))
queries = st.dictionaries(
    st.sampled_from(["from", "to", "secret", "access_token", "queueId", "callId", "x"]),
    st.text(max_size=10),
    max_size=3,
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(route=("GET", "/v1/stream"), segment="x", query={}, body=b"", authed=True)
@example(route=("POST", "/pcc/events"), segment="x", query={}, body=b"[" * 5000, authed=False)
@given(
    route=st.sampled_from(ROUTES),
    segment=segments,
    query=queries,
    body=bodies,
    authed=st.booleans(),
)
def test_no_input_gets_a_5xx_or_poisons_later_requests(
    server: ThreadServer,
    route: tuple[str, str],
    segment: str,
    query: dict[str, str],
    body: bytes,
    authed: bool,
) -> None:
    method, template = route
    path = template.format(segment) + ("?" + urlencode(query) if query else "")
    headers = {"Content-Type": "application/json", **(AUTH if authed else {})}
    status, head, answer = server.request(method, path, body, headers)
    assert status < 500, f"{method} {path} {body[:200]!r} -> {status} {answer[:300]!r}"
    if status >= 400:
        error = json.loads(answer)
        assert error["r"] == status and error["message"]
        if status == 405:
            assert head.get("allow")
    for check in ("/healthz", "/v1/agents", "/v1/calls/canary"):
        after, _, text_ = server.request("GET", check, headers=AUTH)
        assert after == 200, f"after {method} {path} {body[:200]!r}: {check} -> {after} {text_!r}"
