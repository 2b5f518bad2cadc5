"""The version of pcc-router, and which build of its engine runs: compiled or pure Python.

``VERSION`` is the one source of the version: ``pyproject.toml`` reads it from
here when the package is built, so that a run reports it without asking
``importlib.metadata`` (a tenth of a second at every start).
"""

from __future__ import annotations

import importlib.machinery

from pcc_router.routing import engine

__all__ = ["VERSION", "build", "describe"]

VERSION = "0.1.0"


def build() -> str:
    """``"compiled"`` when the engine is a mypyc extension module, ``"pure Python"`` if not."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return "compiled" if str(engine.__file__).endswith(suffixes) else "pure Python"


def describe() -> str:
    """What ``--version`` prints: ``pcc-router 0.1.0 (compiled)``."""
    return f"pcc-router {VERSION} ({build()})"
