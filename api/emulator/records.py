"""The emulated PCC project's configuration, as PCC's REST API shows it.

PCC keeps agents, groups, group members, queues, group routings and numbers
as separate resources with opaque ids (``AG_…``, ``GR_RO_…``); the engine
routes a :class:`~pcc_router.routing.Project`. :class:`PccRecords` holds the
former and makes the latter (:meth:`PccRecords.project`), through the core's
project codec, so both always agree. Groups and queues loaded from a scenario
keep the scenario's ids (a controller synced from the emulator then names
them as the scenario does); agents get PCC-style ids.

As in PCC, a queue exists before any group is routed to it; the engine only
sees queues with at least one group (and numbers that reach one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pcc_router.routing import AgentId, Channel, ConfigError, Project
from pcc_router.routing.fields import Fields, FormatError
from pcc_router.routing.projects import (
    number_to_dict,
    project_from_dict,
    queue_to_dict,
)

__all__ = ["PccRecords", "RestError", "pcc_id"]

#: Queue fields in the project format that the emulator takes beyond PCC's own.
QUEUE_FIELDS = (
    "wait_agent_answer_timeout",
    "agent_wrap_up_after_calls",
    "wrap_up_time_limit",
    "maximum_queue_wait_time",
    "maximum_queue_size",
    "get_list_agents_url",
    "strategy",
    "max_no_answer",
    "overflow",
    "cond_routing",
)


class RestError(Exception):
    """A request PCC would refuse: HTTP ``status``, PCC's ``r`` code and a message."""

    def __init__(self, status: int, r: int, message: str) -> None:
        super().__init__(message)
        self.status, self.r, self.message = status, r, message


def not_found(kind: str, ident: str) -> RestError:
    return RestError(404, 3, f"{kind} {ident!r} not found")


def pcc_id(prefix: str, *parts: str) -> str:
    """A PCC-looking id (``AG_3KZ…``), the same for the same parts every run."""
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest().upper()
    return f"{prefix}_{digest[:16]}"


