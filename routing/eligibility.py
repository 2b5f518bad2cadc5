"""Whether an agent may be rung now, and why not.

Theory of operation
-------------------
Stringee PCC rings an agent only when all of these hold:

1. ``system_status = 1``: the agent is not in a call;
2. ``manual_status = "AVAILABLE"``: the agent's own choice (any other string,
   "NOT AVAILABLE", "LUNCH BREAK", ..., keeps calls away);
3. the agent can be reached: with ``routing_type = 1`` it is online by at
   least one of App/Web connected now, a push token from an earlier login, or
   a registered (unexpired) SIP phone; with ``routing_type = 2`` a
   ``phone_number`` is set;

and, because a call centre rings one call per agent and gives the agent
time after a call, the agent is not ringing for another call and not in
wrap-up.

A queue's ``cond_routing`` says whether a SIP phone counts (PCC: 1 = agents
online on Web/App only, 2 = Web/App or SIP, the default): an agent online
only by SIP is routable for the queues that take SIP phones, and not for the
others (:func:`sip_only`, and the ``sip_only`` reason of a queue's verdict).

The rules are a table: each row is a test and the words that explain a
failure. :func:`is_routable` stops at the first failing row (the hot path);
:func:`verdict` runs every row and collects every reason, so an engineer sees
all that stands between an agent and a call at once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from pcc_router.routing.model import AVAILABLE, RoutingType
from pcc_router.routing.state import Activity, AgentState
from pcc_router.routing.timefmt import clock_time

__all__ = [
    "RULES",
    "Reason",
    "ReasonCode",
    "Rule",
    "Verdict",
    "is_routable",
    "reachable",
    "sip_only",
    "verdict",
]


class ReasonCode(enum.StrEnum):
    IN_CALL = "in_call"
    MANUAL_STATUS = "manual_status"
    OFFLINE = "offline"
    NO_PHONE = "no_phone"
    RINGING = "ringing"
    WRAP_UP = "wrap_up"
    SIP_ONLY = "sip_only"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    code: ReasonCode
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    routable: bool
    reasons: tuple[Reason, ...] = ()

    def __str__(self) -> str:
        if self.routable:
            return "routable"
        return "not routable: " + "; ".join(r.text for r in self.reasons)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    code: ReasonCode
    passes: Callable[[AgentState, float], bool]
    explain: Callable[[AgentState, float], str]


def reachable(agent: AgentState, now: float) -> bool:
    """Rule 3: online on some channel (routing_type 1) or a phone number set (2)."""
    if agent.routing_type is RoutingType.PHONE:
        return bool(agent.phone_number)
    if agent.app or agent.push:
        return True
    return agent.sip_expires is not None and now < agent.sip_expires


def sip_only(agent: AgentState, now: float) -> bool:
    """Reachable by a registered SIP phone and by nothing else (routing_type 1)."""
    return (
        agent.routing_type is RoutingType.APP
        and not (agent.app or agent.push)
        and agent.sip_expires is not None
        and now < agent.sip_expires
    )


def _unreachable_text(agent: AgentState, now: float) -> str:
    if agent.routing_type is RoutingType.PHONE:
        return "routing_type 2 (phone) but no phone_number is set"
    sip = "no SIP registration"
    if agent.sip_expires is not None:
        sip = f"SIP registration expired at {clock_time(agent.sip_expires)}"
    return f"routing_type 1 but offline: no App/Web session, no push token, {sip}"


RULES: tuple[Rule, ...] = (
    Rule(
        code=ReasonCode.IN_CALL,
        passes=lambda a, now: a.activity is not Activity.TALKING,
        explain=lambda a, now: f"in a call (system_status 0, call {a.call_id})",
    ),
    Rule(
        code=ReasonCode.MANUAL_STATUS,
        passes=lambda a, now: a.manual_status == AVAILABLE,
        explain=lambda a, now: f'manual_status is "{a.manual_status}", not "AVAILABLE"',
    ),
    Rule(code=ReasonCode.OFFLINE, passes=reachable, explain=_unreachable_text),
    Rule(
        code=ReasonCode.RINGING,
        passes=lambda a, now: a.activity is not Activity.RINGING,
        explain=lambda a, now: f"ringing for call {a.call_id} until {clock_time(a.ring_until)}",
    ),
    Rule(
        code=ReasonCode.WRAP_UP,
        passes=lambda a, now: a.activity is not Activity.WRAP_UP,
        explain=lambda a, now: f"in wrap-up until {clock_time(a.wrap_until)}",
    ),
)


def is_routable(agent: AgentState, now: float) -> bool:
    """The rule table in one expression, for the hot path.

    Idle means not talking, not ringing and not in wrap-up: the three
    activity rows of :data:`RULES`. A property test checks that this agrees
    with :func:`verdict` on random agent states.
    """
    return (
        agent.activity is Activity.IDLE
        and agent.manual_status == AVAILABLE
        and reachable(agent, now)
    )


SIP_ONLY_TEXT = "online only by SIP, and this queue does not route to SIP phones (cond_routing 1)"


def verdict(agent: AgentState, now: float, *, sip: bool = True) -> Verdict:
    """Every reason the agent cannot ring now; ``sip=False``: for a queue that takes no
    SIP phones (``cond_routing`` 1)."""
    reasons = []
    for rule in RULES:
        if not rule.passes(agent, now):
            code = rule.code
            if code is ReasonCode.OFFLINE and agent.routing_type is RoutingType.PHONE:
                code = ReasonCode.NO_PHONE
            reasons.append(Reason(code=code, text=rule.explain(agent, now)))
    if not sip and sip_only(agent, now):
        reasons.append(Reason(code=ReasonCode.SIP_ONLY, text=SIP_ONLY_TEXT))
    return Verdict(routable=not reasons, reasons=tuple(reasons))
