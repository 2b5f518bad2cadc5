"""A progress bar for long runs: shown on a terminal once a run has taken a second.

``rich`` is imported only when a bar is drawn: most runs (``--json``, tests,
short runs) never draw one and should not pay for the import.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["ProgressBar"]

SHOW_AFTER = 1.0  # seconds: short runs print no bar at all


class ProgressBar:
    """Callable with the fraction done; draws nothing unless ``show`` and the run is slow."""

    def __init__(self, *, show: bool) -> None:
        self._show = show
        self._started = time.monotonic()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __call__(self, fraction: float) -> None:
        if not self._show:
            return
        if self._progress is None:
            if time.monotonic() - self._started < SHOW_AFTER:
                return
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("simulating"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TimeRemainingColumn(), transient=True,
            )  # fmt: skip
            self._progress.start()
            self._task = self._progress.add_task("run", total=1.0)
        if self._task is not None:
            self._progress.update(self._task, completed=fraction)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
