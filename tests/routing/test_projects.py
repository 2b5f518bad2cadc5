"""The project format: one codec, its round trip, and errors in the caller's own terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcc_router.routing import QueueSpec, Strategy
from pcc_router.routing.fields import Fields, FormatError
from pcc_router.routing.projects import (
    project_from_dict,
    project_to_dict,
    queue_from_dict,
    read_queue,
)
from pcc_router.simulator import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_project_survives_a_trip_through_json(path: Path) -> None:
    project = load_scenario(path).project
    written = json.loads(json.dumps(project_to_dict(project)))
    assert project_from_dict(written) == project


def test_defaults_live_in_the_specs() -> None:
    queue = queue_from_dict(
        {"id": "q", "groups": [{"group": "g"}]}, group_ids={"g"}, queue_ids={"q"}
    )
    assert queue == QueueSpec(id=queue.id, groups=queue.groups)
    assert queue.strategy is Strategy.LONGEST_IDLE and queue.wait_agent_answer_timeout == 15.0


def test_a_null_is_not_given() -> None:
    queue = queue_from_dict(
        {"id": "q", "groups": [{"group": "g"}], "overflow": None, "maximum_queue_size": None},
        group_ids={"g"},
        queue_ids={"q"},
    )
    assert queue.overflow is None and queue.maximum_queue_size is None


@pytest.mark.parametrize(
    ("where", "expected"), [("", "strategy"), ("queues[2]", "queues[2].strategy")]
)
def test_errors_name_the_field_in_the_callers_terms(where: str, expected: str) -> None:
    fields = Fields({"id": "q", "groups": [{"group": "g"}], "strategy": ["random"]}, where)
    with pytest.raises(FormatError) as caught:
        read_queue(fields, group_ids={"g"}, queue_ids={"q"})
    assert caught.value.where == expected
    assert str(caught.value).startswith(f"{expected}: ['random'] is not one of")


def test_unknown_keys_and_dangling_references_are_refused() -> None:
    with pytest.raises(FormatError, match="colour: unknown key"):
        queue_from_dict(
            {"id": "q", "groups": [{"group": "g"}], "colour": "red"},
            group_ids={"g"},
            queue_ids={"q"},
        )
    with pytest.raises(FormatError, match=r"groups\[0\].group: no group 'h'"):
        queue_from_dict({"id": "q", "groups": [{"group": "h"}]}, group_ids={"g"}, queue_ids={"q"})
    # left to the whole project's check when the caller does not know the ids (the store)
    unchecked = queue_from_dict(
        {"id": "q", "groups": [{"group": "h"}]}, group_ids=None, queue_ids=None
    )
    assert unchecked.groups[0].group == "h"


def test_phone_numbers_are_read_in_one_form() -> None:
    project = project_from_dict(
        {
            "agents": [
                {"stringee_user_id": "d", "routing_type": 2, "phone_number": "+84 90-123-4567"}
            ]
        }
    )
    assert project.agents[0].phone_number == "84901234567"
    with pytest.raises(FormatError, match=r"agents\[0\].phone_number"):
        project_from_dict({"agents": [{"stringee_user_id": "d", "phone_number": "call me"}]})
