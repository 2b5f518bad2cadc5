"""Pools keep routable agents in ring order for each strategy."""

from __future__ import annotations

import random
from collections import Counter

from pcc_router.routing import AgentId, Strategy
from pcc_router.routing.selection import Pool
from pcc_router.routing.state import AgentState
from tests.helpers import agent


def state(
    agent_id: str, *, idle_since: float = 0.0, handled: int = 0, talk: float = 0.0
) -> AgentState:
    a = AgentState(agent(agent_id, "app"), start=0.0)
    a.idle_since, a.handled, a.talk_time = idle_since, handled, talk
    return a


def pool_of(strategy: Strategy, agents: list[AgentState]) -> Pool:
    pool = Pool(strategy)
    for pos, a in enumerate(agents):
        pool.add(a, pos)
    return pool


RNG = random.Random(0)


def test_longest_idle_orders_by_idle_since_then_position() -> None:
    pool = pool_of(
        Strategy.LONGEST_IDLE,
        [state("a", idle_since=50), state("b", idle_since=10), state("c", idle_since=10)],
    )
    assert pool.order() == ["b", "c", "a"]
    assert pool.choose({}, rr_last=-1, rng=RNG) == ["b"]


def test_fewest_calls_and_least_talk_time() -> None:
    fewest = pool_of(Strategy.FEWEST_CALLS, [state("a", handled=3), state("b", handled=1)])
    assert fewest.order() == ["b", "a"]
    least = pool_of(Strategy.LEAST_TALK_TIME, [state("a", talk=10.0), state("b", talk=99.0)])
    assert least.order() == ["a", "b"]


def test_round_robin_starts_after_the_last_position_and_wraps() -> None:
    pool = pool_of(Strategy.ROUND_ROBIN, [state("a"), state("b"), state("c")])
    assert pool.order(rr_last=0) == ["b", "c", "a"]
    assert pool.choose({}, rr_last=2, rng=RNG) == ["a"]
    pool.remove(AgentId("b"))
    assert pool.choose({}, rr_last=0, rng=RNG) == ["c"]


def test_ring_all_returns_everyone_and_retries_prefer_the_untried() -> None:
    pool = pool_of(Strategy.RING_ALL, [state("a"), state("b"), state("c")])
    assert pool.choose({}, rr_last=-1, rng=RNG) == ["a", "b", "c"]
    assert pool.choose({AgentId("a"): 1}, rr_last=-1, rng=RNG) == ["b", "c"]
    tries = {AgentId("a"): 2, AgentId("b"): 1, AgentId("c"): 1}
    assert pool.choose(tries, rr_last=-1, rng=RNG) == ["b", "c"]


def test_top_down_retry_skips_agents_tried_more_often() -> None:
    pool = pool_of(Strategy.TOP_DOWN, [state("a"), state("b")])
    assert pool.choose({AgentId("a"): 1}, rr_last=-1, rng=RNG) == ["b"]
    assert pool.choose({AgentId("a"): 1, AgentId("b"): 1}, rr_last=-1, rng=RNG) == ["a"]


def test_random_is_seeded_and_roughly_uniform() -> None:
    agents = [state(f"a{i}") for i in range(4)]
    pool = pool_of(Strategy.RANDOM, agents)
    draws = random.Random(42)
    counts = Counter(pool.choose({}, rr_last=-1, rng=draws)[0] for _ in range(4000))
    # 1000 expected each; 4 sigma of a binomial(4000, 1/4) is about 110
    assert all(abs(n - 1000) < 110 for n in counts.values()) and len(counts) == 4
    first, second = random.Random(7), random.Random(7)
    assert [pool.choose({}, rr_last=-1, rng=first) for _ in range(20)] == [
        pool.choose({}, rr_last=-1, rng=second) for _ in range(20)
    ]


def test_remove_and_membership() -> None:
    pool = pool_of(Strategy.LONGEST_IDLE, [state("a"), state("b")])
    pool.remove(AgentId("a"))
    pool.remove(AgentId("zz"))  # absent: nothing happens
    assert "a" not in pool and "b" in pool and len(pool) == 1


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
