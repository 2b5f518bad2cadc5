"""Pickling and copying the engine's records the same way in the pure and compiled builds.

A record is rebuilt by calling its class with its fields. Compiled by mypyc,
the default way fails: a frozen dataclass refuses the attribute writes that
unpickling makes, and a class with an explicit keyword-only ``__init__`` (the
events and commands) cannot be made empty first. Scenarios, projects and
results are pickled whenever runs go to other processes or machines, so every
dataclass of the engine registers this reduction with :mod:`copyreg`, which
:mod:`pickle` and :mod:`copy` both read.
"""

from __future__ import annotations

import copyreg
import importlib
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

__all__ = ["register_dataclasses", "rebuild"]


def rebuild(cls: type[Any], values: dict[str, Any]) -> Any:
    """The record ``cls(**values)``: its constructor, checks included."""
    return cls(**values)


def _reduce(record: Any) -> tuple[Any, tuple[type[Any], dict[str, Any]]]:
    # Fields the constructor does not take (a project's remembered check) start afresh.
    values = {f.name: getattr(record, f.name) for f in fields(record) if f.init}
    return rebuild, (type(record), values)


def register_dataclasses(module_names: Iterable[str]) -> None:
    """Pickle every dataclass defined in these modules by its constructor."""
    for name in module_names:
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                copyreg.pickle(value, _reduce)
