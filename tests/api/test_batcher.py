"""Group commit: events arriving together share one transaction, answered in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pcc_router.api.controller.batcher import EventBatcher
from pcc_router.api.controller.core import Controller
from tests.api.support import call_event, seeded_store


@pytest.fixture
def controller(tmp_path: Path) -> Controller:
    return Controller(store=seeded_store(f"sqlite:///{tmp_path / 's.db'}"))


async def test_events_that_arrive_together_share_a_commit(controller: Controller) -> None:
    batcher = EventBatcher(controller, max_batch=4)
    submitted = [
        call_event("c1", "created", 1),
        call_event("c1", "answered", 2),
        call_event("c1", "answered", 2),
        call_event("c2", "created", 3),
        call_event("c1", "ringing", 1),
        call_event("c1", "ended", 9),
    ]
    outcomes = await asyncio.gather(*(batcher.submit(e) for e in submitted))
    assert outcomes == ["applied", "applied", "duplicate", "applied", "stale", "applied"]
    assert batcher.batches == [4, 2]
    assert [r.code for r in controller.engine.verdict("alice", 0.0).reasons] == ["wrap_up"]


async def test_a_failed_commit_fails_every_request_of_the_batch(controller: Controller) -> None:
    batcher = EventBatcher(controller)
    # make the store unusable: drop the event log table underneath the controller
    with controller.store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE event_log")
    results = await asyncio.gather(
        batcher.submit(call_event("c9", "created", 1)),
        batcher.submit(call_event("c9", "ringing", 2)),
        return_exceptions=True,
    )
    assert all(isinstance(r, Exception) for r in results)
