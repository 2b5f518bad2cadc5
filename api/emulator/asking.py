"""PCC's requests to your server: whom to ring, and who is calling; and reading the answers.

Each request is logged in the record it is given: ``state`` (``pending``
while in flight, then ``answered``, ``refused: HTTP <status>``, ``timed out``
or ``failed``), the status, the answer, the time taken, the connection's
error. Only a 2xx is an answer; a failure is ``None``, never an exception.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
from yarl import URL

from pcc_router.api.stringee.signing import signed_bytes, stringee_signature

__all__ = ["ASK_TIMEOUT", "get", "post", "read_agents_answer"]

ASK_TIMEOUT = aiohttp.ClientTimeout(total=5)


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    record: dict[str, Any],
) -> str | None:
    """POST ``body``; the answer's text when it is a 2xx, else ``None`` (and why, in
    ``record``: the HTTP status, or the connection's error)."""
    started = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers, timeout=ASK_TIMEOUT) as response:
            return await _answer(response, record)
    except (aiohttp.ClientError, TimeoutError) as exc:
        record.update(state="failed", error=_error(exc))
        return None
    finally:
        record["ms"] = round((time.perf_counter() - started) * 1000, 1)


async def get(
    session: aiohttp.ClientSession,
    url: str,
    params: dict[str, str],
    wait: float,
    record: dict[str, Any],
    *,
    secret: str | None = None,
) -> str | None:
    """GET with ``params`` within ``wait`` seconds; the answer's text when it is a 2xx,
    else ``None`` (and why, in ``record``).

    With ``secret``, signed as Stringee signs a GET: ``X-STRINGEE-SIGNATURE``
    over the request URI (path and query, exactly as sent).
    """
    started = time.perf_counter()
    target = URL(url).update_query(params)
    headers = {}
    if secret:
        headers["X-STRINGEE-SIGNATURE"] = stringee_signature(
            signed_bytes("GET", target.raw_path_qs, b""), secret
        )
    try:
        timeout = aiohttp.ClientTimeout(total=wait)
        async with session.get(target, headers=headers, timeout=timeout) as response:
            return await _answer(response, record)
    except (aiohttp.ClientError, TimeoutError) as exc:
        state = "timed out" if isinstance(exc, TimeoutError) else "failed"
        record.update(state=state, error=_error(exc))
        return None
    finally:
        record["ms"] = round((time.perf_counter() - started) * 1000, 1)


async def _answer(response: aiohttp.ClientResponse, record: dict[str, Any]) -> str | None:
    """The body of a 2xx answer; any other status is the receiver's refusal, logged as
    such (its body kept in the record, never used as an answer)."""
    record["status"] = response.status
    text = await response.text(errors="replace")
    record["answer"] = text[:2000]  # what the log keeps of it
    if 200 <= response.status < 300:
        record["state"] = "answered"
        return text
    record["state"] = f"refused: HTTP {response.status}"
    return None


def _error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "TimeoutError: no answer in time"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


def read_agents_answer(
    text: str, default_timeout: float
) -> tuple[dict[str, list[tuple[str, float]]], str | None]:
    """``get_list_agents_url``'s answer: each call's (agent, answer_timeout) list, or why not."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}, "not JSON"
    if not isinstance(data, dict) or data.get("version") != 2:
        return {}, 'not {"version": 2, "calls": [...]}'
    calls = data.get("calls")
    if not isinstance(calls, list):
        return {}, "calls is not a list"
    answers: dict[str, list[tuple[str, float]]] = {}
    for call in calls:
        if not isinstance(call, dict) or not isinstance(call.get("callId"), str):
            return {}, "a call without a callId"
        listed: list[tuple[str, float]] = []
        for agent in call.get("agents") or []:
            user = agent.get("stringee_user_id") if isinstance(agent, dict) else None
            if not isinstance(user, str):
                return {}, "an agent without a stringee_user_id"
            timeout = agent.get("answer_timeout", default_timeout)
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
                return {}, "answer_timeout is not a positive number of seconds"
            listed.append((user, float(timeout)))
        answers[call["callId"]] = listed
    return answers, None
