"""HTTP bodies as pydantic models: what each route takes and answers, checked and documented.

A request body is checked against its model before anything changes, and a
400 names every wrong field at once; ``/openapi.json`` is generated from the
very same models (:mod:`pcc_router.api.web.openapi`). Admin bodies refuse
unknown fields and take no coercion (``"5"`` is not 5); PCC's callbacks keep
whatever else PCC sends. Project entries (agents, groups, queues, numbers)
are then read by the core's project codec, which checks what a schema cannot
(references, durations, the menu).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    WithJsonSchema,
    field_validator,
)

from pcc_router.routing.durations import parse_duration

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


def _not_bool(value: object) -> object:
    if isinstance(value, bool):  # True == 1 in Python: not here
        raise ValueError("must be 1 or 2")
    return value


RoutingTypeField = Annotated[Literal[1, 2], BeforeValidator(_not_bool)]
STATUSES = ("created", "started", "ringing", "answered", "ended", "agentEnded")


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


class StoreState(Answer):
    up: bool = Field(description="whether the store answered the last time it was used")
    since: float = Field(description="since when (epoch seconds)")
    last_error: str | None = Field(None, description="what the store said when it failed")


class Health(Answer):
    r: int
    message: str
    store: StoreState


# ------------------------------------------------------------ PCC callbacks


class Endpoint(BaseModel):
    """``from`` or ``to`` of a call event; PCC's other fields (``alias``, ...) are kept."""

    model_config = ConfigDict(extra="allow", strict=True)
    number: Annotated[
        str | None,
        WithJsonSchema(
            {"anyOf": [{"type": "string", "maxLength": 128}, {"type": "integer"}, {"type": "null"}]}
        ),
    ] = Field(None, max_length=128, description="a user id, or a phone number (text or a number)")
    type: str | None = Field(None, description="internal | external (any case)")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ("internal", "external"):
            raise ValueError("must be internal or external")
        return value.lower() if value is not None else None

    @field_validator("number", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # some senders write the number as a JSON number: the same number
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


class PccEventBody(BaseModel):
    """A call event as PCC posts it to ``event_url`` (Stringee's "Call Events")."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)
    call_status: Literal["created", "started", "ringing", "answered", "ended", "agentEnded"]
    call_id: Text
    timestamp_ms: int = Field(ge=0, lt=2**62, description="epoch milliseconds")
    from_: Endpoint | None = Field(None, alias="from")
    to: Endpoint | None = None
    request_from_user_id: str | None = Field(None, max_length=256)


class OtherStatusEvent(BaseModel):
    """A call event with a status the controller does not use: acknowledged ``ignored``."""

    model_config = ConfigDict(extra="allow", strict=True)
    call_status: Annotated[
        str,
        WithJsonSchema(
            {"type": "string", "minLength": 1, "not": {"enum": list(STATUSES)}},
            mode="validation",
        ),
    ]


class PccEventCallback(RootModel[PccEventBody | OtherStatusEvent]):
    """What PCC may post to ``event_url``: an event the controller uses, or another."""


class CallRef(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)
    callId: Text
    from_: str | None = Field(None, alias="from", max_length=128)
    to: str | None = Field(None, max_length=128)


class AgentsRequest(BaseModel):
    """PCC's request to a queue's ``get_list_agents_url``."""

    model_config = ConfigDict(extra="allow", strict=True)
    queueId: Text
    projectId: int | str | None = None
    calls: list[CallRef]


class OfferedAgent(Answer):
    stringee_user_id: str
    routing_type: int
    phone_number: str
    answer_timeout: int = Field(description="whole seconds this agent rings")


class CallOffer(Answer):
    callId: str
    agents: list[OfferedAgent]


class AgentsAnswer(Answer):
    version: Literal[2]
    calls: list[CallOffer]


class LastCall(Answer):
    call_id: str
    queue_id: str | None
    agent: str | None
    status: str


class CustomerInfo(Answer):
    last_call: LastCall | None = None


# ----------------------------------------------------------------- queries


class CustomerInfoQuery(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_: str | None = Field(None, alias="from", description="the caller's number, any form")
    to: str | None = None
    project: str | None = None


class AgentsQuery(BaseModel):
    """``get_list_agents_url`` asked with a GET (one call)."""

    model_config = ConfigDict(extra="allow")
    queueId: Text
    callId: Text
    from_: str | None = Field(None, alias="from")
    to: str | None = None


__all__ = sorted(
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == __name__
)
