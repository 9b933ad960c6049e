"""The evaluation dashboards: figures against values worked out here, only finished quarters in
London time, the change statistics against scipy's paired t-test, pulse comments, and
disclosure control as a reader of every page, filter and CSV would meet it — no number from
fewer than 5 people, and nothing hidden that can be worked out by adding and subtracting what
the organisation page, the group pages and a partner's page show."""

from __future__ import annotations

import csv
import io
import math
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from scipy import stats

from evaluation import dashboard
from evaluation.dashboard import build_family, current_quarter_start, quarter_label
from evaluation.disclosure import K
from evaluation.models import QuestionnaireWindow, Response, Score
from evaluation.reports import Filters, group_view, organisation_view
from groups.models import GroupPartner
from rp_portal.accounts.models import User
from sessions.models import Booking, GroupSession
from tests.evaluation.support import (
    CONFIDENCE,
    HABITS,
    PROTECTS,
    PULSE,
    TOO_FEW,
    WELLBEING,
    bare_plan,
    held_session,
    library,
    london,
    member_of,
    number_or_none,
    page_tables,
    person_label,
    pseudonym_owners,
    real_people,
    respond,
    shown_figures,
    small_sets_worked_out,
    view_figures,
    window_on,
)
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
)
from tests.sessions.fixtures_views import book, make_session

Q1, Q2, Q3, Q4 = date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)
BASELINE = QuestionnaireWindow.Kind.BASELINE
FOLLOW_UP = QuestionnaireWindow.Kind.FOLLOW_UP
PULSE_KIND = QuestionnaireWindow.Kind.PULSE
NO_FIGURE = "\N{EN DASH}"  # a quarter without data in a row


def cell(family, block_key: str, row: tuple, quarter: date):
    """One figure of a family's block ("attendance", "active", "pulse", "measure-<id>")."""
    blocks = family.blocks + [m.trend for m in family.measures]
    [block] = [b for b in blocks if b.key == block_key]
    [found] = [r for r in block.rows if r.key == row]
    return found.cells[quarter]


def changes(family, measure) -> list:
    [block] = [m for m in family.measures if m.measure.pk == measure.pk]
    return block.changes


@pytest.fixture
def parts_seen(monkeypatch):
    """The parts each family is protected over, as ``protect`` receives them (the real
    ``protect`` still decides)."""
    seen = {}
    real = dashboard.protect

    def recording(figures, parts):
        parts = list(parts)
        seen.update({part.key: part for part in parts})
        return real(figures, parts)

    monkeypatch.setattr(dashboard, "protect", recording)
    return seen


# ---------------------------------------------------------------------------------------------
# Attendance, people who came and sessions held
# ---------------------------------------------------------------------------------------------


def test_attendance_people_who_came_and_sessions_held_by_group_and_quarter(world):
    """Team RP: six people, two sessions in 2025 Q1 (5 and 4 came) and one in Q2 (all six);
    Second RP: one session in Q1 for five of its own and one of Team RP's people (5 came)."""
    team = [world.practitioner] + [member_of(world.group) for _ in range(5)]
    second = PracticeGroupFactory(host=world.org, name="Second RP")
    GroupMemberFactory(group=second, user=team[0])
    others = [member_of(second) for _ in range(5)]
    first = held_session(world.group, date(2025, 1, 20), team, came=5)
    held_session(world.group, date(2025, 2, 17), team, came=4)
    held_session(world.group, date(2025, 5, 5), team)
    held_session(second, date(2025, 3, 3), [team[0], *others], came=5)
    # Neither places not booked nor sessions not held count.
    book(first, member_of(world.group), status=Booking.Status.CANCELLED)
    book(first, member_of(world.group), status=Booking.Status.WAITLISTED, attendance="present")
    for status in (GroupSession.Status.SCHEDULED, GroupSession.Status.CANCELLED):
        session = make_session(world.group, starts_at=london(date(2025, 3, 10), 14), status=status)
        for person in team:
            book(session, person, attendance="absent")

    family = build_family(world.org)

    everyone, teams = ("all",), ("structure", "team")
    rate = {
        (row, q): cell(family, "attendance", row, q).value
        for row, q in [(("group", world.group.pk), Q1), (("group", second.pk), Q1),
                       (("group", world.group.pk), Q2), (everyone, Q1), (teams, Q1)]
    }  # fmt: skip
    assert rate == {
        (("group", world.group.pk), Q1): 75,  # 9 of 12 places
        (("group", second.pk), Q1): 83,  # 5 of 6
        (("group", world.group.pk), Q2): 100,
        (everyone, Q1): 78,  # 14 of 18
        (teams, Q1): 78,
    }
    came = cell(family, "active", everyone, Q1)
    # Five came to Team RP and five to Second RP, one of them the same person: nine people.
    assert came.value == 9
    assert cell(family, "active", ("group", world.group.pk), Q1).value == 5
    assert cell(family, "active", ("group", second.pk), Q1).value == 5
    assert cell(family, "active", ("group", world.group.pk), Q2).value == 6
    assert family.held == {(world.group.pk, Q1): 2, (world.group.pk, Q2): 1, (second.pk, Q1): 1}
    assert not any(f.suppressed for b in family.blocks for r in b.rows for f in r.cells.values())


def test_an_attendance_rate_from_three_people_stays_hidden_however_many_places_they_booked(
    world,
):
    trio = [member_of(world.group) for _ in range(3)]
    for day in (date(2025, 2, 3), date(2025, 2, 17), date(2025, 3, 3)):
        held_session(world.group, day, trio, came=2)

    family = build_family(world.org)

    rate = cell(family, "attendance", ("group", world.group.pk), Q1)
    assert rate.extra["count"] == 9  # places, booked by three people
    assert (rate.suppressed, rate.reason, rate.shown) == (True, TOO_FEW, None)
    # A hidden figure keeps nothing of what it hides (families are kept in the cache).
    assert (rate.value, rate.extra) == (None, {"count": 9})
    assert cell(family, "active", ("group", world.group.pk), Q1).suppressed
    assert cell(family, "attendance", ("all",), Q1).suppressed


