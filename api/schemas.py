"""HTTP bodies as pydantic models: what each route takes and answers, checked and documented.

A request body is checked against its model before anything changes, and a
400 names every wrong field at once; ``/openapi.json`` is generated from the
very same models (:mod:`pcc_router.api.openapi`). Admin bodies refuse
unknown fields and take no coercion (``"5"`` is not 5); PCC's callbacks keep
whatever else PCC sends. Project entries (agents, groups, queues, numbers)
are then read by the core's project codec, which checks what a schema cannot
(references, durations, the menu).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    WithJsonSchema,
    field_validator,
    model_validator,
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


# ----------------------------------------------------------------- agents


class TokenRequest(Strict):
    stringee_user_id: Text
    ttl: int = Field(3600, ge=1, le=604800, description="seconds")


class TokenAnswer(Answer):
    access_token: str
    expires_at: int


class AgentChange(Strict):
    manual_status: str | None = Field(None, min_length=1, max_length=64)
    routing_type: RoutingTypeField | None = None
    phone_number: str | None = Field(None, max_length=32)

    @model_validator(mode="after")
    def _something(self) -> AgentChange:
        if self.manual_status is None and self.routing_type is None and self.phone_number is None:
            raise ValueError("give at least one of manual_status, routing_type, phone_number")
        return self


class PresenceChange(Strict):
    """Exactly one of ``app``, ``push`` (with its ``device_token``), ``sip`` (and ``expires``)."""

    app: Literal["login", "logout"] | None = None
    push: Literal["register", "unregister"] | None = None
    device_token: str | None = Field(None, max_length=4096)
    sip: Literal["register", "unregister"] | None = None
    expires: float | None = Field(None, ge=1, le=2592000, description="seconds")

    @model_validator(mode="after")
    def _one_channel(self) -> PresenceChange:
        given = [c for c in ("app", "push", "sip") if getattr(self, c) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of app, push, sip")
        if self.device_token is not None and self.push is None:
            raise ValueError("device_token goes with push")
        if self.expires is not None and self.sip is None:
            raise ValueError("expires goes with sip")
        return self


class Reason(Answer):
    code: str
    text: str


class AgentOut(Answer):
    stringee_user_id: str
    name: str
    manual_status: str
    system_status: int
    routing_type: int
    phone_number: str
    online: list[str]
    state: str = Field(description="idle | ringing | talking | wrap_up")
    call_id: str | None
    until: float | None = Field(description="when the ring or the wrap-up ends")
    routable: bool
    reasons: list[Reason]
    mirrored_to_pcc: bool | None = None


class AgentList(Answer):
    r: int
    agents: list[AgentOut]


class NotRoutable(Answer):
    stringee_user_id: str
    reasons: list[str]


class QueueOut(Answer):
    id: str
    waiting_calls: list[str]
    ring_order: list[str]
    not_routable: list[NotRoutable]


class HistoryEntry(Answer):
    received_at: float
    applied: bool
    event: Any


class CallOut(Answer):
    call_id: str
    queue_id: str | None
    status: str
    open: bool
    agent: str | None
    from_: str = Field(alias="from")
    to: str
    first_seen: float
    last_seen: float
    history: list[HistoryEntry]


# --------------------------------------------------- configuration (project)


class AgentCreate(Strict):
    stringee_user_id: Annotated[str, Field(min_length=1, max_length=128)]
    name: str | None = Field(None, max_length=256)
    manual_status: str | None = Field(None, min_length=1, max_length=64)
    routing_type: RoutingTypeField | None = None
    phone_number: str | None = Field(None, max_length=32)
    online: list[Literal["app", "push", "sip"]] | None = None


class GroupCreate(Strict):
    id: Annotated[str, Field(min_length=1, max_length=128)]
    agents: list[Annotated[str, Field(max_length=128)]] = []


class GroupRouteIn(Strict):
    group: Annotated[str, Field(min_length=1, max_length=128)]
    primary: bool = True


class QueueCreate(Strict):
    """A queue in the project format (the scenario's field names, PCC's where they exist)."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    groups: list[GroupRouteIn] = Field(min_length=1)
    strategy: (
        Literal[
            "longest_idle",
            "round_robin",
            "fewest_calls",
            "least_talk_time",
            "top_down",
            "random",
            "ring_all",
        ]
        | None
    ) = None
    wait_agent_answer_timeout: Duration | None = None
    agent_wrap_up_after_calls: bool | None = None
    wrap_up_time_limit: Duration | None = None
    maximum_queue_wait_time: Duration | None = None
    maximum_queue_size: int | None = Field(None, ge=0)
    overflow: str | None = Field(None, max_length=128, description="queue:<id> or forward:<n>")
    max_no_answer: int | None = Field(None, ge=0)
    get_list_agents_url: str | None = Field(None, max_length=2048)


class NumberCreate(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    queue_id: str | None = Field(None, max_length=128)
    ivr: dict[str, Annotated[str, Field(max_length=128)]] | None = None
    keypress_timeout: Duration | None = None


class ConfigAnswer(Answer):
    r: int
    message: str
    mirrored_to_pcc: bool | None = None


class SyncAnswer(Answer):
    r: int
    message: str
    counts: dict[str, int]


# ---------------------------------------------------------------- CareSoft


class CareSoftTokenRequest(Strict):
    ipphone: Annotated[str, Field(min_length=1, max_length=32)]


class CareSoftCallRequest(Strict):
    ipphone: Annotated[str, Field(min_length=1, max_length=32)]
    phone: Annotated[str, Field(min_length=1, max_length=32)]
    temp_id: str | None = Field(None, min_length=1, max_length=64)


class CareSoftTokenAnswer(Answer):
    token: str


class LinkAnswer(Answer):
    url: str


class CallLinkAnswer(Answer):
    url: str
    temp_id: str


class CareSoftCallOut(Answer):
    temp_id: str
    ipphone: str
    phone: str
    created_at: float
    status: str
    call_id: str | None
    history: list[Any]


class WebhookAnswer(Answer):
    r: int
    message: str
    temp_id: str | None = None


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
