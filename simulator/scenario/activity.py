"""The traffic half of a scenario: calls, traffic, timeline events and expectations."""

from __future__ import annotations

import re
from pathlib import Path

from pcc_router.routing import AgentId, AgentUpdated, Channel, PresenceChanged
from pcc_router.routing.durations import parse_duration
from pcc_router.routing.projects import phone_field
from pcc_router.simulator.arrivals import (
    Arrivals,
    Constant,
    Distribution,
    Exponential,
    LogNormal,
    PiecewisePoisson,
    Poisson,
    Trace,
    Uniform,
)
from pcc_router.simulator.kpis import KPI_NAMES
from pcc_router.simulator.scenario.model import (
    Approx,
    Checks,
    Expectation,
    ScriptedCall,
    TimelineEvent,
    Traffic,
)
from pcc_router.simulator.scenario.schema import Fields, ScenarioError

__all__ = ["read_calls", "read_events", "read_expects", "read_traffic"]

_OUTCOMES = frozenset({"answered", "abandoned", "queue_timeout", "queue_full", "ivr_failed",
                       "forwarded", "hangup", "waiting", "talking"})  # fmt: skip
_PRESENCE = {
    "app": {"login": True, "logout": False},
    "push": {"register": True, "unregister": False},
    "sip": {"register": True, "unregister": False},
}
DEFAULT_TALK = 60.0
_TRAFFIC_ID = re.compile(r"^t[1-9][0-9]*-[1-9][0-9]*$")  # the ids runner.traffic_call_id makes


def _keys(table: Fields) -> str:
    keys = table.string("keys", "")
    bad = [k for k in keys if k not in "0123456789*#"]
    if bad:
        raise ScenarioError(table.path("keys"), f"{bad[0]!r} is not a phone key (0-9, *, #)")
    return str(keys)


def _number(table: Fields, known: set[str]) -> str:
    to = table.string("to")
    if to not in known:
        raise ScenarioError(table.path("to"), f"no [[numbers]] entry for {to!r}")
    return str(to)


def read_calls(top: Fields, numbers: set[str]) -> tuple[ScriptedCall, ...]:
    calls = []
    seen: set[str] = set()
    for table in top.items("calls"):
        call_id = table.string("id")
        if call_id in seen:
            raise ScenarioError(table.path("id"), f"call {call_id!r} is defined twice")
        seen.add(call_id)
        if _TRAFFIC_ID.match(call_id):
            raise ScenarioError(table.path("id"), "ids like t1-5 are kept for [[traffic]] calls")
        calls.append(
            ScriptedCall(
                id=call_id,
                at=table.duration("at"),
                caller=table.string("from", ""),
                to=_number(table, numbers),
                keys=_keys(table),
                talk=table.duration("talk", DEFAULT_TALK),
                patience=table.duration("patience", None),
            )
        )
        table.finish()
    return tuple(calls)


def _distribution(table: Fields) -> Distribution:
    kind = table.choice("dist", frozenset({"exponential", "lognormal", "constant", "uniform"}))
    if kind == "exponential":
        dist: Distribution = Exponential(table.duration("mean"))
    elif kind == "lognormal":
        dist = LogNormal(table.duration("mean"), table.duration("sd"))
        if dist.mean <= 0:
            raise ScenarioError(table.path("mean"), "must be above 0 for a lognormal")
    elif kind == "constant":
        dist = Constant(table.duration("value"))
    else:
        dist = Uniform(table.duration("low"), table.duration("high"))
        if dist.high < dist.low:
            raise ScenarioError(table.path("high"), "must be at least low")
    table.finish()
    return dist


def _arrivals(table: Fields, base: Path) -> Arrivals:
    if table.has("trace"):
        trace = table.string("trace")
        table.finish()
        return Trace(_read_trace(table, base / trace))
    table.choice("process", frozenset({"poisson"}))
    if table.has("profile"):
        steps = table.typed("profile", list)
        starts, rates = [], []
        for i, step in enumerate(steps):
            where = table.path(f"profile[{i}]")
            if not (isinstance(step, list) and len(step) == 2):
                raise ScenarioError(where, 'expected ["<offset>", <calls per hour>]')
            starts.append(table.convert(f"profile[{i}]", step[0], parse_duration))
            rate = step[1]
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 0:
                raise ScenarioError(where, f"the rate must be a number >= 0, got {rate!r}")
            rates.append(float(rate))
        if not starts or starts != sorted(starts):
            raise ScenarioError(table.path("profile"), "needs steps in increasing offset order")
        table.finish()
        return PiecewisePoisson(tuple(starts), tuple(rates))
    per_hour = table.number("per_hour")
    if per_hour < 0:
        raise ScenarioError(table.path("per_hour"), "must be >= 0")
    table.finish()
    return Poisson(per_hour)


