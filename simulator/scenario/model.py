"""What a scenario file says, as data: the project, each agent's behaviour, the calls,
traffic, timeline and expectations, and the emulator's choices."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pcc_router.routing import ActionKind, AgentId, Event, ListFallback, Project
from pcc_router.simulator.arrivals import Arrivals, Distribution
from pcc_router.simulator.scenario.shifts import ShiftTemplate

__all__ = [
    "AgentBehaviour",
    "Approx",
    "Checks",
    "Expectation",
    "PccBehaviour",
    "Scenario",
    "ScriptedCall",
    "TimelineEvent",
    "Traffic",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentBehaviour:
    """How a simulated agent picks up: after ``answer_after``, with chance ``answer_prob``."""

    answer_after: float = 2.0
    answer_prob: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PccBehaviour:
    """How the PCC emulator behaves where PCC's documents are silent (the scenario's
    ``[emulator]`` table; docs/emulator.md lists each choice, with why).

    ``empty_list`` and ``reask_after``: what a custom-routing queue does when
    its URL names nobody who can ring (:class:`~pcc_router.routing.ListFallback`).
    ``enforce_coming_soon``: PCC marks ``maximum_queue_size`` and
    ``maximum_queue_wait_time`` "coming soon", so the emulator takes and
    stores them but drops nobody for them; ``True`` enforces them as the
    simulator does. The simulator itself ignores this table.
    """

    empty_list: ListFallback = ListFallback.GROUPS
    reask_after: float = 2.0
    enforce_coming_soon: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptedCall:
    id: str
    at: float
    caller: str
    to: str
    keys: str
    talk: float
    patience: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Traffic:
    index: int
    to: str
    keys: str
    arrivals: Arrivals
    talk: Distribution
    patience: Distribution | None
    calls: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEvent:
    at: float
    event: Event


@dataclass(frozen=True, slots=True, kw_only=True)
class Approx:
    """``approx`` with its ``tolerance``: absolute, or a percentage of the value."""

    value: float
    tolerance: float
    relative: bool = False

    def __str__(self) -> str:
        unit = "%" if self.relative else ""
        return f"{self.value:g} ± {self.tolerance:g}{unit}"


Checks = tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Expectation:
    """One ``[[expect]]`` entry: ``subject`` is ``call``, ``agent`` or ``metric``."""

    index: int
    subject: str
    target: str
    checks: Checks


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    path: Path
    name: str
    seed: int
    until: float | None
    project: Project
    behaviours: dict[AgentId, AgentBehaviour]
    calls: tuple[ScriptedCall, ...]
    traffic: tuple[Traffic, ...]
    events: tuple[TimelineEvent, ...]
    expects: tuple[Expectation, ...]
    emulator: PccBehaviour = PccBehaviour()
    starts_at: float = 0.0  # the time of day of offset 0, in seconds after midnight
    shifts: tuple[ShiftTemplate, ...] = ()  # for ``plan``; a run ignores them

    def queue_of(self, traffic: Traffic) -> str | None:
        """The queue a stream's calls go straight to: the number's own, or the one its
        first key chooses in the menu; ``None`` when they go elsewhere."""
        number = next(n for n in self.project.numbers if n.number == traffic.to)
        if number.queue_id is not None:
            return number.queue_id
        action = number.menu.get(traffic.keys[:1]) if traffic.keys else None
        return action.target if action is not None and action.kind is ActionKind.QUEUE else None
