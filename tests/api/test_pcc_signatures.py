"""PCC callbacks carry Stringee's signature: checked on every ``/pcc/*`` route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from pcc_router.api.app import create_app
from pcc_router.api.stringee.signing import stringee_signature
from tests.api.support import make_settings, state_of, stringee_event

Client = TestClient
SIGNING = "stringee-signing-secret"


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> Client:
    settings = make_settings(tmp_path, signing_secret=SIGNING, event_secret="url-secret")
    return await aiohttp_client(create_app(settings))


def signed(body: bytes, secret: str = SIGNING) -> dict[str, str]:
    return {"X-STRINGEE-SIGNATURE": stringee_signature(body, secret)}


def signature_for(method: str, path: str, body: bytes, secret: str = SIGNING) -> dict[str, str]:
    """What Stringee signs: a POST's body; a GET's request URI (path and query)."""
    return signed(path.encode() if method == "get" else body, secret)


def test_the_signature_is_base64_hmac_sha1_of_the_body() -> None:
    """As Stringee's ``event_url.php``: base64_encode(hash_hmac('sha1', body, key, true)).

    RFC 2202's test case 2 (HMAC-SHA1 effcdf6ae5eb2fa2d27416d5f184df9c259a7c79), in base64.
    """
    body = b"what do ya want for nothing?"
    assert stringee_signature(body, "Jefe") == "7/zfauXrL6LSdBbV8YTfnCWafHk="


ROUTES = [
    ("post", "/pcc/events", json.dumps(stringee_event("answered", "s1", 0)).encode()),
    ("post", "/pcc/agents-for-queue", b'{"queueId": "support", "calls": [{"callId": "s1"}]}'),
    ("get", "/pcc/customer-info?from=84911111111", b""),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_a_good_signature_passes(client: Client, method: str, path: str, body: bytes) -> None:
    headers = signature_for(method, path, body)
    response = await client.request(method, path, data=body or None, headers=headers)
    assert response.status == 200, await response.text()


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_a_bad_signature_is_401_and_changes_nothing(
    client: Client, method: str, path: str, body: bytes
) -> None:
    before = state_of(client.app)
    wrong_key = signature_for(method, path, body, "another-secret")
    for headers in (wrong_key, signed(body + b" ")):
        # a bad signature loses even with the right ?secret= in the URL
        url = path + ("&" if "?" in path else "?") + "secret=url-secret"
        response = await client.request(method, url, data=body or None, headers=headers)
        assert response.status == 401
        assert "X-STRINGEE-SIGNATURE does not match" in (await response.json())["message"]
    assert state_of(client.app) == before


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_unsigned_needs_the_url_secret(
    client: Client, method: str, path: str, body: bytes
) -> None:
    before = state_of(client.app)
    refused = await client.request(method, path, data=body or None)
    assert refused.status == 401
    assert "X-STRINGEE-SIGNATURE is missing" in (await refused.json())["message"]
    assert state_of(client.app) == before
    url = path + ("&" if "?" in path else "?") + "secret=url-secret"
    allowed = await client.request(method, url, data=body or None)
    assert allowed.status == 200


async def test_signing_alone_requires_a_signature(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(create_app(make_settings(tmp_path, signing_secret=SIGNING)))
    body = json.dumps(stringee_event("created", "s2", 0)).encode()
    assert (await client.post("/pcc/events?secret=anything", data=body)).status == 401
    assert (await client.post("/pcc/events", data=body, headers=signed(body))).status == 200


GETS = [
    "/pcc/agents-for-queue?queueId=support&callId=forged-1",
    "/pcc/customer-info?from=84911111111",
]


@pytest.mark.parametrize("path", GETS)
async def test_a_get_signed_over_an_empty_body_is_forged(client: Client, path: str) -> None:
    """The HMAC of an empty body is one constant: it must not open every GET."""
    before = state_of(client.app)
    response = await client.get(path, headers=signed(b""))
    assert response.status == 401
    assert "X-STRINGEE-SIGNATURE does not match" in (await response.json())["message"]
    assert state_of(client.app) == before


async def test_a_get_signature_covers_its_query(client: Client) -> None:
    """Signed for one call, sent for another: refused; as signed: answered (and reserved)."""
    path = "/pcc/agents-for-queue?queueId=support&callId=get-1"
    other = path.replace("get-1", "get-2")
    refused = await client.get(other, headers=signature_for("get", path, b""))
    assert refused.status == 401
    answered = await client.get(path, headers=signature_for("get", path, b""))
    assert answered.status == 200, await answered.text()
    assert [c["callId"] for c in (await answered.json())["calls"]] == ["get-1"]


async def test_a_get_is_signed_as_it_was_sent_percent_encoding_and_all(client: Client) -> None:
    """Stringee signs the request URI as sent (``%20`` for a space), not a decoded form."""
    path = "/pcc/customer-info?from=%2B84%20911%20111%20111&to=02473000062"
    good = await client.get(path, headers=signature_for("get", path, b""))
    assert good.status == 200, await good.text()
    decoded = "/pcc/customer-info?from=+84 911 111 111&to=02473000062"
    bad = await client.get(path, headers=signature_for("get", decoded, b""))
    assert bad.status == 401
