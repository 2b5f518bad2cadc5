"""pcc-router's routing core: the Stringee PCC rules as a pure, sans-I/O engine.

Standard library only; nothing here reads a clock, touches the network or
draws randomness it was not given. See :mod:`routing.engine` for the theory
of operation and :mod:`routing.eligibility` for the routable rule.
"""

from __future__ import annotations

from routing.codec import decode_event, encode_event
from routing.commands import (
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
from routing.eligibility import Reason, ReasonCode, Verdict
from routing.engine import Engine
from routing.errors import (
    CodecError,
    ConfigError,
    RoutingError,
    UnknownAgent,
    UnknownCall,
    UnknownNumber,
)
from routing.events import (
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
from routing.explain import Considered, Decision
from routing.model import (
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
from routing.phones import is_phone_number, normal_number
from routing.stats import AgentHistory, AgentStats
from routing.timefmt import clock_time
from routing.views import AgentView

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
