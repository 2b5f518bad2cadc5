"""Every file in scenarios/ is a test: it must load, run, and meet all its expectations."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pcc_router.simulator import load_scenario, simulate
from tests.conftest import HOTLINE

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").glob("*.toml"))


def test_there_are_enough_scenarios() -> None:
    assert len(FILES) >= 10
    assert (HOTLINE) in FILES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_meets_its_expectations(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.expects, "a scenario without [[expect]] checks nothing"
    result = simulate(scenario)
    failed = [c.as_dict() for c in result.checks if not c.passed]
    assert failed == []


def test_same_file_same_seed_same_json_and_another_seed_differs() -> None:
    path = ROOT / "scenarios" / "traffic_pools.toml"
    first = json.dumps(simulate(load_scenario(path)).to_json())
    second = json.dumps(simulate(load_scenario(path)).to_json())
    assert first == second
    reseeded = replace(load_scenario(path), seed=8)
    assert json.dumps(simulate(reseeded).to_json()) != first
