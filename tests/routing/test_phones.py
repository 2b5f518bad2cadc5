"""Phone numbers compare in one form; times in reasons read as times."""

from __future__ import annotations

import pytest

from pcc_router.routing import clock_time, is_phone_number, normal_number


@pytest.mark.parametrize(
    "written",
    [
        "84901234567",
        "+84901234567",
        "+84 90 123 4567",
        "84-90-123-4567",
        "0084 901 234 567",
        "0901234567",
        "(090) 123.4567",
        " 84901234567 ",
    ],
)
def test_every_written_form_of_one_number_is_the_same(written: str) -> None:
    assert normal_number(written) == "84901234567"
    assert is_phone_number(written)


@pytest.mark.parametrize("text", ["alice", "agent-7", "", "1_100", "+", "84x1"])
def test_what_is_not_a_number_is_left_alone(text: str) -> None:
    assert normal_number(text) == text.strip()
    assert not is_phone_number(text)


def test_hotline_numbers_keep_their_digits() -> None:
    assert normal_number("02473000062") == "842473000062"
    assert normal_number("1900") == "1900"


@pytest.mark.parametrize(
    ("t", "shown"),
    [
        (0.0, "00:00:00"),
        (15.0, "00:00:15"),
        (3725.9, "01:02:05"),
        (1_764_585_125.0, "10:32:05"),  # 2025-12-01 10:32:05 UTC
        (float("inf"), "never"),
    ],
)
def test_times_read_as_times(t: float, shown: str) -> None:
    assert clock_time(t) == shown
