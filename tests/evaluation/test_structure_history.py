"""A group that changes structure is counted, for each quarter, under the structure it had when
that quarter ended. A change today alters no figure already shown, so the figures before and
after the change cannot be subtracted to give away a small group's hidden numbers."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from evaluation.dashboard import build_family, structure_in
from groups.models import PracticeGroup
from groups.services.practice_groups import group_update
from tests.evaluation.support import held_session, london, member_of
from tests.factories import PracticeGroupFactory

Q1, Q2, Q3 = date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)
TEAM = PracticeGroup.Structure.TEAM
ORGANISATIONAL = PracticeGroup.Structure.ORGANISATIONAL


def _figures(family) -> dict:
    """Every figure of a family, shown or hidden: key -> (value, hidden)."""
    found = {}
    for block in family.blocks + [m.trend for m in family.measures]:
        for row in block.rows:
            for figure in row.cells.values():
                found[figure.key] = (figure.value, figure.suppressed)
    return found


def _teams(world):
    """Two team groups (six and three people) and an organisational one (five), all meeting in
    2025 Q1; the small team group's figures are hidden."""
    big = PracticeGroupFactory(host=world.org, name="Big team", structure=TEAM)
    small = PracticeGroupFactory(host=world.org, name="Small team", structure=TEAM)
    wide = PracticeGroupFactory(host=world.org, name="Whole service", structure=ORGANISATIONAL)
    for group, size, came in ((big, 6, 5), (small, 3, 2), (wide, 5, 5)):
        people = [member_of(group) for _ in range(size)]
        held_session(group, date(2025, 2, 3), people, came=came)
    return big, small, wide


def test_a_structure_change_today_changes_no_figure_of_a_past_quarter(world):
    _big, small, _wide = _teams(world)
    before = _figures(build_family(world.org))
    assert before[("attendance", ("group", small.pk), Q1)][1], "three people: hidden"

    group_update(group=small, actor=world.admin, structure=ORGANISATIONAL)

    small.refresh_from_db()
    assert small.structure == ORGANISATIONAL
    assert [c["structure"] for c in small.structure_history] == [TEAM]
    assert _figures(build_family(world.org)) == before  # nothing to subtract


def test_each_quarter_counts_the_group_under_the_structure_it_had_when_the_quarter_ended(world):
    big, small, wide = _teams(world)
    for group in (big, small, wide):
        people = [member_of(group) for _ in range(5)]
        held_session(group, date(2025, 8, 4), people)
    # The small group became organisational on 1 May 2025: Q1 had ended, Q3 had not begun.
    small.structure = ORGANISATIONAL
    small.structure_history = [{"structure": TEAM, "until": london(date(2025, 5, 1)).isoformat()}]
    small.save()

    assert structure_in(small, Q1) == TEAM
    assert structure_in(small, Q2) == ORGANISATIONAL  # the change came before Q2 ended
    family = build_family(world.org)
    figures = {
        f.key: f
        for block in family.blocks
        for row in block.rows
        for f in row.cells.values()
        if block.key == "active"
    }
    assert figures[("active", ("structure", TEAM), Q1)].value == 5 + 2  # who came
    assert figures[("active", ("structure", ORGANISATIONAL), Q1)].value == 5
    assert figures[("active", ("structure", TEAM), Q3)].value == 5  # the big group alone
    assert figures[("active", ("structure", ORGANISATIONAL), Q3)].value == 10


def test_an_unchanged_structure_records_nothing(world):
    group_update(
        group=world.group, actor=world.admin, name="New name", structure=world.group.structure
    )
    world.group.refresh_from_db()
    assert world.group.structure_history == []


def test_the_manager_still_sees_the_old_structure_row_for_past_quarters(client, world):
    _big, small, _wide = _teams(world)
    group_update(group=small, actor=world.admin, structure=ORGANISATIONAL)
    group_update(group=_big, actor=world.admin, structure=ORGANISATIONAL)

    client.force_login(world.manager)
    page = client.get(reverse("evaluation:dashboard", args=[world.org.pk])).content.decode()

    assert "All team groups" in page  # no team group is left, but 2025 Q1 was counted so
