"""The wallboard's numbers: each queue today and now, each agent's state and how long.

"Today" starts at the controller's local midnight. A call counts for its
queue from the moment PCC first asked whom to ring for it (``queued_at``):
offered, answered (within the target or not), abandoned (closed unanswered),
waiting (open, not answered). Service level is answered within the target
over offered, as the simulator's ``service_level_20s``; ASA is the mean wait
of the calls answered.
"""

from __future__ import annotations

import time

from pcc_router.api.controller.reads import Snapshot
from pcc_router.api.store.crud import QueueDay
from pcc_router.api.views.schemas import Board, BoardAgent, BoardQueue

__all__ = ["TARGET", "build_board", "day_start"]

TARGET = 20.0  # seconds: the service-level target


def day_start(now: float) -> float:
    """Local midnight before ``now`` (epoch seconds)."""
    local = time.localtime(now)
    return now - (local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec) - (now % 1)


def build_board(snapshot: Snapshot, days: dict[str, QueueDay], *, since: float) -> Board:
    now = snapshot.now
    queues = []
    for queue_id in sorted(snapshot.engine.queue_ids()):
        day = days.get(queue_id, QueueDay())
        oldest = day.oldest_queued_at
        queues.append(
            BoardQueue(
                id=queue_id,
                waiting=day.waiting,
                longest_wait=max(0.0, now - oldest) if oldest is not None else None,
                offered=day.offered,
                answered=day.answered,
                abandoned=day.abandoned,
                service_level=day.within_target / day.offered if day.offered else None,
                asa=day.wait_total / day.answered if day.answered else None,
            )
        )
    agents = []
    for view in snapshot.agents():
        state = view.board_state
        reasons = view.verdict.reasons
        agents.append(
            BoardAgent(
                stringee_user_id=view.stringee_user_id,
                name=view.name,
                state=state,
                reason=reasons[0].text if reasons and state != "available" else None,
                since=view.state_since,
                call_id=view.call_id,
                queues=list(snapshot.engine.queues_of(view.stringee_user_id)),
            )
        )
    return Board(r=0, now=now, day_start=since, target=TARGET, queues=queues, agents=agents)
