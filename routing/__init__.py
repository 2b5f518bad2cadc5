"""pcc-router's routing core: the Stringee PCC rules as a pure, sans-I/O engine.

Standard library only; nothing here reads a clock, touches the network or
draws randomness it was not given. See :mod:`pcc_router.routing.engine` for the theory
of operation and :mod:`pcc_router.routing.eligibility` for the routable rule.
"""

from __future__ import annotations

from pcc_router.routing.agents import AgentSnapshot, AgentView
from pcc_router.routing.codec import decode_event, encode_event
from pcc_router.routing.commands import (
    CancelRing,
    CancelTimer,
    CloseCall,
    Command,
    ConnectCall,
    ForwardCall,
    HangUp,
    OfferAgents,
    QueueCall,
    RequestAgents,
    RingAgent,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
)
from pcc_router.routing.eligibility import Reason, ReasonCode, Verdict
from pcc_router.routing.engine import Engine
from pcc_router.routing.errors import (
    CodecError,
    ConfigError,
    RoutingError,
    UnknownAgent,
    UnknownCall,
    UnknownNumber,
)
from pcc_router.routing.events import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentRingStarted,
    AgentsListed,
    AgentsRequested,
    AgentUpdated,
    CallArrived,
    CallEnded,
    CallerHungUp,
    Event,
    PresenceChanged,
    TimerFired,
)
from pcc_router.routing.explain import Considered, Decision
from pcc_router.routing.model import (
    AVAILABLE,
    MENU_KEYS,
    NOT_AVAILABLE,
    Action,
    ActionKind,
    AgentId,
    AgentSpec,
    CallId,
    Channel,
    GroupId,
    GroupRoute,
    GroupSpec,
    ListFallback,
    NumberSpec,
    Outcome,
    Project,
    QueueId,
    QueueSpec,
    RingOutcome,
    RoutingType,
    Strategy,
)
from pcc_router.routing.phones import is_phone_number, normal_number
from pcc_router.routing.pickling import register_dataclasses
from pcc_router.routing.snapshot import EngineChanges, EngineSnapshot, PccCallMemory
from pcc_router.routing.stats import AgentHistory, AgentStats
from pcc_router.routing.timefmt import clock_time
from pcc_router.routing.timers import TimerKey, TimerKind, parse_timer_key, timer_key

# Every record pickles and copies by its constructor, compiled or not (see pickling.py).
register_dataclasses(
    f"pcc_router.routing.{name}"
    for name in ("agents", "commands", "eligibility", "events", "explain", "model", "snapshot",
                 "stats")
)  # fmt: skip

__all__ = [
    "AVAILABLE",
    "MENU_KEYS",
    "NOT_AVAILABLE",
    "Action",
    "ActionKind",
    "AgentAnswered",
    "AgentCallEnded",
    "AgentCallStarted",
    "AgentHistory",
    "AgentRingStarted",
    "AgentId",
    "AgentSpec",
    "AgentStats",
    "AgentSnapshot",
    "AgentUpdated",
    "AgentView",
    "AgentsListed",
    "AgentsRequested",
    "CallArrived",
    "CallEnded",
    "CallId",
    "CallerHungUp",
    "CancelRing",
    "CancelTimer",
    "Channel",
    "CloseCall",
    "CodecError",
    "Command",
    "ConfigError",
    "ConnectCall",
    "Considered",
    "Decision",
    "Engine",
    "EngineChanges",
    "EngineSnapshot",
    "Event",
    "ForwardCall",
    "GroupId",
    "GroupRoute",
    "GroupSpec",
    "HangUp",
    "ListFallback",
    "NumberSpec",
    "OfferAgents",
    "Outcome",
    "PccCallMemory",
    "PresenceChanged",
    "Project",
    "QueueCall",
    "QueueId",
    "QueueSpec",
    "RequestAgents",
    "Reason",
    "ReasonCode",
    "RingAgent",
    "RingOutcome",
    "RoutingError",
    "RoutingType",
    "SetManualStatus",
    "SetSystemStatus",
    "StartTimer",
    "Strategy",
    "TimerFired",
    "TimerKey",
    "TimerKind",
    "UnknownAgent",
    "UnknownCall",
    "UnknownNumber",
    "Verdict",
    "clock_time",
    "decode_event",
    "encode_event",
    "is_phone_number",
    "normal_number",
    "parse_timer_key",
    "timer_key",
]
