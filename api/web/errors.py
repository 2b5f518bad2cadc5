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
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

__all__ = [
    "MAX_DEPTH",
    "ApiError",
    "answer",
    "check_text",
    "checked",
    "parse_json",
    "read_body",
]

MAX_DEPTH = 32
M = TypeVar("M", bound=BaseModel)


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


def checked(model: type[M], data: object) -> M:
    """``data`` as ``model``; a 400 that names every wrong field, nothing changed."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found: dict[str, str] = {}  # one message per field (a union fails once per member)
        for error in exc.errors(include_url=False):
            where, message = _error_text(error)
            found.setdefault(where, message)
        errors = [f"{where} {message}" if where else message for where, message in found.items()]
        raise ApiError(400, "; ".join(errors), errors=errors) from None


#: Parts of an error's location that name a union's member, not a field.
_MEMBER_TAGS = ("str", "int", "float", "bool", "list", "dict", "none", "literal")


def _error_text(error: Any) -> tuple[str, str]:
    """Where (``calls[0].callId``) and what, in this project's words."""
    parts = [p for p in error["loc"] if not (isinstance(p, str) and _is_member_tag(p))]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    kind, message = error["type"], str(error["msg"])
    if not where and kind in ("model_type", "dict_type", "model_attributes_type"):
        return "", "the body must be a JSON object"
    if kind in _PLAIN:
        return where, _PLAIN[kind]
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return where, message if not where else f"{message[:1].lower()}{message[1:]}"


_PLAIN = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
}


def _is_member_tag(part: str) -> bool:
    return part in _MEMBER_TAGS or part.startswith(("constrained-", "function-", "literal["))


async def read_body(request: web.Request, model: type[M]) -> tuple[M, str]:
    """The request's body as ``model`` (after the rule above), and its text."""
    data, text = parse_json(await request.read())
    return checked(model, data), text


def answer(body: BaseModel, *, status: int = 200) -> web.Response:
    """A JSON response from its model: what is set is sent."""
    return web.json_response(
        body.model_dump(mode="json", by_alias=True, exclude_unset=True), status=status
    )
