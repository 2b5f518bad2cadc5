"""The pytest plugin: a user's scenario files as tests, and the fixtures, in a user's project."""

from __future__ import annotations

import pytest

# Imported before any in-process pytester run: a module first imported inside such a run is
# dropped from sys.modules when it ends, and the next run would make a second copy of the
# emulator's classes beside the first (the OpenAPI builder then knows only one of them).
from pcc_router.api.emulator import app as emulator_app
from pcc_router.api.testing import plugin as testing_plugin

LOADED_FIRST = (emulator_app, testing_plugin)

pytest_plugins = ["pytester"]

GOOD = """
version = 1
numbers = [{ number = "1900", queue_id = "q" }]
queues = [{ id = "q", groups = [{ group = "g" }] }]
groups = [{ id = "g", agents = ["a", "b"] }]
agents = [
  { stringee_user_id = "a", online = ["app"] },
  { stringee_user_id = "b", online = ["app"] },
]
calls = [{ id = "c1", at = 0, to = "1900", talk = "30s" }]

[[expect]]
call = "c1"
answered_by = "a"

[[expect]]
metric = "offered"
approx = 1
"""


def ini(pytester: pytest.Pytester, more: str = "") -> None:
    """The user's pytest settings (pytest-asyncio wants its loop scope said)."""
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{more}")


@pytest.fixture(autouse=True)
def _settings(pytester: pytest.Pytester) -> None:
    ini(pytester)


def test_each_expectation_is_an_item(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", **{"scenarios/center": GOOD})
    outcome = pytester.runpytest("-v", "-p", "no:randomly")
    outcome.assert_outcomes(passed=2)
    outcome.stdout.fnmatch_lines(
        [
            "*center.toml::expect[[]0[]] call c1 PASSED*",
            "*center.toml::expect[[]1[]] metric offered PASSED*",
        ]
    )


def test_a_failed_expectation_shows_expected_seen_and_the_calls_rings(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".toml",
        **{
            "scenarios/center": GOOD.replace('answered_by = "a"', 'answered_by = "b"\nrang = ["b"]')
        },
    )
    outcome = pytester.runpytest()
    outcome.assert_outcomes(passed=1, failed=1)
    outcome.stdout.fnmatch_lines(
        [
            "*center.toml, line 11: call c1*",
            "*FAIL rang: expected [[]'b'[]], seen [[]'a'[]]*",
            "*FAIL answered_by: expected 'b', seen 'a'*",
            "*rings of c1 (arrived at 0 s):*",
            "*0 s  a * answered*",
        ]
    )


def test_a_file_that_does_not_read_fails_naming_the_key(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml", **{"scenarios/broken": GOOD.replace('talk = "30s"', 'talk = "soon"')}
    )
    outcome = pytester.runpytest()
    outcome.assert_outcomes(failed=1)
    outcome.stdout.fnmatch_lines(["*does not read*calls[[]0[]].talk*"])


def test_the_glob_is_the_users(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", **{"cases/one": GOOD, "scenarios/other": GOOD})
    ini(pytester, "pcc_scenarios = cases/*.toml\n")
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.runpytest("--pcc-scenarios", "scenarios/*.toml").assert_outcomes(passed=2)
    pytester.runpytest("--pcc-scenarios", "nothing/*.toml").assert_outcomes()


def test_the_fixtures_run_a_scenario_and_the_emulator_against_the_users_app(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".toml", **{"center": GOOD})
    pytester.makepyfile(
        test_mine="""
from aiohttp import web

async def test_simulate(pcc_simulate):
    result = pcc_simulate("center.toml", seed=3)
    assert result.seed == 3 and result.calls[0].answered_by == "a"

async def test_my_webhook_server(pcc_emulator):
    seen = []

    async def events(request):
        seen.append((await request.json())["call_status"])
        return web.json_response({"r": 0})

    async def agents(request):
        body = await request.json()
        b = {"stringee_user_id": "b", "answer_timeout": 10}
        listed = [{"callId": c["callId"], "agents": [b]} for c in body["calls"]]
        return web.json_response({"version": 2, "calls": listed})

    app = web.Application()
    app.router.add_post("/events", events)
    app.router.add_post("/agents", agents)
    urls = {"event_url": "/events", "agents_url": "/agents"}
    async with pcc_emulator("center.toml", app=app, **urls) as pcc:
        await pcc.until_idle()
        assert pcc.calls()[0]["answered_by"] == "b"  # my server chose b
    assert seen == ["created", "ringing", "answered", "agentEnded", "ended"]
"""
    )
    ini(pytester, "asyncio_mode = auto\npcc_scenarios = nothing\n")
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_file_that_is_not_utf8_is_one_failed_item_and_the_rest_still_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".toml", **{"scenarios/center": GOOD})
    odd = pytester.path / "scenarios" / "odd.toml"
    odd.write_bytes(GOOD.encode("utf-16"))
    outcome = pytester.runpytest("-v", "-p", "no:randomly")
    outcome.assert_outcomes(passed=2, failed=1)
    outcome.stdout.fnmatch_lines(["*odd.toml::reads FAILED*", "*UTF-16*"])


def _blocks(text: str, language: str) -> list[str]:
    import re

    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


MYAPP = """
from aiohttp import web


async def events(request):
    await request.read()
    return web.json_response({"r": 0})


async def agents(request):
    body = await request.json()
    listed = [{"stringee_user_id": "an", "answer_timeout": 15},
              {"stringee_user_id": "binh", "answer_timeout": 15}]
    return web.json_response(
        {"version": 2, "calls": [{"callId": c["callId"], "agents": listed} for c in body["calls"]]}
    )


def make_app():
    app = web.Application()
    app.router.add_post("/pcc/events", events)
    app.router.add_post("/pcc/agents", agents)
    return app
"""


def test_the_async_example_of_testing_md_runs_in_strict_mode(pytester: pytest.Pytester) -> None:
    """docs/testing.md's own example, as written, under pytest-asyncio's default mode."""
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    scenario = _blocks(docs, "toml")[0]
    example = next(b for b in _blocks(docs, "python") if "pcc_emulator" in b)
    ini(pytester, "asyncio_mode = strict")
    pytester.makefile(".toml", **{"scenarios/sales": scenario})
    pytester.makepyfile(myapp=MYAPP, test_example=example)
    outcome = pytester.runpytest("test_example.py", "-p", "no:randomly")
    outcome.assert_outcomes(passed=1)


def test_a_roster_file_from_a_plan_runs_as_a_users_test(pytester: pytest.Pytester) -> None:
    """``plan --write-roster`` makes a scenario the plugin collects and runs as it is."""
    from pcc_router.api.cli import main
    from tests.simulator.plan_helpers import STATIONARY

    forecast = pytester.path / "forecast.toml"
    forecast.write_text(STATIONARY + '\n[[expect]]\nmetric = "service_level_20s"\nat_least = 0.7\n')
    (pytester.path / "scenarios").mkdir()
    roster = pytester.path / "scenarios" / "roster.toml"
    plan = ["plan", str(forecast), "--target", "service_level_20s>=0.8", "--interval", "1h",
            "--workers", "1", "--json", "--write-roster", str(roster)]  # fmt: skip
    assert main(plan) == 0
    forecast.unlink()  # only the roster is the user's test
    outcome = pytester.runpytest("-v", "-p", "no:randomly")
    outcome.assert_outcomes(passed=1)
    outcome.stdout.fnmatch_lines(["*roster.toml::expect[[]0[]] metric service_level_20s PASSED*"])
