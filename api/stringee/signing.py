"""Who may call ``/pcc/*``: Stringee's request signature, or a shared secret in the URL.

Stringee signs its webhook requests: ``X-STRINGEE-SIGNATURE`` is the base64
of the HMAC-SHA1, keyed with the project's signing secret, of

- the raw request body, for a POST (Stringee's server samples, ``event_url.php``);
- the request URI, path and query exactly as sent (spaces as ``%20``), for a
  GET (``project_answer_url.php``): a GET has no body, and the HMAC of an
  empty body would be one constant that passes every GET whatever it asks.

PCC cannot add other headers, so a secret of one's own can only travel in
the configured URL (``?secret=``), kept as the fallback.

The rule, with ``PCC_SIGNING_SECRET`` and/or ``PCC_EVENT_SECRET`` set:

- a request that carries a signature is judged by it alone: a wrong one is
  refused even when the URL also holds the secret;
- an unsigned request needs ``?secret=`` (or ``X-PCC-Secret``) equal to
  ``PCC_EVENT_SECRET``;
- with neither setting, the callbacks are open (a development setup).

Every comparison is in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["CallbackRefused", "authorise", "signed_bytes", "stringee_signature"]

HEADER = "X-STRINGEE-SIGNATURE"


class CallbackRefused(Exception):
    """The request is not from Stringee (as far as the settings can tell); says why."""


def stringee_signature(body: bytes, secret: str) -> str:
    """What Stringee puts in ``X-STRINGEE-SIGNATURE`` for this body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_bytes(method: str, raw_path: str, body: bytes) -> bytes:
    """What Stringee signs for this request: the body, or for a GET its request URI
    (``raw_path``: path and query as they came, still percent-encoded)."""
    if method.upper() in ("GET", "HEAD"):
        return raw_path.replace(" ", "%20").encode("utf-8", errors="replace")
    return body


def authorise(
    body: bytes,
    *,
    signature: str | None,
    given_secret: str | None,
    signing_secret: str | None,
    event_secret: str | None,
) -> None:
    """Return if the request may pass; raise :class:`CallbackRefused` if not."""
    if signing_secret and signature is not None:
        expected = stringee_signature(body, signing_secret)
        if hmac.compare_digest(expected.encode(), signature.strip().encode(errors="replace")):
            return
        raise CallbackRefused(f"{HEADER} does not match the request")
    if event_secret:
        given = (given_secret or "").encode(errors="replace")
        if hmac.compare_digest(given, event_secret.encode()):
            return
        if signing_secret:
            raise CallbackRefused(f"{HEADER} is missing (and ?secret= is missing or wrong)")
        raise CallbackRefused("secret is missing or wrong (query ?secret= or X-PCC-Secret)")
    if signing_secret:
        raise CallbackRefused(f"{HEADER} is missing")
