"""The benchmark model in SimPy 4.1: M/M/c+M, callers leave if not served in time."""

from __future__ import annotations

import json
import random
import sys

import simpy


def caller(env, agents, rng, stats, talk_mean, patience_mean):
    arrived = env.now
    patience = rng.expovariate(1 / patience_mean)
    with agents.request() as request:
        outcome = yield request | env.timeout(patience)
        if request not in outcome:
            stats["abandoned"] += 1
            return
        stats["answered"] += 1
        stats["wait"] += env.now - arrived
        yield env.timeout(rng.expovariate(1 / talk_mean))


def source(env, agents, rng, stats, *, calls, rate, talk_mean, patience_mean):
    for _ in range(calls):
        yield env.timeout(rng.expovariate(rate))
        env.process(caller(env, agents, rng, stats, talk_mean, patience_mean))


def main() -> None:
    calls, agents_n = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(1)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=agents_n)
    stats = {"answered": 0, "abandoned": 0, "wait": 0.0}
    env.process(source(env, agents, rng, stats, calls=calls, rate=2.0, talk_mean=60.0,
                       patience_mean=120.0))  # fmt: skip
    env.run()
    stats["asa"] = stats["wait"] / max(stats["answered"], 1)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
