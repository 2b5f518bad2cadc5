"""The simulator shell: a scenario replayed through the engine on a virtual clock.

The loop is the one every shell of the engine has (:class:`pcc_router.routing.shell.Loop`):
take the next input, ``engine.handle(event, now)``, execute the commands.
Executing here means scheduling: timers go on the kernel's heap; a ring
schedules the agent's pick-up (``answer_after``, with chance
``answer_prob``); an answer schedules the end of the talk; a caller's
patience is a hang-up waiting on the heap.

Chance lives here, not in the engine: every stream (the engine's ``random``
strategy, pick-ups, and per ``[[traffic]]`` its arrivals, talk and patience)
has its own ``random.Random`` seeded from the scenario seed and the stream's
name, so one file and one seed always give the same run.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from pcc_router.routing import (
    AgentAnswered,
    CallArrived,
    CallEnded,
    CallerHungUp,
    CallId,
    CancelRing,
    CancelTimer,
    CloseCall,
    ConnectCall,
    Decision,
    Engine,
    Event,
    ForwardCall,
    HangUp,
    ListFallback,
    OfferAgents,
    QueueCall,
    RequestAgents,
    RingAgent,
    SetManualStatus,
    SetSystemStatus,
    StartTimer,
    TimerFired,
)
from pcc_router.routing.shell import Loop
from pcc_router.routing.timers import TimerKey
from pcc_router.simulator.kernel import PRIORITY_ANSWER, PRIORITY_TIMELINE, Kernel
from pcc_router.simulator.kpis import Recorder
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.scenario import Scenario, ScriptedCall, Traffic

__all__ = ["Simulation", "simulate"]


_PROGRESS_EVERY = 20_000  # events between progress reports
#: With a call id, the kernel key of a caller's patience; an answer's key is
#: ``(call id, agent id)``. Tuples, not formatted text: cheaper, and no id can clash.
_HANG_UP: Final = object()


@dataclass(slots=True)
class _Stream:
    """One ``[[traffic]]`` entry being generated, one arrival ahead."""

    traffic: Traffic
    times: Iterator[float]
    talk_rng: random.Random
    patience_rng: random.Random
    made: int = 0


def traffic_call_id(index: int, n: int) -> CallId:
    """The id of the ``n``-th call of the ``index``-th ``[[traffic]]`` stream (here, in a
    compiled module: it is made once a call)."""
    return CallId(f"t{index + 1}-{n}")


def scripted_arrival(call: ScriptedCall) -> CallArrived:
    return CallArrived(call_id=CallId(call.id), to=call.to, caller=call.caller, keys=call.keys)


class Simulation:
    """One run of a scenario; :meth:`run` returns its :class:`SimResult`."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        keep_calls: bool = True,
        explain: bool = False,
        ask_lists: bool = False,
        empty_list: ListFallback = ListFallback.GROUPS,
        reask_after: float = 2.0,
    ):
        """``ask_lists``: queues with a ``get_list_agents_url`` ask it (the emulator's run);
        ``empty_list`` and ``reask_after``: what they do when it names nobody who can ring."""
        seed = scenario.seed
        self.scenario = scenario
        #: The engine's own generator (the ``random`` strategy), seeded from the scenario.
        self.engine_rng = random.Random(f"{seed}:engine")
        self.engine = Engine(
            scenario.project,
            rng=self.engine_rng,
            explain=explain,
            ask_lists=ask_lists,
            empty_list=empty_list,
            reask_after=reask_after,
            system_status_commands=False,
            track_changes=False,
        )
        #: On the clock: an event, a stream's next arrival (its index) or a timer's key (its
        #: ``TimerFired`` is made only when it really fires; most are cancelled first).
        self.kernel: Kernel[Event | int | TimerKey] = Kernel()
        watched = frozenset(e.target for e in scenario.expects if e.subject == "call")
        self.recorder = Recorder(keep_calls=keep_calls, watched=watched)
        self.decisions: list[Decision] = []
        self._answer_rng = random.Random(f"{seed}:answers")
        #: How each agent picks up (``answer_after``, ``answer_prob``), by agent.
        self.behaviours = dict(scenario.behaviours)
        self._talk: dict[str, float] = {}
        self._patience: dict[str, float | None] = {}
        self._streams = [
            _Stream(
                traffic=t,
                times=t.arrivals.times(random.Random(f"{seed}:arrivals:{t.index}")),
                talk_rng=random.Random(f"{seed}:talk:{t.index}"),
                patience_rng=random.Random(f"{seed}:patience:{t.index}"),
            )
            for t in scenario.traffic
        ]

    def run(self, *, progress: Callable[[float], None] | None = None) -> SimResult:
        """Run to the end; ``progress`` is told the fraction done every few thousand events."""
        kernel = self.kernel
        self.prime()
        feed = Loop(self.engine, self).feed
        next_event = self.next_event
        countdown = _PROGRESS_EVERY
        while (event := next_event()) is not None:
            now = kernel.now
            countdown -= 1
            if not countdown and progress is not None:
                countdown = _PROGRESS_EVERY
                progress(self._fraction_done(now))
            feed(event, now)
        return self.result()

    def result(self) -> SimResult:
        """The run's result as it stands (at the end of :meth:`run`: the whole run's)."""
        end = self.kernel.now
        return SimResult.collect(self, end=end, agents=self.engine.agent_stats(end))

    def prime(self) -> None:
        """Put the scenario's inputs on the clock: its calls, its timeline, each stream's first."""
        for call in self.scenario.calls:
            self.add_call(call)
        for timeline in self.scenario.events:
            self.kernel.schedule(timeline.at, timeline.event, priority=PRIORITY_TIMELINE)
        for index in range(len(self._streams)):
            self._schedule_next_arrival(index)

    def add_call(self, call: ScriptedCall) -> None:
        """A call to arrive at ``call.at`` with its talk time and patience."""
        self._talk[call.id] = call.talk
        self._patience[call.id] = call.patience
        self.kernel.schedule(call.at, scripted_arrival(call))

    def next_event(self) -> Event | None:
        """The next input, the clock moved to its time; ``None`` once nothing is left."""
        item = self.kernel.pop()
        if item is None:
            return None
        event: Event
        if isinstance(item, str):
            event = TimerFired(key=item)
        elif isinstance(item, int):
            event = self._traffic_arrival(item, self.kernel.now)
        else:
            event = item
        if type(event) is CallArrived:
            self._arrive(event, self.kernel.now)
        return event

    def _fraction_done(self, now: float) -> float:
        until = self.scenario.until
        planned = sum(s.traffic.calls or 0 for s in self._streams)
        made = sum(s.made for s in self._streams)
        by_time = now / until if until else 0.0
        by_calls = made / planned if planned else 0.0
        return min(1.0, max(by_time, by_calls))

    # ------------------------------------------------------------ inputs

    def _schedule_next_arrival(self, index: int) -> None:
        stream = self._streams[index]
        traffic = stream.traffic
        if traffic.calls is not None and stream.made >= traffic.calls:
            return
        at = next(stream.times, math.inf)
        until = self.scenario.until
        if at == math.inf or (until is not None and at >= until):
            return
        self.kernel.schedule(at, index)

    def _traffic_arrival(self, index: int, now: float) -> CallArrived:
        stream = self._streams[index]
        traffic = stream.traffic
        stream.made += 1
        call_id = traffic_call_id(traffic.index, stream.made)
        self._talk[call_id] = traffic.talk.sample(stream.talk_rng)
        patience = traffic.patience
        self._patience[call_id] = patience.sample(stream.patience_rng) if patience else None
        self._schedule_next_arrival(index)
        return CallArrived(call_id=call_id, to=traffic.to, keys=traffic.keys)

    def _arrive(self, event: CallArrived, now: float) -> None:
        self.recorder.arrived(event.call_id, now)
        patience = self._patience.pop(event.call_id)
        if patience is not None:
            hang_up = CallerHungUp(call_id=event.call_id)
            self.kernel.schedule(now + patience, hang_up, key=(_HANG_UP, event.call_id))

    # ---------------------------------------------------------- commands

    def queue_call(self, command: QueueCall, now: float) -> None:
        self.recorder.queued(command.call_id, command.queue_id, now)

    def ring_agent(self, command: RingAgent, now: float) -> None:
        self.recorder.rang(command.call_id, command.agent_id, now)
        decision = command.decision
        if decision is not None and (not self.decisions or self.decisions[-1] is not decision):
            self.decisions.append(decision)
        behaviour = self.behaviours[command.agent_id]
        if behaviour.answer_prob >= 1.0 or self._answer_rng.random() < behaviour.answer_prob:
            answer = AgentAnswered(call_id=command.call_id, agent_id=command.agent_id)
            key = (command.call_id, command.agent_id)
            at = now + behaviour.answer_after
            self.kernel.schedule(at, answer, priority=PRIORITY_ANSWER, key=key)

    def cancel_ring(self, command: CancelRing, now: float) -> None:
        self.recorder.ring_ended(command.call_id, command.agent_id, command.outcome)
        self.kernel.cancel((command.call_id, command.agent_id))

    def connect_call(self, command: ConnectCall, now: float) -> None:
        self.recorder.answered(command.call_id, command.agent_id, now)
        self.kernel.cancel((_HANG_UP, command.call_id))
        # Taken now, not at the close: the table then holds only the calls not yet
        # answered, a few, instead of every call in progress (thousands, and cold).
        talk = self._talk.pop(command.call_id)
        ended = CallEnded(call_id=command.call_id)
        self.kernel.schedule(now + talk, ended, priority=PRIORITY_ANSWER)

    def close_call(self, command: CloseCall, now: float) -> None:
        self.recorder.closed(command.call_id, command.outcome, command.queue_id, now)
        self.kernel.cancel((_HANG_UP, command.call_id))
        self._talk.pop(command.call_id, None)

    def start_timer(self, command: StartTimer, now: float) -> None:
        self.kernel.schedule(command.at, command.key, key=command.key)

    def cancel_timer(self, command: CancelTimer, now: float) -> None:
        self.kernel.cancel(command.key)

    def hang_up(self, command: HangUp, now: float) -> None:
        """The caller's leg ends: its :class:`CloseCall` follows and records the outcome."""

    def forward_call(self, command: ForwardCall, now: float) -> None:
        """The call leaves for an outside number: its :class:`CloseCall` follows."""

    def set_system_status(self, command: SetSystemStatus, now: float) -> None:
        """The engine keeps the agent's status; the result reads it at the end."""

    def set_manual_status(self, command: SetManualStatus, now: float) -> None:
        """As above: ``max_no_answer`` shows in the agent's ``manual_status`` at the end."""

    def offer_agents(self, command: OfferAgents, now: float) -> None:
        """Only an answer to PCC's request for agents, which no scenario makes."""

    def request_agents(self, command: RequestAgents, now: float) -> None:
        """Never given: the simulator's queues use their strategy in place of the URL."""


def simulate(
    scenario: Scenario,
    *,
    keep_calls: bool = True,
    explain: bool = False,
    progress: Callable[[float], None] | None = None,
) -> SimResult:
    return Simulation(scenario, keep_calls=keep_calls, explain=explain).run(progress=progress)
