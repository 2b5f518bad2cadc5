"""Reading nested dicts strictly: every key known, every value checked, errors that name the key.

One reader for every place project data comes in (scenario files, REST bodies,
the store's JSON, PCC's REST answers): :class:`Fields` wraps one table (a
dict) at a path (``queues[1]`` in a scenario, nothing in a REST body), so
each :class:`FormatError` names the key in the caller's own terms
(``queues[1].strategy``, or just ``strategy``). A JSON ``null`` counts as
not given.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from pcc_router.routing.durations import parse_duration
from pcc_router.routing.errors import RoutingError

__all__ = ["MISSING", "Fields", "FormatError"]

T = TypeVar("T")
MISSING: Any = object()


class FormatError(RoutingError):
    """Data that does not read: ``where`` is the key path (``queues[1].strategy``)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class Fields:
    """A table being read; :meth:`finish` rejects any key nobody asked for."""

    def __init__(self, data: object, where: str = "") -> None:
        if not isinstance(data, Mapping):
            raise FormatError(where, f"expected a table, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where
        self._read: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = MISSING) -> Any:
        self._read.add(key)
        value = self.data.get(key)
        if value is not None:
            return value
        if default is MISSING:
            raise FormatError(self.path(key), "is required")
        return default

    def typed(self, key: str, kind: type[T] | tuple[type, ...], default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise FormatError(self.path(key), f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def string(self, key: str, default: Any = MISSING, *, max_len: int = 1024) -> Any:
        value = self.typed(key, str, default)
        if isinstance(value, str) and len(value) > max_len:
            raise FormatError(self.path(key), f"is longer than {max_len} characters")
        return value

    def integer(self, key: str, default: Any = MISSING, *, minimum: int | None = None) -> Any:
        value = self.typed(key, int, default)
        if isinstance(value, int) and minimum is not None and value < minimum:
            raise FormatError(self.path(key), f"must be at least {minimum}, got {value}")
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
            raise FormatError(self.path(key), f"{value!r} is not one of {names}")
        return allowed[value] if isinstance(allowed, Mapping) else value

    def sub(self, key: str) -> Fields:
        return Fields(self.raw(key), self.path(key))

    def items(self, key: str) -> list[Fields]:
        """An array of tables (``[[key]]``), each as :class:`Fields`."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise FormatError(self.path(key), "expected an array of tables ([[...]])")
        return [Fields(item, f"{self.path(key)}[{i}]") for i, item in enumerate(value)]

    def convert(self, key: str, value: Any, parse: Callable[[Any], T]) -> T:
        try:
            return parse(value)
        except (ValueError, TypeError) as exc:
            raise FormatError(self.path(key), str(exc)) from None

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self._read]
        if unknown:
            known = ", ".join(sorted(self._read))
            close = difflib.get_close_matches(unknown[0], self._read, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise FormatError(self.path(unknown[0]), f"unknown key ({hint}known here: {known})")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "an array"}  # fmt: skip
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)
