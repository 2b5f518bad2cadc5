"""Pools keep routable agents in ring order for each strategy."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from pcc_router.routing import AgentId, Strategy
from pcc_router.routing.selection import Pool, Ranked, new_pool
from pcc_router.routing.state import AgentState
from tests.helpers import agent


def state(
    agent_id: str, *, idle_since: float = 0.0, handled: int = 0, talk: float = 0.0
) -> AgentState:
    a = AgentState(agent(agent_id, "app"), start=0.0)
    a.idle_since, a.handled, a.talk_time = idle_since, handled, talk
    return a


def pool_of(strategy: Strategy, agents: list[AgentState]) -> tuple[Pool, dict[str, Ranked]]:
    """A pool of the agents in this tie order, and each agent's entry (to remove her by)."""
    pool = new_pool(strategy)
    return pool, {a.id: pool.add(a, pos) for pos, a in enumerate(agents)}


def ids(entries: list[Ranked]) -> list[str]:
    """The agent ids of what :meth:`Pool.choose` gave, checking each entry's agent."""
    assert all(entry[3].id == entry[2] for entry in entries)
    return [entry[2] for entry in entries]


RNG = random.Random(0)


def test_longest_idle_orders_by_idle_since_then_position() -> None:
    pool, _ = pool_of(
        Strategy.LONGEST_IDLE,
        [state("a", idle_since=50), state("b", idle_since=10), state("c", idle_since=10)],
    )
    assert pool.order() == ["b", "c", "a"]
    assert ids(pool.choose({}, rr_last=-1, rng=RNG)) == ["b"]


def test_fewest_calls_and_least_talk_time() -> None:
    fewest, _ = pool_of(Strategy.FEWEST_CALLS, [state("a", handled=3), state("b", handled=1)])
    assert fewest.order() == ["b", "a"]
    least, _ = pool_of(Strategy.LEAST_TALK_TIME, [state("a", talk=10.0), state("b", talk=99.0)])
    assert least.order() == ["a", "b"]


def test_round_robin_starts_after_the_last_position_and_wraps() -> None:
    pool, entries = pool_of(Strategy.ROUND_ROBIN, [state("a"), state("b"), state("c")])
    assert pool.order(rr_last=0) == ["b", "c", "a"]
    assert ids(pool.choose({}, rr_last=2, rng=RNG)) == ["a"]
    pool.remove(entries["b"])
    assert ids(pool.choose({}, rr_last=0, rng=RNG)) == ["c"]


def test_ring_all_returns_everyone_and_retries_prefer_the_untried() -> None:
    pool, _ = pool_of(Strategy.RING_ALL, [state("a"), state("b"), state("c")])
    assert ids(pool.choose({}, rr_last=-1, rng=RNG)) == ["a", "b", "c"]
    assert ids(pool.choose({AgentId("a"): 1}, rr_last=-1, rng=RNG)) == ["b", "c"]
    tries = {AgentId("a"): 2, AgentId("b"): 1, AgentId("c"): 1}
    assert ids(pool.choose(tries, rr_last=-1, rng=RNG)) == ["b", "c"]


def test_top_down_retry_skips_agents_tried_more_often() -> None:
    pool, _ = pool_of(Strategy.TOP_DOWN, [state("a"), state("b")])
    assert ids(pool.choose({AgentId("a"): 1}, rr_last=-1, rng=RNG)) == ["b"]
    assert ids(pool.choose({AgentId("a"): 1, AgentId("b"): 1}, rr_last=-1, rng=RNG)) == ["a"]


def test_random_is_seeded_and_roughly_uniform() -> None:
    agents = [state(f"a{i}") for i in range(4)]
    pool, _ = pool_of(Strategy.RANDOM, agents)
    draws = random.Random(42)
    counts = Counter(ids(pool.choose({}, rr_last=-1, rng=draws))[0] for _ in range(4000))
    # 1000 expected each; 4 sigma of a binomial(4000, 1/4) is about 110
    assert all(abs(n - 1000) < 110 for n in counts.values()) and len(counts) == 4
    first, second = random.Random(7), random.Random(7)
    assert [ids(pool.choose({}, rr_last=-1, rng=first)) for _ in range(20)] == [
        ids(pool.choose({}, rr_last=-1, rng=second)) for _ in range(20)
    ]


