"""CareSoft mobile voice (CsCall): agent JWTs, login and click-to-call links, webhook signatures.

- The mobile voice token is an HS256 JWT whose payload is just
  ``{"ipphone": "<agent's IP-phone extension>"}``, signed with the domain's
  "Token voice api" (``CARESOFT_VOICE_TOKEN``).
- The login link opens ``https://mapi.caresoft.vn/dangnhap?appToken=…&appDomain=…``
  and the call link ``https://mapi.caresoft.vn/call?phone=…&appToken=…&tempId=…``,
  each wrapped in a link template. The default template is the documented
  Firebase Dynamic Link ``https://caresoftcall.page.link/?link=<encoded>&apn=…``;
  Firebase Dynamic Links were shut down on 25 August 2025, so such links may
  no longer open the app: a deployment can set ``CARESOFT_LINK_TEMPLATE`` to
  ``{url}`` (the bare mapi link) or to its own App Link host.
- Webhook deliveries carry ``X-Hub-Signature``: HMAC-SHA1 of the body with the
  shared secret, in upper-case hex.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import warnings
from urllib.parse import quote, urlencode

import jwt
from jwt.warnings import InsecureKeyLengthWarning

__all__ = [
    "DEFAULT_LINK_TEMPLATE",
    "LinkError",
    "call_link",
    "check_template",
    "login_link",
    "new_temp_id",
    "sign_webhook",
    "verify_webhook",
    "voice_token",
]

MAPI = "https://mapi.caresoft.vn"
DEFAULT_LINK_TEMPLATE = (
    "https://caresoftcall.page.link/?link={link}"
    "&apn=com.caresoft.caresoftcall&isi=6447892382&ibi=com.caresoft.caresoftcall&efr=1"
)


class LinkError(ValueError):
    """A link that cannot be built: the message names the field."""


def voice_token(ipphone: str, secret: str) -> str:
    if not ipphone:
        raise LinkError("ipphone must not be empty")
    if not secret:
        raise LinkError("CARESOFT_VOICE_TOKEN is not set")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # voice tokens are short
        return jwt.encode({"ipphone": ipphone}, secret, algorithm="HS256")


def check_template(template: str) -> str:
    """The template if it holds ``{link}`` (the encoded mapi URL) or ``{url}`` (as is)."""
    if "{link}" not in template and "{url}" not in template:
        raise LinkError("CARESOFT_LINK_TEMPLATE must contain {link} or {url}")
    return template


def _wrap(url: str, template: str) -> str:
    check_template(template)
    return template.replace("{link}", quote(url, safe="")).replace("{url}", url)


def login_link(*, token: str, domain: str, template: str = DEFAULT_LINK_TEMPLATE) -> str:
    if not token:
        raise LinkError("token must not be empty")
    if not domain:
        raise LinkError("domain must not be empty")
    inner = f"{MAPI}/dangnhap?" + urlencode({"appToken": token, "appDomain": domain})
    return _wrap(inner, template)


def call_link(
    *, token: str, phone: str, temp_id: str, template: str = DEFAULT_LINK_TEMPLATE
) -> str:
    if not token:
        raise LinkError("token must not be empty")
    if not phone or not phone.lstrip("+").isdigit():
        raise LinkError(f"phone must be digits (an optional leading +), not {phone!r}")
    if not temp_id:
        raise LinkError("temp_id must not be empty")
    query = urlencode({"phone": phone, "appToken": token, "tempId": temp_id})
    return _wrap(f"{MAPI}/call?{query}", template)


def new_temp_id() -> str:
    """A fresh call id: 16 random digits (the guide's example tempId is all digits)."""
    return f"{secrets.randbelow(10**16):016d}"


def sign_webhook(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest().upper()


def verify_webhook(body: bytes, secret: str, signature: str | None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(sign_webhook(body, secret), signature.strip().upper())
