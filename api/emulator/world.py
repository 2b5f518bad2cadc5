"""The emulated PCC's calls: the simulator's engine and kernel, and what PCC says about them.

:class:`World` is the simulator (:class:`~pcc_router.simulator.runner.Simulation`,
with ``ask_lists``: queues with a ``get_list_agents_url`` ask it) plus the
PCC side of every step: each command the engine gives is first executed by
the simulation as in ``pcc-router simulate`` (pick-ups, talk, patience,
KPIs), then turned into what PCC would send out:

- a call arriving: ``created``; an agent rung: ``ringing`` (and, on a call's
  first ring, a fetch of ``get_customer_info_url``); an answer: ``answered``;
  the end of an answered call: ``agentEnded`` then ``ended``; any other end:
  ``ended``. Bodies are Stringee's call events (``from``/``to`` endpoints,
  ``timestamp_ms``, ``request_from_user_id``; on ``ended`` the cause and
  durations). Call ids are PCC's shape, ``call-vn-1-<10 chars>-<epoch ms>``,
  new on every run (a scenario's ``c1`` is still ``c1`` in ``/_emulator/calls``).
- a queue asking for agents: one request per queue per step, listing every
  call it asks for (PCC's ``calls`` array).

Nothing here does I/O or reads a clock: the driver
(:class:`~pcc_router.api.emulator.driver.Emulator`) takes :meth:`World.take`
and sends, and feeds the lists it gets back with :meth:`World.listed`.
(Just over 300 lines: every command's meaning to PCC in one place.)
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass, field, replace
from typing import Any

from pcc_router.api.emulator.records import PccRecords
from pcc_router.routing import (
    AgentId,
    AgentsListed,
    AgentUpdated,
    CallArrived,
    CallId,
    Channel,
    CloseCall,
    Command,
    ConnectCall,
    Engine,
    Event,
    Outcome,
    PresenceChanged,
    Project,
    QueueId,
    RequestAgents,
    RingAgent,
)
from pcc_router.routing.shell import Loop
from pcc_router.simulator.runner import Simulation
from pcc_router.simulator.scenario import PccBehaviour, Scenario, ScriptedCall

__all__ = [
    "AgentChange",
    "Ask",
    "CustomerInfoFetch",
    "Outgoing",
    "PccBehaviour",
    "Webhook",
    "World",
]

_CAUSES = {Outcome.ANSWERED: "NORMAL_CLEARING", Outcome.ABANDONED: "ORIGINATOR_CANCEL"}


@dataclass(frozen=True, slots=True)
class Webhook:
    """A call event for the project's ``event_url``."""

    call_id: str
    status: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ask:
    """A request to a queue's ``get_list_agents_url`` for these calls."""

    queue_id: QueueId
    url: str
    calls: tuple[dict[str, str], ...]  # {"callId", "from", "to"}


@dataclass(frozen=True, slots=True)
class CustomerInfoFetch:
    """PCC's GET of ``get_customer_info_url`` for a call's first ring."""

    call_id: str
    caller: str
    to: str


@dataclass(frozen=True, slots=True)
class AgentChange:
    """An agent's fields or presence changed in the emulated PCC (the scenario's timeline,
    or the REST API). PCC posts no webhook for it; a test harness may pass it on."""

    event: AgentUpdated | PresenceChanged
    at: float


Outgoing = Webhook | Ask | CustomerInfoFetch | AgentChange


@dataclass
class _Call:
    caller: str
    to: str
    created_at: float
    pcc_id: str
    rung: bool = False
    agent: AgentId | None = None
    answered_at: float | None = None


_ID_CHARS = string.ascii_uppercase + string.digits


