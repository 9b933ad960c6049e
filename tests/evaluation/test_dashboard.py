"""Dashboard figures: the statistics against values worked out here, attendance from bookings,
means by group and quarter, and disclosure control as a reader of the pages would meet it —
no figure from fewer than 5 people, and no hidden figure that can be worked out from the
figures a page (with any filter) shows."""

from __future__ import annotations

import math
import statistics
from datetime import date

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evaluation import dashboard as figures
from evaluation.disclosure import K
from evaluation.models import QuestionnaireWindow, Score
from groups.models import PracticeGroup
from sessions.models import Booking, GroupSession
from tests.evaluation.support import (
    CONFIDENCE,
    HABITS,
    LARGE,
    LONDON,
    MIDDLE,
    PROTECTS,
    PULSE,
    SMALL,
    TOO_FEW,
    WELLBEING,
    bare_plan,
    cells_of,
    group_with_answers,
    library,
    london,
    member_of,
    number_or_none,
    page_tables,
    respond,
    visible_means,
    window_on,
    worked_out,
)
from tests.factories import PracticeGroupFactory
from tests.sessions.fixtures_views import book, make_session

T_975_5 = 2.5706  # Student's t, 97.5th percentile, 5 degrees of freedom (from a table)
Q1, Q2, Q3, Q4 = date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)

BASELINE = QuestionnaireWindow.Kind.BASELINE
FOLLOW_UP = QuestionnaireWindow.Kind.FOLLOW_UP
PULSE_KIND = QuestionnaireWindow.Kind.PULSE


def org_scope(world):
    return figures.manager_scope(world.manager, world.org.pk)


# ---------------------------------------------------------------------------------------------
# Baseline to follow-up change
# ---------------------------------------------------------------------------------------------

BEFORE = [2.0, 2.5, 3.0, 3.5, 2.0, 3.0]
AFTER = [3.0, 2.75, 3.5, 4.5, 2.25, 3.25]


def _paired_plan(world, pairs: list[tuple[float, float]], *, months: int = 3):
    habits, confidence = library()[HABITS], library()[CONFIDENCE]
    plan = bare_plan(world.group, [habits, confidence])
    baseline = window_on(plan, BASELINE, date(2025, 1, 15))
    follow_up = window_on(plan, FOLLOW_UP, date(2025, 4, 15), months=months)
    for index, (before, after) in enumerate(pairs):
        # Another measure on the same answers, far away, must not mix in.
        respond(baseline, f"p{index}", {habits: before, confidence: 1.0})
        respond(follow_up, f"p{index}", {habits: after, confidence: 5.0})
    # Someone with a baseline only and someone with a follow-up only: not a pair.
    respond(baseline, "baseline-only", {habits: 1.0})
    respond(follow_up, "follow-up-only", {habits: 5.0})
    return plan, habits


def test_the_change_since_the_baseline_has_the_mean_n_and_a_95_percent_interval(world):
    _plan, habits = _paired_plan(world, list(zip(BEFORE, AFTER, strict=True)))
    differences = [a - b for b, a in zip(BEFORE, AFTER, strict=True)]
    mean = statistics.mean(differences)
    margin = T_975_5 * statistics.stdev(differences) / math.sqrt(6)

    [change] = figures.paired_changes(org_scope(world), habits)

    assert change.months == 3
    assert change.cell.n == 6
    assert not change.cell.suppressed
    assert change.cell.value == pytest.approx(mean, abs=0.005)
    assert change.low == pytest.approx(mean - margin, abs=0.006)
    assert change.high == pytest.approx(mean + margin, abs=0.006)
    assert change.low < change.cell.value < change.high


def test_a_negative_change_keeps_its_sign(world):
    _plan, habits = _paired_plan(world, list(zip(AFTER, BEFORE, strict=True)))
    [change] = figures.paired_changes(org_scope(world), habits)
    assert change.cell.value == pytest.approx(
        -statistics.mean(a - b for b, a in zip(BEFORE, AFTER, strict=True)), abs=0.005
    )
    assert change.cell.value < 0
    assert change.low < change.cell.value < change.high < 0


