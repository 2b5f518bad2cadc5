"""The wallboard's sign-in: a short-lived ticket in a link, exchanged for a session cookie.

A wall screen should not carry a long-lived admin token in its address (an
address ends up in browser history, proxy logs and ``Referer`` headers).
Instead:

1. ``pcc-router token board`` (or ``POST /v1/board/link`` with a REST token)
   makes a link ``/?ticket=...``: a token of the API key with
   ``board_ticket: true`` that lives :data:`TICKET_TTL` seconds.
2. Opening it, the controller checks the ticket and answers with a redirect
   to ``/`` that sets a session cookie (``HttpOnly``, ``SameSite=Strict``):
   a token with ``board: true`` that lives :data:`SESSION_TTL` seconds (at
   most ``MAX_TOKEN_TTL``). The ticket is gone from the address bar.
3. The page's reads, ``GET /v1/board`` and ``GET /v1/stream``, carry the
   cookie; it opens nothing else, and the stream ends when it expires.

A REST token given as ``/?access_token=`` (links made before tickets) is
exchanged the same way.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from pcc_router.api.keys import SETTINGS
from pcc_router.api.stringee.tokens import TokenError, TokenMinter, verify_rest_token, verify_token
from pcc_router.api.web.errors import ApiError

__all__ = [
    "COOKIE",
    "SESSION_TTL",
    "TICKET_TTL",
    "board_link",
    "board_session",
    "credential_expiry",
    "exchange",
    "verified_rest_token",
]

COOKIE = "pcc_board"
TICKET_TTL = 600
SESSION_TTL = 12 * 3600


def board_link(base_url: str, minter: TokenMinter, *, ttl: int = TICKET_TTL) -> str:
    """The wallboard's address with a fresh ticket in it."""
    return f"{base_url.rstrip('/')}/?ticket={minter.scoped('board_ticket', ttl=ttl)}"


def _verify(request: web.Request, token: str, claim: str, kind: str) -> dict[str, Any]:
    settings = request.app[SETTINGS]
    try:
        return verify_token(
            token,
            sid=settings.api_key_sid,
            secret=settings.api_key_secret,
            claim=claim,
            kind=kind,
            max_ttl=settings.max_token_ttl,
        )
    except TokenError as exc:
        raise ApiError(401, f"{kind} refused: {exc}") from None


def verified_rest_token(request: web.Request, token: str) -> dict[str, Any]:
    """The claims of ``token`` as a REST token of this controller's key; 401 if it is not."""
    settings = request.app[SETTINGS]
    try:
        return verify_rest_token(
            token,
            sid=settings.api_key_sid,
            secret=settings.api_key_secret,
            max_ttl=settings.max_token_ttl,
        )
    except TokenError as exc:
        raise ApiError(401, f"token refused: {exc}") from None


def _request_token(request: web.Request) -> str | None:
    return request.headers.get("X-STRINGEE-AUTH") or request.query.get("access_token") or None


def require_token(request: web.Request) -> None:
    """Guard ``token``: a REST token of this controller's key (header or ``?access_token=``)."""
    token = _request_token(request)
    if token is None:
        raise ApiError(401, "a REST token is required in X-STRINGEE-AUTH or ?access_token=")
    verified_rest_token(request, token)


def require_board(request: web.Request) -> None:
    """Guard ``board``: a REST token, or the wallboard's session cookie (read-only pages)."""
    token = _request_token(request)
    if token is None:
        board_session(request)
    else:
        verified_rest_token(request, token)


def board_session(request: web.Request) -> dict[str, Any]:
    """The claims of the request's wallboard session cookie; 401 without a valid one."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise ApiError(
            401,
            "a REST token is required in X-STRINGEE-AUTH or ?access_token= "
            "(or a wallboard session: open a link from `pcc-router token board`)",
        )
    return _verify(request, token, "board", "the wallboard session")


def exchange(request: web.Request) -> web.Response | None:
    """``GET /?ticket=`` (or ``?access_token=``): a redirect to ``/`` that sets the session
    cookie; ``None`` when the address holds neither."""
    ticket = request.query.get("ticket")
    legacy = request.query.get("access_token")
    if ticket:
        _verify(request, ticket, "board_ticket", "the wallboard ticket")
    elif legacy:
        verified_rest_token(request, legacy)
    else:
        return None
    settings = request.app[SETTINGS]
    ttl = int(min(SESSION_TTL, settings.max_token_ttl))
    minter = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(
        COOKIE,
        minter.scoped("board", ttl=ttl),
        max_age=ttl,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )
    return response


def credential_expiry(request: web.Request) -> float | None:
    """When the credential this request was let in with expires (epoch seconds), if any."""
    settings = request.app[SETTINGS]
    token = _request_token(request)
    if token:
        claims = verify_rest_token(token, sid=settings.api_key_sid, secret=settings.api_key_secret)
    elif request.cookies.get(COOKIE):
        claims = board_session(request)
    else:
        return None
    return float(claims["exp"])
