"""PCC's clock off: no timestamp pins an agent or strands one, and none is refused.

An event stamped ahead of this clock, or further back than PCC_MAX_CLOCK_SKEW,
is taken at receive time; an ``ended`` stamped before its call's newest event
is taken in the call's order. Each adjustment is logged (throttled), counted
and kept on the call's history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pcc_router.api.controller.core import Controller
from pcc_router.api.controller.timestamps import believed
from pcc_router.api.store import repo
from pcc_router.api.store.tables import EventRow
from tests.api import inline, support
from tests.api.support import call_event, seeded_store, stringee_event

HOUR_MS = 3600 * 1000


def _controller(tmp_path: Path) -> tuple[Controller, list[float]]:
    """A controller whose wall clock and steady clock are both ``now[0]``, at EPOCH_MS."""
    store = seeded_store(f"sqlite:///{tmp_path / 'clock.db'}")
    now = [support.EPOCH_MS / 1000]
    return Controller(store=store, clock=lambda: now[0], wall=lambda: now[0]), now


def _state(controller: Controller, agent: str = "alice") -> str:
    return controller.engine.agent_view(agent, controller.clock()).activity


def test_an_ended_beyond_the_window_frees_the_agent_it_answered(tmp_path: Path) -> None:
    """The issue's edge: answered at -59 min (in the window), ended at -61 min (outside)."""
    controller, _ = _controller(tmp_path)
    assert inline.pcc_event(controller, call_event("c1", "answered", -59 * 60_000)) == "applied"
    assert _state(controller) == "talking"
    assert inline.pcc_event(controller, call_event("c1", "ended", -61 * 60_000)) == "applied"
    assert _state(controller) == "wrap_up"


def test_an_ended_stamped_before_its_answered_still_frees(tmp_path: Path) -> None:
    controller, _ = _controller(tmp_path)
    inline.pcc_event(controller, call_event("c1", "answered", 0))
    assert inline.pcc_event(controller, call_event("c1", "ended", -5_000)) == "applied"
    assert _state(controller) == "wrap_up"
    key = f"c1|ended|{support.EPOCH_MS - 5_000}"
    with controller.store.session() as session:
        ended = session.exec(repo.select(EventRow).where(EventRow.key == key)).one()
    assert ended.adjusted is not None and "call's order" in ended.adjusted


def test_a_ringing_older_than_the_answer_is_still_a_late_delivery(tmp_path: Path) -> None:
    controller, _ = _controller(tmp_path)
    inline.pcc_event(controller, call_event("c1", "answered", 0))
    assert inline.pcc_event(controller, call_event("c1", "ringing", -5_000)) == "stale"
    assert _state(controller) == "talking"


def test_an_answer_stamped_ahead_does_not_pin_her_next_call(tmp_path: Path) -> None:
    """+50 min (inside the old window): taken at receive time, so her next real call,
    answered and ended, is her current one and frees her."""
    controller, now = _controller(tmp_path)
    inline.pcc_event(controller, call_event("skewed", "answered", 50 * 60_000))
    now[0] += 30
    inline.pcc_event(controller, call_event("real", "answered", 30_000))
    now[0] += 60
    inline.pcc_event(controller, call_event("real", "ended", 90_000))
    assert _state(controller) == "wrap_up"


def test_a_timestamp_older_than_anything_kept_changes_nothing(tmp_path: Path) -> None:
    """Older than EVENT_LOG_RETENTION, for a call the store does not hold: it cannot be told
    from a redelivery of a call pruned since, so it is stale; the agent is not pinned."""
    controller, _ = _controller(tmp_path)
    old = int(datetime(1990, 1, 1, tzinfo=UTC).timestamp() * 1000) - support.EPOCH_MS
    assert inline.pcc_event(controller, call_event("old", "answered", old)) == "stale"
    assert _state(controller) == "idle"


def test_a_timestamp_ahead_is_applied_at_receive_time_and_says_so(tmp_path: Path) -> None:
    controller, _ = _controller(tmp_path)
    far = int(datetime(3000, 1, 1, tzinfo=UTC).timestamp() * 1000) - support.EPOCH_MS
    assert inline.pcc_event(controller, call_event("far", "answered", far)) == "applied"
    assert _state(controller) == "talking"
    assert inline.pcc_event(controller, call_event("far", "ended", far + 1000)) == "applied"
    assert _state(controller) == "wrap_up"  # the wrap-up started now, not in year 3000
    view = controller.engine.agent_view("alice", controller.clock())
    assert view.until is not None and view.until <= controller.clock() + 60


def test_believed_keeps_good_times_and_says_why_it_changes_others() -> None:
    wall = 1_800_000_000.0
    ms = int(wall * 1000)
    good = believed(ms - 500, wall=wall, skew=3600, last_ts_ms=None, frees=False)
    assert good is not None and good.ts_ms == ms - 500 and good.adjusted is None
    ahead = believed(ms + HOUR_MS, wall=wall, skew=3600, last_ts_ms=None, frees=False)
    assert ahead is not None and ahead.ts_ms == ms and "ahead" in (ahead.adjusted or "")
    old = believed(ms - 2 * HOUR_MS, wall=wall, skew=3600, last_ts_ms=None, frees=False)
    assert old is not None and old.ts_ms == ms and "PCC_MAX_CLOCK_SKEW" in (old.adjusted or "")
    assert believed(ms - 10, wall=wall, skew=3600, last_ts_ms=ms - 5, frees=False) is None
    clamped = believed(ms - 10, wall=wall, skew=3600, last_ts_ms=ms - 5, frees=True)
    assert clamped is not None and clamped.ts_ms == ms - 5
    slightly = believed(ms + 1500, wall=wall, skew=3600, last_ts_ms=None, frees=False)
    assert slightly is not None and slightly.ts_ms == ms and slightly.adjusted is None


async def test_over_http_never_refused_counted_logged_once_and_shown_on_the_call(
    client: Any, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    far = int(datetime(3000, 1, 1, tzinfo=UTC).timestamp() * 1000) - support.EPOCH_MS
    for n in range(5):
        body = stringee_event("answered", f"far{n}", far)
        response = await client.post("/pcc/events", json=body)
        assert response.status == 200 and (await response.json())["message"] == "applied"
    metrics = (await (await client.get("/metrics")).text()).splitlines()
    assert "pcc_event_timestamps_adjusted_total 5.0" in metrics
    lines = [r for r in caplog.records if "taken at receive time" in r.getMessage()]
    assert 1 <= len(lines) <= 2  # once a second at most, with a count
    call = await (await client.get("/v1/calls/far0", headers=auth)).json()
    assert "ahead of this controller's clock" in call["history"][0]["adjusted"]