def _read_trace(table: Fields, path: Path) -> tuple[float, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ScenarioError(table.path("trace"), f"cannot read {path}: {exc.strerror}") from None
    offsets = []
    for n, line in enumerate(lines, 1):
        cell = line.split(",")[0].strip()
        if not cell or cell.startswith("#"):
            continue
        try:
            offsets.append(parse_duration(cell if not _is_float(cell) else float(cell)))
        except ValueError as exc:
            raise ScenarioError(table.path("trace"), f"{path.name} line {n}: {exc}") from None
    return tuple(sorted(offsets))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_traffic(
    top: Fields, numbers: set[str], until: float | None, base: Path
) -> tuple[Traffic, ...]:
    streams = []
    for index, table in enumerate(top.items("traffic")):
        calls = table.integer("calls", None, minimum=0)
        if calls is None and until is None:
            raise ScenarioError(table.path("calls"), "is required when the scenario has no until")
        streams.append(
            Traffic(
                index=index,
                to=_number(table, numbers),
                keys=_keys(table),
                arrivals=_arrivals(table.sub("arrivals"), base),
                talk=_distribution(table.sub("talk")),
                patience=_distribution(table.sub("patience")) if table.has("patience") else None,
                calls=calls,
            )
        )
        table.finish()
    return tuple(streams)


def read_events(top: Fields, agents: set[AgentId]) -> tuple[TimelineEvent, ...]:
    events = []
    for table in top.items("events"):
        at = table.duration("at")
        agent = table.string("agent")
        if agent not in agents:
            raise ScenarioError(table.path("agent"), f"no agent {agent!r} is defined")
        if table.has("set") == table.has("presence"):
            raise ScenarioError(table.path("set"), "give exactly one of set and presence")
        if table.has("set"):
            change = table.sub("set")
            rt = change.choice("routing_type", frozenset({1, 2}), None)
            event: AgentUpdated | PresenceChanged = AgentUpdated(
                agent_id=AgentId(agent),
                manual_status=change.string("manual_status", None),
                routing_type=rt,
                phone_number=phone_field(change) if change.has("phone_number") else None,
            )
            if not change.data:
                raise ScenarioError(table.path("set"), "names no field to change")
        else:
            change = table.sub("presence")
            if len(change.data) != 1:
                raise ScenarioError(table.path("presence"), "give exactly one of app, push, sip")
            channel = next(iter(change.data))
            if channel not in _PRESENCE:
                raise ScenarioError(change.path(channel), "expected app, push or sip")
            present = change.choice(channel, _PRESENCE[channel])
            event = PresenceChanged(
                agent_id=AgentId(agent), channel=Channel(channel), present=present
            )
        change.finish()
        table.finish()
        events.append(TimelineEvent(at=at, event=event))
    return tuple(events)


def read_expects(top: Fields, calls: set[str], agents: set[AgentId]) -> tuple[Expectation, ...]:
    expects = []
    for index, table in enumerate(top.items("expect")):
        subjects = [s for s in ("call", "agent", "metric") if table.has(s)]
        if len(subjects) != 1:
            raise ScenarioError(table.where, "give exactly one of call, agent, metric")
        subject = subjects[0]
        target = table.string(subject)
        checks = _CHECKS[subject](table, target, calls, agents)
        if not checks:
            raise ScenarioError(table.where, f"an expectation on a {subject} checks nothing")
        table.finish()
        expects.append(Expectation(index=index, subject=subject, target=target, checks=checks))
    return tuple(expects)


def _call_checks(table: Fields, target: str, calls: set[str], agents: set[AgentId]) -> Checks:
    if target not in calls and not _TRAFFIC_ID.match(target):
        raise ScenarioError(table.path("call"), f"no call {target!r} is defined")
    checks: list[tuple[str, object]] = []
    if table.has("rang"):
        rang = table.typed("rang", list)
        for i, agent in enumerate(rang):
            if agent not in agents:
                raise ScenarioError(table.path(f"rang[{i}]"), f"no agent {agent!r} is defined")
        checks.append(("rang", list(rang)))
    if table.has("answered_by"):
        agent = table.string("answered_by")
        if agent not in agents:
            raise ScenarioError(table.path("answered_by"), f"no agent {agent!r} is defined")
        checks.append(("answered_by", agent))
    if table.has("outcome"):
        checks.append(("outcome", table.choice("outcome", _OUTCOMES)))
    if table.has("max_wait"):
        checks.append(("max_wait", table.duration("max_wait")))
    return tuple(checks)


def _agent_checks(table: Fields, target: str, calls: set[str], agents: set[AgentId]) -> Checks:
    if target not in agents:
        raise ScenarioError(table.path("agent"), f"no agent {target!r} is defined")
    checks: list[tuple[str, object]] = []
    if table.has("handled"):
        checks.append(("handled", table.integer("handled", minimum=0)))
    if table.has("manual_status"):
        checks.append(("manual_status", table.string("manual_status")))
    return tuple(checks)


def _metric_checks(table: Fields, target: str, calls: set[str], agents: set[AgentId]) -> Checks:
    if target not in KPI_NAMES:
        raise ScenarioError(table.path("metric"), f"unknown KPI; known: {', '.join(KPI_NAMES)}")
    checks: list[tuple[str, object]] = []
    for bound in ("at_least", "at_most"):
        if table.has(bound):
            checks.append((bound, table.number(bound)))
    if table.has("approx"):
        checks.append(("approx", _approx(table)))
    elif table.has("tolerance"):
        raise ScenarioError(table.path("tolerance"), "goes with approx")
    return tuple(checks)


def _approx(table: Fields) -> Approx:
    value = table.number("approx")
    tolerance = table.raw("tolerance", 0.0)
    relative = isinstance(tolerance, str) and tolerance.endswith("%")
    if relative:
        tolerance = table.convert("tolerance", tolerance[:-1], float)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
        raise ScenarioError(table.path("tolerance"), 'expected a number >= 0 or "N%"')
    return Approx(value=value, tolerance=float(tolerance), relative=relative)


_CHECKS = {"call": _call_checks, "agent": _agent_checks, "metric": _metric_checks}