# ---------------------------------------------------------------------------------------------
# Measures by quarter, and the change since the baseline
# ---------------------------------------------------------------------------------------------


def test_measure_means_by_group_structure_and_host_with_suppression(world, answered):
    """Baselines of three (1.5), six (4.5) and seven (3.0) people in 2025 Q1; the seven 0.5
    lower at three months (Q2); four of the six at six months (Q3)."""
    habits, groups = answered

    family = build_family(world.org)

    key = f"measure-{habits.pk}"
    figure = cell(family, key, ("all",), Q1)
    assert (figure.value, figure.extra["count"], figure.suppressed) == (3.28, 16, False)
    assert cell(family, key, ("structure", "team"), Q1).value == 3.5  # (4.5 + 27) / 9
    assert cell(family, key, ("group", groups["large"].pk), Q1).value == 3.0
    assert cell(family, key, ("group", groups["large"].pk), Q2).value == 2.5
    small = cell(family, key, ("group", groups["small"].pk), Q1)
    middle = cell(family, key, ("group", groups["middle"].pk), Q1)
    assert (small.suppressed, small.reason, small.shown) == (True, TOO_FEW, None)
    # Otherwise "all team groups" minus the middle group would be the small group.
    assert (middle.suppressed, middle.reason, middle.shown) == (True, PROTECTS, None)
    assert cell(family, key, ("all",), Q3).reason == TOO_FEW
    lines = {(line.row_key, line.months): line.figure for line in changes(family, habits)}
    assert lines[(("group", groups["large"].pk), 3)].value == -0.5
    assert lines[(("group", groups["large"].pk), 3)].extra["count"] == 7
    assert lines[(("all",), 6)].reason == TOO_FEW
    assert family.quarters == [Q1, Q2, Q3]


BEFORE = [2.0, 2.5, 3.0, 3.5, 2.0, 3.0]
AFTER = [3.0, 2.75, 3.5, 4.5, 2.25, 3.25]
T_975_5 = 2.5706  # Student's t, 97.5th percentile, 5 degrees of freedom (from a printed table)


def _pairs(world, before, after):
    """Six people answer the baseline (2025 Q1) and the 3-month follow-up (Q2); five more answer
    only the baseline and five only the follow-up, with values far away: they are no pair.
    Confidence in practice, on the same answers, must not mix in."""
    habits, confidence = library()[HABITS], library()[CONFIDENCE]
    plan = bare_plan(world.group, [habits, confidence])
    baseline = window_on(plan, BASELINE, date(2025, 1, 15))
    follow_up = window_on(plan, FOLLOW_UP, date(2025, 4, 15), months=3)
    for index, (b, a) in enumerate(zip(before, after, strict=True)):
        respond(baseline, f"p{index}", {habits: b, confidence: 1.0})
        respond(follow_up, f"p{index}", {habits: a, confidence: 5.0})
    for index in range(5):
        respond(baseline, f"baseline-only-{index}", {habits: 1.0})
        respond(follow_up, f"follow-up-only-{index}", {habits: 5.0})
    return habits


def test_the_change_has_the_mean_n_and_the_95_percent_interval_of_a_paired_t_test(world):
    habits = _pairs(world, BEFORE, AFTER)
    expected = stats.ttest_rel(AFTER, BEFORE)
    interval = expected.confidence_interval(0.95)
    differences = [a - b for b, a in zip(BEFORE, AFTER, strict=True)]
    by_hand = T_975_5 * statistics.stdev(differences) / math.sqrt(6)

    [line, *_others] = changes(build_family(world.org), habits)

    change = line.figure
    assert (line.row_key, line.months, line.quarter) == (("all",), 3, Q2)
    assert not change.suppressed
    assert change.extra["count"] == 6
    assert change.value == pytest.approx(statistics.mean(differences), abs=0.005)
    assert change.extra["low"] == pytest.approx(interval.low, abs=0.006)
    assert change.extra["high"] == pytest.approx(interval.high, abs=0.006)
    assert change.extra["high"] - change.value == pytest.approx(by_hand, abs=0.006)
    assert change.extra["low"] > 0  # the whole interval is above nothing-changed


def test_a_negative_change_keeps_its_sign_and_its_interval(world):
    habits = _pairs(world, AFTER, BEFORE)
    interval = stats.ttest_rel(BEFORE, AFTER).confidence_interval(0.95)
    change = changes(build_family(world.org), habits)[0].figure
    assert change.value < 0
    assert change.extra["low"] == pytest.approx(interval.low, abs=0.006)
    assert change.extra["high"] == pytest.approx(interval.high, abs=0.006)
    assert change.extra["high"] < 0


def test_a_change_from_four_pairs_is_hidden_with_the_reason(world):
    habits = _pairs(world, BEFORE[:4], AFTER[:4])
    change = changes(build_family(world.org), habits)[0].figure
    assert change.extra["count"] == 4
    assert (change.suppressed, change.shown, change.reason) == (True, None, TOO_FEW)


def test_a_change_is_hidden_when_it_and_the_two_means_would_give_away_two_people(world):
    """Six baselines, six follow-ups, five pairs: the two means and the change would give the
    sum of the one person who answered only the baseline and the one who only followed up."""
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    baseline = window_on(plan, BASELINE, date(2025, 1, 15))
    follow_up = window_on(plan, FOLLOW_UP, date(2025, 4, 15), months=3)
    for index in range(5):
        respond(baseline, f"p{index}", {habits: 2.0 + index / 4})
        respond(follow_up, f"p{index}", {habits: 3.0})
    respond(baseline, "baseline-only", {habits: 1.0})
    respond(follow_up, "follow-up-only", {habits: 5.0})

    family = build_family(world.org)

    key = f"measure-{habits.pk}"
    baseline_mean = cell(family, key, ("group", world.group.pk), Q1)
    follow_up_mean = cell(family, key, ("group", world.group.pk), Q2)
    change = changes(family, habits)[0].figure
    assert not baseline_mean.suppressed  # shown at the end of Q1, so it stays shown
    shown = [f for f in (follow_up_mean, change) if not f.suppressed]
    assert len(shown) <= 1, "the follow-up mean and the change give away two people"