@dataclass
class PccRecords:
    """Every configuration resource of one emulated project, by PCC id."""

    project_id: int = 1
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    online: dict[AgentId, frozenset[Channel]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: list[tuple[str, str]] = field(default_factory=list)  # (group id, agent id)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    routings: dict[str, dict[str, Any]] = field(default_factory=dict)
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: SIP phone accounts (Stringee's call API), by username: never the password itself.
    sipphones: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(
        default_factory=lambda: {
            "event_url": "",
            "get_customer_info_url": "",
            "get_customer_info_timeout": 2000,
            "callout_answer_url": "",
        }
    )
    serial: int = 0  # ids made so far (ids of new resources never repeat)

    # ------------------------------------------------------------ loading

    @classmethod
    def of(cls, project: Project, *, project_id: int = 1) -> PccRecords:
        """The records of a scenario's project, ids kept where PCC would let them be."""
        records = cls(project_id=project_id)
        for agent in project.agents:
            ident = pcc_id("AG", agent.stringee_user_id)
            records.agents[ident] = records._stamp(
                {
                    "id": ident,
                    "name": agent.name or agent.stringee_user_id,
                    "stringee_user_id": agent.stringee_user_id,
                    "manual_status": agent.manual_status,
                    "routing_type": int(agent.routing_type),
                    "phone_number": agent.phone_number,
                }
            )
            records.online[agent.stringee_user_id] = agent.online
        for group in project.groups:
            records.groups[group.id] = records._stamp({"id": group.id, "name": group.id})
            records.members += [(group.id, pcc_id("AG", a)) for a in group.agents]
        for queue in project.queues:
            fields = queue_to_dict(queue)
            routes = fields.pop("groups")
            records.queues[queue.id] = records._stamp({**fields, "name": queue.id})
            for route in routes:
                ident = pcc_id("GR_RO", queue.id, route["group"])
                records.routings[ident] = records._stamp(
                    {
                        "id": ident,
                        "queue_id": queue.id,
                        "group_id": route["group"],
                        "primary_group": int(route["primary"]),
                    }
                )
        for number in project.numbers:
            ident = pcc_id("NU", number.number)
            body = number_to_dict(number)
            records.numbers[ident] = records._stamp(
                {
                    "id": ident,
                    "number": number.number,
                    "nickname": number.number,
                    "queue_id": number.queue_id,
                    "enable_ivr": int(bool(number.menu)),
                    "ivr_menu": pcc_id("TR", number.number) if number.menu else None,
                    "ivr": body.get("ivr"),
                    "keypress_timeout": number.keypress_timeout,
                }
            )
        records.project()  # a scenario's project is whole already: this only confirms it
        return records

    def _stamp(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "account": f"AC_{self.project_id}", "project": self.project_id}

    def new_id(self, prefix: str, name: str) -> str:
        self.serial += 1
        return pcc_id(prefix, name, str(self.serial))

    # ------------------------------------------------------------- reads

    def agent_by_user(self, user_id: str) -> dict[str, Any] | None:
        return next((a for a in self.agents.values() if a["stringee_user_id"] == user_id), None)

    def user_of(self, agent_id: str) -> AgentId:
        return AgentId(self.agents[agent_id]["stringee_user_id"])

    def project(self) -> Project:
        """The project the engine routes; :class:`RestError` if these records do not make one."""
        groups = [
            {
                "id": gid,
                "agents": [self.agents[a]["stringee_user_id"] for g, a in self.members if g == gid],
            }
            for gid in self.groups
        ]
        queues = []
        for qid, queue in self.queues.items():
            routes = [r for r in self.routings.values() if r["queue_id"] == qid]
            if routes:
                fields = {k: queue[k] for k in QUEUE_FIELDS if queue.get(k) is not None}
                groups_of = [
                    {"group": r["group_id"], "primary": bool(r["primary_group"])} for r in routes
                ]
                queues.append({"id": qid, "groups": groups_of, **fields})
        routed = {q["id"] for q in queues}
        numbers = []
        for number in self.numbers.values():
            if number.get("enable_ivr") and number.get("ivr"):
                numbers.append(
                    {
                        "number": number["number"],
                        "ivr": number["ivr"],
                        "keypress_timeout": number.get("keypress_timeout", 5.0),
                    }
                )
            elif number.get("queue_id") in routed:
                numbers.append({"number": number["number"], "queue_id": number["queue_id"]})
        data = {
            "agents": [self._agent_entry(a) for a in self.agents.values()],
            "groups": groups,
            "queues": queues,
            "numbers": numbers,
        }
        try:
            return project_from_dict(data)
        except FormatError as exc:
            raise RestError(400, 1, exc.msg) from None
        except ConfigError as exc:
            raise RestError(409, 4, exc.msg) from None

    def _agent_entry(self, agent: dict[str, Any]) -> dict[str, Any]:
        user = AgentId(agent["stringee_user_id"])
        return {
            "stringee_user_id": user,
            "name": agent["name"],
            "manual_status": agent["manual_status"],
            "routing_type": agent["routing_type"],
            "phone_number": agent["phone_number"],
            "online": sorted(str(c) for c in self.online.get(user, frozenset())),
        }


def queue_fields(body: dict[str, Any], where: str) -> dict[str, Any]:
    """The queue fields of a PCC body, read (and checked) as the project format reads them."""
    values = {key: body[key] for key in QUEUE_FIELDS if key in body}
    if "agent_wrap_up_after_calls" in values and values["agent_wrap_up_after_calls"] in (0, 1):
        values["agent_wrap_up_after_calls"] = bool(values["agent_wrap_up_after_calls"])
    probe = Fields({"id": "probe", "groups": [{"group": "probe"}], **values}, where)
    from pcc_router.routing.projects import read_queue

    try:
        read_queue(probe, group_ids=None, queue_ids=None)
    except FormatError as exc:
        raise RestError(400, 1, exc.msg) from None
    return values
