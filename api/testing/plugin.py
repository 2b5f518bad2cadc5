"""pytest plugin: your scenario files as tests, and fixtures for scenarios and the emulator.

Installed with pcc-router (entry point ``pytest11``: ``pcc_router``). With it,
``pytest`` collects every scenario file that matches ``pcc_scenarios`` (an
ini option, or ``--pcc-scenarios``; default ``scenarios/*.toml``, relative to
the rootdir) in the folders pytest visits. Each ``[[expect]]`` entry is a
test item; its failure shows each check expected against seen and, for a
call, that call's rings. A file without expectations is one item that runs
it; a file that does not read is one failing item naming the key and line.
The file runs once, whatever the number of its items.

Fixtures:

- ``pcc_simulate(path, seed=None)``: run a scenario in code and get its
  :class:`~pcc_router.simulator.result.SimResult`.
- ``pcc_emulator(scenario, app=..., event_url=..., agents_url=...)``: an async
  context manager giving a running :class:`EmulatedPcc` pointed at your own
  aiohttp app (started on 127.0.0.1) or at a URL.
"""

from __future__ import annotations

import fnmatch
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pcc_router.simulator.expect import CheckResult
from pcc_router.simulator.result import SimResult
from pcc_router.simulator.runner import simulate
from pcc_router.simulator.scenario import Expectation, Scenario, ScenarioError, load_scenario

__all__ = ["ExpectationItem", "ScenarioFile", "pcc_emulator", "pcc_simulate"]

