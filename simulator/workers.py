"""Where independent runs execute: local worker processes, or a Dask distributed cluster.

A sweep or a staffing plan is hundreds of simulations that share nothing. A
:class:`Workers` maps a picklable, top-level function over a list of jobs and
returns the results in the jobs' order, whatever ran them and in whatever
order they finished: every job carries its own seed (derived from the
scenario's seed and the job's place, never from the worker), so the results,
and every table or file made from them, are the same to the byte on one
process, on local worker processes or on a cluster.

- :class:`LocalWorkers`: a process pool on this machine (one process: in this
  one, which is what tests and small runs want);
- :class:`DaskWorkers`: Dask distributed's standard client, connected to a
  scheduler given as ``tcp://HOST:PORT`` (``--scheduler``, or the
  ``DASK_SCHEDULER_ADDRESS`` environment variable Dask itself reads). The
  ``dask`` extra (``pip install 'pcc-router[dask]'``) brings it; workers need
  pcc-router installed at the same version.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

__all__ = ["SCHEDULER_ENV", "DaskWorkers", "LocalWorkers", "Workers", "WorkersError",
           "open_workers"]  # fmt: skip

J = TypeVar("J")
R = TypeVar("R")

#: The environment variable Dask's own configuration reads for the scheduler's address.
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: How long connecting to a scheduler may take before the command gives up, in seconds.
CONNECT_TIMEOUT = 10.0

Progress = Callable[[int, int], None]


class WorkersError(Exception):
    """The workers cannot be had (no Dask installed, no scheduler at the address)."""


class Workers(Protocol):
    def map(self, fn: Callable[[J], R], jobs: Sequence[J], progress: Progress | None = None,
            ) -> list[R]: ...  # fmt: skip

    def close(self) -> None: ...

    def describe(self) -> str: ...


class LocalWorkers:
    """Worker processes on this machine; with one worker, the runs happen in this process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[J], R], jobs: Sequence[J], progress: Progress | None = None,
            ) -> list[R]:  # fmt: skip
        total = len(jobs)
        if self.workers == 1 or total <= 1:
            results = []
            for done, job in enumerate(jobs, 1):
                results.append(fn(job))
                if progress is not None:
                    progress(done, total)
            return results
        if self._pool is None:  # started once, kept for every batch of the command
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        futures = {self._pool.submit(fn, job): index for index, job in enumerate(jobs)}
        slots: list[Any] = [None] * total
        for done, future in enumerate(as_completed(futures), 1):
            slots[futures[future]] = future.result()
            if progress is not None:
                progress(done, total)
        return slots

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def describe(self) -> str:
        return f"{self.workers} local process{'es' if self.workers > 1 else ''}"


class DaskWorkers:
    """The runs on a Dask distributed cluster, through its standard client."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise WorkersError(
                "--scheduler needs Dask distributed: pip install 'pcc-router[dask]'"
            ) from None
        if not address.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
            raise WorkersError(f"--scheduler {address!r}: expected tcp://HOST:PORT")
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise WorkersError(f"--scheduler {address}: cannot connect ({exc})") from None
        self.address = address

    def map(self, fn: Callable[[J], R], jobs: Sequence[J], progress: Progress | None = None,
            ) -> list[R]:  # fmt: skip
        from distributed import as_completed as dask_completed

        # pure=False: two equal jobs are still two runs (Dask would otherwise run one).
        futures = self._client.map(fn, list(jobs), pure=False)
        where = {future.key: index for index, future in enumerate(futures)}
        slots: list[Any] = [None] * len(futures)
        # the client's own loop: it is not the process's default client (tests, libraries)
        finished = dask_completed(futures, loop=self._client.loop, with_results=True)
        for done, (future, result) in enumerate(finished, 1):
            slots[where[future.key]] = result
            if progress is not None:
                progress(done, len(futures))
        return slots

    def close(self) -> None:
        self._client.close()

    def describe(self) -> str:
        workers = len(self._client.scheduler_info().get("workers", {}))
        return f"Dask cluster at {self.address} ({workers} workers)"


def open_workers(scheduler: str | None, workers: int | None) -> Workers:
    """Dask when a scheduler is named (the option, else the environment), else local."""
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        return DaskWorkers(address)
    return LocalWorkers(workers)