# ---------------------------------------------------------------------------------------------
# People, not responses
# ---------------------------------------------------------------------------------------------


def test_three_people_who_answer_twice_in_a_quarter_are_still_three_people(world):
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    baseline = window_on(plan, BASELINE, date(2025, 1, 10))
    follow_up = window_on(plan, FOLLOW_UP, date(2025, 2, 10), months=1)
    for who, value in (("a", 1.0), ("b", 2.0), ("c", 3.0)):
        respond(baseline, who, {habits: value})
        respond(follow_up, who, {habits: value + 1})

    figure = cell(build_family(world.org), f"measure-{habits.pk}", ("group", world.group.pk), Q1)

    assert figure.extra["count"] == 6  # six answers...
    assert figure.suppressed, f"a mean of {figure.value} from three people is shown"


def test_a_pulse_from_three_people_over_two_sessions_is_still_three_people(world):
    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    for day in (date(2025, 2, 3), date(2025, 3, 3)):
        session = make_session(world.group, starts_at=london(day, 14), status="held")
        window = window_on(plan, PULSE_KIND, day, session=session)
        for who in ("a", "b", "c"):
            respond(window, who, {pulse: 4.0}, comment=f"{who} said something")

    family = build_family(world.org)

    figure = cell(family, "pulse", ("group", world.group.pk), Q1)
    assert figure.extra["count"] == 6
    assert figure.suppressed, f"a pulse of {figure.value} from three people is shown"
    assert family.comments == {}


def test_the_same_three_people_in_two_groups_are_never_five(world):
    """Three people answer in Team RP and the same three in a second group (each group has its
    own pseudonyms, so the figures cannot tell): the host's total counts three, not six."""
    habits = library()[HABITS]
    second = PracticeGroupFactory(host=world.org, name="Second RP")
    for group in (world.group, second):
        window = window_on(bare_plan(group, [habits]), BASELINE, date(2025, 1, 10))
        for who in ("a", "b", "c"):
            respond(window, who, {habits: 3.0})

    figure = cell(build_family(world.org), f"measure-{habits.pk}", ("all",), Q1)

    assert figure.extra["count"] == 6
    assert (figure.people, figure.suppressed) == (3, True)


# ---------------------------------------------------------------------------------------------
# Only finished quarters, in London time
# ---------------------------------------------------------------------------------------------


