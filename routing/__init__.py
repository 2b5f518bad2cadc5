"""pcc-router's routing core: the Stringee PCC rules as a pure, sans-I/O engine.

Standard library only; nothing here reads a clock, touches the network or
draws randomness it was not given. See :mod:`routing.engine` for the theory
of operation and :mod:`routing.eligibility` for the routable rule.
"""

from __future__ import annotations

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
from routing.errors import ConfigError, RoutingError, UnknownAgent, UnknownCall, UnknownNumber
from routing.events import (
    AgentAnswered,
    AgentCallEnded,
    AgentCallStarted,
    AgentUpdated,
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
from routing.stats import AgentStats

__all__ = [
    "AVAILABLE",
    "MENU_KEYS",
    "NOT_AVAILABLE",
    "Action",
    "ActionKind",
    "AgentAnswered",
    "AgentCallEnded",
    "AgentCallStarted",
    "AgentId",
    "AgentSpec",
    "AgentStats",
    "AgentUpdated",
    "CallArrived",
    "CallEnded",
    "CallId",
    "CallerHungUp",
    "CancelRing",
    "CancelTimer",
    "Channel",
    "CloseCall",
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
]
