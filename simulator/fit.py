"""Whether a scenario has the shape queueing theory models, and that model if so.

Erlang C/A describe one queue fed by Poisson arrivals at a constant rate,
exponential talk, exponential patience (or none), agents who pick up at once
and go straight back to routable, no limits, no menus that delay a call. The
check names the first thing in the file that breaks that shape.
"""

from __future__ import annotations

import random

from pcc_router.routing import Engine
from pcc_router.simulator.arrivals import Exponential, Poisson
from pcc_router.simulator.scenario import Scenario
from pcc_router.simulator.scenario.schema import ScenarioError
from pcc_router.simulator.theory import QueueModel

__all__ = ["queue_model"]


def _fail(where: str, why: str) -> ScenarioError:
    return ScenarioError(where, f"queueing theory does not apply: {why}")


def queue_model(scenario: Scenario) -> QueueModel:
    """The Erlang C/A model of the scenario, or :class:`ScenarioError` saying what does not fit."""
    project = scenario.project
    if len(project.queues) != 1:
        raise _fail("queues", f"needs exactly one queue, found {len(project.queues)}")
    if scenario.calls or scenario.events:
        raise _fail("calls" if scenario.calls else "events", "no scripted calls or timeline")
    if len(scenario.traffic) != 1:
        raise _fail("traffic", "needs exactly one [[traffic]] stream")
    queue, traffic = project.queues[0], scenario.traffic[0]
    if not isinstance(traffic.arrivals, Poisson):
        raise _fail("traffic[0].arrivals", "needs Poisson arrivals at a constant per_hour rate")
    if not isinstance(traffic.talk, Exponential):
        raise _fail("traffic[0].talk", "needs exponential talk")
    if traffic.patience is not None and not isinstance(traffic.patience, Exponential):
        raise _fail("traffic[0].patience", "needs exponential patience, or none")
    if scenario.queue_of(traffic) is None:
        raise _fail("traffic[0].keys", "the keys must take the call straight to the queue")
    if queue.wrap_up > 0:
        raise _fail("queues[0].wrap_up_time_limit", "needs no wrap-up")
    if queue.maximum_queue_size is not None or queue.maximum_queue_wait_time is not None:
        raise _fail("queues[0]", "needs no maximum_queue_size or maximum_queue_wait_time")
    agents = _ready_agents(scenario)
    patience = traffic.patience.mean if traffic.patience is not None else None
    return QueueModel(
        arrival_rate=traffic.arrivals.per_hour / 3600,
        mean_talk=traffic.talk.mean,
        agents=agents,
        mean_patience=patience,
    )


def _ready_agents(scenario: Scenario) -> int:
    """The N of the model: the queue's agents the engine itself would ring at the start
    (its verdict, for this queue: ``cond_routing`` included), each picking up at once."""
    queue_id = scenario.project.queues[0].id
    engine = Engine(scenario.project, rng=random.Random(scenario.seed))
    count = 0
    for agent_id in engine.members(queue_id):
        if not engine.verdict(agent_id, 0.0, queue_id).routable:
            continue  # never routable: not one of the N
        behaviour = scenario.behaviours[agent_id]
        if behaviour.answer_after > 0 or behaviour.answer_prob < 1:
            raise _fail(f"agents.{agent_id}", "needs answer_after = 0, answer_prob = 1")
        count += 1
    if count == 0:
        raise _fail("agents", "no agent of the queue is ever routable")
    return count