def test_a_change_from_four_pairs_is_hidden_with_the_reason(world):
    _plan, habits = _paired_plan(world, list(zip(BEFORE, AFTER, strict=True))[:4])
    [change] = figures.paired_changes(org_scope(world), habits)
    assert change.cell.n == 4
    assert change.cell.suppressed
    assert change.cell.shown is None
    assert change.cell.reason == TOO_FEW
    assert (change.low, change.high) == (None, None)


# ---------------------------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------------------------


def _register(session, people, attended: int):
    for index, person in enumerate(people):
        book(
            session,
            person,
            attendance=(
                Booking.Attendance.PRESENT if index < attended else Booking.Attendance.ABSENT
            ),
        )


def test_attendance_rates_by_group_and_quarter_count_only_held_sessions_and_places_booked(
    world,
):
    people = [member_of(world.group) for _ in range(6)]
    first = make_session(world.group, starts_at=london(date(2025, 2, 3), 14), status="held")
    second = make_session(world.group, starts_at=london(date(2025, 3, 3), 14), status="held")
    spring = make_session(world.group, starts_at=london(date(2025, 5, 5), 14), status="held")
    _register(first, people[:5], attended=4)
    book(first, people[5], status=Booking.Status.CANCELLED)
    for index, person in enumerate(people[:5]):
        attendance = ["present", "late", "present", "present", "absent"][index]
        book(second, person, attendance=attendance)
    book(second, people[5], status=Booking.Status.WAITLISTED)
    _register(spring, people[:5], attended=3)
    # Sessions that were not held do not count, whatever their bookings say.
    planned = make_session(world.group, starts_at=london(date(2025, 5, 12), 14))
    _register(planned, people[:5], attended=0)
    called_off = make_session(
        world.group, starts_at=london(date(2025, 5, 19), 14), status="cancelled"
    )
    _register(called_off, people[:5], attended=0)

    table = figures.attendance_table(org_scope(world))

    assert table.cell(world.group.pk, Q1).n == 10
    assert table.cell(world.group.pk, Q1).value == 80  # 8 of 10 places (late counts)
    assert table.cell(world.group.pk, Q2).n == 5
    assert table.cell(world.group.pk, Q2).value == 60
    assert table.row_totals[world.group.pk].value == round(100 * 11 / 15)
    assert table.column_totals[Q1].value == 80
    assert not any(c.suppressed for c in table.cells.values())
    assert figures.sessions_held(org_scope(world)) == {
        (world.group.pk, Q1): 2,
        (world.group.pk, Q2): 1,
    }


def test_an_attendance_rate_from_three_people_stays_hidden_however_many_sessions_they_booked(
    world,
):
    """The page promises every figure comes from at least five people; n counts places."""
    trio = [member_of(world.group) for _ in range(3)]
    for day in (date(2025, 2, 3), date(2025, 2, 17), date(2025, 3, 3)):
        session = make_session(world.group, starts_at=london(day, 14), status="held")
        _register(session, trio, attended=2)

    cell = figures.attendance_table(org_scope(world)).cell(world.group.pk, Q1)

    assert cell.n == 9  # places booked, by three people
    assert cell.suppressed, f"an attendance rate of {cell.value}% from three people is shown"


# ---------------------------------------------------------------------------------------------
# Means by group and quarter, and secondary suppression on the page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_groups(world):
    """Riverside's groups answered the reflective habits baseline in 2025 Q1: a team group of
    three people, a team group of six and a multi-agency group of seven."""
    habits = library()[HABITS]
    PracticeGroup.objects.filter(pk=world.group.pk).delete()
    small = group_with_answers(world.org, "Small RP", habits, SMALL)
    middle = group_with_answers(world.org, "Middle RP", habits, MIDDLE)
    large = group_with_answers(world.org, "Large RP", habits, LARGE, structure="multi_agency")
    return habits, {"small": small, "middle": middle, "large": large}


def test_measure_means_by_group_and_quarter(world, three_groups):
    habits, groups = three_groups
    table = figures.measure_table(org_scope(world), habits)
    large = table.cell(groups["large"].pk, Q1)
    assert (large.n, large.value, large.suppressed) == (7, 3.0, False)
    assert table.column_totals[Q1].n == 16
    assert table.column_totals[Q1].value == round((4.5 + 27 + 21) / 16, 2)
    assert table.total.value == table.column_totals[Q1].value


