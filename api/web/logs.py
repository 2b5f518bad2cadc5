"""Logs an operator can read: a line per thing that happened, never a credential, no floods.

- :func:`redact` takes out of any text what a probe would look for: tokens
  and secrets in query strings (``access_token``, ``ticket``, ``secret``,
  ``signature``, ``password``...), JWTs wherever they appear, the password of
  a database URL, and credential headers written as ``Name: value``.
  :class:`RedactingFilter` applies it to every record's message and
  traceback, on every handler :func:`configure` installs: a credential that
  reaches a log line by any path is still not written.
- :class:`AccessLog` is aiohttp's access log with the request line and the
  ``Referer`` redacted.
- :class:`JsonFormatter` writes one JSON object per line (``LOG_FORMAT=json``).
- :class:`Every` lets a message that could repeat thousands of times a
  second (a client flood, a process out of files) through once per interval,
  with the count of those held back.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

__all__ = [
    "AccessLog",
    "Every",
    "JsonFormatter",
    "RedactingFilter",
    "Throttle",
    "configure",
    "redact",
]

#: Query and form names whose values are credentials.
_SECRET_NAMES = (
    "access_token",
    "token",
    "ticket",
    "secret",
    "signature",
    "password",
    "sip_password",
    "apptoken",
    "api_key_secret",
    "key",
)
_QUERY = re.compile(r"(?i)\b(" + "|".join(_SECRET_NAMES) + r")=([^&\s\"']+)")
_JSON = re.compile(r'(?i)"(' + "|".join(_SECRET_NAMES) + r')"(\s*:\s*)"([^"]*)"')
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/@\s]*):([^@\s]+)@")
_HEADERS = re.compile(
    r"(?i)\b(x-stringee-auth|x-stringee-signature|x-pcc-secret|x-hub-signature|authorization"
    r"|cookie|set-cookie)(\s*[:=]\s*)([^\r\n,;]+)"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every credential in it replaced by ``[redacted]``."""
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _HEADERS.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _QUERY.sub(lambda m: m.group(1) + "=" + REDACTED, text)
    text = _JSON.sub(lambda m: f'"{m.group(1)}"{m.group(2)}"{REDACTED}"', text)
    return _JWT.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Redacts each record's message (its arguments merged in) and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"[, "exception"]}`` and any ``extra`` fields."""

    _PLAIN: ClassVar[frozenset[str]] = frozenset(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self._PLAIN})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


def configure(fmt: str = "text", *, level: int = logging.INFO) -> None:
    """One handler on the root logger (standard error), redacting, as text or JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


class AccessLog(AbstractAccessLogger):
    """One line per request: client, request line and ``Referer`` (redacted), status,
    size, time; in JSON logs the same as fields."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        line = redact(f"{request.method} {request.raw_path} HTTP/{request.version.major}."
                      f"{request.version.minor}")  # fmt: skip
        referer = redact(request.headers.get("Referer", "-"))
        agent = request.headers.get("User-Agent", "-")
        self.logger.info(
            '%s "%s" %d %d "%s" "%s" %.3fs',
            request.remote or "-",
            line,
            response.status,
            response.body_length,
            referer,
            agent,
            time,
            extra={"remote": request.remote, "status": response.status, "seconds": time},
        )


class Every:
    """Lets a repeated message through once per ``seconds``: :meth:`due` says whether now,
    and how many were held back since the last one let through."""

    def __init__(self, seconds: float = 1.0) -> None:
        self._seconds = seconds
        self._next = 0.0
        self._held = 0

    def due(self) -> tuple[bool, int]:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return False, 0
        held, self._held = self._held, 0
        self._next = now + self._seconds
        return True, held


class Throttle:
    """One :class:`Every` per kind of message, for one app (no state shared between apps)."""

    def __init__(self, seconds: float = 1.0) -> None:
        self._seconds = seconds
        self._kinds: dict[str, Every] = {}

    def due(self, kind: str) -> tuple[bool, int]:
        every = self._kinds.get(kind)
        if every is None:
            every = self._kinds[kind] = Every(self._seconds)
        return every.due()
