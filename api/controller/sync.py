"""The PCC sync: PCC's configuration, as :class:`~pcc_router.api.stringee.pcc.PccClient`
read it, written into the store as the project (in one unit of work).

Agents keep their PCC id (so that a change made here can be mirrored there);
a queue with no group routed to it cannot ring anyone and is left out, with
its numbers; IVR trees are not pulled (a number with ``enable_ivr`` keeps the
menu already in the store).
"""

from __future__ import annotations

from sqlmodel import Session

from pcc_router.api.controller import handlers
from pcc_router.api.controller.core import Controller
from pcc_router.api.store import crud, repo
from pcc_router.api.stringee.pcc import PccClient, PccConfig, queue_fields
from pcc_router.routing import GroupSpec, NumberSpec, QueueId, is_phone_number, normal_number
from pcc_router.routing.fields import Fields
from pcc_router.routing.projects import read_queue

__all__ = ["pull", "save"]


async def pull(controller: Controller, client: PccClient) -> tuple[PccConfig, bool]:
    """Read PCC's configuration and store it; what was read, and whether the project changed.

    Raises :class:`~pcc_router.api.stringee.pcc.PccError` (PCC could not be read) and
    :class:`~pcc_router.routing.ConfigError` (what it holds does not make a project).
    """
    config = await client.fetch()
    changed = await controller.submit(handlers.config_unit(controller, lambda db: save(db, config)))
    return config, changed


def save(db: Session, config: PccConfig) -> None:
    """Upsert ``config`` into the store; the project it makes is checked before commit."""
    user_of = {a["id"]: a["stringee_user_id"] for a in config.agents}
    for agent in config.agents:
        phone = str(agent.get("phone_number") or "")
        crud.save_pcc_agent(
            db,
            agent_id=agent["stringee_user_id"],
            pcc_id=agent["id"],
            name=agent.get("name") or "",
            manual_status=agent.get("manual_status") or "",
            routing_type=int(agent.get("routing_type") or 1),
            phone_number=normal_number(phone) if is_phone_number(phone) else "",
        )
    for group in config.groups:
        listed = config.members[group["id"]]
        users = [user_of[m["agent_id"]] for m in listed if m["agent_id"] in user_of]
        repo.save_group(db, GroupSpec(id=group["id"], agents=tuple(users)))
    # a queue with no group routed to it cannot ring anyone: left out, with its numbers
    routed = [q for q in config.queues if config.routings[q["id"]]]
    group_ids = {g["id"] for g in config.groups}
    queue_ids = {q["id"] for q in routed}
    for queue in routed:
        fields = Fields(
            queue_fields(queue, config.routings[queue["id"]]), f"PCC queue {queue['id']}"
        )
        repo.save_queue(db, read_queue(fields, group_ids=group_ids, queue_ids=queue_ids))
    for number in config.numbers:
        if number.get("queue_id") in queue_ids and not number.get("enable_ivr"):
            entry = NumberSpec(number=number["number"], queue_id=QueueId(number["queue_id"]))
            repo.save_number(db, entry)
    db.flush()
    repo.load_project(db, now=0.0).check()
