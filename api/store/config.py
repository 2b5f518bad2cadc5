"""PCC configuration to and from the store's JSON documents (scenario field names, seconds)."""

from __future__ import annotations

import json
from typing import Any

from pcc_router.routing import (
    Action,
    ConfigError,
    GroupId,
    GroupRoute,
    NumberSpec,
    QueueId,
    QueueSpec,
    Strategy,
)

__all__ = ["number_from_json", "number_to_json", "queue_from_json", "queue_to_json"]


def queue_to_json(queue: QueueSpec) -> str:
    body: dict[str, Any] = {
        "groups": [{"group": r.group, "primary": r.primary} for r in queue.groups],
        "strategy": str(queue.strategy),
        "wait_agent_answer_timeout": queue.wait_agent_answer_timeout,
        "agent_wrap_up_after_calls": queue.agent_wrap_up_after_calls,
        "wrap_up_time_limit": queue.wrap_up_time_limit,
        "maximum_queue_wait_time": queue.maximum_queue_wait_time,
        "maximum_queue_size": queue.maximum_queue_size,
        "overflow": str(queue.overflow) if queue.overflow else None,
        "max_no_answer": queue.max_no_answer,
    }
    return json.dumps(body)


def queue_from_json(queue_id: str, text: str) -> QueueSpec:
    body = json.loads(text)
    try:
        return QueueSpec(
            id=QueueId(queue_id),
            groups=tuple(
                GroupRoute(group=GroupId(g["group"]), primary=bool(g.get("primary", True)))
                for g in body["groups"]
            ),
            strategy=Strategy(body.get("strategy", "longest_idle")),
            wait_agent_answer_timeout=float(body.get("wait_agent_answer_timeout", 15.0)),
            agent_wrap_up_after_calls=bool(body.get("agent_wrap_up_after_calls", True)),
            wrap_up_time_limit=float(body.get("wrap_up_time_limit", 10.0)),
            maximum_queue_wait_time=body.get("maximum_queue_wait_time"),
            maximum_queue_size=body.get("maximum_queue_size"),
            overflow=Action.parse(body["overflow"]) if body.get("overflow") else None,
            max_no_answer=int(body.get("max_no_answer", 0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"queue {queue_id!r} in the store is malformed: {exc}") from None


def number_to_json(number: NumberSpec) -> str:
    body: dict[str, Any] = {"keypress_timeout": number.keypress_timeout}
    if number.queue_id is not None:
        body["queue_id"] = number.queue_id
    else:
        body["ivr"] = {key: str(action) for key, action in number.menu.items()}
    return json.dumps(body)


def number_from_json(number: str, text: str) -> NumberSpec:
    body = json.loads(text)
    menu = {key: Action.parse(action) for key, action in body.get("ivr", {}).items()}
    queue_id = body.get("queue_id")
    if queue_id is None and not menu:
        raise ConfigError(f"number {number!r} in the store has neither queue_id nor ivr")
    return NumberSpec(
        number=number,
        queue_id=QueueId(queue_id) if queue_id else None,
        menu=menu,
        keypress_timeout=float(body.get("keypress_timeout", 5.0)),
    )
