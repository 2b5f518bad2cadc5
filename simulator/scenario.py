"""Scenario files (format version 1): what a run simulates, loaded and checked in full.

:func:`load_scenario` either returns a :class:`Scenario` that can run, or
raises :class:`~pcc_router.simulator.schema.ScenarioError` naming the file, the key and,
when the file spells the key in one place, its line. Nothing runs before the
whole file is checked.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pcc_router.routing import AgentId, ConfigError, Event, ListFallback, Project
from pcc_router.routing.fields import FormatError
from pcc_router.simulator.arrivals import Arrivals, Distribution
from pcc_router.simulator.schema import Fields, ScenarioError, locate

__all__ = [
    "AgentBehaviour",
    "Approx",
    "Checks",
    "Expectation",
    "PccBehaviour",
    "Scenario",
    "ScenarioError",
    "ScriptedCall",
    "TimelineEvent",
    "Traffic",
    "load_scenario",
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


def _read_text(path: Path) -> str:
    """The file as UTF-8 text (a leading byte-order mark dropped); anything else is a
    :class:`ScenarioError` naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError("", f"cannot read the file: {exc.strerror}", file=str(path)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("", "is UTF-16 text: save it as UTF-8", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            "", "is not UTF-8 text (a TOML file must be)", file=str(path), line=line
        ) from None
    if "\x00" in text:
        raise ScenarioError("", "holds a NUL byte: not a text file", file=str(path))
    return text


def load_scenario(path: str | Path, *, pool_counts: Mapping[int, int] | None = None) -> Scenario:
    """Read and check a scenario file; raise :class:`ScenarioError` on any problem.

    ``pool_counts`` replaces the ``count`` of ``[[agent_pools]]`` entries by
    index (the staffing sweep's what-if).
    """
    from pcc_router.simulator import sections

    path = Path(path)
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else None
        raise ScenarioError("", f"not valid TOML: {exc}", file=str(path), line=line) from None
    pools = data.get("agent_pools")
    for index, count in (pool_counts or {}).items():
        if not isinstance(pools, list) or not 0 <= index < len(pools):
            raise ScenarioError("agent_pools", f"has no entry {index}", file=str(path))
        pools[index]["count"] = count
    try:
        scenario = sections.read_scenario(Fields(data, ""), path)
        scenario.project.check()
    except FormatError as exc:
        line = locate(text, exc.where)
        raise ScenarioError(exc.where, exc.message, file=str(path), line=line) from None
    except ConfigError as exc:
        raise ScenarioError("", exc.msg, file=str(path)) from None
    return scenario