def test_only_finished_quarters_and_closed_questionnaires_are_counted(world):
    habits, pulse = library()[HABITS], library()[PULSE]
    plan = bare_plan(world.group, [habits])
    people = [member_of(world.group) for _ in range(6)]
    baseline = window_on(plan, BASELINE, date(2025, 1, 15))
    quarter_start = current_quarter_start()
    # Closed already, but in this quarter, which has not finished.
    closed_now = timezone.now() - (timezone.now() - quarter_start) / 2
    this_quarter = QuestionnaireWindow.objects.create(
        plan=plan, kind=FOLLOW_UP, months=3, opens_at=closed_now - timedelta(hours=1),
        closes_at=closed_now,
    )  # fmt: skip
    # Opened in 2025 and still open.
    still_open = QuestionnaireWindow.objects.create(
        plan=plan, kind=FOLLOW_UP, months=6, opens_at=london(date(2025, 6, 1)),
        closes_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    # A session of a finished quarter whose pulse is still open.
    last = held_session(world.group, date(2025, 3, 3), people)
    open_pulse = QuestionnaireWindow.objects.create(
        plan=plan, kind=PULSE_KIND, session=last, opens_at=last.ends_at,
        closes_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    held_session(world.group, closed_now.astimezone(dashboard.site_zone()).date(), people)
    for index, person in enumerate(people):
        who = person_label(person)
        respond(baseline, who, {habits: 2.0})
        respond(this_quarter, who, {habits: 4.0 + index % 2})
        respond(still_open, who, {habits: 5.0})
        respond(open_pulse, who, {pulse: 1.0}, comment="Still open")

    family = build_family(world.org)

    assert family.quarters == [Q1]
    assert family.held == {(world.group.pk, Q1): 1}
    assert cell(family, f"measure-{habits.pk}", ("all",), Q1).value == 2.0
    assert changes(family, habits) == []
    assert [b.key for b in family.blocks] == ["attendance", "active"]  # no pulse yet
    assert family.comments == {}


SHIFTED_ZONES = ["America/Los_Angeles", "Asia/Tokyo"]


@pytest.mark.parametrize("zone", SHIFTED_ZONES)
def test_quarters_are_london_quarters_whatever_the_viewers_time_zone(world, client, zone):
    """Just before midnight UTC at the end of March 2025 is already April in London (summer
    time); just before midnight UTC on 31 December is still December in London but New Year
    in Tokyo; on 30 June it is July in London."""
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    people = [member_of(world.group) for _ in range(5)]
    late_march = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    window = QuestionnaireWindow.objects.create(
        plan=plan, kind=BASELINE, opens_at=late_march - timedelta(days=14), closes_at=late_march
    )
    for person in people:
        respond(window, person_label(person), {habits: 3.0})
    for moment in (datetime(2025, 6, 30, 23, 30, tzinfo=UTC), datetime(2025, 12, 31, 23, 30,
                                                                        tzinfo=UTC)):  # fmt: skip
        session = make_session(world.group, starts_at=moment, status="held")
        for person in people:
            book(session, person, attendance="present")

    with timezone.override(zone):
        family = build_family(world.org)
    assert family.quarters == [Q2, Q3, Q4]
    assert family.held == {(world.group.pk, Q3): 1, (world.group.pk, Q4): 1}
    assert cell(family, f"measure-{habits.pk}", ("all",), Q2).value == 3.0

    User.objects.filter(pk=world.manager.pk).update(time_zone=zone)
    client.force_login(world.manager)
    response = client.get(reverse("evaluation:dashboard", args=[world.org.pk]))
    [held] = [t for t in page_tables(response.content.decode()) if t["heading"] == "Sessions held"]
    assert held["head"] == [["Group", "2025 Q2", "2025 Q3", "2025 Q4"]]
    assert ["Team RP", "0", "1", "1"] in held["rows"]


# ---------------------------------------------------------------------------------------------
# Pulse comments
# ---------------------------------------------------------------------------------------------


def test_pulse_comments_appear_only_with_a_shown_pulse_and_in_alphabetical_order(world, client):
    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    second = PracticeGroupFactory(host=world.org, name="Second RP")
    second_plan = bare_plan(second, [library()[HABITS]])
    said = ["Zero interruptions, good.", "", "Made me think.", "Calm room.", "Useful case."]
    for day, group_plan, texts in [
        (date(2025, 2, 3), plan, said),  # five people: shown
        (date(2025, 5, 5), plan, ["Only four of us came."] * 4),  # four: hidden
        (date(2025, 8, 11), second_plan, ["Three of us."] * 3),  # three: hidden
    ]:
        session = make_session(group_plan.group, starts_at=london(day, 14), status="held")
        window = window_on(group_plan, PULSE_KIND, day, session=session)
        for index, text in enumerate(texts):
            respond(window, f"{day}-{index}", {pulse: 4.0}, comment=text)

    family = build_family(world.org)

    assert not cell(family, "pulse", ("group", world.group.pk), Q1).suppressed
    assert cell(family, "pulse", ("group", world.group.pk), Q2).suppressed
    expected = ["Calm room.", "Made me think.", "Useful case.", "Zero interruptions, good."]
    assert family.comments == {world.group.pk: {Q1: expected}}
    client.force_login(world.facilitator)
    page = client.get(reverse("evaluation:group_dashboard", args=[world.group.pk]))
    body = page.content.decode()
    positions = [body.index(text) for text in expected]
    assert positions == sorted(positions)
    assert "Only four of us came." not in body
    client.force_login(world.manager)
    body = client.get(reverse("evaluation:dashboard", args=[world.org.pk])).content.decode()
    assert "Three of us." not in body
    assert "Only four of us came." not in body
    assert "Calm room." in body


# ---------------------------------------------------------------------------------------------
# Disclosure through the pages: two host organisations, a shared multi-agency group, every
# viewer, every filter
# ---------------------------------------------------------------------------------------------


@dataclass
class Families:
    riverside: object
    northgate: object
    manager: object  # Riverside's
    admin: object
    facilitator: object  # runs Team RP and the multi-agency group
    practitioner: object
    partner_manager: object  # Northgate's
    outsider: object
    groups: dict
    people: list  # every person who booked or answered
    plans: list


def _score(person, offset: float = 0.0) -> float:
    """A different score per person, so that sums differ."""
    return min(5.0, 1.0 + (person.pk * 7 % 17) / 4 + offset)


@pytest.fixture
def families(world) -> Families:
    """Riverside hosts Team RP (seven people), Small RP (three), an organisational group (six)
    and Harbour RP, a multi-agency group with Northgate as an accepted partner (eight people,
    four of them Northgate's, one also in Team RP). Northgate hosts North RP (five). Sessions,
    baselines, follow-ups at 3 and 6 months and pulses over 2025, some of them too small to
    show; plus answers in the current quarter and in windows still open, which must not count."""
    habits, wellbeing, pulse = library()[HABITS], library()[WELLBEING], library()[PULSE]
    riverside = world.org
    northgate = OrganisationFactory(name="Northgate")
    partner_manager = MembershipFactory(
        organisation=northgate, is_manager=True, is_practitioner=False
    ).user
    team = world.group
    small = PracticeGroupFactory(host=riverside, name="Small RP")
    whole = PracticeGroupFactory(host=riverside, name="Whole-org RP", structure="organisational")
    harbour = PracticeGroupFactory(host=riverside, name="Harbour RP", structure="multi_agency")
    GroupPartner.objects.create(
        group=harbour, organisation=northgate, status=GroupPartner.Status.ACCEPTED
    )
    north = PracticeGroupFactory(host=northgate, name="North RP")
    GroupMemberFactory(group=harbour, user=world.facilitator, role="facilitator")

    team_people = [world.practitioner] + [member_of(team) for _ in range(6)]
    small_people = [member_of(small) for _ in range(3)]
    whole_people = [member_of(whole) for _ in range(6)]
    harbour_people = [team_people[0]] + [member_of(harbour) for _ in range(3)]
    for _ in range(4):
        user = MembershipFactory(organisation=northgate).user
        GroupMemberFactory(group=harbour, user=user, organisation=northgate)
        harbour_people.append(user)
    GroupMemberFactory(group=harbour, user=team_people[0])
    north_people = [member_of(north) for _ in range(5)]

    measures = [habits, wellbeing]
    plans = {}
    for group in (team, small, whole, harbour, north):
        plans[group.pk] = bare_plan(group, measures)

    def answers(group, kind, day, people, *, months=0, offset=0.0):
        window = window_on(plans[group.pk], kind, day, months=months)
        for person in people:
            respond(window, person_label(person), {m: _score(person, offset) for m in measures})

    def sessions_with_pulse(group, day, people, came, comment):
        session = held_session(group, day, people, came=came)
        window = window_on(plans[group.pk], PULSE_KIND, day, session=session)
        for index, person in enumerate(people[:came]):
            text = f"{comment} ({index})" if index % 2 else ""
            respond(window, person_label(person), {pulse: _score(person, 0.5)}, comment=text)

    answers(team, BASELINE, date(2025, 1, 15), team_people)
    answers(team, FOLLOW_UP, date(2025, 4, 15), team_people[:6], months=3, offset=0.5)
    answers(team, FOLLOW_UP, date(2025, 7, 15), team_people[:4], months=6, offset=1.0)
    answers(small, BASELINE, date(2025, 1, 20), small_people)
    answers(whole, BASELINE, date(2025, 4, 20), whole_people)
    answers(whole, FOLLOW_UP, date(2025, 7, 20), whole_people, months=3, offset=-0.25)
    answers(harbour, BASELINE, date(2025, 1, 25), harbour_people)
    answers(harbour, FOLLOW_UP, date(2025, 4, 25), harbour_people[1:6], months=3, offset=0.25)
    answers(north, BASELINE, date(2025, 2, 1), north_people)

    sessions_with_pulse(team, date(2025, 2, 3), team_people, 6, "Team in spring")
    sessions_with_pulse(team, date(2025, 5, 5), team_people, 5, "Team in May")
    sessions_with_pulse(team, date(2025, 8, 4), team_people[:6], 4, "Team in August")
    sessions_with_pulse(small, date(2025, 2, 10), small_people, 3, "Small group")
    sessions_with_pulse(small, date(2025, 5, 12), small_people, 2, "Small group again")
    sessions_with_pulse(whole, date(2025, 5, 19), whole_people, 6, "Whole organisation")
    sessions_with_pulse(harbour, date(2025, 2, 24), harbour_people, 7, "Harbour")
    sessions_with_pulse(harbour, date(2025, 8, 18), harbour_people, 5, "Harbour in August")
    held_session(north, date(2025, 2, 17), north_people)

    # Not finished or not closed: never counted.
    now = timezone.now()
    in_this_quarter = now - (now - current_quarter_start()) / 2
    for group, people in ((team, team_people), (harbour, harbour_people)):
        still_open = QuestionnaireWindow.objects.create(
            plan=plans[group.pk], kind=FOLLOW_UP, months=12, opens_at=london(date(2025, 11, 1)),
            closes_at=now + timedelta(days=3),
        )  # fmt: skip
        closed_this_quarter = QuestionnaireWindow.objects.create(
            plan=plans[group.pk], kind=FOLLOW_UP, months=9,
            opens_at=in_this_quarter - timedelta(hours=1), closes_at=in_this_quarter,
        )  # fmt: skip
        for window in (still_open, closed_this_quarter):
            for person in people[:6]:
                respond(window, person_label(person), dict.fromkeys(measures, 1.0))
    everyone = {p.pk: p for p in [*team_people, *small_people, *whole_people, *harbour_people,
                                  *north_people]}  # fmt: skip
    return Families(
        riverside=riverside,
        northgate=northgate,
        manager=world.manager,
        admin=world.admin,
        facilitator=world.facilitator,
        practitioner=world.practitioner,
        partner_manager=partner_manager,
        outsider=world.outsider,
        groups={"team": team, "small": small, "whole": whole, "harbour": harbour, "north": north},
        people=list(everyone.values()),
        plans=list(plans.values()),
    )


def _filters(view) -> list[Filters]:
    """No filter, each group, each structure, and every range of quarters."""
    quarters = view.quarters
    options = [Filters()]
    options += [Filters(group=g.pk) for g in view.groups]
    options += [Filters(structure=s) for s in sorted({g.structure for g in view.groups})]
    options += [
        Filters(start=start, end=end) for i, start in enumerate(quarters) for end in quarters[i:]
    ]
    options += [Filters(start=quarters[1])] if len(quarters) > 1 else []
    return options


def _every_view(f: Families) -> list[tuple[str, object]]:
    """(who, view) for every viewer, page and filter of the two organisations."""
    views = []
    for who, user, org in [
        ("Riverside's manager", f.manager, f.riverside),
        ("Riverside's admin", f.admin, f.riverside),
        ("Northgate's manager", f.partner_manager, f.northgate),
    ]:
        for filters in _filters(organisation_view(user, org.pk, Filters())):
            views.append((f"{who} {filters}", organisation_view(user, org.pk, filters)))
    for group in (f.groups["team"], f.groups["harbour"]):
        for filters in _filters(group_view(f.facilitator, group, Filters())):
            views.append((f"facilitator of {group.name} {filters}",
                          group_view(f.facilitator, group, filters)))  # fmt: skip
    return views


def _owners(f: Families) -> dict[str, str]:
    return pseudonym_owners([person_label(p) for p in f.people], f.plans)


def test_nothing_hidden_can_be_worked_out_from_every_page_viewer_and_filter_together(
    families, parts_seen
):
    """Collect every figure that any viewer sees on any page with any filter; adding and
    subtracting them must not give the sum of any set of parts behind fewer than 5 people."""
    shown: dict[tuple, object] = {}
    for who, view in _every_view(families):
        for key, figure in shown_figures(view).items():
            if key in shown:
                assert shown[key].value == figure.value, f"{key} differs for {who}"
            shown[key] = figure
    people_of = real_people(parts_seen, _owners(families))

    # The world does show figures, and does hide some.
    assert len(shown) > 60
    hidden = [
        f for _who, v in _every_view(families) for f in view_figures(v).values() if f.suppressed
    ]
    assert {f.reason for f in hidden} == {TOO_FEW, PROTECTS}
    for figure in shown.values():
        behind = set().union(*(people_of[k] for k, c in figure.parts.items() if c))
        assert len(behind) >= K, (figure.key, figure.value, behind)
    leaks = small_sets_worked_out(list(shown.values()), people_of)
    assert leaks == [], f"these sets of parts (fewer than 5 people) can be worked out: {leaks}"


def test_the_partner_sees_the_shared_groups_rows_and_not_the_hosts_totals(families):
    f = families
    view = organisation_view(f.partner_manager, f.northgate.pk, Filters())
    by_title = {s.title: s for s in view.sections}
    assert set(by_title) == {"Northgate", "Multi-agency groups hosted by Riverside"}
    shared = by_title["Multi-agency groups hosted by Riverside"]
    assert shared.rows == {("group", f.groups["harbour"].pk)}
    rows = {r.key for b in shared.blocks + [m.trend for m in shared.measures] for r in b.rows}
    assert rows == {("group", f.groups["harbour"].pk)}
    assert [name for name, _counts in shared.held] == ["Harbour RP"]
    keys = {key for key in view_figures(view) if key[0] == f.riverside.pk}
    assert keys
    assert all(k[1][1] == ("group", f.groups["harbour"].pk) for k in keys)


def _numbers_on_page(html: str) -> list[tuple[str, str, str, str, str]]:
    """(section, table id or heading, row, column, text) of every figure cell of a page."""
    cells = []
    for table in page_tables(html):
        if table["heading"] == "Sessions held":
            continue  # meetings, not people
        head = table["head"][0] if table["head"] else []
        for row in table["rows"]:
            for column, text in zip(head[1:], row[1:], strict=False):
                cells.append((table["section"], table["id"] or table["heading"], row[0],
                              column, text))  # fmt: skip
    return cells


def _expected_cells(view) -> dict[tuple, object]:
    """What each figure cell of the view's page should hold, as _numbers_on_page reads it."""
    expected = {}
    for section in view.sections:
        blocks = section.blocks + [m.trend for m in section.measures]
        for block in blocks:
            for row in block.rows:
                for quarter, figure in row.cells.items():
                    table = f"{section.slug}-{block.key}-table"
                    expected[(section.title, table, row.label, quarter_label(quarter))] = figure
        for measure in section.measures:
            for line in measure.changes:
                key = (section.title, measure.measure.name, line.label, quarter_label(line.quarter),
                       line.months)  # fmt: skip
                expected[key] = line.figure
    return expected


def _check_page(html: str, view, people_of) -> int:
    """Every number in a figure table of the page is a shown figure of the view from at least 5
    people; every hidden figure says why. Returns how many numbers were checked."""
    expected = _expected_cells(view)
    checked = 0
    for section, table, row, column, text in _numbers_on_page(html):
        if column in {"Follow-up", "Closed in", "Mean change", "95% confidence interval", "n"}:
            continue  # change tables are read row by row below
        figure = expected.get((section, table, row, column))
        if figure is None:
            assert text == NO_FIGURE, (section, table, row, column, text)
            continue
        if figure.suppressed:
            assert text == f"hidden: {figure.reason}", (table, row, column, text)
            continue
        assert number_or_none(text) == pytest.approx(figure.value, abs=0.005), (table, row, text)
        behind = set().union(*(people_of[k] for k, c in figure.parts.items() if c))
        assert len(behind) >= K, (table, row, column, text, behind)
        checked += 1
    for table in page_tables(html):
        if not table["caption"].startswith("Change since the baseline"):
            continue
        for label, months, quarter, *rest in table["rows"]:
            figure = expected[(table["section"], table["heading"], label, quarter,
                               int(months.split()[0]))]  # fmt: skip
            if figure.suppressed:
                assert rest == [f"hidden: {figure.reason}"], (label, rest)
                continue
            value, _interval, n = rest
            assert float(value) == pytest.approx(figure.value, abs=0.005)
            assert int(n) == figure.extra["count"] >= K
            behind = set().union(*(people_of[k] for k, c in figure.parts.items() if c))
            assert len(behind) >= K, (label, months, quarter, behind)
            checked += 1
    return checked


def _query(filters: Filters) -> str:
    inputs = {k: v for k, v in filters.as_inputs().items() if v}
    return "&".join(f"{k}={v}" for k, v in inputs.items())


def test_every_number_on_every_page_and_csv_comes_from_five_or_more_people(
    families, client, parts_seen
):
    f = families
    owners = _owners(f)
    checked = 0
    pages = []
    for user, org in ((f.manager, f.riverside), (f.partner_manager, f.northgate)):
        for filters in _filters(organisation_view(user, org.pk, Filters())):
            url = reverse("evaluation:dashboard", args=[org.pk]) + "?" + _query(filters)
            pages.append(
                (user, url, lambda u=user, o=org, x=filters: organisation_view(u, o.pk, x))
            )
    for group in (f.groups["team"], f.groups["harbour"]):
        url = reverse("evaluation:group_dashboard", args=[group.pk])
        pages.append((f.facilitator, url, lambda g=group: group_view(f.facilitator, g, Filters())))
    for user, url, make_view in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        view = make_view()
        people_of = real_people(parts_seen, owners)
        checked += _check_page(response.content.decode(), view, people_of)
        csv_response = client.get(url + ("&" if "?" in url else "?") + "format=csv")
        checked += _check_csv(csv_response.content.decode(), view, people_of)
    assert checked > 200
    # A person's name never appears on a page about the figures.
    client.force_login(f.manager)
    body = client.get(reverse("evaluation:dashboard", args=[f.riverside.pk])).content.decode()
    for person in f.people:
        assert person.display_name not in body


def _check_csv(text: str, view, people_of) -> int:
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[4:6] == ["value", "answers or places"]
    by_title = {s.title: s for s in view.sections}
    expected = {}
    for key, figure in _expected_cells(view).items():
        section = by_title[key[0]]
        if len(key) == 5:  # a change line
            name = f"Change since baseline: {key[1]}"
            expected[(key[0], name, key[2], key[3], str(key[4]))] = figure
        else:
            [block] = [b for b in section.blocks + [m.trend for m in section.measures]
                       if f"{section.slug}-{b.key}-table" == key[1]]  # fmt: skip
            expected[(key[0], block.title, key[2], key[3], "")] = figure
    checked = 0
    for section, name, row, quarter, value, n, low, high, months, status in rows:
        if name == "Sessions held":
            continue
        figure = expected.pop((section, name, row, quarter, months))
        if figure.suppressed:
            assert (value, n, low, high, status) == ("", "", "", "", figure.reason)
            continue
        assert status == "shown"
        assert float(value) == pytest.approx(figure.value, abs=0.005)
        behind = set().union(*(people_of[k] for k, c in figure.parts.items() if c))
        assert len(behind) >= K, (name, row, quarter, value, behind)
        checked += 1
    assert expected == {}, f"figures of the page missing from the CSV: {list(expected)}"
    return checked


def test_a_hidden_group_cannot_be_worked_out_from_the_organisation_page_and_its_own_page(
    client, world, answered, parts_seen
):
    """The admin sees the organisation page and, as host admin, each group's own page."""
    _habits, groups = answered
    views = [organisation_view(world.admin, world.org.pk, Filters())]
    views += [group_view(world.admin, g, Filters()) for g in groups.values()]
    for group in groups.values():
        client.force_login(world.admin)
        assert client.get(reverse("evaluation:group_dashboard", args=[group.pk])).status_code == 200
    shown = {}
    for view in views:
        shown.update(shown_figures(view))
    owners = {}
    for group in groups.values():
        plan = group.evaluation_plan
        owners |= pseudonym_owners([f"{group.name}-{i}" for i in range(7)], [plan])
    people_of = real_people(parts_seen, owners)

    assert small_sets_worked_out(list(shown.values()), people_of) == []
    small = [
        figure
        for view in views
        for figure in view_figures(view).values()
        if figure.key[1] == ("group", groups["small"].pk)
    ]
    assert small
    assert all(figure.suppressed for figure in small)


def test_the_organisations_change_and_a_groups_own_change_do_not_give_away_a_smaller_group(
    world, parts_seen
):
    """Three pairs in one group and six in another: the organisation's change (nine pairs)
    and the larger group's own change (six) must not both be shown."""
    habits = library()[HABITS]
    made = {}
    for name, pairs, after in (("Small RP", 3, 4.0), ("Middle RP", 6, 2.5)):
        group = PracticeGroupFactory(host=world.org, name=name)
        plan = bare_plan(group, [habits])
        baseline = window_on(plan, BASELINE, date(2025, 1, 15))
        follow_up = window_on(plan, FOLLOW_UP, date(2025, 5, 10), months=3)
        for index in range(pairs):
            respond(baseline, f"{name}-{index}", {habits: 2.0})
            respond(follow_up, f"{name}-{index}", {habits: after})
        made[name] = group

    family = build_family(world.org)

    lines = {line.row_key: line.figure for line in changes(family, habits)}
    everyone = lines[("all",)]
    middle = lines[("group", made["Middle RP"].pk)]
    assert lines[("group", made["Small RP"].pk)].suppressed
    assert everyone.suppressed or middle.suppressed, (
        f"the small group's change is (9 x {everyone.value} - 6 x {middle.value}) / 3"
    )


# ---------------------------------------------------------------------------------------------
# Who may look, and bad filters
# ---------------------------------------------------------------------------------------------


def test_another_organisations_manager_gets_404_for_every_dashboard_url(client, families):
    f = families
    client.force_login(f.outsider)
    urls = [
        reverse("evaluation:dashboard", args=[f.riverside.pk]),
        reverse("evaluation:dashboard", args=[f.riverside.pk]) + "?format=csv",
        reverse("evaluation:group_dashboard", args=[f.groups["team"].pk]),
        reverse("evaluation:group_dashboard", args=[f.groups["team"].pk]) + "?format=csv",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Team RP" not in response.content
    for url in (reverse("evaluation:report", args=[f.riverside.pk]),
                reverse("evaluation:group_report", args=[f.groups["team"].pk])):  # fmt: skip
        assert client.post(url).status_code == 404
    # The partner's manager sees the shared group on their own page, not Riverside's page.
    client.force_login(f.partner_manager)
    assert client.get(urls[0]).status_code == 404
    assert client.get(urls[1]).status_code == 404


def test_a_practitioner_gets_404_for_the_organisation_and_403_for_the_group(client, families):
    f = families
    client.force_login(f.practitioner)
    org = reverse("evaluation:dashboard", args=[f.riverside.pk])
    group = reverse("evaluation:group_dashboard", args=[f.groups["team"].pk])
    assert client.get(org).status_code == 404
    assert client.get(org + "?format=csv").status_code == 404
    assert client.get(group).status_code == 403
    assert client.get(group + "?format=csv").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("group=999999", "Select a valid choice."),
        ("group=not-a-number", "Select a valid choice."),
        ("start=2019-01-01", "Select a valid choice."),
        ("end=2025-02-01", "Select a valid choice."),
        ("start=2025-07-01&end=2025-01-01", "The first quarter must come before the last one."),
        ("structure=galaxy", "Select a valid choice."),
    ],
)  # fmt: skip
def test_a_bad_filter_gives_a_message_and_the_unfiltered_page(client, families, query, message):
    f = families
    client.force_login(f.manager)
    url = reverse("evaluation:dashboard", args=[f.riverside.pk])
    unfiltered = _expected_cells(organisation_view(f.manager, f.riverside.pk, Filters()))

    response = client.get(f"{url}?{query}")

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    shown = _numbers_on_page(body)
    assert {(s, t, r, c) for s, t, r, c, _text in shown} >= {k for k in unfiltered if len(k) == 4}
    csv_response = client.get(f"{url}?{query}&format=csv")
    assert csv_response.status_code == 200
    assert csv_response.content.decode() == client.get(f"{url}?format=csv").content.decode()


def test_a_bad_filter_on_a_groups_page_gives_a_message_too(client, families):
    f = families
    client.force_login(f.facilitator)
    url = reverse("evaluation:group_dashboard", args=[f.groups["team"].pk])
    response = client.get(f"{url}?start=2025-07-01&end=2025-01-01")
    assert response.status_code == 200
    assert "The first quarter must come before the last one." in response.content.decode()
    assert "Showing everything instead." in response.content.decode()


def test_filters_choose_rows_and_quarters(client, families):
    f = families
    client.force_login(f.manager)
    url = reverse("evaluation:dashboard", args=[f.riverside.pk])
    team = f.groups["team"]

    by_group = client.get(f"{url}?group={team.pk}").content.decode()
    rows = {r for _s, _t, r, _c, _x in _numbers_on_page(by_group)}
    assert rows == {"Team RP"}
    by_structure = client.get(f"{url}?structure=organisational").content.decode()
    rows = {r for _s, _t, r, _c, _x in _numbers_on_page(by_structure)}
    assert rows == {"Whole-org RP", "All organisational groups"}
    one_quarter = client.get(f"{url}?start=2025-04-01&end=2025-04-01").content.decode()
    assert {c for _s, _t, _r, c, _x in _numbers_on_page(one_quarter)} - {
        "Follow-up", "Closed in", "Mean change", "95% confidence interval", "n"
    } == {"2025 Q2"}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Queries: a fixed number, whatever the amount of data
# ---------------------------------------------------------------------------------------------


def _busy_organisation(people: int, quarters: int):
    """A new organisation with a manager and two groups: a baseline, a follow-up in each later
    quarter, a held session with ``people`` booked and a pulse in every quarter."""
    chosen = library()
    measures = [chosen[WELLBEING], chosen[HABITS], chosen[CONFIDENCE]]
    org = OrganisationFactory()
    manager = MembershipFactory(organisation=org, is_manager=True, is_practitioner=False).user
    starts = [date(2024 + (i // 4), 3 * (i % 4) + 1, 15) for i in range(quarters)]
    for structure in ("team", "multi_agency"):
        group = PracticeGroupFactory(host=org, structure=structure)
        users = User.objects.bulk_create(
            User(email=f"q{group.pk}-{i}@example.test", display_name=f"Q {i}")
            for i in range(people)
        )
        plan = bare_plan(group, measures)
        for number, day in enumerate(starts):
            kind = BASELINE if number == 0 else FOLLOW_UP
            window = window_on(plan, kind, day, months=3 * number)
            session = held_session(group, day, users, came=people - 2)
            pulse_window = window_on(plan, PULSE_KIND, day, session=session)
            responses = Response.objects.bulk_create(
                Response(window=w, pseudonym=f"{u.pk:08d}{plan.pk:08d}", comment=f"Said {i}")
                for w in (window, pulse_window)
                for i, u in enumerate(users)
            )
            Score.objects.bulk_create(
                Score(response=r, measure=m, value=1 + (r.pk % 5))
                for r in responses
                for m in (measures if r.window_id == window.pk else [chosen[PULSE]])
            )
    return org, manager


def test_the_dashboard_needs_the_same_few_queries_for_little_and_for_much_data(client, db):
    counts = {}
    for people, quarters in ((10, 2), (60, 2), (10, 6), (60, 6)):
        org, manager = _busy_organisation(people, quarters)
        client.force_login(manager)
        url = reverse("evaluation:dashboard", args=[org.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert "Change since the baseline" in response.content.decode()
        counts[(people, quarters)] = len(queries)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 25, counts


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def test_the_demo_shows_every_chart_and_one_group_too_small_to_show(client, db):
    from django.core.management import call_command

    call_command("demo_data", force=True)
    call_command("demo_data", force=True)  # a second run adds nothing
    manager = User.objects.get(email="manager@example.org")
    riverside = manager.memberships.get(is_manager=True, organisation__name__startswith="River")
    view = organisation_view(manager, riverside.organisation_id, Filters())
    [section] = [s for s in view.sections if s.family.organisation_id == riverside.organisation_id]

    assert len(section.quarters) >= 4
    for block in section.blocks:  # attendance, people who came, pulse
        shown = {q for r in block.rows for q, f in r.cells.items() if not f.suppressed}
        assert len(shown) >= 3, (block.key, shown)
    assert [b.key for b in section.blocks] == ["attendance", "active", "pulse"]
    assert len(section.measures) >= 3
    for measure in section.measures:
        trend = {q for r in measure.trend.rows for q, f in r.cells.items() if not f.suppressed}
        assert len(trend) >= 2, measure.measure.name
    shown_changes = [
        line.figure
        for m in section.measures
        for line in m.changes
        if not line.figure.suppressed and "low" in line.figure.extra
    ]
    assert shown_changes
    assert all(c.extra["low"] < c.value < c.extra["high"] for c in shown_changes)
    reasons = {f.reason for f in view_figures(view).values() if f.suppressed}
    assert reasons == {TOO_FEW, PROTECTS}
    multi = [g for g in section.family.groups if g.structure == "multi_agency"]
    hidden = [f for f in view_figures(view).values() if f.key[1] == ("group", multi[0].pk)]
    assert hidden
    assert all(f.suppressed for f in hidden)
    assert section.comments
    assert Response.objects.filter(window__closes_at__gt=timezone.now()).count() == 0
    client.force_login(manager)
    page = client.get(reverse("evaluation:dashboard", args=[riverside.organisation_id]))
    assert page.status_code == 200
    assert page.content.decode().count("<svg viewBox") >= 5
