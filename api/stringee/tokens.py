"""Stringee access tokens: HS256 JWTs in Stringee's exact format, minted and checked.

Header ``{"typ":"JWT","alg":"HS256","cty":"stringee-api;v=1"}``; claims
``jti`` (``<api key sid>-<unix seconds>``), ``iss`` (the API key sid) and
``exp``. Agent (client) tokens add ``userId`` and ``icc_api: true``; REST
tokens add ``rest_api: true``.

``jti`` must be unique per token while keeping Stringee's ``<sid>-<seconds>``
shape, so a minter never reuses a second: a second token in the same second
takes the next one.

Real Stringee secrets may be shorter than the 32 bytes PyJWT recommends for
HS256. They are accepted: PyJWT's ``InsecureKeyLengthWarning`` is silenced
here, and :func:`short_secret_warning` lets the service say it once, at start.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

__all__ = [
    "HEADER",
    "TokenError",
    "TokenMinter",
    "short_secret_warning",
    "verify_rest_token",
    "verify_token",
]

HEADER = {"typ": "JWT", "alg": "HS256", "cty": "stringee-api;v=1"}
MIN_SECRET_BYTES = 32


class TokenError(Exception):
    """A token that must be refused; the message says why (never echoes the token)."""


def short_secret_warning(secret: str) -> str | None:
    """A one-line warning for a secret under 32 bytes, or ``None``."""
    size = len(secret.encode())
    if size >= MIN_SECRET_BYTES:
        return None
    return (
        f"the API key secret is {size} bytes, under the {MIN_SECRET_BYTES} recommended "
        "for HS256; accepted, as Stringee issues such keys"
    )


def _encode(claims: dict[str, Any], secret: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(
            claims,
            secret,
            algorithm="HS256",
            headers={"cty": HEADER["cty"]},
            sort_headers=False,  # keeps Stringee's order: typ, alg, cty
        )


@dataclass
class TokenMinter:
    """Mints tokens for one API key; ``clock`` is injectable for tests."""

    sid: str
    secret: str
    clock: Any = time.time

    def __post_init__(self) -> None:
        self._last_second = 0
        self._lock = threading.Lock()

    def _jti_second(self) -> int:
        with self._lock:
            second = max(int(self.clock()), self._last_second + 1)
            self._last_second = second
            return second

    def _claims(self, ttl: int) -> dict[str, Any]:
        if ttl <= 0:
            raise TokenError("ttl must be a positive number of seconds")
        second = self._jti_second()
        return {"jti": f"{self.sid}-{second}", "iss": self.sid, "exp": int(self.clock()) + ttl}

    def rest(self, *, ttl: int = 3600) -> str:
        return _encode({**self._claims(ttl), "rest_api": True}, self.secret)

    def agent(self, user_id: str, *, ttl: int = 3600) -> str:
        if not user_id:
            raise TokenError("userId must not be empty")
        return _encode({**self._claims(ttl), "userId": user_id, "icc_api": True}, self.secret)

    def scoped(self, claim: str, *, ttl: int) -> str:
        """A token of this key for one purpose of this controller's own (``claim: true``),
        e.g. a wallboard's ticket or session (:mod:`pcc_router.api.sessions`)."""
        return _encode({**self._claims(ttl), claim: True}, self.secret)


#: Seconds of clock difference forgiven when a token's lifetime is checked.
LEEWAY = 60.0


def verify_token(
    token: str,
    *,
    sid: str,
    secret: str,
    claim: str,
    kind: str,
    now: float | None = None,
    max_ttl: float | None = None,
) -> dict[str, Any]:
    """The claims of a valid token of this API key that has ``claim: true`` (``kind``
    names such a token in messages), else :class:`TokenError`.

    ``max_ttl``: a token that still has longer than this to live is refused
    (one minted for the year 3000 is as good as a password).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenError("not a JWT") from None
    if header.get("alg") != "HS256":
        raise TokenError("only HS256 tokens are accepted")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=sid,
                options={"require": ["exp", "iss"], "verify_exp": False},
            )
        except jwt.InvalidIssuerError:
            raise TokenError("iss is not this API key") from None
        except jwt.PyJWTError:
            raise TokenError("bad signature or malformed token") from None
    expires = claims["exp"]
    if isinstance(expires, bool) or not isinstance(expires, (int, float)):
        raise TokenError("exp must be a number of seconds")
    moment = time.time() if now is None else now
    if expires <= moment:
        raise TokenError("token expired")
    if max_ttl is not None and expires - moment > max_ttl + LEEWAY:
        raise TokenError(f"exp is more than {max_ttl:g} s away (the longest a token may live)")
    if claims.get(claim) is not True:
        raise TokenError(f"not {kind} ({claim} is not true)")
    return claims


def verify_rest_token(
    token: str,
    *,
    sid: str,
    secret: str,
    now: float | None = None,
    max_ttl: float | None = None,
) -> dict[str, Any]:
    """The claims of a valid REST token for this API key, else :class:`TokenError`."""
    return verify_token(
        token,
        sid=sid,
        secret=secret,
        claim="rest_api",
        kind="a REST token",
        now=now,
        max_ttl=max_ttl,
    )
