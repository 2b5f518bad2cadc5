"""docs/architecture.md matches the code: each folder's section names every module in it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"
FOLDERS = (
    "routing",
    "simulator",
    "simulator/scenario",
    "simulator/plan",
    "api",
    "api/web",
    "api/stringee",
    "api/store",
    "api/controller",
    "api/views",
    "api/emulator",
    "api/testing",
)


def sections(text: str) -> dict[str, str]:
    """Each section whose heading names a folder (`` `api/web/` ``), by folder: its text up
    to the next heading."""
    found: dict[str, str] = {}
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        named = re.search(r"`((?:routing|simulator|api)(?:/[a-z_]+)*)/`", heading)
        if named:
            found[named.group(1)] = found.get(named.group(1), "") + body
    return found


def modules(folder: str) -> list[str]:
    return sorted(
        p.name for p in (ROOT / folder).glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )


def unnamed(doc: str) -> dict[str, list[str]]:
    by_folder = sections(doc)
    return {
        folder: missing
        for folder in FOLDERS
        if (missing := [m for m in modules(folder) if f"`{m}`" not in by_folder.get(folder, "")])
    }


def test_every_folder_has_its_section_and_no_other_folder_holds_code() -> None:
    assert set(FOLDERS) <= set(sections(DOC.read_text(encoding="utf-8")))
    with_code = {
        str(p.parent.relative_to(ROOT))
        for top in ("routing", "simulator", "api")
        for p in (ROOT / top).rglob("*.py")
    }
    assert with_code == set(FOLDERS)


def test_each_section_names_every_module_of_its_folder() -> None:
    assert unnamed(DOC.read_text(encoding="utf-8")) == {}


def test_the_check_finds_a_module_left_out() -> None:
    doc = DOC.read_text(encoding="utf-8").replace("`routing.py`", "`routes.py`")
    assert unnamed(doc) == {"api/web": ["routing.py"]}


@pytest.mark.parametrize("walk", ["One simulated call through the code", "One PCC event"])
def test_the_walks_through_the_code_name_modules_that_exist(walk: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(walk)
    paragraph = text[start : text.index("\n\n", start)]
    named = re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)", paragraph)
    assert len(named) >= 8
    every = {str(p.relative_to(ROOT)) for p in ROOT.glob("**/*.py") if ".venv" not in p.parts}
    missing = [n for n in named if not any(path.endswith(n) for path in every)]
    assert missing == []