@dataclass
class World:
    """One emulated PCC project: its calls on the engine, its configuration in ``records``."""

    scenario: Scenario
    records: PccRecords
    #: Epoch seconds at time 0 of the run: ``timestamp_ms`` is ``epoch + now``.
    epoch: float
    #: Where PCC's documents are silent (the scenario's ``[emulator]``, or the command line).
    behaviour: PccBehaviour = field(default_factory=PccBehaviour)
    sim: Simulation = field(init=False)
    _loop: Loop = field(init=False)
    _out: list[Outgoing] = field(default_factory=list)
    _asks: dict[QueueId, list[CallId]] = field(default_factory=dict)
    _calls: dict[CallId, _Call] = field(default_factory=dict)
    _by_pcc_id: dict[str, CallId] = field(default_factory=dict)
    _pcc_ids: dict[CallId, str] = field(default_factory=dict)
    _placed: int = 0

    def __post_init__(self) -> None:
        scenario = replace(self.scenario, project=self.routed(self.scenario.project))
        behaviour = self.behaviour
        self.sim = Simulation(
            scenario,
            keep_calls=True,
            ask_lists=True,
            empty_list=behaviour.empty_list,
            reask_after=behaviour.reask_after,
        )
        self.sim.prime()
        #: The simulation runs the engine's commands; PCC's side reports each one.
        self._loop = Loop(self.sim.engine, self.sim, observe=self._report)
        # Call ids as PCC makes them, different on every run (the epoch is the run's start).
        self._id_rng = random.Random(f"{self.scenario.seed}:{self.epoch}:call-ids")

    def routed(self, project: Project) -> Project:
        """The project as PCC routes it: "coming soon" queue limits left out unless enforced."""
        if self.behaviour.enforce_coming_soon:
            return project
        queues = tuple(
            replace(q, maximum_queue_size=None, maximum_queue_wait_time=None)
            for q in project.queues
        )
        return replace(project, queues=queues)

    def pcc_call_id(self, call_id: str) -> str:
        """The id PCC gave the call the run knows as ``call_id`` (a scenario's ``c1``)."""
        return self._pcc_ids.get(CallId(call_id), call_id)

    def _new_pcc_id(self, now: float) -> str:
        """``call-vn-1-<10 chars>-<epoch ms>``, the shape of PCC's call ids."""
        chars = "".join(self._id_rng.choice(_ID_CHARS) for _ in range(10))
        return f"call-vn-1-{chars}-{round((self.epoch + now) * 1000)}"

    # ------------------------------------------------------------ inputs

    @property
    def now(self) -> float:
        return self.sim.kernel.now

    def next_time(self) -> float | None:
        """When the next input is due (a call, a pick-up, a timer); ``None`` when none is."""
        return self.sim.kernel.peek()

    def step(self) -> bool:
        """Apply the next input; ``False`` when none is left."""
        event = self.sim.next_event()
        if event is None:
            return False
        self.feed(event, self.sim.kernel.now)
        return True

    def feed(self, event: Event, now: float) -> None:
        """One engine turn: the simulation executes the commands, PCC reports them."""
        if isinstance(event, CallArrived):
            pcc_id = self._pcc_ids.get(event.call_id) or self._new_pcc_id(now)
            self._pcc_ids[event.call_id] = pcc_id
            self._by_pcc_id[pcc_id] = event.call_id
            self._calls[event.call_id] = _Call(event.caller, event.to, now, pcc_id)
            self._send(event.call_id, "created", now, self._endpoint(event.to))
        elif isinstance(event, (AgentUpdated, PresenceChanged)):
            self._out.append(AgentChange(event, now))
        self._loop.feed(event, now)
        self._flush_asks()

    def place_call(
        self, *, caller: str, to: str, keys: str, talk: float, patience: float | None, at: float
    ) -> str:
        """A call placed through the API: it arrives at ``at`` (now, in practice); PCC's id
        for it."""
        self._placed += 1
        call_id = f"api-{self._placed}"
        pcc_id = self._pcc_ids[CallId(call_id)] = self._new_pcc_id(at)
        call = ScriptedCall(
            id=call_id, at=at, caller=caller, to=to, keys=keys, talk=talk, patience=patience
        )
        self.sim.add_call(call)
        return pcc_id

    def listed(self, pcc_id: str, agents: list[tuple[str, float]] | None, now: float) -> None:
        """The answer of ``get_list_agents_url`` for a call, by PCC's id (``None``: no usable
        answer)."""
        call_id = self._by_pcc_id.get(pcc_id)
        if call_id is None:
            return  # not a call of this run, or one already over
        if agents is None:
            self.feed(AgentsListed(call_id=call_id, failed=True), now)
            return
        listed = AgentsListed(
            call_id=call_id,
            agents=tuple(AgentId(a) for a, _ in agents),
            answer_timeouts=tuple(t for _, t in agents),
        )
        self.feed(listed, now)

    def update_agent(self, user_id: str, changes: dict[str, Any], now: float) -> None:
        """PCC ``PUT /v1/agent``: the engine hears the fields that route."""
        if not self.sim.engine.has_agent(user_id):
            return  # made since the last configuration: the next one carries her fields
        event = AgentUpdated(
            agent_id=AgentId(user_id),
            manual_status=changes.get("manual_status"),
            routing_type=changes.get("routing_type"),
            phone_number=changes.get("phone_number"),
        )
        self.feed(event, now)

    def reconfigure(self, records: PccRecords) -> None:
        """A new configuration: a new engine carrying every agent's state on.

        Only between calls (the engine cannot move a call in progress to a
        new configuration); the REST layer refuses the change otherwise.
        """
        old = self.sim.engine
        self.sim.engine = Engine(
            self.routed(records.project()),
            rng=self.sim.engine_rng,
            start=self.now,
            snapshot=old.snapshot(),
            ask_lists=True,
            empty_list=self.behaviour.empty_list,
            reask_after=self.behaviour.reask_after,
        )
        self._loop = Loop(self.sim.engine, self.sim, observe=self._report)
        self.records = records

    def set_online(self, agent_id: AgentId, online: frozenset[Channel], now: float) -> None:
        """The agent's presence becomes ``online``: one engine event per channel that changed."""
        before = self.records.online.get(agent_id, frozenset())
        self.records.online[agent_id] = online
        if not self.sim.engine.has_agent(agent_id):
            return  # a new agent: the engine takes her with the next configuration
        for channel in sorted(before ^ online):
            self.feed(
                PresenceChanged(agent_id=agent_id, channel=channel, present=channel in online), now
            )

    def busy(self) -> bool:
        """Whether a call is in progress (configuration changes must wait)."""
        return self.sim.engine.calls_in_progress() > 0

    def take(self) -> list[Outgoing]:
        """What PCC has to send since the last call, in order."""
        out, self._out = self._out, []
        return out

    # -------------------------------------------------------- reporting

    def _report(self, command: Command, now: float) -> None:
        match command:
            case RingAgent(call_id=call_id, agent_id=agent_id):
                call = self._calls.get(call_id)
                if call is not None and not call.rung:
                    call.rung = True
                    self._out.append(CustomerInfoFetch(call.pcc_id, call.caller, call.to))
                self._send(call_id, "ringing", now, self._agent_endpoint(agent_id))
            case ConnectCall(call_id=call_id, agent_id=agent_id):
                call = self._calls.get(call_id)
                if call is not None:
                    call.agent, call.answered_at = agent_id, now
                self._send(call_id, "answered", now, self._agent_endpoint(agent_id))
            case CloseCall(call_id=call_id, outcome=outcome):
                self._ended(call_id, outcome, now)
            case RequestAgents(call_id=call_id, queue_id=queue_id):
                self._asks.setdefault(queue_id, []).append(call_id)
            case _:
                pass  # queueing, timers, statuses: nothing PCC posts

    def _ended(self, call_id: CallId, outcome: Outcome, now: float) -> None:
        call = self._calls.pop(call_id, None)
        if call is None:
            return
        self._by_pcc_id.pop(call.pcc_id, None)
        answered_at = call.answered_at
        extra = {
            "callCreatedReason": "EXTERNAL_CALL_IN",
            "endCallCause": _CAUSES.get(outcome, outcome.value.upper()),
            "endedBy": "EXTERNAL" if outcome in _CAUSES else "INTERNAL",
            "callType": "CALL",
            "duration": math.floor(now - call.created_at),
            "answerDuration": math.floor(now - answered_at) if answered_at is not None else 0,
        }
        if call.agent is not None:
            to = self._agent_endpoint(call.agent)
            self._send(call_id, "agentEnded", now, to, call=call)
            self._send(call_id, "ended", now, to, call=call, extra=extra)
        else:
            self._send(call_id, "ended", now, self._endpoint(call.to), call=call, extra=extra)

    def _flush_asks(self) -> None:
        for queue_id, call_ids in self._asks.items():
            spec = self.sim.engine.queue_spec(queue_id)
            assert spec.get_list_agents_url is not None
            calls = tuple(
                {
                    "callId": self._calls[c].pcc_id,
                    "from": self._calls[c].caller,
                    "to": self._calls[c].to,
                }
                for c in call_ids
                if c in self._calls
            )
            self._out.append(Ask(queue_id, spec.get_list_agents_url, calls))
        self._asks.clear()

    def _send(
        self,
        call_id: CallId,
        status: str,
        now: float,
        to: dict[str, Any],
        *,
        call: _Call | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        call = call or self._calls.get(call_id)
        pcc_id = call.pcc_id if call is not None else call_id
        project = self.records.project_id
        body = {
            "call_status": status,
            "project_id": project,
            "request_from_user_id": "",
            "account_sid": f"AC_{project}",
            "timestamp_ms": round((self.epoch + now) * 1000),
            "from": self._endpoint(call.caller if call else ""),
            "to": to,
            "clientCustomData": "",
            "type": "stringee_call",
            "call_id": pcc_id,
            **(extra or {}),
        }
        self._out.append(Webhook(pcc_id, status, body))

    @staticmethod
    def _endpoint(number: str) -> dict[str, Any]:
        return {"number": number, "alias": number, "is_online": False, "type": "external"}

    def _agent_endpoint(self, agent_id: AgentId) -> dict[str, Any]:
        """``to`` for an agent: her user id on the app or SIP, her phone for routing_type 2."""
        agent = self.records.agent_by_user(agent_id)
        if agent is not None and int(agent["routing_type"]) == 2 and agent["phone_number"]:
            return self._endpoint(agent["phone_number"])
        return {"number": agent_id, "alias": agent_id, "is_online": True, "type": "internal"}
