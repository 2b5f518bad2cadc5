"""Scenario errors: a :class:`~pcc_router.routing.fields.FormatError` with its file and line.

Scenario files are read with the core's strict reader
(:class:`pcc_router.routing.fields.Fields`), so a key is checked the same way
in a scenario as in a REST body; the loader adds where in the file it is.
"""

from __future__ import annotations

import re

from pcc_router.routing.fields import Fields, FormatError

__all__ = ["Fields", "ScenarioError", "locate"]


class ScenarioError(FormatError):
    """A scenario that cannot run: ``where`` is the key path, e.g. ``queues[1].strategy``."""

    def __init__(self, where: str, message: str, *, file: str = "", line: int | None = None):
        super().__init__(where, message)
        self.file = file
        self.line = line

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        parts = [p for p in (place, self.where) if p]
        return ": ".join([*parts, self.message])


def locate(text: str, where: str) -> int | None:
    """The line of the key ``where`` names, when the file spells it in exactly one place."""
    key = re.split(r"[.\[]", where)[-1].rstrip("]")
    if not key or key.isdigit():
        return None
    pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
    hits = [n for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    return hits[0] if len(hits) == 1 else None
