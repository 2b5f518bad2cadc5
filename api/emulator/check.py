"""``pcc-router emulate SCENARIO --check URL``: is your ``event_url`` ready for PCC's traffic?

Sends what PCC sends (and what real delivery does to it) to a webhook server
and judges each answer: a whole call in order; the same event again (PCC
retries); events out of order; a status PCC may add (``connect_failed``);
then what a receiver must refuse: a bad or missing ``X-STRINGEE-SIGNATURE``
(when it checks signatures). A 5xx for PCC's own traffic is always wrong: PCC
retries it, and it says the server broke on input.

Two more are advice only, never a failure: a body that is not JSON and an
event without its ``call_id``. PCC never sends either, so no requirement of
PCC's says how to answer them (Stringee's own ``event_url.php`` sample answers
200 to anything); refusing them with a 4xx is only the clearer answer.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from pcc_router.api.stringee.signing import stringee_signature
from pcc_router.simulator.scenario import Scenario

__all__ = ["Verdict", "check_receiver", "print_report"]


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    status: int | None  # None: no answer at all
    answer: str
    verdict: str  # "ok", "wrong", "warn", "advice"
    why: str


def _event(status: str, call_id: str, ts_ms: int, agent: str, hotline: str) -> dict[str, Any]:
    def end(number: str, kind: str) -> dict[str, Any]:
        return {"number": number, "alias": number, "is_online": kind == "internal", "type": kind}

    to = (
        end(agent, "internal")
        if status in ("ringing", "answered", "agentEnded")
        else end(hotline, "external")
    )
    return {
        "call_status": status,
        "project_id": 1,
        "request_from_user_id": "",
        "account_sid": "AC_1",
        "timestamp_ms": ts_ms,
        "from": end("84911111111", "external"),
        "to": to,
        "clientCustomData": "",
        "type": "stringee_call",
        "call_id": call_id,
    }


async def check_receiver(url: str, scenario: Scenario, *, secret: str | None) -> list[Verdict]:
    """Every check against ``url``; ``secret`` signs as PCC would (``None``: unsigned)."""
    agent = scenario.project.agents[0].stringee_user_id if scenario.project.agents else "agent"
    hotline = scenario.project.numbers[0].number if scenario.project.numbers else "02473000062"
    now = int(time.time() * 1000)
    one = [
        _event(s, "check-1", now + i * 1000, agent, hotline)
        for i, s in enumerate(("created", "ringing", "answered", "agentEnded", "ended"))
    ]
    two = [
        _event(s, "check-2", now + 10_000 + i * 1000, agent, hotline)
        for i, s in enumerate(("created", "answered", "ended"))
    ]
    odd = dict(
        _event("ended", "check-3", now + 20_000, agent, hotline), call_status="connect_failed"
    )
    steps: list[tuple[str, bytes, str | None, str]] = []  # name, body, signature, expected

    def add(
        name: str, body: dict[str, Any] | bytes, expect: str = "2xx", signature: str | None = "good"
    ) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signed = {
            "good": stringee_signature(raw, secret) if secret else None,
            "bad": "bm90IHRoZSBzaWduYXR1cmU=",
            None: None,
        }[signature]
        steps.append((name, raw, signed, expect))

    for event in one:
        add(f"call in order: {event['call_status']}", event)
    add("the same 'answered' again (PCC retries)", one[2])
    add("out of order: 'ended' before 'answered'", two[2])
    add("out of order: then 'created' and 'answered'", two[0])
    add("  ...", two[1])
    add("a status PCC may add (connect_failed)", odd)
    add("not JSON (PCC never sends it)", b"{call_status: ended", expect="advice")
    no_id = {k: v for k, v in one[0].items() if k != "call_id"}
    add("no call_id (PCC never sends it)", no_id, expect="advice")
    if secret:
        add("a forged X-STRINGEE-SIGNATURE", one[4], expect="4xx", signature="bad")
        add("no X-STRINGEE-SIGNATURE", one[4], expect="4xx", signature=None)
    verdicts = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for name, raw, signature, expect in steps:
            verdicts.append(await _send(session, url, name, raw, signature, expect))
    return verdicts


async def _send(
    session: aiohttp.ClientSession,
    url: str,
    name: str,
    raw: bytes,
    signature: str | None,
    expect: str,
) -> Verdict:
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-STRINGEE-SIGNATURE"] = signature
    try:
        async with session.post(url, data=raw, headers=headers) as response:
            status, answer = response.status, (await response.text())[:120]
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Verdict(name, None, "", "wrong", f"no answer: {type(exc).__name__}")
    if expect == "advice":
        return _advice(name, status, answer)
    if status >= 500:
        return Verdict(name, status, answer, "wrong", "a 5xx: PCC retries it; the server broke")
    if expect == "2xx":
        ok = 200 <= status < 300
        return Verdict(
            name,
            status,
            answer,
            "ok" if ok else "wrong",
            "" if ok else "PCC's traffic must be acknowledged with a 2xx",
        )
    if 400 <= status < 500:
        return Verdict(name, status, answer, "ok", "")
    return Verdict(name, status, answer, "warn", "accepted: it should be refused with a 4xx")


def _advice(name: str, status: int, answer: str) -> Verdict:
    """What PCC never sends: any answer will do; a 4xx says the most."""
    if 400 <= status < 500:
        return Verdict(name, status, answer, "ok", "")
    if status >= 500:
        why = "a 5xx: the server broke on it (PCC never sends it; a 4xx would be clearer)"
    else:
        why = "accepted (PCC never sends it; a 4xx would be clearer)"
    return Verdict(name, status, answer, "advice", why)


def print_report(url: str, verdicts: list[Verdict]) -> int:
    """The table, and the exit status: 1 if anything is wrong."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"PCC traffic against {url}")
    for column in ("check", "HTTP", "verdict", "why", "answer"):
        table.add_column(column)
    colours = {"ok": "green", "warn": "yellow", "wrong": "red", "advice": "cyan"}
    for v in verdicts:
        mark = f"[{colours[v.verdict]}]{v.verdict}[/]"
        table.add_row(v.name, str(v.status or "-"), mark, v.why, v.answer)
    Console().print(table)
    wrong = sum(v.verdict == "wrong" for v in verdicts)
    warned = sum(v.verdict == "warn" for v in verdicts)
    advised = sum(v.verdict == "advice" for v in verdicts)
    print(f"{len(verdicts)} checks: {wrong} wrong, {warned} to look at, {advised} advice")
    return 1 if wrong else 0
