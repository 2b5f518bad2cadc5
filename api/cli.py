"""The ``pcc-router`` command line: the simulator's commands and the controller's.

The root of the command line lives here, at the top of the import graph
(``api -> simulator -> routing``): ``simulate``, ``check``, ``theory`` and
``sweep`` come from :mod:`pcc_router.simulator.cli`; ``serve``, ``replay``,
``prune`` and ``sip`` are the controller's, here; ``token`` and ``caresoft``
are :mod:`pcc_router.api.credentials_cli`; ``emulate`` is the PCC emulator's
(:mod:`pcc_router.api.emulator.cli`). A missing secret in the environment is
exit 2 naming the variable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pcc_router.api import credentials_cli
from pcc_router.api.emulator import cli as emulator_cli
from pcc_router.api.stringee.credentials import not_set
from pcc_router.simulator import cli as simulator_cli
from pcc_router.simulator.cli import EXIT_BAD, command

__all__ = ["add_parsers", "main", "run"]

COMMANDS = ("token", "caresoft", "serve", "replay", "emulate", "sip", "prune")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    emulator_cli.add_parser(commands)
    _serve_parser(commands)
    prune = command(
        commands,
        "prune",
        summary="delete event-log rows older than the retention (the store keeps the state)",
        examples=("pcc-router prune --database postgresql+psycopg://pcc@db/pcc --older-than 30d",),
    )
    prune.add_argument("--database", help="DATABASE_URL of the store (default: the env's)")
    prune.add_argument(
        "--older-than", help="age of the rows to delete (e.g. 7d, 12h; default EVENT_LOG_RETENTION)"
    )
    replay = command(
        commands,
        "replay",
        summary="replay the controller's event log: would it decide the same again?",
        examples=(
            "pcc-router replay center.toml --database sqlite:///pcc-router.db",
            "pcc-router replay center.toml --strategy top_down --json",
        ),
    )
    replay.add_argument(
        "scenario",
        metavar="SCENARIO",
        type=Path,
        nargs="?",
        help="the project as it was when the log began (agents' presence and statuses too)",
    )
    # The first form of the command took the file as an option; scripts keep working.
    replay.add_argument("--scenario", dest="scenario_option", type=Path, help=argparse.SUPPRESS)
    replay.add_argument("--database", help="DATABASE_URL of the store (default: the env's)")
    replay.add_argument("--strategy", help="what-if: use this strategy in every queue")
    replay.add_argument("--json", action="store_true", help="print the decisions as JSON")
    sip = command(
        commands,
        "sip",
        summary="what an agent's SIP phone needs to register",
        examples=("PCC_PROJECT_ID=1234 pcc-router sip alice --database sqlite:///pcc-router.db",),
    )
    sip.add_argument("user_id", help="the agent's stringee_user_id")
    sip.add_argument("--database", help="DATABASE_URL: also say whether she is registered now")
    credentials_cli.add_parsers(commands)


def _serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = command(
        commands,
        "serve",
        summary="run the controller service",
        about="Run the controller: PCC's event_url and get_list_agents_url, the REST API, the "
        "wallboard. Settings come from the environment or --config (docs/operations.md).",
        examples=(
            "pcc-router serve --scenario scenarios/hotline_02473000062.toml --print-token",
            "DATABASE_URL=postgresql+psycopg://pcc@db/pcc pcc-router serve --host 0.0.0.0",
        ),
        exits=(
            (0, "stopped (SIGINT, SIGTERM)"),
            (1, "could not start: the store, the port"),
            (2, EXIT_BAD),
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (8080)")
    serve.add_argument(
        "--scenario",
        metavar="SCENARIO",
        type=Path,
        help="load this scenario file's project into the store at start (optional, so an "
        "option here)",
    )
    serve.add_argument(
        "--reset",
        action="store_true",
        help="with --scenario: write the scenario's agents (presence and statuses too), "
        "groups, queues and numbers over the stored ones (without it, only those the store "
        "does not hold yet are added: a restart changes nothing an agent said)",
    )
    serve.add_argument(
        "--new-store",
        action="store_true",
        help="start even though the store is missing or empty where one with data was "
        "(its marker file, or PCC_STORE_ID, says so)",
    )
    serve.add_argument("--config", type=Path, help="TOML file of settings (same names as env)")
    serve.add_argument(
        "--print-token",
        action="store_true",
        help="once listening, print a REST token and a wallboard link (for a demo)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``pcc-router``: every command."""
    made, commands = simulator_cli.parser(
        "Simulate, explain and control Stringee PCC call routing."
    )
    simulator_cli.add_parsers(commands)
    add_parsers(commands)
    args = made.parse_args(argv)
    if args.command in COMMANDS:
        return run(args)
    return simulator_cli.run(args)


