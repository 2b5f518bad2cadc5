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

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, SecretStr
from sqlmodel import Session

from pcc_router.api.controller import handlers
from pcc_router.api.keys import CONTROLLER, PCC
from pcc_router.api.store import crud, repo
from pcc_router.api.store.tables import AgentRow
from pcc_router.api.stringee.pcc import PccError
from pcc_router.api.views import sip
from pcc_router.api.views.schemas import (
    AgentCreate,
    ConfigAnswer,
    GroupCreate,
    NumberCreate,
    QueueCreate,
)
from pcc_router.api.web.errors import ApiError, answer, read_body
from pcc_router.routing import ConfigError, Project
from pcc_router.routing.fields import Fields
from pcc_router.routing.projects import read_agent, read_group, read_number, read_queue

__all__ = [
    "create_agent",
    "create_group",
    "create_number",
    "create_queue",
    "delete_agent",
    "delete_group",
    "delete_number",
    "delete_queue",
]

T = TypeVar("T")

log = logging.getLogger("pcc_router.api")


async def _commit(request: web.Request, change: Callable[[Session], None]) -> None:
    """Apply ``change(session)`` if the resulting project still holds together."""

    def checked(session: Session) -> None:
        change(session)
        session.flush()
        repo.load_project(session, now=0.0).check()

    controller = request.app[CONTROLLER]
    try:
        await controller.submit(handlers.config_unit(controller, checked))
    except ConfigError as exc:
        raise ApiError(409, exc.msg) from None


def _read(data: dict[str, Any], read: Callable[[Fields], T]) -> T:
    """One project entry in the project format; a 400 names the field (no unknown key)."""
    fields = Fields(data)
    value = read(fields)
    fields.finish()
    return value


def _new_agent(data: dict[str, Any]) -> Callable[[Session], str]:
    agent = _read(data, read_agent)

    def change(session: Session) -> str:
        if crud.agent_row(session, agent.stringee_user_id) is not None:
            raise ApiError(409, f"agent {agent.stringee_user_id!r} exists")
        repo.save_project(session, Project(agents=(agent,)))
        return agent.stringee_user_id

    return change


def _change(kind: str, data: dict[str, Any]) -> Callable[[Session], str]:
    """What creating a ``kind`` with this body does to the store; the new entry's name."""
    if kind == "agents":
        return _new_agent(data)

    def change(session: Session) -> str:
        project = repo.load_project(session, now=0.0)
        if kind == "groups":
            agent_ids = {a.stringee_user_id for a in project.agents}
            group = _read(data, lambda f: read_group(f, agent_ids=agent_ids))
            repo.save_group(session, group)
            return group.id
        queue_ids = {q.id for q in project.queues}
        if kind == "queues":
            group_ids = {g.id for g in project.groups}
            own = {data["id"]} if isinstance(data.get("id"), str) else set()
            queue = _read(
                data, lambda f: read_queue(f, group_ids=group_ids, queue_ids=queue_ids | own)
            )
            repo.save_queue(session, queue)
            return queue.id
        number = _read(data, lambda f: read_number(f, queue_ids=queue_ids))
        repo.save_number(session, number)
        return number.number

    return change


async def _create(request: web.Request, kind: str, model: type[BaseModel]) -> web.Response:
    """Check the body against its model (every field), then read it with the project codec."""
    body, _ = await read_body(request, model)
    data = body.model_dump(mode="json", exclude_none=True)
    data.pop("sip_password", None)  # not project data: it goes to Stringee, and nowhere else
    password: SecretStr | None = getattr(body, "sip_password", None)
    change = _change(kind, data)
    names: list[str] = []
    await _commit(request, lambda session: names.append(change(session)))
    saved = ConfigAnswer(r=0, message=f"{kind[:-1]} {names[0]} saved")
    if kind == "agents":
        saved.mirrored_to_pcc = await _mirror_new_agent(request, names[0])
        if password is not None:
            saved.sip_account = await sip.create_account(
                request, names[0], password.get_secret_value()
            )
    return answer(saved, status=201)


async def create_agent(request: web.Request) -> web.Response:
    return await _create(request, "agents", AgentCreate)


async def create_group(request: web.Request) -> web.Response:
    return await _create(request, "groups", GroupCreate)


async def create_queue(request: web.Request) -> web.Response:
    return await _create(request, "queues", QueueCreate)


async def create_number(request: web.Request) -> web.Response:
    return await _create(request, "numbers", NumberCreate)


async def _mirror_new_agent(request: web.Request, agent_id: str) -> bool | None:
    """Create the agent in PCC too and keep its ``agentID``; ``None`` without PCC."""
    client = request.app[PCC]
    if client is None:
        return None
    controller = request.app[CONTROLLER]
    row = await controller.in_store(lambda session: crud.agent_row(session, agent_id))
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

    await controller.in_store(
        lambda session: crud.remember_pcc_id(session, agent_id=agent_id, pcc_id=pcc_id)
    )
    return True


async def _delete(request: web.Request, kind: str, ident: str) -> web.Response:
    gone: AgentRow | None = None

    def change(session: Session) -> None:
        nonlocal gone
        found, gone = crud.delete_config(session, kind=kind, ident=ident)
        if not found:
            raise ApiError(404, f"no {kind[:-1]} {ident!r}")

    await _commit(request, change)
    deleted = ConfigAnswer(r=0, message=f"{kind[:-1]} {ident} deleted")
    if gone is not None and gone.sip_account is not None:
        deleted.sip_account = await sip.delete_account(request, ident, gone.sip_account)
    client = request.app[PCC]
    pcc_id = gone.pcc_id if gone is not None else None
    if kind == "agents" and client is not None and pcc_id is not None:
        try:
            await client.delete_agent(pcc_id)
            deleted.mirrored_to_pcc = True
        except PccError as exc:
            log.warning("agent %s deleted here but not in PCC: %s", ident, exc)
            deleted.mirrored_to_pcc = False
    return answer(deleted)


async def delete_agent(request: web.Request) -> web.Response:
    return await _delete(request, "agents", request.match_info["agent_id"])


async def delete_group(request: web.Request) -> web.Response:
    return await _delete(request, "groups", request.match_info["group_id"])


async def delete_queue(request: web.Request) -> web.Response:
    return await _delete(request, "queues", request.match_info["queue_id"])


async def delete_number(request: web.Request) -> web.Response:
    return await _delete(request, "numbers", request.match_info["number"])