def test_an_entry_carries_the_agent_and_removes_her() -> None:
    a, b, c = state("a", idle_since=5.0), state("b", idle_since=1.0), state("c", idle_since=9.0)
    pool, entries = pool_of(Strategy.LONGEST_IDLE, [a, b, c])
    assert entries["a"] == (5.0, 0, "a", a) and entries["a"][3] is a
    pool.remove(entries["a"])  # not the front: found by a search
    assert pool.order() == ["b", "c"] and len(pool) == 2
    pool.remove(entries["b"])  # the front
    assert pool.order() == ["c"] and len(pool) == 1
    assert pool.choose(None, rr_last=-1, rng=RNG)[0][3] is c


def test_random_offers_are_drawn_from_the_requests_seed() -> None:
    """A view gives the tie order; an answer to PCC is a draw, the same for the same seed."""
    from pcc_router.routing import AgentsRequested, CallId, OfferAgents, QueueId
    from tests.helpers import EngineHarness, project

    agents = [agent(f"a{i}", "app") for i in range(4)]

    def offered(seed: int) -> tuple[AgentId, ...]:
        h = EngineHarness(project(agents, strategy=Strategy.RANDOM))
        assert h.engine.ring_order("q") == ["a0", "a1", "a2", "a3"]  # a view: tie order
        request = AgentsRequested(queue_id=QueueId("q"), call_ids=(CallId("c"),), seed=seed)
        [offer] = [c for c in h.feed(request, 0.0) if isinstance(c, OfferAgents)]
        return offer.agents

    draws = {offered(seed) for seed in range(20)}
    assert len(draws) > 1 and all(sorted(d) == ["a0", "a1", "a2", "a3"] for d in draws)
    assert offered(7) == offered(7)


# One step on a pool: ("add", agent index, strategy value) or ("remove", agent index, _),
# or ("take", _, _): remove whoever the pool would ring first (the engine's usual move).
_Step = tuple[str, int, int]


@settings(max_examples=300, deadline=None)
@given(
    strategy=st.sampled_from(list(Strategy)),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "remove", "take"]),
            st.integers(0, 79),
            st.integers(0, 5),
        ),
        max_size=400,
    ),
    # Below -1: a position read back from a store; the pool must not index from the end.
    rr_last=st.one_of(st.integers(-1, 80), st.integers(-200, -2)),
)
def test_a_pool_always_rings_as_a_plainly_sorted_list_would(
    strategy: Strategy, steps: list[_Step], rr_last: int
) -> None:
    """However agents come and go (the front leaving often, so the dead prefix is
    compacted many times), the pool's order, choice and size are those of the sorted
    list of its agents' keys."""
    pool, reference = new_pool(strategy), {}  # reference: agent id -> (value, pos, id)
    entries: dict[str, Ranked] = {}  # what the pool gave for each agent in it
    for action, index, value in steps:
        agent_id = AgentId(f"a{index:02d}")
        if action == "add" and agent_id not in reference:
            a = state(agent_id, idle_since=value, handled=value, talk=float(value))
            entries[agent_id] = pool.add(a, index)
            key = (0 if strategy in _NO_VALUE else value, index, agent_id)
            reference[agent_id] = key
        elif action == "remove" and agent_id in entries:
            pool.remove(entries.pop(agent_id))
            reference.pop(agent_id)
        elif action == "take" and reference:
            [first] = pool.choose({}, rr_last=-1, rng=random.Random(0))[:1]
            pool.remove(first)
            reference.pop(first[2])
            entries.pop(first[2])
        expected = [key[2] for key in sorted(reference.values())]
        assert len(pool) == len(expected) and bool(pool) is bool(expected)
        if strategy is Strategy.ROUND_ROBIN:
            start = next((i for i, k in enumerate(sorted(reference.values())) if k[1] > rr_last), 0)
            expected = expected[start:] + expected[:start]
        assert pool.order(rr_last) == expected
        if expected:
            chosen = ids(pool.choose({}, rr_last=rr_last, rng=random.Random(value)))
            if strategy is Strategy.RANDOM:  # the draw's place in tie order
                assert chosen == [expected[random.Random(value).randrange(len(expected))]]
            else:
                assert chosen == (expected if strategy is Strategy.RING_ALL else expected[:1])


_NO_VALUE = {Strategy.ROUND_ROBIN, Strategy.RANDOM, Strategy.RING_ALL, Strategy.TOP_DOWN}
