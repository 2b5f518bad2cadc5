"""Creating and deleting agents, groups, queues and numbers.

Queues and numbers take the scenario format's field names (durations as
seconds or ``"15s"``); agents take PCC's fields. With PCC configured, agents
created or deleted here are created or deleted in PCC too; groups, queues and
numbers flow the other way only (PCC is their source of truth: change them in
PCC and sync). Each change is checked as a
whole project (no dangling group, queue or agent) before it is committed, and
the engine is then rebuilt from the store.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from sqlmodel import Session, SQLModel

from pcc_router.api import inputs
from pcc_router.api.errors import ApiError, Body, read_json
from pcc_router.api.keys import CONTROLLER, PCC
from pcc_router.api.pcc import PccError
from pcc_router.api.store import repo
from pcc_router.api.store.config import number_to_json, queue_to_json
from pcc_router.api.store.tables import AgentRow, GroupRow, NumberRow, QueueRow
from pcc_router.api.views.admin import checked_phone
from pcc_router.routing import ConfigError, GroupId, QueueId
from pcc_router.simulator.schema import ScenarioError
from pcc_router.simulator.sections import parse_number, parse_queue

__all__ = ["create", "delete"]

log = logging.getLogger("pcc_router.api")


async def _commit(request: web.Request, change: Any) -> None:
    """Apply ``change(session)`` if the resulting project still holds together."""

    def checked(session: Session) -> None:
        change(session)
        session.flush()
        repo.load_project(session, now=0.0).check()

    controller = request.app[CONTROLLER]
    try:
        await controller.submit(inputs.config_unit(controller, checked))
    except ConfigError as exc:
        raise ApiError(409, exc.msg) from None
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None


def _agent(body: Body) -> AgentRow:
    row = AgentRow(
        stringee_user_id=body.text("stringee_user_id", max_len=128),
        name=body.text("name", "", max_len=256),
        manual_status=body.text("manual_status", "AVAILABLE", max_len=64),
        routing_type=body.choice("routing_type", (1, 2), 1),
        phone_number=checked_phone(body.text("phone_number", "", max_len=32)),
    )
    if not row.stringee_user_id:
        raise ApiError(400, "stringee_user_id must not be empty")
    return row


async def create(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    data, _ = await read_json(request)
    if kind == "agents":
        body = Body(data)
        row = _agent(body)
        body.finish()

        def change(session: Session) -> None:
            if session.get(AgentRow, row.stringee_user_id) is not None:
                raise ApiError(409, f"agent {row.stringee_user_id!r} exists")
            session.add(row)

        name = row.stringee_user_id
    elif kind == "groups":
        body = Body(data)
        group_id = body.text("id", max_len=128)
        agents = body.get("agents", list, [])
        body.finish()
        if not all(isinstance(a, str) for a in agents):
            raise ApiError(400, "agents must be a list of stringee_user_id strings")
        name = group_id

        def change(session: Session) -> None:
            session.merge(GroupRow(id=group_id, agents=json.dumps(agents)))

    elif kind == "queues":
        name = str(data.get("id", ""))

        def change(session: Session) -> None:
            groups = {GroupId(g.id) for g in repo.load_project(session, now=0.0).groups}
            queue = parse_queue(data, group_ids=groups)
            session.merge(QueueRow(id=queue.id, spec=queue_to_json(queue)))

    else:
        name = str(data.get("number", ""))

        def change(session: Session) -> None:
            queues = {QueueId(q.id) for q in repo.load_project(session, now=0.0).queues}
            number = parse_number(data, queue_ids=queues)
            session.merge(NumberRow(number=number.number, spec=number_to_json(number)))

    await _commit(request, change)
    answer: dict[str, Any] = {"r": 0, "message": f"{kind[:-1]} {name} saved"}
    if kind == "agents":
        answer["mirrored_to_pcc"] = await _mirror_new_agent(request, name)
    return web.json_response(answer, status=201)


async def _mirror_new_agent(request: web.Request, agent_id: str) -> bool | None:
    """Create the agent in PCC too and keep its ``agentID``; ``None`` without PCC."""
    client = request.app[PCC]
    if client is None:
        return None
    controller = request.app[CONTROLLER]
    row = await controller.in_store(lambda session: session.get(AgentRow, agent_id))
    if row is None:
        return False  # deleted meanwhile
    fields = {
        "name": row.name or agent_id,
        "stringee_user_id": agent_id,
        "manual_status": row.manual_status,
        "routing_type": row.routing_type,
        "phone_number": row.phone_number,
    }
    try:
        pcc_id = await client.create_agent(fields)
    except PccError as exc:
        log.warning("agent %s created here but not in PCC: %s", agent_id, exc)
        return False

    def remember(session: Session) -> None:
        stored = session.get(AgentRow, agent_id)
        if stored is not None:
            stored.pcc_id = pcc_id
            session.add(stored)

    await controller.in_store(remember)
    return True


async def delete(request: web.Request) -> web.Response:
    kind, ident = request.match_info["kind"], request.match_info["ident"]
    tables: dict[str, type[SQLModel]] = {
        "agents": AgentRow,
        "groups": GroupRow,
        "queues": QueueRow,
        "numbers": NumberRow,
    }
    table = tables[kind]

    pcc_id: str | None = None

    def change(session: Session) -> None:
        nonlocal pcc_id
        row = session.get(table, ident)
        if row is None:
            raise ApiError(404, f"no {kind[:-1]} {ident!r}")
        pcc_id = getattr(row, "pcc_id", None)
        session.delete(row)
        if kind == "agents":  # an agent leaves its groups with it
            for group in session.exec(repo.select(GroupRow)).all():
                members = json.loads(group.agents)
                if ident in members:
                    group.agents = json.dumps([a for a in members if a != ident])
                    session.add(group)

    await _commit(request, change)
    answer: dict[str, Any] = {"r": 0, "message": f"{kind[:-1]} {ident} deleted"}
    client = request.app[PCC]
    if kind == "agents" and client is not None and pcc_id is not None:
        try:
            await client.delete_agent(pcc_id)
            answer["mirrored_to_pcc"] = True
        except PccError as exc:
            log.warning("agent %s deleted here but not in PCC: %s", ident, exc)
            answer["mirrored_to_pcc"] = False
    return web.json_response(answer)
