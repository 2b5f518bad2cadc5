"""The project half of a scenario, read with the core's project codec.

``[[agents]]``, ``[[groups]]``, ``[[queues]]`` and ``[[numbers]]`` are the
project format of :mod:`pcc_router.routing.projects`; what is the scenario's
own is added here: each agent's behaviour (``answer_after``, ``answer_prob``)
and ``[[agent_pools]]``, which make many alike agents and may name a group.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from pcc_router.routing import AgentId, AgentSpec, GroupId, GroupSpec, ListFallback, Project
from pcc_router.routing.projects import (
    declared_ids,
    read_agent,
    read_group,
    read_number,
    read_queue,
)
from pcc_router.simulator.scenario import activity
from pcc_router.simulator.scenario.model import AgentBehaviour, PccBehaviour, Scenario
from pcc_router.simulator.scenario.schema import Fields, ScenarioError
from pcc_router.simulator.scenario.shifts import read_shifts

__all__ = ["pool_agent_ids", "read_scenario"]

T = TypeVar("T")
_TIME_OF_DAY = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")


def read_scenario(top: Fields, path: Path) -> Scenario:
    version = top.raw("version")
    if version != 1 or isinstance(version, bool):
        raise ScenarioError("version", f"only format version 1 is understood, got {version!r}")
    name = top.string("name", path.stem)
    seed = top.integer("seed", 0)
    until = top.duration("until", None)
    starts_at = top.convert("starts_at", top.raw("starts_at", "00:00"), time_of_day)
    agents, behaviours, pooled = _read_agents(top)
    groups = _read_groups(top, pooled, {a.stringee_user_id for a in agents})
    group_ids = {g.id for g in groups}
    tables = top.items("queues")
    queue_ids = declared_ids(tables)
    queues = tuple(
        _finished(t, read_queue(t, group_ids=group_ids, queue_ids=queue_ids)) for t in tables
    )
    known_queues = {q.id for q in queues}
    numbers = tuple(
        _finished(t, read_number(t, queue_ids=known_queues)) for t in top.items("numbers")
    )
    project = Project(agents=tuple(agents), groups=groups, queues=queues, numbers=numbers)
    known_numbers = {n.number for n in numbers}
    calls = activity.read_calls(top, known_numbers)
    traffic = activity.read_traffic(top, known_numbers, until, path.parent)
    events = activity.read_events(top, set(behaviours))
    expects = activity.read_expects(top, {c.id for c in calls}, set(behaviours))
    emulator = _read_emulator(top)
    shifts = read_shifts(top, until)
    top.finish()
    return Scenario(path=path, name=name, seed=seed, until=until, project=project,
                    behaviours=behaviours, calls=calls, traffic=traffic, events=events,
                    expects=expects, emulator=emulator, starts_at=starts_at,
                    shifts=shifts)  # fmt: skip


def time_of_day(value: object) -> float:
    """Seconds after midnight of ``"08:00"``, ``"08:00:30"`` or a TOML local time."""
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError("is a time of day: give it without a UTC offset")
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if not isinstance(value, str):
        raise ValueError(f'expected a time of day such as "08:00", got {value!r}')
    match = _TIME_OF_DAY.fullmatch(value.strip())
    if match is None:
        raise ValueError(f'expected a time of day such as "08:00" or "08:00:30", got {value!r}')
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def _read_emulator(top: Fields) -> PccBehaviour:
    """``[emulator]``: the PCC emulator's choices where PCC's documents are silent."""
    if not top.has("emulator"):
        top.raw("emulator", None)
        return PccBehaviour()
    table = top.sub("emulator")
    fallbacks = {f.value: f for f in ListFallback}
    behaviour = PccBehaviour(
        empty_list=table.choice("empty_list", fallbacks, ListFallback.GROUPS),
        reask_after=table.duration("reask_after", 2.0),
        enforce_coming_soon=table.typed("enforce_coming_soon", bool, False),
    )
    if behaviour.reask_after <= 0:
        raise ScenarioError(table.path("reask_after"), "must be longer than 0 s")
    table.finish()
    return behaviour


def _finished(table: Fields, value: T) -> T:
    """``value``, read from ``table``, once no unknown key is left in it."""
    table.finish()
    return value


def _behaviour(table: Fields) -> AgentBehaviour:
    answer_prob = table.number("answer_prob", 1.0)
    if not 0.0 <= answer_prob <= 1.0:
        raise ScenarioError(table.path("answer_prob"), f"must be within 0 and 1, got {answer_prob}")
    return AgentBehaviour(answer_after=table.duration("answer_after", 2.0), answer_prob=answer_prob)


def _read_agents(
    top: Fields,
) -> tuple[list[AgentSpec], dict[AgentId, AgentBehaviour], dict[str, list[AgentId]]]:
    agents: list[AgentSpec] = []
    behaviours: dict[AgentId, AgentBehaviour] = {}

    def add(spec: AgentSpec, behaviour: AgentBehaviour, where: str) -> None:
        if spec.stringee_user_id in behaviours:
            raise ScenarioError(where, f"agent {spec.stringee_user_id!r} is defined twice")
        agents.append(spec)
        behaviours[spec.stringee_user_id] = behaviour

    for table in top.items("agents"):
        add(read_agent(table), _behaviour(table), table.path("stringee_user_id"))
        table.finish()
    pooled: dict[str, list[AgentId]] = {}
    for table in top.items("agent_pools"):
        prefix = table.string("prefix")
        count = table.integer("count", minimum=1)
        group = table.string("group", None)
        ids = pool_agent_ids(prefix, count)
        # Read the pool's keys once; every agent of the pool is alike but for its id.
        template, behaviour = read_agent(table, ids[0]), _behaviour(table)
        for agent_id in ids:
            add(replace(template, stringee_user_id=agent_id), behaviour, table.path("prefix"))
        if group is not None:
            pooled.setdefault(group, []).extend(ids)
        table.finish()
    return agents, behaviours, pooled


def pool_agent_ids(prefix: str, count: int) -> list[AgentId]:
    """The ids of a pool's agents: the prefix and a number from 1, at least three digits."""
    width = max(3, len(str(count)))
    return [AgentId(f"{prefix}{n:0{width}d}") for n in range(1, count + 1)]


def _read_groups(
    top: Fields, pooled: dict[str, list[AgentId]], agent_ids: set[AgentId]
) -> tuple[GroupSpec, ...]:
    listed: dict[str, list[AgentId]] = {}
    for table in top.items("groups"):
        group = read_group(table, agent_ids=agent_ids)
        if group.id in listed:
            raise ScenarioError(table.path("id"), f"group {group.id!r} is defined twice")
        listed[group.id] = list(group.agents)
        table.finish()
    # Pooled agents join after the listed ones, in id order; a pool may name a
    # group that [[groups]] does not list.
    for group_id, ids in pooled.items():
        members = listed.setdefault(group_id, [])
        members.extend(a for a in sorted(ids) if a not in members)
    return tuple(GroupSpec(id=GroupId(g), agents=tuple(a)) for g, a in listed.items())
