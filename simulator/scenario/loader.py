"""Reading a scenario file: :func:`load_scenario` returns a :class:`Scenario` that can
run, or raises :class:`ScenarioError` naming the file, the key and, when the file spells
the key in one place, its line. Nothing runs before the whole file is checked.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pcc_router.routing import ConfigError
from pcc_router.routing.fields import FormatError
from pcc_router.simulator.scenario.model import Scenario
from pcc_router.simulator.scenario.schema import Fields, ScenarioError, locate
from pcc_router.simulator.scenario.sections import read_scenario

__all__ = ["load_scenario", "read_document", "scenario_from_document"]


def _read_text(path: Path) -> str:
    """The file as UTF-8 text (a leading byte-order mark dropped); anything else is a
    :class:`ScenarioError` naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError("", f"cannot read the file: {exc.strerror}", file=str(path)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("", "is UTF-16 text: save it as UTF-8", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            "", "is not UTF-8 text (a TOML file must be)", file=str(path), line=line
        ) from None
    if "\x00" in text:
        raise ScenarioError("", "holds a NUL byte: not a text file", file=str(path))
    return text


def read_document(path: str | Path) -> dict[str, Any]:
    """The file's TOML document, with the same checks and errors as :func:`load_scenario`."""
    path = Path(path)
    return _parse(_read_text(path), path)


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else None
        raise ScenarioError("", f"not valid TOML: {exc}", file=str(path), line=line) from None


def load_scenario(path: str | Path, *, pool_counts: Mapping[int, int] | None = None) -> Scenario:
    """Read and check a scenario file; raise :class:`ScenarioError` on any problem.

    ``pool_counts`` replaces the ``count`` of ``[[agent_pools]]`` entries by
    index (the staffing sweep's what-if).
    """
    path = Path(path)
    text = _read_text(path)
    data = _parse(text, path)
    pools = data.get("agent_pools")
    for index, count in (pool_counts or {}).items():
        if not isinstance(pools, list) or not 0 <= index < len(pools):
            raise ScenarioError("agent_pools", f"has no entry {index}", file=str(path))
        pools[index]["count"] = count
    return scenario_from_document(data, path, text=text)


def scenario_from_document(data: dict[str, Any], path: Path, *, text: str = "") -> Scenario:
    """A scenario from its TOML document as parsed (a plan's staffed day, say); ``path``
    names it in messages and anchors the files it names; ``text``, when given, is the
    file's text, which finds the line of a key in error."""
    try:
        scenario = read_scenario(Fields(data, ""), path)
        scenario.project.check()
    except FormatError as exc:
        line = locate(text, exc.where) if text else None
        raise ScenarioError(exc.where, exc.message, file=str(path), line=line) from None
    except ConfigError as exc:
        raise ScenarioError("", exc.msg, file=str(path)) from None
    return scenario
