"""The project half of a scenario: ``[[agents]]``, ``[[agent_pools]]``, ``[[groups]]``,
``[[queues]]`` and ``[[numbers]]``, turned into :mod:`routing` specifications."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pcc_router.routing import (
    AVAILABLE,
    MENU_KEYS,
    Action,
    ActionKind,
    AgentId,
    AgentSpec,
    Channel,
    ConfigError,
    GroupId,
    GroupRoute,
    GroupSpec,
    NumberSpec,
    Project,
    QueueId,
    QueueSpec,
    RoutingType,
    Strategy,
)
from pcc_router.simulator import inputs
from pcc_router.simulator.scenario import AgentBehaviour, Scenario
from pcc_router.simulator.schema import ScenarioError, Table

__all__ = ["parse_number", "parse_queue", "read_scenario"]

_AGENT_KEYS = ("name", "phone_number", "routing_type", "manual_status", "online",
               "answer_after", "answer_prob")  # fmt: skip
_STRATEGIES = {s.value: s for s in Strategy}


def read_scenario(top: Table, path: Path) -> Scenario:
    version = top.raw("version")
    if version != 1 or isinstance(version, bool):
        raise ScenarioError("version", f"only format version 1 is understood, got {version!r}")
    name = top.string("name", path.stem)
    seed = top.integer("seed", 0)
    until = top.duration("until", None)
    agents, behaviours, pooled = _read_agents(top)
    groups = _read_groups(top, pooled, {a.stringee_user_id for a in agents})
    queues = _read_queues(top, {g.id for g in groups})
    numbers = _read_numbers(top, {q.id for q in queues})
    project = Project(agents=tuple(agents), groups=groups, queues=queues, numbers=numbers)
    known_numbers = {n.number for n in numbers}
    calls = inputs.read_calls(top, known_numbers)
    traffic = inputs.read_traffic(top, known_numbers, until, path.parent)
    events = inputs.read_events(top, set(behaviours))
    expects = inputs.read_expects(top, {c.id for c in calls}, set(behaviours))
    top.finish()
    return Scenario(path=path, name=name, seed=seed, until=until, project=project,
                    behaviours=behaviours, calls=calls, traffic=traffic, events=events,
                    expects=expects)  # fmt: skip


def _read_agent(table: Table, agent_id: str) -> tuple[AgentSpec, AgentBehaviour]:
    online = table.typed("online", list, [])
    for i, channel in enumerate(online):
        if channel not in {c.value for c in Channel}:
            raise ScenarioError(
                table.path(f"online[{i}]"), f"{channel!r} is not one of 'app', 'push', 'sip'"
            )
    spec = AgentSpec(
        stringee_user_id=AgentId(agent_id),
        name=table.string("name", agent_id),
        phone_number=table.string("phone_number", ""),
        routing_type=RoutingType(table.choice("routing_type", frozenset({1, 2}), 1)),
        manual_status=table.string("manual_status", AVAILABLE),
        online=frozenset(Channel(c) for c in online),
    )
    answer_prob = table.number("answer_prob", 1.0)
    if not 0.0 <= answer_prob <= 1.0:
        raise ScenarioError(table.path("answer_prob"), f"must be within 0 and 1, got {answer_prob}")
    behaviour = AgentBehaviour(
        answer_after=table.duration("answer_after", 2.0), answer_prob=answer_prob
    )
    return spec, behaviour


def _read_agents(
    top: Table,
) -> tuple[list[AgentSpec], dict[AgentId, AgentBehaviour], dict[str, list[AgentId]]]:
    agents: list[AgentSpec] = []
    behaviours: dict[AgentId, AgentBehaviour] = {}

    def add(spec: AgentSpec, behaviour: AgentBehaviour, where: str) -> None:
        if spec.stringee_user_id in behaviours:
            raise ScenarioError(where, f"agent {spec.stringee_user_id!r} is defined twice")
        agents.append(spec)
        behaviours[spec.stringee_user_id] = behaviour

    for table in top.items("agents"):
        agent_id = table.string("stringee_user_id")
        add(*_read_agent(table, agent_id), table.path("stringee_user_id"))
        table.finish()
    pooled: dict[str, list[AgentId]] = {}
    for table in top.items("agent_pools"):
        prefix = table.string("prefix")
        count = table.integer("count", minimum=1)
        group = table.string("group", None)
        width = max(3, len(str(count)))
        ids = [AgentId(f"{prefix}{n:0{width}d}") for n in range(1, count + 1)]
        # Read the pool's keys once; every agent of the pool is alike but for its id.
        named = table.has("name")
        template, behaviour = _read_agent(table, ids[0])
        for agent_id in ids:
            name = template.name if named else agent_id
            add(replace(template, stringee_user_id=agent_id, name=name), behaviour,
                table.path("prefix"))  # fmt: skip
        if group is not None:
            pooled.setdefault(group, []).extend(ids)
        table.finish()
    return agents, behaviours, pooled


def _read_groups(
    top: Table, pooled: dict[str, list[AgentId]], agent_ids: set[AgentId]
) -> tuple[GroupSpec, ...]:
    listed: dict[str, list[AgentId]] = {}
    for table in top.items("groups"):
        group_id = table.string("id")
        if group_id in listed:
            raise ScenarioError(table.path("id"), f"group {group_id!r} is defined twice")
        members = table.typed("agents", list, [])
        for i, agent in enumerate(members):
            if agent not in agent_ids:
                raise ScenarioError(table.path(f"agents[{i}]"), f"no agent {agent!r} is defined")
        listed[group_id] = [AgentId(a) for a in members]
        table.finish()
    # Pooled agents join after the listed ones, in id order; a pool may name a
    # group that [[groups]] does not list.
    for group_id, ids in pooled.items():
        members = listed.setdefault(group_id, [])
        members.extend(a for a in sorted(ids) if a not in members)
    return tuple(GroupSpec(id=GroupId(g), agents=tuple(a)) for g, a in listed.items())


def _read_queues(top: Table, group_ids: set[GroupId]) -> tuple[QueueSpec, ...]:
    queues = []
    tables = top.items("queues")
    queue_ids = {t.data.get("id") for t in tables if isinstance(t.data.get("id"), str)}
    for table in tables:
        queue_id = table.string("id")
        routes = []
        for entry in table.items("groups"):
            group = entry.string("group")
            if group not in group_ids:
                raise ScenarioError(entry.path("group"), f"no group {group!r} is defined")
            routes.append(
                GroupRoute(group=GroupId(group), primary=entry.typed("primary", bool, True))
            )
            entry.finish()
        if not routes:
            raise ScenarioError(table.path("groups"), "is required: at least one group")
        overflow = table.string("overflow", None)
        queue = QueueSpec(
            id=QueueId(queue_id),
            groups=tuple(routes),
            wait_agent_answer_timeout=table.duration("wait_agent_answer_timeout", 15.0),
            agent_wrap_up_after_calls=table.typed("agent_wrap_up_after_calls", bool, True),
            wrap_up_time_limit=table.duration("wrap_up_time_limit", 10.0),
            maximum_queue_wait_time=table.duration("maximum_queue_wait_time", None),
            maximum_queue_size=table.integer("maximum_queue_size", None, minimum=0),
            overflow=None if overflow is None else _action(table, "overflow", overflow, queue_ids),
            strategy=table.choice("strategy", _STRATEGIES, Strategy.LONGEST_IDLE),
            max_no_answer=table.integer("max_no_answer", 0, minimum=0),
        )
        table.string("get_list_agents_url", None)  # the emulator's; the simulator routes itself
        if queue.wait_agent_answer_timeout < 3:
            raise ScenarioError(table.path("wait_agent_answer_timeout"), "must be at least 3 s")
        if queue.overflow is not None and queue.overflow.kind is ActionKind.HANGUP:
            raise ScenarioError(table.path("overflow"), "is 'queue:<id>' or 'forward:<number>'")
        table.finish()
        queues.append(queue)
    return tuple(queues)


def _read_numbers(top: Table, queue_ids: set[QueueId]) -> tuple[NumberSpec, ...]:
    numbers = []
    for table in top.items("numbers"):
        number = table.string("number")
        queue_id = table.string("queue_id", None)
        menu: dict[str, Action] = {}
        if table.has("ivr"):
            ivr = table.sub("ivr")
            for key in list(ivr.data):
                if key not in MENU_KEYS:
                    raise ScenarioError(
                        ivr.path(key), "menu keys are 0-9, *, #, EMPTY_KEY or INVALID_KEY"
                    )
                menu[key] = _action(ivr, key, ivr.string(key), queue_ids)
            ivr.finish()
        if (queue_id is None) == (not menu):
            raise ScenarioError(table.path("queue_id"), "give exactly one of queue_id and ivr")
        if queue_id is not None and queue_id not in queue_ids:
            raise ScenarioError(table.path("queue_id"), f"no queue {queue_id!r} is defined")
        numbers.append(
            NumberSpec(
                number=number,
                queue_id=QueueId(queue_id) if queue_id is not None else None,
                menu=menu,
                keypress_timeout=table.duration("keypress_timeout", 5.0),
            )
        )
        table.finish()
    return tuple(numbers)


def _action(table: Table, key: str, text: str, queue_ids: set[QueueId] | set[object]) -> Action:
    try:
        action = Action.parse(text)
    except ConfigError as exc:
        raise ScenarioError(table.path(key), exc.msg) from None
    if action.kind is ActionKind.QUEUE and action.target not in queue_ids:
        raise ScenarioError(table.path(key), f"no queue {action.target!r} is defined")
    return action


def parse_queue(data: object, *, group_ids: set[GroupId]) -> QueueSpec:
    """One queue in the scenario format (the controller's ``POST /v1/queues``)."""
    top = Table({"queues": [data]}, "")
    (queue,) = _read_queues(top, group_ids)
    return queue


def parse_number(data: object, *, queue_ids: set[QueueId]) -> NumberSpec:
    """One number in the scenario format (the controller's ``POST /v1/numbers``)."""
    top = Table({"numbers": [data]}, "")
    (number,) = _read_numbers(top, queue_ids)
    return number