def test_a_group_of_three_is_hidden_and_so_is_its_sibling_while_the_total_is_shown(
    world, three_groups
):
    habits, groups = three_groups
    table = figures.measure_table(org_scope(world), habits)
    small, middle = table.cell(groups["small"].pk, Q1), table.cell(groups["middle"].pk, Q1)
    assert (small.suppressed, small.reason, small.shown) == (True, TOO_FEW, None)
    assert (middle.suppressed, middle.reason, middle.shown) == (True, PROTECTS, None)
    assert not table.column_totals[Q1].suppressed
    assert not table.cell(groups["large"].pk, Q1).suppressed


FILTERS = [
    {},
    {"structure": "team"},
    {"structure": "multi_agency"},
    {"structure": "organisational"},
]


def _pages(url: str, groups) -> list[tuple[str, frozenset]]:
    """The dashboard under every filter, with the groups each one shows."""
    pages = []
    for query in FILTERS:
        shown = frozenset(g.pk for g in groups if query.get("structure") in (None, g.structure))
        pages.append((url + "?" + "&".join(f"{k}={v}" for k, v in query.items()), shown))
    pages += [(f"{url}?group={g.pk}", frozenset({g.pk})) for g in groups]
    return pages


def _people(groups, measure) -> dict[tuple[int, str], int]:
    """People behind each group-and-quarter cell, counted here from the stored responses."""
    people: dict[tuple[int, str], set] = {}
    for score in Score.objects.filter(measure=measure).select_related("response__window__plan"):
        window = score.response.window
        opens = window.opens_at.astimezone(LONDON)
        key = (window.plan.group_id, f"{opens.year} Q{(opens.month - 1) // 3 + 1}")
        people.setdefault(key, set()).add(score.response.pseudonym)
    return {key: len(who) for key, who in people.items()}


def test_no_hidden_mean_can_be_worked_out_from_the_figures_the_dashboard_shows(
    world, client, three_groups
):
    habits, groups = three_groups
    client.force_login(world.manager)
    url = reverse("evaluation:dashboard", args=[world.org.pk])
    scope_groups = list(groups.values())
    cells = _people(scope_groups, habits)
    small, middle, large = ((groups[k].pk, "2025 Q1") for k in ("small", "middle", "large"))

    equations = cells_of(visible_means(client, _pages(url, scope_groups), scope_groups,
                                       "Reflective habits"), cells)  # fmt: skip

    # The page does show figures: the overall mean, and the large group on its own.
    assert (frozenset(cells), round((4.5 + 27 + 21) / 16, 2)) in equations
    assert (frozenset({large}), 3.0) in equations
    # Every line with a visible total has no hidden part, or two or more: so neither the
    # small group nor the middle one can be worked out; only the two together (nine people).
    assert worked_out(equations, cells, {small}) is None
    assert worked_out(equations, cells, {middle}) is None
    assert worked_out(equations, cells, {small, middle}) == pytest.approx(31.5 / 9, abs=0.05)
    assert all(members != {small} for members, _v in equations)


def test_the_people_of_a_hidden_quarter_cannot_be_worked_out_from_the_dashboard(
    world, client, answered
):
    """Three groups in 2025 Q1 (3, 6 and 7 people), the seven again in Q2 and four of the six
    in Q3. The Q3 figure (four people) is hidden; it must not follow from the visible ones
    (the overall figure, the quarters and each group's own rows, under any filter)."""
    habits, groups = answered
    scope_groups = list(groups.values())
    cells = _people(scope_groups, habits)
    client.force_login(world.manager)
    url = reverse("evaluation:dashboard", args=[world.org.pk])

    equations = cells_of(
        visible_means(client, _pages(url, scope_groups), scope_groups, "Reflective habits"), cells
    )

    q3 = {k for k in cells if k[1] == "2025 Q3"}
    assert sum(cells[k] for k in q3) == 4
    derived = worked_out(equations, cells, q3)
    assert derived is None, (
        f"the four people's mean in 2025 Q3 can be worked out as {derived:.2f} (true 5.00) "
        f"from {sorted((sorted(m), v) for m, v in equations)}"
    )
    for key, n in cells.items():
        if n < K:
            assert worked_out(equations, cells, {key}) is None, key


