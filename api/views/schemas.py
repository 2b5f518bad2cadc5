"""Bodies of the admin routes (agents, the project's configuration, CareSoft) as pydantic models.

Everything here is behind the admin token; :mod:`pcc_router.api.stringee.schemas`
holds the shared pieces and what PCC itself sends and reads. Admin bodies
refuse unknown fields and take no coercion (``"5"`` is not 5); project
entries are then read by the core's project codec, which checks what a
schema cannot (references, durations, the menu).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

from pcc_router.api.stringee.schemas import RoutingTypeField
from pcc_router.api.web.models import Answer, Duration, Strict, Text
from pcc_router.routing import Strategy
from pcc_router.routing.agents import BoardState

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


class SipOut(Answer):
    """What her SIP phone's settings screen needs, and whether it is registered now."""

    domain: str = Field(description="where the phone registers (SIP_DOMAIN)")
    username: str | None = Field(
        description="<projectId>_<stringee_user_id>; null without PCC_PROJECT_ID"
    )
    registered: bool
    expires_at: float | None = Field(description="when the registration lapses (epoch seconds)")
    account: bool = Field(description="whether this controller created the account at Stringee")


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
    sip: SipOut | None = None
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
    #: Why the event's ``timestamp_ms`` was not taken as it came (``None``: it was).
    adjusted: str | None = None


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
    sip_password: SecretStr | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="creates her SIP phone account at Stringee with this password "
        "(passed through: never stored, logged or shown)",
    )


class GroupCreate(Strict):
    id: Annotated[str, Field(min_length=1, max_length=128)]
    agents: list[Annotated[str, Field(max_length=128)]] = Field(default=[])  # pydantic copies it


class GroupRouteIn(Strict):
    group: Annotated[str, Field(min_length=1, max_length=128)]
    primary: bool = True


class QueueCreate(Strict):
    """A queue in the project format (the scenario's field names, PCC's where they exist)."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    groups: list[GroupRouteIn] = Field(min_length=1)
    # the engine's own list; lax here only, so that JSON's text is read as the enum
    strategy: Annotated[Strategy, Field(strict=False)] | None = None
    wait_agent_answer_timeout: Duration | None = None
    agent_wrap_up_after_calls: bool | None = None
    wrap_up_time_limit: Duration | None = None
    maximum_queue_wait_time: Duration | None = None
    maximum_queue_size: int | None = Field(None, ge=0)
    overflow: str | None = Field(None, max_length=128, description="queue:<id> or forward:<n>")
    max_no_answer: int | None = Field(None, ge=0)
    cond_routing: RoutingTypeField | None = Field(
        None, description="1: agents online on Web/App only; 2: Web/App or SIP (the default)"
    )
    get_list_agents_url: str | None = Field(None, max_length=2048)


class NumberCreate(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    queue_id: str | None = Field(None, max_length=128)
    ivr: dict[str, Annotated[str, Field(max_length=128)]] | None = None
    keypress_timeout: Duration | None = None


class SipAccountResult(Answer):
    """What became of the agent's SIP phone account at Stringee."""

    created: bool | None = None
    deleted: bool | None = None
    username: str | None = Field(None, description="what the phone registers as")
    message: str | None = Field(None, description="why not, when it was not")


class ConfigAnswer(Answer):
    r: int
    message: str
    mirrored_to_pcc: bool | None = None
    sip_account: SipAccountResult | None = None


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


# ------------------------------------------------------------------- board


class BoardQueue(Answer):
    id: str
    waiting: int = Field(description="calls waiting for an agent now")
    longest_wait: float | None = Field(description="seconds the oldest waiting call has waited")
    offered: int = Field(description="calls queued today")
    answered: int
    abandoned: int = Field(description="calls that left unanswered today")
    service_level: float | None = Field(description="answered within the target / offered")
    asa: float | None = Field(description="average speed of answer today, seconds")


class BoardAgent(Answer):
    stringee_user_id: str
    name: str
    state: BoardState
    reason: str | None = Field(description="why she cannot ring, when she cannot")
    since: float = Field(description="when she entered this state (epoch seconds)")
    call_id: str | None
    queues: list[str]


class Board(Answer):
    """What a wallboard shows: each queue today and now, each agent's state."""

    r: int
    now: float
    day_start: float = Field(description="the start of 'today' (the controller's local midnight)")
    target: float = Field(description="the service-level target, seconds")
    queues: list[BoardQueue]
    agents: list[BoardAgent]


# ------------------------------------------------------------------ health


class StoreState(Answer):
    up: bool = Field(description="whether the store answered the last time it was used")
    since: float = Field(description="since when (epoch seconds)")
    last_error: str | None = Field(None, description="what the store said when it failed")


class Health(Answer):
    r: int
    message: str
    store: StoreState


__all__ = sorted(
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == __name__
)
