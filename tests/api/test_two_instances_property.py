"""Two instances on one store, any interleaving of inputs, reads and restarts: one truth.

Hypothesis drives two controllers (and restarts of either) with PCC's
decisions, answers, ends, presence changes, reads that fire due timers, and
time passing. After every decision: its first agent is not reserved for, or
talking on, another call. At the end: both instances, and a third made fresh
from the store, see every agent the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcc_router.api.controller.core import Controller
from pcc_router.api.store import repo
from pcc_router.routing import Channel
from tests.api import inline, support
from tests.api.support import call_event, seeded_store

RING = 15.0  # the hotline's wait_agent_answer_timeout

Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["decide", "decide", "answer", "end", "presence", "advance", "read", "restart"]
        ),
        st.integers(0, 1),
        st.integers(0, 7),
    ),
    min_size=5,
    max_size=40,
)


class World:
    """The store, two instances on it, and what PCC has been told."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.start = support.EPOCH_MS / 1000
        self.now = self.start
        seeded_store(url).close()
        self.instances = [self._instance(), self._instance()]
        self.calls = 0
        self.reserved: dict[str, tuple[str, float]] = {}  # agent: (call, until)
        self.offered: dict[str, str] = {}  # call: its first agent, not answered yet
        self.talking: dict[str, str] = {}  # call: agent
        self.alice_on_app = True

    def _instance(self) -> Controller:
        return Controller(store=repo.Store(self.url), clock=lambda: self.now)

    def _ts(self) -> int:
        return int((self.now - self.start) * 1000)

    def step(self, action: str, which: int, pick: int) -> None:
        ctl = self.instances[which]
        if action == "decide":
            self._decide(ctl)
        elif action == "answer" and self.offered:
            call = sorted(self.offered)[pick % len(self.offered)]
            agent = self.offered.pop(call)
            self.reserved.pop(agent, None)
            inline.pcc_event(ctl, call_event(call, "answered", self._ts(), agent))
            self.talking[call] = agent
        elif action == "end" and self.talking:
            call = sorted(self.talking)[pick % len(self.talking)]
            agent = self.talking.pop(call)
            inline.pcc_event(ctl, call_event(call, "ended", self._ts(), agent))
        elif action == "presence":
            self.alice_on_app = not self.alice_on_app
            inline.presence(ctl, "alice", Channel.APP, self.alice_on_app)
        elif action == "advance":
            self.now += (1.0, 5.0, 16.0, 30.0)[pick % 4]
        elif action == "read":
            inline.catch_up(ctl)
        elif action == "restart":
            self.instances[which] = self._instance()

    def _decide(self, ctl: Controller) -> None:
        self.calls += 1
        call = f"c{self.calls}"
        order = inline.decide(ctl, [call], "support", {})[call]
        if not order:
            return
        first = order[0]
        held = self.reserved.get(first)
        assert held is None or held[1] <= self.now, f"{first} offered first for {call} and {held}"
        assert first not in self.talking.values(), f"{first} is talking, offered for {call}"
        self.reserved[first] = (call, self.now + RING)
        self.offered[call] = first

    def views(self, ctl: Controller) -> list[tuple[str, str, bool]]:
        engine = ctl.engine
        out: list[tuple[str, str, bool]] = []
        for agent in sorted(engine.agent_ids()):
            view = engine.agent_view(agent, self.now)
            out.append((agent, view.activity, view.verdict.routable))
        return out


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_two_instances_any_interleaving_one_truth(
    tmp_path_factory: pytest.TempPathFactory, plan: list[Step]
) -> None:
    folder: Path = tmp_path_factory.mktemp("two")
    world = World(f"sqlite:///{folder / 'two.db'}")
    for action, which, pick in plan:
        world.step(action, which, pick)
    for ctl in world.instances:
        inline.catch_up(ctl)
    for ctl in world.instances:  # the second may have fired timers the first then applies
        inline.catch_up(ctl)
    fresh = world._instance()
    expected = world.views(fresh)
    assert [world.views(ctl) for ctl in world.instances] == [expected, expected]