def test_an_admin_cannot_work_out_a_hidden_group_from_the_organisation_dashboard_and_a_group_page(
    world, client, three_groups
):
    """The organisation's admin sees the organisation dashboard and, as host admin, every
    group's own evaluation page. Suppression decided per page must hold across both."""
    habits, groups = three_groups
    scope_groups = list(groups.values())
    cells = _people(scope_groups, habits)
    client.force_login(world.admin)
    url = reverse("evaluation:dashboard", args=[world.org.pk])
    pages = _pages(url, scope_groups) + [
        (reverse("evaluation:group_dashboard", args=[g.pk]), frozenset({g.pk}))
        for g in scope_groups
    ]

    equations = cells_of(visible_means(client, pages, scope_groups, "Reflective habits"), cells)

    derived = worked_out(equations, cells, {(groups["small"].pk, "2025 Q1")})
    assert derived is None, (
        f"the small group's hidden mean can be worked out as {derived:.2f} (true mean 1.50) "
        f"from the visible figures {sorted((sorted(m), v) for m, v in equations)}"
    )


def test_the_organisations_change_and_a_groups_own_change_do_not_give_away_a_smaller_group(
    world, client
):
    """Three pairs in one group, six in another: the organisation's change (n = 9) and the
    larger group's own change (n = 6) must not both be shown, or their difference is three
    people's change."""
    habits = library()[HABITS]
    PracticeGroup.objects.filter(pk=world.group.pk).delete()
    shown = {}
    for name, pairs in (("Small RP", 3), ("Middle RP", 6)):
        group = group_with_answers(world.org, name, habits, [])
        plan = group.evaluation_plan
        baseline = plan.windows.get()
        follow_up = window_on(plan, FOLLOW_UP, date(2025, 5, 10), months=3)
        for index in range(pairs):
            respond(baseline, f"{name}-{index}", {habits: 2.0})
            respond(follow_up, f"{name}-{index}", {habits: 4.0 if name == "Small RP" else 2.5})
        shown[name] = group
    client.force_login(world.admin)

    def change_rows(url):
        response = client.get(url)
        assert response.status_code == 200
        for table in page_tables(response.content.decode()):
            if table["heading"].startswith("Change since the baseline"):
                return [row for row in table["rows"] if row[0] == "3 months"]
        return []

    org_rows = change_rows(reverse("evaluation:dashboard", args=[world.org.pk]))
    group_rows = change_rows(reverse("evaluation:group_dashboard", args=[shown["Middle RP"].pk]))
    visible_org = [r for r in org_rows if number_or_none(r[1]) is not None]
    visible_group = [r for r in group_rows if number_or_none(r[1]) is not None]
    if visible_org and visible_group:
        n_org, n_group = int(visible_org[0][3]), int(visible_group[0][3])
        m_org, m_group = float(visible_org[0][1]), float(visible_group[0][1])
        assert not 0 < n_org - n_group < K, (
            f"the other group's change is ({n_org} x {m_org} - {n_group} x {m_group}) / "
            f"{n_org - n_group} = {(n_org * m_org - n_group * m_group) / (n_org - n_group):.2f}"
            " (true change 2.00)"
        )


def test_three_people_who_answer_twice_in_a_quarter_are_still_only_three_people(world):
    """n must count people: a baseline and a one-month follow-up in the same quarter are six
    responses from three people."""
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    baseline = window_on(plan, BASELINE, date(2025, 1, 10))
    follow_up = window_on(plan, FOLLOW_UP, date(2025, 2, 10), months=1)
    for who, value in (("a", 1.0), ("b", 2.0), ("c", 3.0)):
        respond(baseline, who, {habits: value})
        respond(follow_up, who, {habits: value + 1})

    cell = figures.measure_table(org_scope(world), habits).cell(world.group.pk, Q1)

    assert cell.suppressed, f"a mean of {cell.value} from three people is shown (n={cell.n})"


def test_a_pulse_from_three_people_over_two_sessions_is_still_only_three_people(world):
    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    for day in (date(2025, 2, 3), date(2025, 3, 3)):
        session = make_session(world.group, starts_at=london(day, 14), status="held")
        window = window_on(plan, PULSE_KIND, day, session=session)
        for who in ("a", "b", "c"):
            respond(window, who, {pulse: 4.0})

    cell = figures.pulse_table(org_scope(world)).cell(world.group.pk, Q1)

    assert cell.suppressed, f"a pulse of {cell.value} from three people is shown (n={cell.n})"


