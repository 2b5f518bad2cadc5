"""pcc-router's routing core: the Stringee PCC rules as a pure, sans-I/O engine.

Standard library only; nothing here reads a clock, touches the network or
draws randomness it was not given. See :mod:`pcc_router.routing.engine` for the theory
of operation and :mod:`pcc_router.routing.eligibility` for the routable rule.
"""

from __future__ import annotations

from pcc_router.routing.codec import decode_event, encode_event
from pcc_router.routing.commands import (
    CancelRing,
    CancelTimer,
    CloseCall,
    Command,
    ConnectCall,
    ForwardCall,
    HangUp,
    QueueCall,
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
    AgentUpdated,
    AgentWrappingUp,
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
from pcc_router.routing.stats import AgentHistory, AgentStats
from pcc_router.routing.timefmt import clock_time
from pcc_router.routing.views import AgentView

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
    "AgentUpdated",
    "AgentView",
    "AgentWrappingUp",
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
    "Event",
    "ForwardCall",
    "GroupId",
    "GroupRoute",
    "GroupSpec",
    "HangUp",
    "NumberSpec",
    "Outcome",
    "PresenceChanged",
    "Project",
    "QueueCall",
    "QueueId",
    "QueueSpec",
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
    "UnknownAgent",
    "UnknownCall",
    "UnknownNumber",
    "Verdict",
    "clock_time",
    "decode_event",
    "encode_event",
    "is_phone_number",
    "normal_number",
]
