"""The project format: agents, groups, queues and numbers as dicts, read into specs and back.

One codec for every place a project is written down: scenario files (through
TOML), the controller's REST bodies, the store's JSON columns and, after
mapping PCC's own field types, PCC's REST answers. The field names are PCC's
(``wait_agent_answer_timeout``, ``stringee_user_id``, ``routing_type``);
durations read as seconds or ``"15s"``/``"2m"``/``"1h"`` and are written as
seconds. Defaults live in the specs (:mod:`pcc_router.routing.model`) only:
an absent key takes the spec's default, and ``*_to_dict`` writes every value,
so ``read(write(spec)) == spec``.

Readers take a :class:`~pcc_router.routing.fields.Fields` (so that a caller
may read more keys of the same table, as scenarios do, before
``finish()``); ``*_from_dict`` wrap them for plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from pcc_router.routing.errors import ConfigError
from pcc_router.routing.fields import Fields, FormatError
from pcc_router.routing.model import (
    MENU_KEYS,
    Action,
    ActionKind,
    AgentId,
    AgentSpec,
    Channel,
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
from pcc_router.routing.phones import is_phone_number, normal_number

__all__ = [
    "agent_to_dict",
    "declared_ids",
    "group_to_dict",
    "number_to_dict",
    "phone_field",
    "project_from_dict",
    "project_to_dict",
    "queue_from_dict",
    "queue_to_dict",
    "read_agent",
    "read_group",
    "read_number",
    "read_queue",
]

_STRATEGIES = {s.value: s for s in Strategy}
_CHANNELS = {c.value: c for c in Channel}


def _given(fields: Fields, key: str, read: Callable[[str], Any], into: dict[str, Any]) -> None:
    """Read ``key`` into ``into`` only when given: the spec keeps its own default."""
    if fields.has(key):
        into[key] = read(key)
    else:
        fields.raw(key, None)  # known here, even when absent or null


def phone_field(fields: Fields, key: str = "phone_number") -> str:
    """A phone number in PCC's form (``84…``), from any written form; ``""`` when absent."""
    value = fields.string(key, "", max_len=32)
    if value and not is_phone_number(value):
        raise FormatError(fields.path(key), f"{value!r} is not a phone number (e.g. 84901234567)")
    return normal_number(value) if value else ""


# ------------------------------------------------------------------ agents


def read_agent(fields: Fields, agent_id: str | None = None) -> AgentSpec:
    """PCC's agent fields; ``agent_id`` for agents whose id is made, not read (pools)."""
    user_id = agent_id if agent_id is not None else fields.string("stringee_user_id", max_len=128)
    if not user_id:
        raise FormatError(fields.path("stringee_user_id"), "must not be empty")
    online = fields.typed("online", list, [])
    for i, channel in enumerate(online):
        if not isinstance(channel, str) or channel not in _CHANNELS:
            raise FormatError(
                fields.path(f"online[{i}]"), f"{channel!r} is not one of 'app', 'push', 'sip'"
            )
    values: dict[str, Any] = {}
    _given(fields, "name", lambda k: fields.string(k, max_len=256), values)
    _given(fields, "manual_status", lambda k: fields.string(k, max_len=64), values)
    _given(
        fields, "routing_type", lambda k: RoutingType(fields.choice(k, frozenset({1, 2}))), values
    )
    values["phone_number"] = phone_field(fields)
    return AgentSpec(
        stringee_user_id=AgentId(user_id),
        online=frozenset(_CHANNELS[c] for c in online),
        **values,
    )


def agent_to_dict(agent: AgentSpec) -> dict[str, Any]:
    return {
        "stringee_user_id": agent.stringee_user_id,
        "name": agent.name,
        "phone_number": agent.phone_number,
        "routing_type": int(agent.routing_type),
        "manual_status": agent.manual_status,
        "online": sorted(str(c) for c in agent.online),
    }


# ------------------------------------------------------------------ groups