# ---------------------------------------------------------------------------------------------
# Whatever the data: nothing hidden can be worked out from what the pages show (hypothesis)
# ---------------------------------------------------------------------------------------------

STRUCTURES = [s for s, _label in PracticeGroup.Structure.choices]
QUARTERS = [Q1, Q2, Q3, Q4]
group_data = st.lists(
    st.tuples(
        st.sampled_from(STRUCTURES),
        st.lists(
            st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14]), min_size=4, max_size=4
        ),
    ),
    min_size=1,
    max_size=6,
)
# Found by a search like the one below: five groups over two quarters, where the two people
# of group 4 in the first quarter follow from the totals of the other groups and quarters.
FIVE_GROUPS_TWO_QUARTERS = [
    ("team", [14, 9, 0, 0]),
    ("team", [7, 6, 0, 0]),
    ("team", [12, 7, 0, 0]),
    ("team", [2, 0, 0, 0]),
    ("team", [10, 0, 0, 0]),
]
# Found by hypothesis: the Q3 total (one person) is hidden and Q4's is hidden to protect it, but
# Q4 has one group only, whose Q4 cell is shown: overall - Q1 - Q2 - that cell = the one person.
ONE_PERSON_IN_Q3 = [("team", [3, 1, 1, 0]), ("team", [3, 5, 0, 5])]


def _synthetic(data):
    """Groups (not saved) and a suppressed group-by-quarter table, as dashboard._table builds
    it from the SQL rows, plus the structure comparison built from it."""
    groups = [
        PracticeGroup(pk=index + 1, name=f"G{index}", structure=structure)
        for index, (structure, _n) in enumerate(data)
    ]
    quarters = QUARTERS
    rows = [
        {"group": g.pk, "quarter": q, "n": n, "sum": 3.0 * n}
        for g, (_s, counts) in zip(groups, data, strict=True)
        for q, n in zip(quarters, counts, strict=True)
        if n
    ]
    scope = figures.Scope(title="Synthetic", groups=groups, organisation_id=1)
    table = figures._table(
        rows, value_of=lambda n, total: round(total / n, 2) if n else None, groups=groups
    )
    return scope, table, figures.structure_comparison(scope, table)


@settings(max_examples=300, deadline=None)
@given(group_data)
def test_a_structure_is_shown_only_when_every_one_of_its_groups_is(data):
    scope, table, structures = _synthetic(data)
    for structure, cell in structures.items():
        if structure == "all" or cell.suppressed:
            continue
        assert cell.n >= K
        for group in scope.groups:
            total = table.row_totals[group.pk]
            if group.structure == structure and total.n:
                assert not total.suppressed, (structure, group.name, data)
    visible_total = not structures["all"].suppressed
    hidden = [c for k, c in structures.items() if k != "all" and c.suppressed and c.n]
    if visible_total:
        assert not hidden or (len(hidden) >= 2 and sum(c.n for c in hidden) >= K)


@settings(max_examples=500, deadline=None)
@given(group_data)
@example(FIVE_GROUPS_TWO_QUARTERS)
@example(ONE_PERSON_IN_Q3)
def test_no_small_hidden_figure_can_be_worked_out_from_everything_a_dashboard_shows(data):
    """What the pages, the CSV and the PDF show, over every filter: each group's cells, each
    quarter's total over all groups, each group's total over time (attendance by group), each
    structure and the overall figure. No hidden figure of 1 to 4 people may follow from them."""
    scope, table, structures = _synthetic(data)
    keys = list(table.cells)

    def indicator(cells) -> list[float]:
        return [1.0 if k in cells else 0.0 for k in keys]

    shown = []
    for key, cell in table.cells.items():
        if not cell.suppressed:
            shown.append(indicator({key}))
    for group_id, cell in table.row_totals.items():
        if cell.n and not cell.suppressed:
            shown.append(indicator({k for k in keys if k[0] == group_id}))
    for quarter, cell in table.column_totals.items():
        if cell.n and not cell.suppressed:
            shown.append(indicator({k for k in keys if k[1] == quarter}))
    structure_of = {g.pk: g.structure for g in scope.groups}
    for structure, cell in structures.items():
        if cell.n and not cell.suppressed:
            members = {k for k in keys if structure == "all" or structure_of[k[0]] == structure}
            shown.append(indicator(members))
    if not shown:
        return
    matrix = np.array(shown)
    rank = np.linalg.matrix_rank(matrix)
    small_hidden = [
        (f"cell {key}", indicator({key}))
        for key, cell in table.cells.items()
        if cell.suppressed and 0 < cell.n < K
    ] + [
        (f"group {g} over time", indicator({k for k in keys if k[0] == g}))
        for g, cell in table.row_totals.items()
        if cell.suppressed and 0 < cell.n < K
    ]
    for what, goal in small_hidden:
        assert np.linalg.matrix_rank(np.vstack([matrix, [goal]])) > rank, (
            f"{what} (fewer than 5 people) can be worked out from the visible figures; "
            f"people per group and quarter: {[counts for _s, counts in data]}"
        )