def run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "emulate":
        return emulator_cli.run(args)
    if args.command == "sip":
        return _sip(args)
    if args.command == "prune":
        return _prune(args)
    return credentials_cli.run(args)


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    from pcc_router.api.app import create_app
    from pcc_router.api.settings import Settings, SettingsError
    from pcc_router.api.store.repo import StoreError
    from pcc_router.api.web import logs, server
    from pcc_router.simulator.scenario import ScenarioError, load_scenario

    try:
        settings = Settings.load(
            config=args.config,
            scenario=args.scenario,
            reset=args.reset or None,
            new_store=args.new_store or None,
        )
        if args.reset and args.scenario is None:
            raise SettingsError("--reset: give the --scenario to reset the store to")
        if args.scenario is not None:
            load_scenario(args.scenario)  # a bad file is exit 2 before anything starts
    except (SettingsError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_format)

    def ready(base: str) -> None:  # said once it listens: a start that fails prints none
        print(f"pcc-router controller: {base}/healthz, {base}/v1/agents, {base}/metrics")
        print(
            f"PCC event_url: {base}/pcc/events   get_list_agents_url: {base}/pcc/agents-for-queue"
        )
        if args.print_token:
            _print_demo_tokens(settings.api_key_sid, settings.api_key_secret, base)
        else:
            print("REST token: pcc-router token rest;  wallboard link: pcc-router token board")
        sys.stdout.flush()

    app = create_app(settings)
    try:
        asyncio.run(server.run(app, settings, host=args.host, port=args.port, on_ready=ready))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the port is taken, the address is not ours
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


def _print_demo_tokens(sid: str, secret: str, base: str) -> None:
    """``serve --print-token``: a REST token for an hour and a wallboard link, for a demo."""
    from pcc_router.api.sessions import board_link
    from pcc_router.api.stringee.tokens import TokenMinter

    minter = TokenMinter(sid=sid, secret=secret)
    print(f"a REST token for 1 h (header X-STRINGEE-AUTH):\n{minter.rest(ttl=3600)}")
    print(f"the wallboard (the link signs this browser in; it works for 10 min):\n"
          f"{board_link(base, minter)}")  # fmt: skip


def _prune(args: argparse.Namespace) -> int:
    from pcc_router.api.controller.retention import prune_log
    from pcc_router.api.settings import Settings
    from pcc_router.api.store import repo
    from pcc_router.routing.durations import parse_duration

    url = args.database or os.environ.get("DATABASE_URL") or "sqlite:///pcc-router.db"
    try:
        text = args.older_than or os.environ.get("EVENT_LOG_RETENTION")
        age = parse_duration(text) if text else Settings.log_retention
        if age <= 0:
            raise ValueError("must be longer than 0 s")
    except ValueError as exc:
        print(f"error: --older-than {args.older_than!r}: {exc}", file=sys.stderr)
        return 2
    try:
        store = repo.Store(url)
    except repo.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pruned = prune_log(store, older_than=time.time() - age)
    store.close()
    print(
        f"pruned {pruned.rows} event-log rows (up to position {pruned.up_to}), "
        f"{pruned.calls} closed calls and {pruned.caresoft} CareSoft calls from {store.url}"
    )
    return 0