def read_group(fields: Fields, *, agent_ids: Collection[str] | None) -> GroupSpec:
    """A group; ``agent_ids`` are the agents it may list (``None``: left to ``Project.check``)."""
    group_id = fields.string("id", max_len=128)
    members = fields.typed("agents", list, [])
    for i, agent in enumerate(members):
        if not isinstance(agent, str) or not _known(agent, agent_ids):
            raise FormatError(fields.path(f"agents[{i}]"), f"no agent {agent!r} is defined")
    return GroupSpec(id=GroupId(group_id), agents=tuple(AgentId(a) for a in members))


def group_to_dict(group: GroupSpec) -> dict[str, Any]:
    return {"id": group.id, "agents": list(group.agents)}


# ------------------------------------------------------------------ queues


def read_queue(
    fields: Fields, *, group_ids: Collection[str] | None, queue_ids: Collection[str] | None
) -> QueueSpec:
    """A queue; ``queue_ids`` are the queues an overflow may name.

    ``None`` for either leaves those references to :meth:`Project.check` (a
    :class:`ConfigError`: the store's rows are checked as a whole, not per field).
    """
    queue_id = fields.string("id", max_len=128)
    routes = []
    for entry in fields.items("groups"):
        group = entry.string("group", max_len=128)
        if not _known(group, group_ids):
            raise FormatError(entry.path("group"), f"no group {group!r} is defined")
        routes.append(GroupRoute(group=GroupId(group), primary=entry.typed("primary", bool, True)))
        entry.finish()
    if not routes:
        raise FormatError(fields.path("groups"), "is required: at least one group")
    values: dict[str, Any] = {}
    for key in ("wait_agent_answer_timeout", "wrap_up_time_limit", "maximum_queue_wait_time"):
        _given(fields, key, fields.duration, values)
    _given(fields, "agent_wrap_up_after_calls", lambda k: fields.typed(k, bool), values)
    _given(fields, "maximum_queue_size", lambda k: fields.integer(k, minimum=0), values)
    _given(fields, "max_no_answer", lambda k: fields.integer(k, minimum=0), values)
    _given(fields, "cond_routing", lambda k: fields.choice(k, frozenset({1, 2})), values)
    _given(fields, "strategy", lambda k: fields.choice(k, _STRATEGIES), values)
    _given(fields, "get_list_agents_url", lambda k: fields.string(k, max_len=2048), values)
    _given(fields, "overflow", lambda k: _action(fields, k, queue_ids), values)
    queue = QueueSpec(id=QueueId(queue_id), groups=tuple(routes), **values)
    if queue.wait_agent_answer_timeout < 3:
        raise FormatError(fields.path("wait_agent_answer_timeout"), "must be at least 3 s")
    if queue.overflow is not None and queue.overflow.kind is ActionKind.HANGUP:
        raise FormatError(fields.path("overflow"), "is 'queue:<id>' or 'forward:<number>'")
    return queue


def queue_to_dict(queue: QueueSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": queue.id,
        "groups": [{"group": r.group, "primary": r.primary} for r in queue.groups],
        "strategy": str(queue.strategy),
        "wait_agent_answer_timeout": queue.wait_agent_answer_timeout,
        "agent_wrap_up_after_calls": queue.agent_wrap_up_after_calls,
        "wrap_up_time_limit": queue.wrap_up_time_limit,
        "maximum_queue_wait_time": queue.maximum_queue_wait_time,
        "maximum_queue_size": queue.maximum_queue_size,
        "overflow": str(queue.overflow) if queue.overflow else None,
        "max_no_answer": queue.max_no_answer,
        "cond_routing": queue.cond_routing,
        "get_list_agents_url": queue.get_list_agents_url,
    }
    return {key: value for key, value in body.items() if value is not None}


def queue_from_dict(
    data: object, *, group_ids: Collection[str] | None, queue_ids: Collection[str] | None
) -> QueueSpec:
    fields = Fields(data)
    queue = read_queue(fields, group_ids=group_ids, queue_ids=queue_ids)
    fields.finish()
    return queue