# ---------------------------------------------------------------------------------------------
# Comments and query counts
# ---------------------------------------------------------------------------------------------


def test_pulse_comments_come_only_from_sessions_answered_by_five_or_more(world):
    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    busy = make_session(world.group, starts_at=london(date(2025, 2, 3), 14), status="held")
    quiet = make_session(world.group, starts_at=london(date(2025, 3, 3), 14), status="held")
    busy_window = window_on(plan, PULSE_KIND, date(2025, 2, 3), session=busy)
    quiet_window = window_on(plan, PULSE_KIND, date(2025, 3, 3), session=quiet)
    for index in range(5):
        respond(busy_window, f"b{index}", {pulse: 4.0}, comment="Busy and useful." if index else "")
    for index in range(4):
        respond(quiet_window, f"q{index}", {pulse: 4.0}, comment="Only four of us came.")

    comments = figures.pulse_comments(org_scope(world))

    assert sorted(comments) == ["Busy and useful."] * 4


def _dashboard_data(world, people: int) -> None:
    """Two groups with baselines, follow-ups, pulses and attendance, for ``people`` each."""
    chosen = library()
    measures = [chosen[WELLBEING], chosen[HABITS], chosen[CONFIDENCE]]
    pulse = chosen[PULSE]
    second = PracticeGroupFactory(host=world.org, name="Second RP", structure="multi_agency")
    for group in (world.group, second):
        plan = bare_plan(group, measures)
        baseline = window_on(plan, BASELINE, date(2025, 1, 15))
        follow_up = window_on(plan, FOLLOW_UP, date(2025, 4, 15), months=3)
        session = make_session(group, starts_at=london(date(2025, 2, 3), 14), status="held")
        pulse_window = window_on(plan, PULSE_KIND, date(2025, 2, 3), session=session)
        for index in range(people):
            who = f"{group.pk}-{index}"
            respond(baseline, who, dict.fromkeys(measures, 2.0 + index % 3))
            respond(follow_up, who, dict.fromkeys(measures, 3.0 + index % 2))
            respond(pulse_window, who, {pulse: 4.0}, comment=f"Comment {index}")
            book(session, member_of(group), attendance="present" if index % 4 else "absent")


@pytest.mark.parametrize("people", [6, 30])
def test_the_dashboard_page_needs_fewer_than_40_queries(world, client, people):
    _dashboard_data(world, people)
    client.force_login(world.manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evaluation:dashboard", args=[world.org.pk]))

    assert response.status_code == 200
    assert "Second RP" in response.content.decode()
    assert len(queries) < 40, [q["sql"][:120] for q in queries]


def test_the_dashboard_page_needs_the_same_queries_for_6_and_for_30_people(world, client):
    """The same check within one test, so it never depends on the order tests run in."""
    client.force_login(world.manager)
    url = reverse("evaluation:dashboard", args=[world.org.pk])
    _dashboard_data(world, 6)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # 24 more people in each group, in the same windows and sessions.
    chosen = library()
    measures = [chosen[WELLBEING], chosen[HABITS], chosen[CONFIDENCE]]
    for window in QuestionnaireWindow.objects.all():
        for index in range(6, 30):
            who = f"{window.plan.group_id}-{index}"
            if window.kind == PULSE_KIND:
                respond(window, who, {chosen[PULSE]: 3.0}, comment="More")
            else:
                respond(window, who, dict.fromkeys(measures, 3.0))
    for session in GroupSession.objects.all():
        for _index in range(24):
            book(session, member_of(session.group), attendance="present")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(few) == len(many), (len(few), len(many))
    assert len(many) < 40
