"""No credential in any log, ever; the wallboard without a token in its address; pages that
tell browsers to keep to themselves; streams that end with their credential."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from pcc_router.api.app import create_app
from pcc_router.api.sessions import COOKIE, board_link
from pcc_router.api.store.repo import Store, StoreError
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.web import logs
from tests.api.support import ROOT, SECRET, SID, make_settings, stringee_event
from tests.api.test_client_faults import Served

SIGNING = "signing-secret-signing-secret"
PASSWORD = "hunter2-db-password"


@pytest.fixture
async def client(tmp_path: Path) -> Any:
    app = create_app(make_settings(tmp_path, signing_secret=SIGNING, event_secret="url-secret"))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def test_redact_takes_out_what_a_probe_looks_for() -> None:
    token = TokenMinter(sid=SID, secret=SECRET).rest()
    text = (
        f"GET /v1/board?access_token={token}&x=1 ticket=abc secret=s3 signature=sig%3D "
        f"postgresql+psycopg://pcc:{PASSWORD}@db/pcc X-STRINGEE-AUTH: {token} "
        f'{{"sip_password": "pw-1", "name": "a"}} Authorization: Bearer zzz'
    )
    clean = logs.redact(text)
    for secret in (token, PASSWORD, "abc", "s3", "sig%3D", "pw-1", "zzz"):
        assert secret not in clean, secret
    assert "x=1" in clean and '"name": "a"' in clean and "pcc:***@db/pcc" in clean


def test_every_record_is_redacted_tracebacks_too(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.makeLogRecord(
        {
            "msg": "token %s",
            "args": ("eyJhbGciOiJIUzI1NiJ9.eyJyZXN0X2FwaSI6dHJ1ZX0.c2ln",),
            "levelname": "INFO",
            "levelno": logging.INFO,
        }
    )
    try:
        raise ValueError("secret=topsecret in a message")
    except ValueError:
        record.exc_info = sys.exc_info()
    logs.RedactingFilter().filter(record)
    assert "eyJ" not in record.getMessage() and "topsecret" not in (record.exc_text or "")
    formatted = logs.JsonFormatter().format(record)
    entry = json.loads(formatted)
    assert entry["message"] == "token [redacted]" and "topsecret" not in entry["exception"]
    assert entry["level"] == "info" and entry["time"].endswith("Z")


async def test_no_credential_reaches_any_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A probe's tour: tokens in queries and headers and Referer, signatures, the URL secret,
    a SIP password, a forged token. Every log line at DEBUG is searched for each."""
    caplog.set_level(logging.DEBUG)
    minter = TokenMinter(sid=SID, secret=SECRET)
    token = minter.rest()
    served = Served(tmp_path, signing_secret=SIGNING, event_secret="url-secret-value")
    with served:
        await asyncio.to_thread(_tour, served, token)
    secrets = [token, SECRET, SIGNING, "url-secret-value", "sip-pass-123", token.split(".")[2]]
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in text, (record.name, text[:300])
    assert any(r.name == "aiohttp.access" for r in caplog.records)  # the access log ran


