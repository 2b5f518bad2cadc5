"""Units of work, and the one place their blocking store steps run.

A unit of work is a generator: it *yields* each blocking store step (open a
session and take the lock, read, write and commit) as a callable and gets
its result back; everything between two yields (the engine) runs where the
unit is driven from. Two drivers run the same units:

- :func:`run_inline` runs the steps on the calling thread (the CLI, tests);
- :class:`StoreWorker` runs them on its single thread while the unit itself
  stays on the event loop, one unit at a time: the engine and the app state
  are touched only on the loop, a PostgreSQL lock wait or a commit never
  stalls it, and units never interleave.

A step that raises is thrown back into the unit, which cleans up and
re-raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["Step", "StoreWorker", "Unit", "run_inline"]

T = TypeVar("T")
Step = Callable[[], Any]
Unit = Generator[Step, Any, T]


def _resume(unit: Unit[Any], value: Any, error: BaseException | None) -> tuple[bool, Any]:
    """Hand ``unit`` the last outcome: ``(True, result)`` once it ends, else its next step."""
    try:
        return False, unit.throw(error) if error is not None else unit.send(value)
    except StopIteration as stop:
        return True, stop.value


def run_inline(unit: Unit[T]) -> T:
    """Drive ``unit`` to its end on this thread."""
    value: Any = None
    error: BaseException | None = None
    while True:
        ended, step = _resume(unit, value, error)
        if ended:
            return step  # type: ignore[no-any-return]
        value, error = None, None
        try:
            value = step()
        except Exception as exc:
            error = exc


class StoreWorker:
    """One thread for the store's blocking work; units run through it one at a time."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcc-store")
        self._lock: asyncio.Lock | None = None

    def _serial(self) -> asyncio.Lock:
        if self._lock is None:  # made on the loop that uses it
            self._lock = asyncio.Lock()
        return self._lock

    async def run(self, unit: Unit[T]) -> T:
        """Drive ``unit`` on this loop, its store steps on the worker thread."""
        loop = asyncio.get_running_loop()
        async with self._serial():
            value: Any = None
            error: BaseException | None = None
            while True:
                ended, step = _resume(unit, value, error)
                if ended:
                    return step  # type: ignore[no-any-return]
                value, error = None, None
                try:
                    value = await loop.run_in_executor(self._executor, step)
                except Exception as exc:
                    error = exc

    async def call(self, step: Callable[[], T]) -> T:
        """One blocking step on the worker thread, between units."""
        loop = asyncio.get_running_loop()
        async with self._serial():
            return await loop.run_in_executor(self._executor, step)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
