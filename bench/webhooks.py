"""Benchmark: PCC call events into the controller, beside a bare aiohttp endpoint.

The controller runs in its own process on 127.0.0.1 with a fresh SQLite store
(the hotline scenario loaded), or on a PostgreSQL database (``--database``), one
instance or several (``--instances``, events sent to each in turn as a load
balancer would), served as ``pcc-router serve`` serves it: behind
the connection guard, each request under its deadline, the access log written
(to a file, redacted, as in production); a bare aiohttp app answering
``{"r": 0}`` runs the same way as the ceiling. An aiohttp client on 127.0.0.1 then sends, to
each: a burst of ``--events`` events with ``--concurrency`` in flight
(throughput), and a paced load of ``--rate`` events/s for ``--seconds``
(latency p50/p99). Every event is distinct (new call id and status), so each
is durably stored; the script checks the store's event log count afterwards.
Loads are bounded in count and time. Run: ``make bench`` or this file.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from common import machine
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
SID, SECRET = "SKbench", "bench-secret-bench-secret-bench-secret"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_controller(port: int, database: str, log_file: str) -> None:
    import logging

    from pcc_router.api.app import create_app
    from pcc_router.api.settings import Settings
    from pcc_router.api.web import server
    from pcc_router.api.web.logs import RedactingFilter

    handler = logging.FileHandler(log_file)
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    settings = Settings(
        api_key_sid=SID,
        api_key_secret=SECRET,
        database_url=database,
        scenario=ROOT / "scenarios" / "hotline_02473000062.toml",
    )
    asyncio.run(server.run(create_app(settings), settings, host="127.0.0.1", port=port))


def _run_bare(port: int) -> None:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"r": 0, "message": "ok"})

    app = web.Application()
    app.router.add_post("/pcc/events", ok)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _events(prefix: str, count: int) -> list[dict[str, object]]:
    """Distinct events stamped now (a millisecond apart), as PCC stamps them: the
    controller refuses a timestamp further than PCC_MAX_CLOCK_SKEW from its clock."""
    agents = ["alice", "bob", "carol", "henry"]
    statuses = ["created", "ringing", "answered", "ended"]
    epoch_ms = int(time.time() * 1000)
    out = []
    for n in range(count):
        call, step = divmod(n, len(statuses))
        out.append(
            {
                "call_id": f"{prefix}-{call}",
                "call_status": statuses[step],
                "timestamp_ms": epoch_ms + n,
                "type": "stringee_call",
                "from": {"number": "84911111111", "type": "external"},
                "to": {"number": agents[call % len(agents)], "type": "internal"},
            }
        )
    return out


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, object]) -> float:
    started = time.perf_counter()
    async with session.post(url, json=body) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started


async def _burst(urls: list[str], events: list[dict[str, object]], concurrency: int) -> float:
    """Events to the instances in turn (a load balancer's round robin)."""
    queue: asyncio.Queue[tuple[int, dict[str, object]]] = asyncio.Queue()
    for n, body in enumerate(events):
        queue.put_nowait((n, body))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while not queue.empty():
                n, body = queue.get_nowait()
                await _post(session, urls[n % len(urls)], body)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(events) / (time.perf_counter() - started)


async def _paced(urls: list[str], events: list[dict[str, object]], rate: float) -> list[float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        tasks = []
        start = time.perf_counter()
        for n, body in enumerate(events):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(session, urls[n % len(urls)], body)))
        latencies = list(await asyncio.gather(*tasks))
    return latencies


async def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 20
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(f"http://127.0.0.1:{port}/pcc/events", data=b"{}"):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


def _stored(database: str) -> int:
    from sqlmodel import Session, func, select

    from pcc_router.api.store.repo import Store
    from pcc_router.api.store.tables import EventRow

    store = Store(database)
    with Session(store.engine) as session:
        count = session.exec(select(func.count()).select_from(EventRow)).one()
    store.close()
    return int(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL (postgresql+psycopg://...) to run the controller on; its "
        "tables are used as they are (give an empty database). Default: a fresh SQLite file",
    )
    parser.add_argument(
        "--instances",
        type=int,
        action="append",
        help="controllers on the one store, each event to the next (round robin); repeat "
        "for several runs (--instances 1 --instances 2). More than one needs --database",
    )
    args = parser.parse_args()
    counts = args.instances or [1]
    if max(counts) > 1 and not args.database:
        parser.error("--instances above 1: SQLite serves one instance; give --database")
    table = Table(title="PCC events over HTTP on 127.0.0.1")
    for column in ("target", "load", "events", "events/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        kind = "PostgreSQL" if args.database else "SQLite"
        before = _stored(database)
        runs: list[tuple[str, Any, tuple[Any, ...], int]] = [
            (f"controller ({kind}, {n} instance{'s' if n > 1 else ''})", _run_controller,
             (database, str(Path(tmp) / "access.log")), n)
            for n in counts
        ]  # fmt: skip
        runs.append(("bare aiohttp", _run_bare, (), 1))
        sent = 0
        for index, (name, target, extra, instances) in enumerate(runs):
            sent += _measure(table, index, name, target, extra, instances, args)
        stored = _stored(database) - before
        expected = sent - args.events - int(args.rate * args.seconds)  # not the bare run's
    console = Console(width=110)
    console.print(table)
    console.print(
        f"controller event log: {stored:,} rows stored of {expected:,} events sent "
        f"(plus start-up probes); machine: {machine()}"
    )
    return 0


def _measure(
    table: Table,
    index: int,
    name: str,
    target: Any,
    extra: tuple[Any, ...],
    instances: int,
    args: argparse.Namespace,
) -> int:
    """One target's burst and paced runs, as table rows; how many events were sent."""
    ports = [_port() for _ in range(instances)]
    servers = [
        multiprocessing.Process(target=target, args=(port, *extra), daemon=True) for port in ports
    ]
    for server in servers:
        server.start()
    try:
        for port in ports:
            asyncio.run(_wait_up(port))
        urls = [f"http://127.0.0.1:{port}/pcc/events" for port in ports]
        burst = _events(f"b{index}", args.events)
        per_second = asyncio.run(_burst(urls, burst, args.concurrency))
        load = f"burst, {args.concurrency} in flight"
        table.add_row(name, load, f"{len(burst):,}", f"{per_second:,.0f}", "-", "-")
        paced = _events(f"p{index}", int(args.rate * args.seconds))
        latencies = sorted(asyncio.run(_paced(urls, paced, args.rate)))
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
        table.add_row(
            name,
            f"{args.rate:g}/s for {args.seconds:g} s",
            f"{len(paced):,}",
            "-",
            f"{statistics.median(latencies) * 1000:.1f}",
            f"{p99 * 1000:.1f}",
        )
        return len(burst) + len(paced)
    finally:
        for server in servers:
            server.terminate()
            server.join(5)


if __name__ == "__main__":
    sys.exit(main())
