"""HTTP bodies every server shares, as pydantic models: errors, acknowledgements, and the
field types admin bodies are made of.

A request body is checked against its model before anything changes, and a
400 names every wrong field at once; ``/openapi.json`` is generated from the
very same models (:mod:`pcc_router.api.web.openapi`). :class:`Strict` bodies
refuse unknown fields and take no coercion (``"5"`` is not 5).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from pcc_router.routing.durations import parse_duration

__all__ = ["Ack", "Answer", "Duration", "ErrorAnswer", "Strict", "Text"]

Text = Annotated[str, Field(min_length=1, max_length=256)]


def _duration(value: object) -> object:
    try:
        parse_duration(value)
    except ValueError:
        raise ValueError(
            'must be seconds, or a number and one unit: "90s", "15m", "2h", "1d"'
        ) from None
    return value


Duration = Annotated[
    float | str,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\s*(\d+(\.\d*)?|\.\d+)\s*[smhd]\s*$"},
            ],
            "description": 'seconds, or a number and one unit: "90s", "15m", "2h", "1d"',
        }
    ),
]


class Strict(BaseModel):
    """No unknown field, no coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Answer(BaseModel):
    """A response body: what is set is sent (an optional field left unset is left out)."""

    model_config = ConfigDict(populate_by_name=True)


# ------------------------------------------------------------------ errors


class ErrorAnswer(Answer):
    r: int = Field(description="the HTTP status")
    message: str = Field(description="what is wrong, naming the field (every field, ';'-joined)")
    errors: list[str] | None = Field(None, description="each wrong field, when several")


class Ack(Answer):
    r: int
    message: str
