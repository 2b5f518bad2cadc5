"""Stringee token format, uniqueness, verification, and short secrets."""

from __future__ import annotations

import base64
import json
import warnings

import jwt
import pytest

from pcc_router.api.stringee.tokens import (
    TokenError,
    TokenMinter,
    short_secret_warning,
    verify_rest_token,
)

SID, SECRET = "SKtestsid", "a-secret-of-thirty-two-bytes-xx!"


def segment(token: str, index: int) -> dict[str, object]:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_header_is_stringee_exact_including_key_order() -> None:
    token = TokenMinter(sid=SID, secret=SECRET).rest()
    raw = base64.urlsafe_b64decode(token.split(".")[0] + "==")
    assert raw == b'{"typ":"JWT","alg":"HS256","cty":"stringee-api;v=1"}'


def test_agent_and_rest_claims() -> None:
    minter = TokenMinter(sid=SID, secret=SECRET, clock=lambda: 1_700_000_000.5)
    agent = segment(minter.agent("alice", ttl=600), 1)
    assert agent == {
        "jti": f"{SID}-1700000000",
        "iss": SID,
        "exp": 1_700_000_600,
        "userId": "alice",
        "icc_api": True,
    }
    rest = segment(minter.rest(), 1)
    assert rest["rest_api"] is True and "userId" not in rest and rest["exp"] == 1_700_003_600


def test_jti_is_unique_within_one_second() -> None:
    minter = TokenMinter(sid=SID, secret=SECRET, clock=lambda: 1_700_000_000.0)
    jtis = [segment(minter.rest(), 1)["jti"] for _ in range(5)]
    assert len(set(jtis)) == 5
    assert jtis[0] == f"{SID}-1700000000" and jtis[4] == f"{SID}-1700000004"


def test_verify_accepts_only_a_live_rest_token_of_this_key() -> None:
    minter = TokenMinter(sid=SID, secret=SECRET)
    assert verify_rest_token(minter.rest(), sid=SID, secret=SECRET)["rest_api"] is True
    cases = {
        "rest_api is not true": minter.agent("alice"),
        "iss is not this API key": TokenMinter(sid="SKother", secret=SECRET).rest(),
        "bad signature": TokenMinter(sid=SID, secret="another-secret").rest(),
        "not a JWT": "nonsense",
    }
    for reason, token in cases.items():
        with pytest.raises(TokenError, match=reason):
            verify_rest_token(token, sid=SID, secret=SECRET)
    expired = TokenMinter(sid=SID, secret=SECRET, clock=lambda: 1_000.0).rest(ttl=10)
    with pytest.raises(TokenError, match="expired"):
        verify_rest_token(expired, sid=SID, secret=SECRET)
    none_alg = jwt.encode(
        {"iss": SID, "exp": 9_999_999_999, "rest_api": True}, None, algorithm="none"
    )
    with pytest.raises(TokenError, match="only HS256"):
        verify_rest_token(none_alg, sid=SID, secret=SECRET)


def test_short_secrets_work_without_pyjwt_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        token = TokenMinter(sid=SID, secret="short").rest()
        assert verify_rest_token(token, sid=SID, secret="short")["iss"] == SID
    assert "5 bytes" in (short_secret_warning("short") or "")
    assert short_secret_warning(SECRET) is None
