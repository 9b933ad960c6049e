"""The Riverside world of the groups tests (an admin, a manager, a facilitator and a
practitioner, the group "Team RP", and an outsider of another organisation), for evaluation."""

from __future__ import annotations

from datetime import date

import pytest

from tests.evaluation.support import (
    HABITS,
    LARGE,
    MIDDLE,
    SMALL,
    group_with_answers,
    library,
    respond,
    window_on,
)
from tests.groups import conftest as groups_conftest

world = groups_conftest.world  # the fixture, used by name


@pytest.fixture
def answered(world):
    """Riverside's groups answered the reflective habits baseline in 2025 Q1 (three, six and
    seven people); the large group's seven answered a 3-month follow-up lower (a negative
    change) and four of the middle group a 6-month follow-up (too few to show)."""
    habits = library()[HABITS]
    groups = {
        "small": group_with_answers(world.org, "Small RP", habits, SMALL),
        "middle": group_with_answers(world.org, "Middle RP", habits, MIDDLE),
        "large": group_with_answers(world.org, "Large RP", habits, LARGE, structure="multi_agency"),
    }
    large_follow_up = window_on(
        groups["large"].evaluation_plan, "follow_up", date(2025, 5, 10), months=3
    )
    for index, value in enumerate(LARGE):
        respond(large_follow_up, f"Large RP-{index}", {habits: value - 0.5})
    middle_follow_up = window_on(
        groups["middle"].evaluation_plan, "follow_up", date(2025, 8, 10), months=6
    )
    for index in range(4):
        respond(middle_follow_up, f"Middle RP-{index}", {habits: 5.0})
    return habits, groups
