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

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker process, it crosses back pickled: by its own arguments.
        return _rebuild, (self.where, self.message, self.file, self.line)

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        parts = [p for p in (place, self.where) if p]
        return ": ".join([*parts, self.message])


def _rebuild(where: str, message: str, file: str, line: int | None) -> ScenarioError:
    return ScenarioError(where, message, file=file, line=line)


def locate(text: str, where: str) -> int | None:
    """The line of the key ``where`` names (``groups[0].agents[1]``): found along its path
    (the n-th ``[[groups]]`` table, then its ``agents`` key), else where the file spells
    the last key in exactly one place."""
    lines = text.splitlines()
    found = _along(lines, _segments(where))
    if found is not None:
        return found
    key = re.split(r"[.\[]", where)[-1].rstrip("]")
    if not key or key.isdigit():
        return None
    pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
    hits = [n for n, line in enumerate(lines, 1) if pattern.search(line)]
    return hits[0] if len(hits) == 1 else None


def _segments(where: str) -> list[tuple[str, int | None]]:
    """``groups[0].agents[1]`` as ``[("groups", 0), ("agents", 1)]``."""
    parts = []
    for part in where.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        if match is None:
            return []
        indexes = re.findall(r"\[(\d+)\]", match.group(2))
        parts.append((match.group(1), int(indexes[0]) if indexes else None))
    return parts


def _along(lines: list[str], segments: list[tuple[str, int | None]]) -> int | None:
    """Follow the path through table headers and keys; the line it ends on, or ``None``."""
    if not segments:
        return None
    name, index = segments[0]
    headers = [
        n
        for n, line in enumerate(lines)
        if re.match(rf"\s*\[\[?\s*{re.escape(name)}\s*\]\]?\s*(#.*)?$", line)
    ]
    if headers:
        position = index if index is not None else 0
        if position >= len(headers):
            return None
        start = headers[position]
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")),
            len(lines),
        )
        if len(segments) == 1:
            return start + 1
        key = segments[1][0]
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start + 1, end):
            if pattern.match(lines[n]):
                return n + 1
        return start + 1  # the key is not written: its table is the place
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=")
    hits = [n + 1 for n, line in enumerate(lines) if pattern.match(line)]
    return hits[0] if len(hits) == 1 else None