# ----------------------------------------------------------------- numbers


def read_number(fields: Fields, *, queue_ids: Collection[str] | None) -> NumberSpec:
    number = fields.string("number", max_len=64)
    queue_id = fields.string("queue_id", None, max_len=128)
    menu: dict[str, Action] = {}
    if fields.has("ivr"):
        ivr = fields.sub("ivr")
        for key in list(ivr.data):
            if key not in MENU_KEYS:
                raise FormatError(
                    ivr.path(key), "menu keys are 0-9, *, #, EMPTY_KEY or INVALID_KEY"
                )
            menu[key] = _action(ivr, key, queue_ids)
        ivr.finish()
    else:
        fields.raw("ivr", None)
    if (queue_id is None) == (not menu):
        raise FormatError(fields.path("queue_id"), "give exactly one of queue_id and ivr")
    if queue_id is not None and not _known(queue_id, queue_ids):
        raise FormatError(fields.path("queue_id"), f"no queue {queue_id!r} is defined")
    values: dict[str, Any] = {}
    _given(fields, "keypress_timeout", fields.duration, values)
    queue = QueueId(queue_id) if queue_id is not None else None
    return NumberSpec(number=number, queue_id=queue, menu=menu, **values)


def number_to_dict(number: NumberSpec) -> dict[str, Any]:
    body: dict[str, Any] = {"number": number.number, "keypress_timeout": number.keypress_timeout}
    if number.queue_id is not None:
        body["queue_id"] = number.queue_id
    else:
        body["ivr"] = {key: str(action) for key, action in number.menu.items()}
    return body


def _known(ident: str, known: Collection[str] | None) -> bool:
    return known is None or ident in known


def _action(fields: Fields, key: str, queue_ids: Collection[str] | None) -> Action:
    text = fields.string(key, max_len=128)
    try:
        action = Action.parse(text)
    except ConfigError as exc:
        raise FormatError(fields.path(key), exc.msg) from None
    if action.kind is ActionKind.QUEUE and not _known(action.target, queue_ids):
        raise FormatError(fields.path(key), f"no queue {action.target!r} is defined")
    return action


# ----------------------------------------------------------------- project


def declared_ids(tables: list[Fields]) -> set[str]:
    """The ``id`` of each table that has one: what an overflow may name before it is read."""
    return {ident for table in tables if isinstance(ident := table.data.get("id"), str)}


def project_from_dict(data: object) -> Project:
    """A whole project: ``{"agents", "groups", "queues", "numbers"}``, checked as a whole."""
    top = Fields(data)
    agents = []
    for entry in top.items("agents"):
        agents.append(read_agent(entry))
        entry.finish()
    agent_ids = {a.stringee_user_id for a in agents}
    groups = []
    for entry in top.items("groups"):
        groups.append(read_group(entry, agent_ids=agent_ids))
        entry.finish()
    group_ids = {g.id for g in groups}
    tables = top.items("queues")
    queue_ids = declared_ids(tables)
    queues = []
    for entry in tables:
        queues.append(read_queue(entry, group_ids=group_ids, queue_ids=queue_ids))
        entry.finish()
    numbers = []
    for entry in top.items("numbers"):
        numbers.append(read_number(entry, queue_ids={q.id for q in queues}))
        entry.finish()
    top.finish()
    project = Project(agents=tuple(agents), groups=tuple(groups), queues=tuple(queues),
                      numbers=tuple(numbers))  # fmt: skip
    project.check()
    return project


def project_to_dict(project: Project) -> dict[str, Any]:
    return {
        "agents": [agent_to_dict(a) for a in project.agents],
        "groups": [group_to_dict(g) for g in project.groups],
        "queues": [queue_to_dict(q) for q in project.queues],
        "numbers": [number_to_dict(n) for n in project.numbers],
    }