DEFAULT_GLOB = "scenarios/*.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pcc-router")
    group.addoption(
        "--pcc-scenarios",
        metavar="GLOB",
        help=f"scenario files to collect as tests (default: ini pcc_scenarios, {DEFAULT_GLOB})",
    )
    parser.addini(
        "pcc_scenarios",
        "globs (relative to the rootdir) of scenario files collected as tests",
        type="linelist",
        default=[DEFAULT_GLOB],
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> ScenarioFile | None:
    if file_path.suffix != ".toml":
        return None
    config = parent.config
    option = config.getoption("--pcc-scenarios")
    patterns = [option] if option else list(config.getini("pcc_scenarios"))
    try:
        relative = file_path.resolve().relative_to(config.rootpath.resolve()).as_posix()
    except ValueError:
        relative = file_path.as_posix()
    if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A scenario file: one item per ``[[expect]]``, the run shared by all of them."""

    _result: SimResult | None = None

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            yield UnreadableScenario.from_parent(self, name="reads", error=exc)
            return
        self.scenario = scenario
        if not scenario.expects:
            yield ExpectationItem.from_parent(self, name="runs", expect=None)
            return
        lines = _expect_lines(self.path.read_text(encoding="utf-8"), len(scenario.expects))
        for expect, line in zip(scenario.expects, lines, strict=True):
            name = f"expect[{expect.index}] {expect.subject} {expect.target}"
            yield ExpectationItem.from_parent(self, name=name, expect=expect, line=line)

    def result(self) -> SimResult:
        if self._result is None:
            self._result = simulate(self.scenario)
        return self._result


class ExpectationFailed(Exception):
    def __init__(self, failed: list[CheckResult], rings: str) -> None:
        super().__init__(failed)
        self.failed, self.rings = failed, rings


class ExpectationItem(pytest.Item):
    """One ``[[expect]]`` of a scenario (``expect=None``: the file has none; it must run)."""

    def __init__(self, *, expect: Expectation | None, line: int | None = None, **more: Any) -> None:
        super().__init__(**more)
        self.expect = expect
        self.line = line

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, ScenarioFile)
        result = parent.result()
        if self.expect is None:
            return
        checks = [c for c in result.checks if c.index == self.expect.index]
        failed = [c for c in checks if not c.passed]
        if failed:
            rings = _rings(result, self.expect.target) if self.expect.subject == "call" else ""
            raise ExpectationFailed(checks, rings)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        error = excinfo.value
        if not isinstance(error, ExpectationFailed):
            return super().repr_failure(excinfo)
        assert self.expect is not None
        where = f", line {self.line}" if self.line else ""
        out = [f"{self.path.name}{where}: {self.expect.subject} {self.expect.target}"]
        for check in error.failed:
            mark = "ok  " if check.passed else "FAIL"
            out.append(f"  {mark} {check.check}: expected {check.expected!r}, seen {check.seen!r}")
        if error.rings:
            out.append(error.rings)
        return "\n".join(out)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.line - 1) if self.line else None, self.name


class UnreadableScenario(pytest.Item):
    def __init__(self, *, error: ScenarioError, **more: Any) -> None:
        super().__init__(**more)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        return f"the scenario does not read: {self.error}"

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "reads"


def _expect_lines(text: str, count: int) -> list[int | None]:
    """The line of each ``[[expect]]`` table (or inline entry), when they can be told apart."""
    lines = text.splitlines()
    tables = [n for n, line in enumerate(lines, 1) if line.strip() == "[[expect]]"]
    if len(tables) == count:
        return list(tables)
    start = next((n for n, line in enumerate(lines, 1) if line.startswith("expect")), None)
    if start is not None:
        entries = [
            n for n, line in enumerate(lines[start - 1 :], start) if line.strip().startswith("{")
        ]
        if len(entries) >= count:
            return list(entries[:count])
    return [None] * count


def _rings(result: SimResult, call_id: str) -> str:
    call = next((c for c in result.calls if c.id == call_id), None)
    if call is None:
        return f"call {call_id} never came"
    rows = [f"rings of {call_id} (arrived at {call.arrived:g} s):"]
    rows += [f"  {ring.at:>8g} s  {ring.agent:<12} {ring.outcome}" for ring in call.rang or ()]
    if not call.rang:
        rows.append("  (no ring)")
    rows.append(f"  outcome: {call.outcome}")
    return "\n".join(rows)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def pcc_simulate() -> Callable[..., SimResult]:
    """``pcc_simulate("scenarios/x.toml", seed=7)``: the run's result, in code."""

    def run(path: str | Path, *, seed: int | None = None) -> SimResult:
        scenario = load_scenario(path)
        if seed is not None:
            scenario = replace(scenario, seed=seed)
        return simulate(scenario)

    return run


@pytest.fixture
def pcc_emulator() -> Callable[..., AbstractAsyncContextManager[Any]]:
    """``async with pcc_emulator("scenarios/x.toml", app=my_app, event_url="/events") as pcc``.

    ``app``: your aiohttp application, started on 127.0.0.1 for the test;
    ``base_url``: a server already running. ``event_url``, ``agents_url``
    and ``customer_info_url`` are paths on it (or full URLs). More keywords
    go to :class:`EmulatedPcc` (``faults``, ``signing_secret``, ``clock``).
    """
    from pcc_router.api.testing.emulated import EmulatedPcc
    from pcc_router.api.testing.loopback import serve_on_loopback

    @asynccontextmanager
    async def start(
        scenario: str | Path | Scenario,
        *,
        app: web.Application | None = None,
        base_url: str | None = None,
        event_url: str | None = None,
        agents_url: str | None = None,
        customer_info_url: str | None = None,
        **options: Any,
    ) -> AsyncIterator[EmulatedPcc]:
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        runner: web.AppRunner | None = None
        if app is not None:
            runner, base_url = await serve_on_loopback(app)
        try:
            async with EmulatedPcc(loaded, **options) as pcc:

                def full(url: str | None) -> str | None:
                    if url is None or "://" in url or base_url is None:
                        return url
                    return base_url.rstrip("/") + "/" + url.lstrip("/")

                await pcc.point_at(
                    event_url=full(event_url),
                    agents_url=full(agents_url),
                    customer_info_url=full(customer_info_url),
                )
                yield pcc
        finally:
            if runner is not None:
                await runner.cleanup()

    return start
