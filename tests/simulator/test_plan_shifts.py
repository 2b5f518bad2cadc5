"""Shifts: the [[shifts]] table, the ways to work them, and the cover at least agent-hours."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pcc_router.simulator.plan.forecast import PlanError
from pcc_router.simulator.plan.shifts import cover, shift_options
from pcc_router.simulator.scenario import ScenarioError, load_scenario
from tests.simulator.plan_helpers import SHIFTS, STATIONARY, forecast_of, write


def test_options_cover_the_shift_less_its_break(tmp_path: Path) -> None:
    forecast = forecast_of(write(tmp_path, STATIONARY + SHIFTS))
    options = shift_options(forecast)
    long = [(o.start, o.breaks, o.covers) for o in options if o.shift.id == "long"]
    assert long == [
        (0.0, (3600.0,), (1, 0, 1, 1, 0, 0)),
        (0.0, (7200.0,), (1, 1, 0, 1, 0, 0)),
        (3600.0, (7200.0,), (0, 1, 0, 1, 1, 0)),
        (3600.0, (10800.0,), (0, 1, 1, 0, 1, 0)),
        (7200.0, (10800.0,), (0, 0, 1, 0, 1, 1)),
        (7200.0, (14400.0,), (0, 0, 1, 1, 0, 1)),
    ]
    short = [o.covers for o in options if o.shift.id == "short"]
    assert short[-1] == (0, 0, 0, 0, 1, 1) and len(short) == 5
    assert options[1].timeline(forecast.day) == (
        "AVAILABLE", ((7200.0, "LUNCH BREAK"), (10800.0, "AVAILABLE"), (14400.0, "NOT AVAILABLE"))
    )  # fmt: skip


def test_the_cover_is_the_cheapest_and_covers(tmp_path: Path) -> None:
    forecast = forecast_of(write(tmp_path, STATIONARY + SHIFTS))
    # a few options, so that brute force can check the program's optimum
    options = [o for o in shift_options(forecast) if o.start < 7200 or o.start == 14400]
    need = [3, 4, 4, 5, 2, 2]
    roster = cover(forecast, need, options)
    assert all(r >= n for r, n in zip(roster.rostered, need, strict=True))
    assert sum(c for o, c in roster.chosen if o.shift.id == "short") <= 6
    # brute force over small counts: nothing cheaper covers
    best = min(
        sum(o.hours * c for o, c in zip(options, counts, strict=True))
        for counts in itertools.product(range(5), repeat=len(options))
        if sum(c for o, c in zip(options, counts, strict=True) if o.shift.id == "short") <= 6
        and all(sum(o.covers[i] * c for o, c in zip(options, counts, strict=True)) >= need[i]
                for i in range(6))
    )  # fmt: skip
    assert roster.hours == best


def test_shifts_that_cannot_cover_say_where_and_by_how_much(tmp_path: Path) -> None:
    only_short = SHIFTS.split('[[shifts]]\nid = "short"')[1]
    forecast = forecast_of(write(tmp_path, STATIONARY + '\n[[shifts]]\nid = "short"' + only_short))
    with pytest.raises(PlanError) as caught:
        cover(forecast, [3, 4, 4, 5, 2, 2], shift_options(forecast))
    assert caught.value.where == "shifts"
    # six 2-hour agents at most: 12 agent-hours for 20 needed, whatever the placement
    assert caught.value.message == (
        "cannot cover the requirement in every interval at once: max_agents leaves 8 "
        "agent-intervals short in all (raise max_agents, or add shifts)"
    )
    late = STATIONARY + '\n[[shifts]]\nid = "early"\nstarts = ["0h"]\nlength = "3h"\n'
    forecast = forecast_of(write(tmp_path, late))
    with pytest.raises(PlanError) as caught:
        cover(forecast, [3, 4, 4, 5, 2, 0], shift_options(forecast))
    assert caught.value.message == (
        "cannot cover the requirement: short in 03:00-04:00 by 5, 04:00-05:00 by 2 (agents "
        "no shift can put there; add start times, or raise max_agents)"
    )


def test_shift_times_must_fall_on_the_plans_intervals(tmp_path: Path) -> None:
    forecast = forecast_of(
        write(tmp_path, STATIONARY + SHIFTS.replace('length = "4h"', 'length = "4.5h"'))
    )
    with pytest.raises(PlanError) as caught:
        shift_options(forecast)
    assert caught.value.where == "shifts[0].length"
    assert shift_options(forecast_of(write(tmp_path, STATIONARY + SHIFTS), interval=1800))


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ('id = "x"\nstarts = ["0h"]\nlength = "0s"', "shifts[0].length"),
        ('id = "x"\nstarts = ["7h"]\nlength = "2h"', "shifts[0].starts"),
        ('id = "x"\nstarts = { from = "2h", to = "1h", every = "1h" }\nlength = "2h"',
         "shifts[0].starts"),
        ('id = "x"\nstarts = ["0h"]\nlength = "2h"\nbreaks = [{ after = "2h", length = "1h" }]',
         "shifts[0].breaks[0].after"),
        ('id = "x"\nstarts = ["0h"]\nlength = "2h"\nlunch = "1h"', "shifts[0].lunch"),
        ('id = "x"\nstarts = ["0h"]\nlength = "2h"\n[[shifts]]\nid = "x"\nstarts = ["0h"]\n'
         'length = "2h"', "shifts[1].id"),
    ],
)  # fmt: skip
def test_the_shifts_table_is_checked_with_the_scenario(
    tmp_path: Path, table: str, where: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, STATIONARY + "\n[[shifts]]\n" + table + "\n"))
    assert caught.value.where == where
