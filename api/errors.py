"""Client mistakes as data: an HTTP status and a message that names the field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

__all__ = ["ApiError", "Body", "read_json"]

_MISSING: Any = object()


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (size-limited by the app's ``client_max_size``)."""
    raw = await request.read()
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


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
