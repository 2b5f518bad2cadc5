"""``pcc-router emulate SCENARIO``: the PCC emulator from the command line.

The API key is ``PCC_API_KEY_SID`` / ``PCC_API_KEY_SECRET`` (as for
``serve``): PCC's REST paths take its REST tokens. Call events are signed
with ``PCC_SIGNING_SECRET``, or the key's secret when that is unset.
``--check URL`` sends a conformance run to a webhook server instead of
serving. Bad input is exit 2 naming what is wrong.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcc_router.api.emulator.deliveries import Faults
    from pcc_router.simulator.scenario import PccBehaviour, Scenario

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pcc_router.simulator.cli import EXIT_BAD, add_scenario, command

    emulate = command(
        commands,
        "emulate",
        summary="run a local Stringee PCC for a scenario (REST, webhooks, calls)",
        about="A local Stringee PCC: PCC's REST subset, call events to event_url, requests to "
        "get_list_agents_url, /_emulator to place calls and read what was sent. With --check "
        "URL, judge a webhook server against PCC's traffic instead (docs/emulator.md).",
        examples=(
            "pcc-router emulate scenarios/hotline_02473000062.toml "
            "--event-url http://127.0.0.1:8080/pcc/events",
            "pcc-router emulate center.toml --clock virtual --faults drop=0.05,delay=2s",
            "pcc-router emulate center.toml --check https://my.example.com/stringee/events",
        ),
        exits=(
            (0, "stopped, or --check found nothing wrong"),
            (1, "--check found something wrong"),
            (2, EXIT_BAD),
        ),
    )
    add_scenario(emulate, "the scenario file (TOML): its project and calls")
    emulate.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    emulate.add_argument("--port", type=int, default=8090, help="port (8090)")
    emulate.add_argument(
        "--clock",
        choices=("real", "virtual"),
        default="real",
        help="real: time runs (--speed times faster); virtual: moved by POST /_emulator/clock",
    )
    emulate.add_argument("--speed", type=float, default=1.0, help="real clock speed-up (1)")
    emulate.add_argument(
        "--faults",
        default="",
        help="e.g. drop=0.05,duplicate=0.05,delay=2s,reorder=0.05,agents_timeout=0.1",
    )
    emulate.add_argument("--seed", type=int, help="seed of the faults (default: the scenario's)")
    emulate.add_argument("--event-url", help="the project's event_url (else set it by REST)")
    emulate.add_argument("--agents-url", help="every queue's get_list_agents_url")
    emulate.add_argument(
        "--allow-remote", action="store_true", help="listen on an address other than loopback"
    )
    emulate.add_argument(
        "--check", metavar="URL", help="check a webhook server against PCC's traffic, then exit"
    )
    emulate.add_argument(
        "--empty-list",
        choices=("groups", "reask"),
        help="when get_list_agents_url names nobody who can ring: ring the queue's own "
        "groups, or wait and ask again (default: the scenario's [emulator], else groups)",
    )
    emulate.add_argument(
        "--reask",
        metavar="DURATION",
        help="with --empty-list reask, ask again after this long (default 2s)",
    )
    emulate.add_argument(
        "--enforce-coming-soon",
        action="store_true",
        help="drop callers for maximum_queue_size / maximum_queue_wait_time (PCC marks them "
        "'coming soon' and does not)",
    )
    emulate.add_argument(
        "--print-token", action="store_true", help="once listening, print a REST token (demo)"
    )


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    import asyncio  # here: `pcc-router check` need not load it

    from pcc_router.api.emulator.deliveries import Faults, FaultsError
    from pcc_router.simulator.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
        faults = Faults.parse(args.faults)
        scenario = replace(scenario, emulator=_behaviour(args, scenario.emulator))
    except ScenarioError as exc:
        return _fail(str(exc))
    except FaultsError as exc:
        return _fail(f"--faults: {exc}")
    except ValueError as exc:
        return _fail(f"--reask: {exc}")
    sid = os.environ.get("PCC_API_KEY_SID", "")
    secret = os.environ.get("PCC_API_KEY_SECRET", "")
    if not sid or not secret:
        from pcc_router.api.stringee.credentials import not_set

        return _fail(not_set("PCC_API_KEY_SID" if not sid else "PCC_API_KEY_SECRET"))
    signing = os.environ.get("PCC_SIGNING_SECRET") or secret
    if args.check:
        from pcc_router.api.emulator.check import check_receiver, print_report

        verdicts = asyncio.run(check_receiver(args.check, scenario, secret=signing))
        return print_report(args.check, verdicts)
    if not args.allow_remote and not _loopback(args.host):
        return _fail(f"--host {args.host} is not a loopback address: add --allow-remote")
    if args.speed <= 0:
        return _fail("--speed must be above 0")
    return _serve(args, scenario, faults, (sid, secret), signing)


def _behaviour(args: argparse.Namespace, base: PccBehaviour) -> PccBehaviour:
    """The scenario's ``[emulator]`` choices, with the command line's over them."""
    from pcc_router.routing import ListFallback
    from pcc_router.routing.durations import parse_duration

    changes: dict[str, object] = {}
    if args.empty_list:
        changes["empty_list"] = ListFallback(args.empty_list)
    if args.reask:
        seconds = parse_duration(args.reask)
        if seconds <= 0:
            raise ValueError("must be longer than 0 s")
        changes["reask_after"] = seconds
    if args.enforce_coming_soon:
        changes["enforce_coming_soon"] = True
    return replace(base, **changes)  # type: ignore[arg-type]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(
    args: argparse.Namespace,
    scenario: Scenario,
    faults: Faults,
    api_key: tuple[str, str],
    signing: str,
) -> int:
    from aiohttp import web

    from pcc_router.api.emulator import Emulator, create_emulator_app
    from pcc_router.api.stringee.tokens import TokenMinter

    emulator = Emulator(
        scenario,
        clock=args.clock,
        speed=args.speed,
        faults=faults,
        seed=args.seed,
        signing_secret=signing,
    )
    emulator.point_at(event_url=args.event_url, agents_url=args.agents_url)
    base = f"http://{args.host}:{args.port}"
    numbers = ", ".join(n.number for n in emulator.world.sim.scenario.project.numbers)
    print(f"PCC emulator ({args.clock} clock): {base}/docs, {base}/_emulator/state")
    print(f"numbers: {numbers}; event_url: {args.event_url or '(unset)'}")
    print(
        f"place a call: curl -X POST {base}/_emulator/calls -H 'Content-Type: application/json'"
        f' -d \'{{"to": "{numbers.split(", ")[0]}", "keys": "0"}}\''
    )
    behaviour = scenario.emulator
    fallback = str(behaviour.empty_list)
    if behaviour.empty_list == "reask":
        fallback += f" (asked again every {behaviour.reask_after:g} s)"
    limits = "enforced" if behaviour.enforce_coming_soon else "stored, not enforced"
    print(f"a list naming nobody: {fallback}; 'coming soon' queue limits {limits}")
    if args.print_token:
        token = TokenMinter(sid=api_key[0], secret=api_key[1]).rest(ttl=3600)
        print(f"a REST token for 1 h (header X-STRINGEE-AUTH):\n{token}")
    else:
        print("REST token for its API: pcc-router token rest")
    sys.stdout.flush()
    web.run_app(
        create_emulator_app(emulator, api_key=api_key), host=args.host, port=args.port, print=None
    )
    return 0
