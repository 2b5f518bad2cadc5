"""Reading TOML tables strictly: every key known, every value checked, errors that name the key."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from pcc_router.simulator.durations import parse_duration

__all__ = ["MISSING", "ScenarioError", "Table", "locate"]

T = TypeVar("T")
MISSING: Any = object()


class ScenarioError(Exception):
    """A scenario that cannot run: ``where`` is the key path, e.g. ``queues[1].strategy``."""

    def __init__(self, where: str, message: str, *, file: str = "", line: int | None = None):
        super().__init__(message)
        self.where = where
        self.message = message
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


class Table:
    """A TOML table being read; :meth:`finish` rejects any key nobody asked for."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioError(where, f"expected a table, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where
        self._read: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = MISSING) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            raise ScenarioError(self.path(key), "is required")
        return default

    def typed(self, key: str, kind: type[T] | tuple[type, ...], default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, bool) and kind is not bool:
            raise ScenarioError(self.path(key), f"expected {_kind_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise ScenarioError(self.path(key), f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def string(self, key: str, default: Any = MISSING) -> Any:
        return self.typed(key, str, default)

    def integer(self, key: str, default: Any = MISSING, *, minimum: int | None = None) -> Any:
        value = self.typed(key, int, default)
        if isinstance(value, int) and minimum is not None and value < minimum:
            raise ScenarioError(self.path(key), f"must be at least {minimum}, got {value}")
        return value

    def number(self, key: str, default: Any = MISSING) -> Any:
        value = self.typed(key, (int, float), default)
        return float(value) if isinstance(value, (int, float)) else value

    def duration(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        return self.convert(key, value, parse_duration)

    def choice(
        self, key: str, allowed: Mapping[Any, T] | frozenset[Any], default: Any = MISSING
    ) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, Hashable) or value not in allowed:
            names = ", ".join(repr(a) for a in sorted(allowed, key=str))
            raise ScenarioError(self.path(key), f"{value!r} is not one of {names}")
        return allowed[value] if isinstance(allowed, Mapping) else value

    def sub(self, key: str) -> Table:
        return Table(self.raw(key), self.path(key))

    def items(self, key: str) -> list[Table]:
        """An array of tables (``[[key]]``), each as a :class:`Table`."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise ScenarioError(self.path(key), "expected an array of tables ([[...]])")
        return [Table(item, f"{self.path(key)}[{i}]") for i, item in enumerate(value)]

    def convert(self, key: str, value: Any, parse: Callable[[Any], T]) -> T:
        try:
            return parse(value)
        except (ValueError, TypeError) as exc:
            raise ScenarioError(self.path(key), str(exc)) from None

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self._read]
        if unknown:
            known = ", ".join(sorted(self._read))
            raise ScenarioError(self.path(unknown[0]), f"unknown key (known here: {known})")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "an array"}  # fmt: skip
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)