def _replay(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from pcc_router.api.controller.replay import replay
    from pcc_router.api.store import repo
    from pcc_router.routing import Strategy
    from pcc_router.simulator.scenario import ScenarioError, load_scenario

    scenario = args.scenario or args.scenario_option
    if scenario is None:
        print("error: SCENARIO: give the scenario file the log began with", file=sys.stderr)
        return 2
    url = args.database or os.environ.get("DATABASE_URL") or "sqlite:///pcc-router.db"
    try:
        strategy = Strategy(args.strategy) if args.strategy else None
        store = repo.Store(url)
        with store.session() as session:
            project = load_scenario(scenario).project
            rows = repo.events_after(session, 0)
    except ValueError:
        names = ", ".join(s.value for s in Strategy)
        print(f"error: --strategy {args.strategy!r} is not one of {names}", file=sys.stderr)
        return 2
    except (ScenarioError, repo.StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if strategy is not None:
        project = replace(
            project, queues=tuple(replace(q, strategy=strategy) for q in project.queues)
        )
    report = replay(project, rows)
    if args.json:
        print(
            json.dumps(
                {
                    "stopped_at": report.stopped_at,
                    "stopped_because": report.stopped_because,
                    "decisions": [
                        {
                            "row": d.row_id,
                            "at": d.at,
                            "queue": d.queue,
                            "call_id": d.call_id,
                            "logged": d.logged,
                            "replayed": d.replayed,
                            "same": d.same,
                        }
                        for d in report.decisions
                    ],
                },
                indent=2,
            )
        )
        return 0
    same = len(report.decisions) - len(report.divergences)
    print(
        f"{len(report.decisions)} decisions replayed: {same} the same, "
        f"{len(report.divergences)} different"
    )
    for decision in report.divergences[:20]:
        print(
            f"  row {decision.row_id} queue {decision.queue} call {decision.call_id}: "
            f"told PCC {decision.logged}, "
            f"replay says {decision.replayed}"
        )
    if report.stopped_at is not None:
        print(f"stopped at row {report.stopped_at}: {report.stopped_because}")
    return 0


def _sip(args: argparse.Namespace) -> int:
    """The phone's settings screen: registrar, username; with a store, whether registered."""
    from pcc_router.api.settings import Settings
    from pcc_router.api.stringee.sip import sip_username
    from pcc_router.routing import clock_time

    project = os.environ.get("PCC_PROJECT_ID", "")
    if not project:
        print(
            f"error: {not_set('PCC_PROJECT_ID')}: the SIP username is "
            "<projectId>_<stringee_user_id>",
            file=sys.stderr,
        )
        return 2
    domain = os.environ.get("SIP_DOMAIN") or Settings.sip_domain
    print(f"SIP phone for {args.user_id}")
    print(f"  domain (registrar): {domain}")
    print(f"  username:           {sip_username(project, args.user_id)}")
    print("  password:           the sip_password given when the agent was created")
    url = args.database or os.environ.get("DATABASE_URL")
    if url:
        from pcc_router.api.store import crud, repo

        try:
            store = repo.Store(url)
            with store.session() as session:
                row = crud.agent_row(session, args.user_id)
        except repo.StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if row is None:
            print(f"  (no agent {args.user_id!r} in the store)")
            return 0
        expires = row.sip_expires
        registered = expires is not None and expires > time.time()
        until = ""
        if expires is not None and registered and expires != float("inf"):
            until = f" until {clock_time(expires)} UTC"
        print(f"  account made here:  {'yes, ' + row.sip_account if row.sip_account else 'no'}")
        print(f"  registered now:     {'yes' + until if registered else 'no'}")
    return 0
