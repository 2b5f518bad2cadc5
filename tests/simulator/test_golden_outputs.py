"""Every bundled scenario's output, to the byte, whichever build runs it.

``golden_outputs.txt`` holds the sha256 of ``simulate --json`` and of the
readable report with every ring explained (``--why always``), made by the
pure-Python build before the speed work of issue 16. The compiled build (CI
runs this suite on it too) and any later optimisation must give the very same
bytes; the version is left out so that a release does not change them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pcc_router.simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden_outputs.txt")
_VERSION = re.compile(r'"version": "[^"]*"')


def _golden() -> dict[tuple[str, str], str]:
    rows = [line.split() for line in GOLDEN.read_text("utf-8").splitlines()]
    return {(name, mode): digest for name, mode, digest in (r for r in rows if r[0] != "#")}


GOLDEN_DIGESTS = _golden()


def test_every_bundled_scenario_has_its_digests() -> None:
    bundled = {path.stem for path in (ROOT / "scenarios").glob("*.toml")}
    assert {name for name, _ in GOLDEN_DIGESTS} == bundled
    assert {mode for _, mode in GOLDEN_DIGESTS} == {"json", "why"}


@pytest.mark.parametrize(("name", "mode"), sorted(GOLDEN_DIGESTS))
def test_output_is_byte_identical(
    name: str, mode: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    options = ["--json"] if mode == "json" else ["--why", "always"]
    main(["simulate", str(ROOT / "scenarios" / f"{name}.toml"), *options])
    text = _VERSION.sub('"version": ""', capsys.readouterr().out.rstrip("\n") + "\n")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == GOLDEN_DIGESTS[(name, mode)]
