"""PCC's callbacks as pydantic models: what PCC posts and asks, and what it is answered.

Stringee's wire formats ("Call Events", ``get_list_agents_url`` version 2,
``get_customer_info_url``), checked before anything changes and documented in
``/openapi.json`` from these same models. A callback keeps whatever else PCC
sends (``extra="allow"``): PCC adds fields without notice.
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

from pcc_router.api.stringee.calls import STATUSES, CallStatus

#: A call's or a queue's id as PCC sends it.
Id = Annotated[str, Field(min_length=1, max_length=256)]


def _not_bool(value: object) -> object:
    if isinstance(value, bool):  # True == 1 in Python: not here
        raise ValueError("must be 1 or 2")
    return value


RoutingTypeField = Annotated[Literal[1, 2], BeforeValidator(_not_bool)]


class _Answer(BaseModel):
    """An answer to PCC: what is set is sent."""

    model_config = ConfigDict(populate_by_name=True)


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
    call_status: CallStatus
    call_id: Id
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
    callId: Id
    from_: str | None = Field(None, alias="from", max_length=128)
    to: str | None = Field(None, max_length=128)


class AgentsRequest(BaseModel):
    """PCC's request to a queue's ``get_list_agents_url``."""

    model_config = ConfigDict(extra="allow", strict=True)
    queueId: Id
    projectId: int | str | None = None
    calls: list[CallRef]


class OfferedAgent(_Answer):
    stringee_user_id: str
    routing_type: int
    phone_number: str
    answer_timeout: int = Field(description="whole seconds this agent rings")


class CallOffer(_Answer):
    callId: str
    agents: list[OfferedAgent]


class AgentsAnswer(_Answer):
    version: Literal[2]
    calls: list[CallOffer]


class LastCall(_Answer):
    call_id: str
    queue_id: str | None
    agent: str | None
    status: str


class CustomerInfo(_Answer):
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
    queueId: Id
    callId: Id
    from_: str | None = Field(None, alias="from")
    to: str | None = None


__all__ = sorted(
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == __name__
)