def _tour(served: Served, token: str) -> None:
    import http.client

    def send(method: str, path: str, body: bytes = b"", **headers: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        if "event-stream" not in response.getheader("Content-Type", ""):
            response.read()  # a stream is left open: closing the connection ends it
        connection.close()

    send("GET", f"/v1/agents?access_token={token}", Referer=f"http://x/?access_token={token}")
    send("GET", "/v1/agents", b"", **{"X-STRINGEE-AUTH": token})
    send("GET", f"/?access_token={token}")
    send("GET", "/v1/agents?access_token=not.a-token")
    event = json.dumps(stringee_event("answered", "p1", 0)).encode()
    send("POST", "/pcc/events?secret=url-secret-value", event)
    send("POST", "/pcc/events", event, **{"X-STRINGEE-SIGNATURE": "forged-signature=="})
    agent = json.dumps(
        {"stringee_user_id": "newbie", "name": "N", "sip_password": "sip-pass-123"}
    ).encode()
    send("POST", "/v1/agents", agent, **{"X-STRINGEE-AUTH": token})
    send("GET", f"/v1/stream?access_token={token}&ticket={token}")


def test_the_database_password_is_never_shown(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://pcc:{PASSWORD}@127.0.0.1:1/pcc"
    with pytest.raises(StoreError) as refused:
        Store(url)
    assert PASSWORD not in str(refused.value) and "pcc:***@127.0.0.1:1/pcc" in str(refused.value)
    env = {**os.environ, "PCC_API_KEY_SID": SID, "PCC_API_KEY_SECRET": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "pcc_router.api", "serve", "--port", "0", "--print-token"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert PASSWORD not in done.stdout + done.stderr
    assert "eyJ" not in done.stdout  # a start that fails prints no token, even when asked


def _serve(env: dict[str, str], *flags: str) -> subprocess.Popen[str]:
    """``pcc-router serve`` on a free port, its output read as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "pcc_router.api", "serve", "--port", "0", *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_says_how_to_mint_a_token_and_prints_one_only_when_asked(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PCC_API_KEY_SID": SID,
        "PCC_API_KEY_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
    }
    for flags, token_expected in (([], False), (["--print-token"], True)):
        process = _serve(env, *flags)
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(3 if not token_expected else 6)]
        finally:
            process.terminate()
            process.communicate(timeout=15)
        printed = "".join(lines)
        assert "/pcc/events" in printed
        assert ("eyJ" in printed) is token_expected, printed
        assert ("pcc-router token rest" in printed) is not token_expected
        if token_expected:
            assert "/?ticket=eyJ" in printed


async def test_pages_and_answers_carry_the_security_headers(
    client: Any, auth: dict[str, str]
) -> None:
    for path, headers in (
        ("/", {}),
        ("/docs", {}),
        ("/static/wallboard.js", {}),
        ("/v1/agents", auth),
        ("/healthz", {}),
    ):
        response = await client.get(path, headers=headers)
        assert response.status == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        scripts = csp.split("script-src")[1].split(";")[0]
        assert scripts.strip() == "'self'", path  # no inline script, no eval
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Frame-Options"] == "DENY", path


async def test_a_wallboard_ticket_signs_the_screen_in_with_a_cookie(client: Any) -> None:
    minter = TokenMinter(sid=SID, secret=SECRET)
    link = board_link(str(client.make_url("")), minter)
    signed_in = await client.get(link.split(str(client.make_url("")), 1)[1], allow_redirects=False)
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/"
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    session = signed_in.cookies[COOKIE].value
    claims = jwt.decode(session, SECRET, algorithms=["HS256"], issuer=SID)
    assert claims["board"] is True and "rest_api" not in claims
    jar = {COOKIE: session}
    assert (await client.get("/v1/board", cookies=jar)).status == 200
    # the cookie opens the wallboard's reads and nothing else
    assert (await client.get("/v1/agents", cookies=jar)).status == 401
    assert (await client.post("/v1/sync", cookies=jar)).status == 401
    assert (await client.get("/v1/agents", headers={"X-STRINGEE-AUTH": session})).status == 401
    # a ticket is no REST token either, and an old one is refused
    ticket = link.split("ticket=")[1]
    assert (await client.get("/v1/board", headers={"X-STRINGEE-AUTH": ticket})).status == 401
    old = minter.scoped("board_ticket", ttl=1)
    await asyncio.sleep(1.1)
    assert (await client.get(f"/?ticket={old}", allow_redirects=False)).status == 401
    client.session.cookie_jar.clear()
    assert (await client.get("/v1/board")).status == 401  # no cookie: no board


async def test_a_stream_ends_when_its_credential_expires(client: Any) -> None:
    short = TokenMinter(sid=SID, secret=SECRET).rest(ttl=2)
    response = await client.get("/v1/stream", params={"access_token": short})
    assert response.status == 200
    seen = b""
    async with asyncio.timeout(6):
        async for chunk in response.content.iter_any():
            seen += chunk
    assert b"event: hello" in seen and seen.rstrip().endswith(b'{"reason": "credential expired"}')


def test_serve_can_log_one_json_object_per_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PCC_API_KEY_SID": SID,
        "PCC_API_KEY_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}",
        "LOG_FORMAT": "json",
    }
    process = _serve(env)
    try:
        assert process.stdout is not None
        assert "pcc-router controller" in process.stdout.readline()
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=15)
    entries = [json.loads(line) for line in errors.splitlines() if line.strip()]
    assert entries and {"time", "level", "logger", "message"} <= set(entries[0])
    assert any("listening on" in entry["message"] for entry in entries)
