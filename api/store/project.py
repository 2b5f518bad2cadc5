"""The project and the agents' state in the store: written from specs and snapshots, read back.

Queues and numbers are JSON documents in the project format
(:mod:`pcc_router.routing.projects`); agents are columns: their PCC fields,
presence, and the engine's snapshot of what each is doing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from pcc_router.api.store.statements import run
from pcc_router.api.store.tables import (
    AgentRow,
    CallMemoryRow,
    GroupRow,
    NumberRow,
    QueueRow,
    QueueStateRow,
    TimerRow,
)
from pcc_router.routing import (
    AgentId,
    AgentSnapshot,
    AgentSpec,
    CallId,
    Channel,
    EngineSnapshot,
    GroupSpec,
    NumberSpec,
    PccCallMemory,
    Project,
    QueueId,
    QueueSpec,
    RoutingType,
)
from pcc_router.routing.agents import AGENT_ROW
from pcc_router.routing.fields import Fields
from pcc_router.routing.projects import (
    number_to_dict,
    queue_to_dict,
    read_group,
    read_number,
    read_queue,
)

__all__ = [
    "StoredState",
    "agent_snapshot",
    "call_memory",
    "agent_spec",
    "log_position",
    "load_project",
    "load_state",
    "save_group",
    "seed_project",
    "save_number",
    "save_project",
    "save_queue",
]

T = TypeVar("T")


def save_project(session: Session, project: Project) -> None:
    """Upsert every agent, group, queue and number of the project."""
    for agent in project.agents:
        row = session.get(AgentRow, agent.stringee_user_id) or AgentRow(
            stringee_user_id=agent.stringee_user_id
        )
        row.name = agent.name or agent.stringee_user_id
        row.phone_number = agent.phone_number
        row.routing_type = int(agent.routing_type)
        row.manual_status = agent.manual_status
        row.app = Channel.APP in agent.online
        row.push_token = "scenario" if Channel.PUSH in agent.online else None
        row.sip_expires = float("inf") if Channel.SIP in agent.online else None
        session.add(row)
    for group in project.groups:
        save_group(session, group)
    for queue in project.queues:
        save_queue(session, queue)
    for number in project.numbers:
        save_number(session, number)


def seed_project(session: Session, project: Project, *, reset: bool = False) -> list[str]:
    """Add the project's agents, groups, queues and numbers the store does not hold yet;
    what was added (``agent alice``...). What the store holds is its truth: a stored
    agent's presence and statuses are never changed here (a restart changes nothing an
    agent said), unless ``reset``: then every one is written as the project has it."""
    if reset:
        save_project(session, project)
        return ["everything (reset)"]
    added: list[str] = []
    stored_agents = set(session.exec(select(AgentRow.stringee_user_id)).all())
    new_agents = [a for a in project.agents if a.stringee_user_id not in stored_agents]
    if new_agents:
        save_project(session, Project(agents=tuple(new_agents), groups=(), queues=(), numbers=()))
        added += [f"agent {a.stringee_user_id}" for a in new_agents]
    groups = set(session.exec(select(GroupRow.id)).all())
    for group in project.groups:
        if group.id not in groups:
            save_group(session, group)
            added.append(f"group {group.id}")
    queues = set(session.exec(select(QueueRow.id)).all())
    for queue in project.queues:
        if queue.id not in queues:
            save_queue(session, queue)
            added.append(f"queue {queue.id}")
    numbers = set(session.exec(select(NumberRow.number)).all())
    for number in project.numbers:
        if number.number not in numbers:
            save_number(session, number)
            added.append(f"number {number.number}")
    return added


def save_group(session: Session, group: GroupSpec) -> None:
    session.merge(GroupRow(id=group.id, agents=json.dumps(list(group.agents))))


def save_queue(session: Session, queue: QueueSpec) -> None:
    """A queue row: its fields in the project format (:mod:`pcc_router.routing.projects`)."""
    session.merge(QueueRow(id=queue.id, spec=json.dumps(queue_to_dict(queue))))


def save_number(session: Session, number: NumberSpec) -> None:
    session.merge(NumberRow(number=number.number, spec=json.dumps(number_to_dict(number))))


def load_project(session: Session, *, now: float) -> Project:
    """The project the store holds, read with the project format's codec, in key order
    (so that two reads of the same rows give equal projects).

    References (a queue's groups, a number's queue) are left to
    :meth:`Project.check`: a change that breaks them is a :class:`ConfigError`.
    """
    rows = select(AgentRow).order_by(col(AgentRow.stringee_user_id))
    agents = tuple(agent_spec(row, now) for row in session.exec(rows).all())
    groups = tuple(
        read_group(Fields({"id": row.id, "agents": json.loads(row.agents)}), agent_ids=None)
        for row in session.exec(select(GroupRow).order_by(col(GroupRow.id))).all()
    )
    queues = tuple(
        _stored(row.id, row.spec, lambda f: read_queue(f, group_ids=None, queue_ids=None))
        for row in session.exec(select(QueueRow).order_by(col(QueueRow.id))).all()
    )
    numbers = tuple(
        _stored(row.number, row.spec, lambda f: read_number(f, queue_ids=None), key="number")
        for row in session.exec(select(NumberRow).order_by(col(NumberRow.number))).all()
    )
    return Project(agents=agents, groups=groups, queues=queues, numbers=numbers)


def _stored(ident: str, text: str, read: Callable[[Fields], T], *, key: str = "id") -> T:
    """A queue or number row: its id from the row, the rest from its JSON (schema 4 or older)."""
    fields = Fields({**json.loads(text), key: ident}, f"{key} {ident!r} in the store")
    value = read(fields)
    fields.finish()
    return value


def agent_spec(row: AgentRow, now: float) -> AgentSpec:
    online = set()
    if row.app:
        online.add(Channel.APP)
    if row.push_token:
        online.add(Channel.PUSH)
    if row.sip_expires is not None and row.sip_expires > now:
        online.add(Channel.SIP)
    return AgentSpec(
        stringee_user_id=AgentId(row.stringee_user_id),
        name=row.name,
        phone_number=row.phone_number,
        routing_type=RoutingType(row.routing_type),
        manual_status=row.manual_status,
        online=frozenset(online),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredState:
    """Everything an engine is rebuilt from, read in one transaction."""

    project: Project
    #: The engine's state: each agent that has a snapshot (agents new since have none),
    #: queues' round-robin positions, open calls' memory.
    snapshot: EngineSnapshot
    agents: list[AgentRow]
    timers: list[TimerRow]
    #: The log position this state is at: an engine made from it applies the rows after it.
    position: int


def load_state(session: Session, *, now: float) -> StoredState:
    agents = list(session.exec(select(AgentRow).order_by(col(AgentRow.stringee_user_id))).all())
    snapshot = EngineSnapshot(
        agents={
            AgentId(row.stringee_user_id): agent_snapshot(row)
            for row in agents
            if row.idle_since is not None
        },
        rr_last={QueueId(row.queue_id): row.rr_last for row in session.exec(select(QueueStateRow))},
        calls=tuple(
            call_memory(row)
            for row in session.exec(select(CallMemoryRow).order_by(col(CallMemoryRow.seq)))
        ),
    )
    return StoredState(
        project=load_project(session, now=now),
        snapshot=snapshot,
        agents=agents,
        timers=list(session.exec(select(TimerRow)).all()),
        position=log_position(session),
    )


def call_memory(row: CallMemoryRow) -> PccCallMemory:
    return PccCallMemory(
        call_id=CallId(row.call_id),
        queue_id=QueueId(row.queue_id) if row.queue_id is not None else None,
        tries=tuple((AgentId(agent), int(count)) for agent, count in json.loads(row.tries)),
    )


def agent_snapshot(row: AgentRow) -> AgentSnapshot:
    record = {name: getattr(row, name) for name in AGENT_ROW}
    return AgentSnapshot.from_row(record, push=bool(row.push_token))


def log_position(session: Session) -> int:
    """The newest position the event log has given out (0: none)."""
    return int(run(session, "log_seq", {}).scalar() or 0)
