"""Checking a run against its ``[[expect]]`` entries: one result per check, with what was seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pcc_router.routing import AgentStats
from pcc_router.simulator.kpis import CallRecord
from pcc_router.simulator.scenario import Approx, Expectation

__all__ = ["CheckResult", "check_all"]

_EPS = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    index: int
    subject: str
    target: str
    check: str
    expected: object
    seen: object
    passed: bool

    def as_dict(self) -> dict[str, object]:
        expected = self.expected
        if isinstance(expected, Approx):
            tolerance = f"{expected.tolerance:g}%" if expected.relative else expected.tolerance
            expected = {"approx": expected.value, "tolerance": tolerance}
        return {
            "expect": self.index,
            self.subject: self.target,
            "check": self.check,
            "expected": expected,
            "seen": self.seen,
            "passed": self.passed,
        }


def check_all(
    expects: Sequence[Expectation],
    *,
    calls: Sequence[CallRecord],
    agents: Sequence[AgentStats],
    kpis: dict[str, object],
) -> list[CheckResult]:
    by_call = {c.id: c for c in calls}
    by_agent: dict[str, AgentStats] = {a.stringee_user_id: a for a in agents}
    results = []
    for expect in expects:
        for check, expected in expect.checks:
            if expect.subject == "call":
                seen, ok = _call(by_call.get(expect.target), check, expected)
            elif expect.subject == "agent":
                stats = by_agent[expect.target]
                seen = stats.handled if check == "handled" else stats.manual_status
                ok = seen == expected
            else:
                seen = kpis[expect.target]
                ok = _metric(seen, check, expected)
            results.append(CheckResult(index=expect.index, subject=expect.subject,
                                       target=expect.target, check=check, expected=expected,
                                       seen=seen, passed=ok))  # fmt: skip
    return results


def _call(record: CallRecord | None, check: str, expected: object) -> tuple[object, bool]:
    if record is None:
        return None, False
    if check == "rang":
        seen: object = [ring.agent for ring in record.rang or ()]
    elif check == "answered_by":
        seen = record.answered_by
    elif check == "outcome":
        seen = record.outcome
    else:
        wait = record.wait
        seen = None if wait is None else round(wait, 6)
        return seen, wait is not None and isinstance(expected, float) and wait <= expected + _EPS
    return seen, seen == expected


def _metric(seen: object, check: str, expected: object) -> bool:
    if not isinstance(seen, (int, float)):
        return False
    if isinstance(expected, Approx):
        tolerance = expected.tolerance
        if expected.relative:
            tolerance = abs(expected.value) * tolerance / 100
        return abs(seen - expected.value) <= tolerance + _EPS
    assert isinstance(expected, float)
    if check == "at_least":
        return seen >= expected - _EPS
    return seen <= expected + _EPS
