"""Client mistakes as data, and the one rule for reading request bodies.

Bodies are JSON text in UTF-8 (RFC 8259). A leading byte-order mark is
dropped (the RFC lets a parser ignore it); UTF-16 and UTF-32 bodies are
refused with a 400, as are non-standard constants (``NaN``, ``Infinity``),
nesting deeper than :data:`MAX_DEPTH`, and strings holding a NUL or a lone
UTF-16 surrogate (``"\\ud800"``: not a character, and no store can keep it).
What is stored of a body is the UTF-8 text read here, so every later read of
it (on this instance or another) decodes it again.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

__all__ = ["MAX_DEPTH", "ApiError", "Body", "check_text", "parse_json", "read_json"]

MAX_DEPTH = 32
_MISSING: Any = object()


class ApiError(Exception):
    """A 4xx answer: ``status`` and a message that names the field (or every field)."""

    def __init__(self, status: int, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def check_text(text: str, where: str) -> None:
    """Refuse a NUL or a lone surrogate in ``text``; ``where`` names it in the message."""
    if "\x00" in text:
        raise ApiError(400, f"{where} holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"{where} holds a lone UTF-16 surrogate (not a character)") from None


def _check(value: Any, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ApiError(400, f"the body is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        check_text(value, where or "the body")
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            check_text(key, f"a key of {where or 'the body'}")
            _check(item, path, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]", depth + 1)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> tuple[Any, str]:
    """The JSON value of a body, and the UTF-8 text it was read from (see the module's rule)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\x00" in raw or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ApiError(400, "the body must be UTF-8 JSON; UTF-16 and UTF-32 are not accepted")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body must be UTF-8 JSON; it holds bytes that are not") from None
    try:
        data = json.loads(text or "null", parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(400, f"the body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise ApiError(400, "the body is not valid JSON") from None
    _check(data, "", 0)
    return data, text


async def read_json(request: web.Request) -> tuple[dict[str, Any], str]:
    """The request's JSON object and its text (size-limited by the app's ``client_max_size``)."""
    data, text = parse_json(await request.read())
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data, text


class Body:
    """Checked access to a JSON object; ``strict`` bodies may hold no unknown key."""

    def __init__(self, data: Mapping[str, Any], *, strict: bool = True) -> None:
        self.data = data
        self.strict = strict
        self._read: set[str] = set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
        self._read.add(key)
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                raise ApiError(400, f"{key} is required")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise ApiError(400, f"{key} has the wrong type")
        if not isinstance(value, kind):
            raise ApiError(400, f"{key} has the wrong type")
        return value

    def text(self, key: str, default: Any = _MISSING, *, max_len: int = 256) -> Any:
        value = self.get(key, str, default)
        if isinstance(value, str) and len(value) > max_len:
            raise ApiError(400, f"{key} is longer than {max_len} characters")
        return value

    def choice(self, key: str, allowed: tuple[Any, ...], default: Any = _MISSING) -> Any:
        value = self.get(key, tuple({type(a) for a in allowed}), default)
        if value is not default and value not in allowed:
            raise ApiError(400, f"{key} must be one of {', '.join(map(str, allowed))}")
        return value

    def finish(self) -> None:
        if self.strict:
            unknown = sorted(set(self.data) - self._read)
            if unknown:
                raise ApiError(400, f"{unknown[0]} is not a known field")
