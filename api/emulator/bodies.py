"""The emulator's HTTP bodies as pydantic models: PCC's REST subset and ``/_emulator``.

PCC's bodies take unknown fields and ignore them (real clients send more,
e.g. ``allow_out_of_business_hour_callout``) and flags as ``true``/``false``
or ``1``/``0`` (PCC's own answers use 0/1); otherwise no coercion: ``"15"``
is not 15. The ``/_emulator`` bodies are this project's own: strict, no
unknown field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pcc_router.api.web.models import Duration

__all__ = [
    "AgentBehaviourIn",
    "AgentIn",
    "AgentPatch",
    "CallIn",
    "CallSettingsIn",
    "ClockIn",
    "Envelope",
    "GroupIn",
    "MemberIn",
    "NumberIn",
    "QueueIn",
    "RoutingIn",
    "RoutingPatch",
    "SipPhoneIn",
]

Name = Annotated[str, Field(min_length=1, max_length=256)]
Ident = Annotated[str, Field(min_length=1, max_length=128)]


#: A PCC flag: a boolean, or 0/1 as PCC writes them.
Flag = bool | Literal[0, 1]


class _Pcc(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Own(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Envelope(BaseModel):
    """PCC's answer: ``r`` (0 is success), ``message``, ``project``, and an id or ``data``."""

    model_config = ConfigDict(extra="allow")
    r: int
    message: str
    project: int | None = None


class AgentIn(_Pcc):
    name: Name
    stringee_user_id: Ident
    manual_status: str | None = Field(None, max_length=64)
    routing_type: Literal[1, 2] = 1
    phone_number: str | None = Field(None, max_length=32)


class AgentPatch(_Pcc):
    name: Name | None = None
    manual_status: str | None = Field(None, min_length=1, max_length=64)
    routing_type: Literal[1, 2] | None = None
    phone_number: str | None = Field(None, max_length=32)


class GroupIn(_Pcc):
    name: Name


class MemberIn(_Pcc):
    agent_id: Ident
    group_id: Ident


class RoutingIn(_Pcc):
    queue_id: Ident
    group_id: Ident
    primary_group: Literal[0, 1]


class RoutingPatch(_Pcc):
    primary_group: Literal[0, 1]


class QueueIn(_Pcc):
    """PCC's queue fields; ``strategy``, ``max_no_answer`` and ``overflow`` are the emulator's."""

    name: Name | None = None
    wait_agent_answer_timeout: float | None = Field(None, ge=3)
    agent_wrap_up_after_calls: Flag | None = None
    wrap_up_time_limit: float | None = Field(None, ge=0)
    maximum_queue_wait_time: float | None = Field(None, ge=0)
    maximum_queue_size: int | None = Field(None, ge=0)
    get_list_agents_url: str | None = Field(None, max_length=2048)
    strategy: str | None = Field(None, max_length=32)
    max_no_answer: int | None = Field(None, ge=0)
    overflow: str | None = Field(None, max_length=128)
    cond_routing: Literal[1, 2] | None = None


class NumberIn(_Pcc):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    nickname: str | None = Field(None, max_length=256)
    queue_id: str | None = Field(None, max_length=128)
    enable_ivr: Flag | None = None
    ivr_menu: str | None = Field(None, max_length=128)


class SipPhoneIn(_Pcc):
    """Stringee's call API: a SIP phone account (``POST /v1/sipphone``)."""

    username: Ident
    password: Annotated[str, Field(min_length=1, max_length=128)]


class CallSettingsIn(_Pcc):
    event_url: str | None = Field(None, max_length=2048)
    get_customer_info_url: str | None = Field(None, max_length=2048)
    get_customer_info_timeout: int | None = Field(None, ge=100, le=60000)
    callout_answer_url: str | None = Field(None, max_length=2048)


class CallIn(_Own):
    """A call placed now: ``from`` calls ``to`` (a number of the project), pressing ``keys``."""

    from_: Annotated[str, Field(min_length=1, max_length=32, alias="from")] = "84900000000"
    to: Annotated[str, Field(min_length=1, max_length=64)]
    keys: Annotated[str, Field(max_length=32)] = ""
    talk: Duration = 60.0
    patience: Duration | None = None

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class ClockIn(_Own):
    """Exactly one: ``advance`` (a duration) or ``until_idle: true``."""

    advance: Duration | None = None
    until_idle: Literal[True] | None = None

    @model_validator(mode="after")
    def _one(self) -> ClockIn:
        if (self.advance is None) == (self.until_idle is None):
            raise ValueError("give exactly one of advance, until_idle")
        return self


class AgentBehaviourIn(_Own):
    """The emulated agent: where she is online, how soon and how often she picks up."""

    online: list[Literal["app", "push", "sip"]] | None = None
    answer_after: Duration | None = None
    answer_prob: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _something(self) -> AgentBehaviourIn:
        if self.online is None and self.answer_after is None and self.answer_prob is None:
            raise ValueError("give at least one of online, answer_after, answer_prob")
        return self


def dump(model: BaseModel) -> dict[str, Any]:
    """The fields a client gave (PCC's unknown ones left out)."""
    known = type(model).model_fields
    return {k: v for k, v in model.model_dump(exclude_unset=True).items() if k in known}
