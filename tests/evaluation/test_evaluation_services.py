"""Evaluation services: plans and their questionnaire windows, answering (pseudonymous, once,
checked before anything is stored), pulse windows, measure import and the emails."""

from __future__ import annotations

import smtplib
import threading
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.db import connection, models
from django.utils import timezone

from evaluation import notices
from evaluation.models import (
    Completion,
    EvaluationPlan,
    Measure,
    QuestionnaireEmail,
    QuestionnaireWindow,
    Response,
    Score,
)
from evaluation.services import (
    MAX_FOLLOW_UP_MONTHS,
    measure_import,
    parse_measure_definition,
    plan_save,
    pulse_windows_open,
    response_pseudonym,
    response_submit,
)
from sessions.models import Booking, GroupSession
from tests.evaluation.support import (
    CHANGE,
    HABITS,
    LONDON,
    PULSE,
    WELLBEING,
    baseline_of,
    counts,
    follow_up_of,
    full_answers,
    library,
    make_plan,
    member_of,
    open_now,
)
from tests.factories import GroupMemberFactory, PracticeGroupFactory
from tests.sessions.fixtures_views import book, make_session, soon

# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------


def _refused(messages_fragment: str, **kwargs):
    before = counts() | {"windows": QuestionnaireWindow.objects.count()}
    with pytest.raises(ValidationError) as error:
        plan_save(**kwargs)
    assert any(messages_fragment in m for m in error.value.messages), error.value.messages
    assert counts() | {"windows": QuestionnaireWindow.objects.count()} == before
    return error.value


def _plan_kwargs(world, **changes):
    return {
        "group": world.group,
        "actor": world.facilitator,
        "measures": [library()[HABITS]],
        "baseline_opens": timezone.localdate(),
        "follow_up_months": [3],
        "pulse": True,
    } | changes


def test_a_plan_without_measures_is_refused_with_a_message_and_nothing_is_stored(world):
    _refused("Choose at least one measure", **_plan_kwargs(world, measures=[]))
    assert not EvaluationPlan.objects.exists()


def test_the_session_pulse_cannot_be_chosen_as_a_plan_measure(world):
    pulse = library()[PULSE]
    _refused("switched on separately", **_plan_kwargs(world, measures=[pulse]))
    assert not EvaluationPlan.objects.exists()


def test_another_organisations_own_measure_cannot_be_chosen(world):
    theirs = measure_import(
        organisation=world.other_org,
        actor=world.outsider,
        text="name: Their private measure\nitems: [First question, Second question]\n",
    )
    _refused("belongs to another organisation", **_plan_kwargs(world, measures=[theirs]))


def test_an_own_measure_of_the_host_organisation_can_be_chosen(world):
    ours = measure_import(
        organisation=world.org,
        actor=world.admin,
        text="name: Our own measure\nitems: [First question, Second question]\n",
    )
    plan = plan_save(**_plan_kwargs(world, measures=[ours]))
    assert list(plan.measures.all()) == [ours]


@pytest.mark.parametrize("months", [[0], [MAX_FOLLOW_UP_MONTHS + 1], [3, -1], [3, 120]])
def test_follow_ups_outside_one_to_36_months_are_refused(world, months):
    _refused("between 1 and 36 months", **_plan_kwargs(world, follow_up_months=months))


def test_follow_ups_at_the_edges_of_the_range_are_accepted(world):
    plan = plan_save(**_plan_kwargs(world, follow_up_months=[36, 1, 1]))
    assert plan.follow_up_months == [1, 36]


def test_windows_are_laid_out_a_baseline_and_one_per_follow_up_months_after_it(world):
    baseline = date(2026, 1, 31)
    plan = plan_save(
        **_plan_kwargs(world, baseline_opens=baseline, follow_up_months=[12, 3, 6], window_days=10)
    )
    windows = [
        (w.kind, w.months, w.opens_at.astimezone(LONDON), w.closes_at - w.opens_at)
        for w in plan.windows.order_by("opens_at")
    ]
    assert [(kind, months) for kind, months, _o, _d in windows] == [
        ("baseline", 0),
        ("follow_up", 3),
        ("follow_up", 6),
        ("follow_up", 12),
    ]
    # Calendar months after the baseline (31 January + 3 months is the last day of April).
    assert [o.date() for _k, _m, o, _d in windows] == [
        date(2026, 1, 31),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2027, 1, 31),
    ]
    assert all((o.hour, o.minute) == (0, 0) for _k, _m, o, _d in windows)
    assert all(d == timedelta(days=10) for _k, _m, _o, d in windows)
    assert plan.created_by == world.facilitator


def test_saving_again_keeps_windows_that_have_answers_and_lays_out_the_others_again(world):
    plan = make_plan(world.group, world.facilitator, [library()[HABITS]], follow_ups=[3, 6])
    baseline = open_now(baseline_of(plan))
    opened_at = baseline.opens_at
    response_submit(window=baseline, user=world.practitioner, answers=full_answers(baseline))
    old_follow_up = follow_up_of(plan, 3)

    again = plan_save(
        **_plan_kwargs(
            world, baseline_opens=timezone.localdate() + timedelta(days=20), follow_up_months=[12]
        )
    )

    assert again.pk == plan.pk
    kept = again.windows.get(kind=QuestionnaireWindow.Kind.BASELINE)
    assert kept.pk == baseline.pk
    assert kept.opens_at == opened_at
    assert kept.responses.count() == 1
    assert Completion.objects.filter(window=kept).count() == 1
    follow_ups = list(again.windows.filter(kind="follow_up").values_list("months", flat=True))
    assert follow_ups == [12]
    assert not QuestionnaireWindow.objects.filter(pk=old_follow_up.pk).exists()
    assert again.windows.count() == 2


# ---------------------------------------------------------------------------------------------
# Answering
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def answering(world):
    """Team RP's plan (wellbeing and reflective habits, follow-up at 3 months), baseline open."""
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[WELLBEING], chosen[HABITS]])
    return plan, open_now(baseline_of(plan))


def test_a_response_has_no_link_to_the_person_who_gave_it():
    user_model = get_user_model()
    for field in Response._meta.get_fields():
        assert getattr(field, "related_model", None) is not user_model, field.name
        assert "user" not in field.name
        # No time finer than the window, so completions cannot be matched to responses.
        assert not isinstance(field, models.DateTimeField | models.DateField), field.name
    for field in Completion._meta.get_fields():
        assert getattr(field, "related_model", None) not in {Response, Score}, field.name
        assert not isinstance(field, models.DateTimeField | models.DateField), field.name


def test_an_answer_stores_a_pseudonymous_response_a_completion_and_a_score_per_measure(
    world, answering
):
    plan, window = answering
    wellbeing, habits = library()[WELLBEING], library()[HABITS]
    answers = full_answers(window, 2)
    # Wellbeing: cope 5, calm 4, worries 2 (reversed: 4), talk 3, drained 1 (reversed: 5).
    answers |= {
        f"{wellbeing.pk}:cope": "5",
        f"{wellbeing.pk}:calm": "4",
        f"{wellbeing.pk}:worries": "2",
        f"{wellbeing.pk}:talk": "3",
        f"{wellbeing.pk}:drained": "1",
    }

    response_submit(window=window, user=world.practitioner, answers=answers, comment="  ")

    [response] = Response.objects.all()
    assert response.window == window
    assert response.pseudonym == response_pseudonym(world.practitioner, plan)
    assert str(world.practitioner.pk) not in response.pseudonym
    assert len(response.pseudonym) == 64
    assert response.comment == ""
    assert list(Completion.objects.values_list("window", "user")) == [
        (window.pk, world.practitioner.pk)
    ]
    scores = dict(Score.objects.filter(response=response).values_list("measure__key", "value"))
    assert scores == {WELLBEING: pytest.approx(21 / 5), HABITS: pytest.approx(2.0)}
    assert habits.score({"time": 1, "feelings": 2, "other-ways": 3, "try": 5}) == 2.75


def test_a_measure_flips_reversed_items_on_its_own_scale():
    measure = Measure(
        key="m",
        name="m",
        scale_min=0,
        scale_max=10,
        items=[{"key": "a", "reverse": False}, {"key": "b", "reverse": True}, {"key": "c"}],
    )
    assert measure.score({"a": 10, "b": 3, "c": 2}) == pytest.approx((10 + 7 + 2) / 3)
    assert measure.score({"a": 0, "b": 0, "c": 0}) == pytest.approx(10 / 3)


def test_the_baseline_does_not_ask_follow_up_only_measures(world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[HABITS], chosen[CHANGE]])
    baseline = open_now(baseline_of(plan))
    follow_up = open_now(follow_up_of(plan, 3))
    assert {k.split(":")[0] for k in full_answers(baseline)} == {str(chosen[HABITS].pk)}
    assert {k.split(":")[0] for k in full_answers(follow_up)} == {
        str(chosen[HABITS].pk),
        str(chosen[CHANGE].pk),
    }
    response_submit(window=follow_up, user=world.practitioner, answers=full_answers(follow_up, 4))
    assert Score.objects.filter(measure=chosen[CHANGE], value=4.0).count() == 1


def _refused_answer(fragment: str, **kwargs):
    before = counts()
    with pytest.raises(ValidationError) as error:
        response_submit(**kwargs)
    assert any(fragment in m for m in error.value.messages), error.value.messages
    assert counts() == before


def test_a_closed_questionnaire_cannot_be_answered(world, answering):
    _plan, window = answering
    QuestionnaireWindow.objects.filter(pk=window.pk).update(
        opens_at=timezone.now() - timedelta(days=20), closes_at=timezone.now() - timedelta(days=1)
    )
    window.refresh_from_db()
    _refused_answer("closed", window=window, user=world.practitioner, answers=full_answers(window))


def test_a_questionnaire_that_has_not_opened_yet_cannot_be_answered(world, answering):
    plan, _window = answering
    future = follow_up_of(plan, 3)
    assert future.opens_at > timezone.now()
    _refused_answer("closed", window=future, user=world.practitioner, answers=full_answers(future))


@pytest.mark.parametrize("who", ["manager", "admin", "outsider"])
def test_only_members_of_the_group_can_answer(world, answering, who):
    _plan, window = answering
    _refused_answer(
        "for the group's members",
        window=window,
        user=getattr(world, who),
        answers=full_answers(window),
    )


def _pulse_window(world, attendance: str):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[HABITS]])
    session = make_session(world.group, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)
    book(session, world.practitioner, attendance=attendance)
    book(session, world.facilitator, attendance=Booking.Attendance.PRESENT)
    assert pulse_windows_open() == 1
    return plan, QuestionnaireWindow.objects.get(session=session)


def test_the_pulse_is_refused_to_a_member_who_did_not_attend(world):
    _plan, window = _pulse_window(world, Booking.Attendance.ABSENT)
    _refused_answer(
        "for those who attended",
        window=window,
        user=world.practitioner,
        answers=full_answers(window),
    )
    # Someone who was there answers it.
    response_submit(window=window, user=world.facilitator, answers=full_answers(window, 5))
    assert Score.objects.get().measure.key == PULSE


def test_the_pulse_is_answered_by_a_member_who_came_late_with_a_comment(world):
    _plan, window = _pulse_window(world, Booking.Attendance.LATE)
    response_submit(
        window=window,
        user=world.practitioner,
        answers=full_answers(window, 4),
        comment="  Useful to hear other views.  ",
    )
    assert Response.objects.get().comment == "Useful to hear other views."


@pytest.mark.parametrize("value", ["6", "0", "-1", "100"])
def test_an_answer_outside_the_scale_is_refused_and_nothing_is_stored(world, answering, value):
    _plan, window = answering
    answers = full_answers(window)
    answers[next(iter(answers))] = value
    _refused_answer(
        "Choose one of the answers offered",
        window=window,
        user=world.practitioner,
        answers=answers,
    )


@pytest.mark.parametrize("value", ["three", "3.5", "", " ", "1e1", None])
def test_an_answer_that_is_not_a_whole_number_is_refused_and_nothing_is_stored(
    world, answering, value
):
    _plan, window = answering
    answers = full_answers(window)
    answers[next(iter(answers))] = value
    _refused_answer(
        "Choose one of the answers offered",
        window=window,
        user=world.practitioner,
        answers=answers,
    )


@pytest.mark.parametrize("forged", ["999:q1", "{wellbeing}:not-an-item", "nonsense", ""])
def test_a_forged_question_is_refused_and_nothing_is_stored(world, answering, forged):
    _plan, window = answering
    answers = full_answers(window) | {forged.format(wellbeing=library()[WELLBEING].pk): "3"}
    _refused_answer(
        "not part of this questionnaire",
        window=window,
        user=world.practitioner,
        answers=answers,
    )


def test_an_answer_to_another_groups_measure_is_refused_as_forged(world, answering):
    _plan, window = answering
    pulse = library()[PULSE]
    answers = full_answers(window) | {f"{pulse.pk}:safe": "3"}
    _refused_answer(
        "not part of this questionnaire",
        window=window,
        user=world.practitioner,
        answers=answers,
    )


def test_a_missing_answer_is_refused_and_nothing_is_stored(world, answering):
    _plan, window = answering
    answers = full_answers(window)
    answers.pop(next(iter(answers)))
    _refused_answer(
        "Please answer every question", window=window, user=world.practitioner, answers=answers
    )
    _refused_answer(
        "Please answer every question", window=window, user=world.practitioner, answers={}
    )


def test_an_overlong_comment_is_refused_and_nothing_is_stored(world):
    _plan, window = _pulse_window(world, Booking.Attendance.PRESENT)
    _refused_answer(
        "under 1,000 characters",
        window=window,
        user=world.practitioner,
        answers=full_answers(window),
        comment="x" * 1001,
    )


def test_answering_twice_is_refused_and_nothing_more_is_stored(world, answering):
    _plan, window = answering
    response_submit(window=window, user=world.practitioner, answers=full_answers(window, 2))
    first = counts()
    scores = sorted(Score.objects.values_list("measure__key", "value"))
    # All 2s: reflective habits 2.0; wellbeing 2.8 (two reversed items count as 4).
    assert scores == [(HABITS, 2.0), (WELLBEING, pytest.approx(2.8))]
    _refused_answer(
        "already answered", window=window, user=world.practitioner, answers=full_answers(window, 5)
    )
    assert counts() == first
    assert sorted(Score.objects.values_list("measure__key", "value")) == scores


@pytest.mark.django_db(transaction=True)
def test_answering_twice_at_the_same_moment_stores_exactly_one_response(world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[WELLBEING], chosen[HABITS]])
    window = open_now(baseline_of(plan))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(value: int) -> None:
        try:
            mine = QuestionnaireWindow.objects.select_related("plan").get(pk=window.pk)
            barrier.wait(timeout=10)
            response_submit(window=mine, user=world.practitioner, answers=full_answers(mine, value))
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(v,)) for v in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [
        "You have already answered this questionnaire. Thank you!",
        "stored",
    ]
    assert Response.objects.count() == 1
    assert Completion.objects.count() == 1
    assert Score.objects.count() == 2
    # Both scores come from the one answer that was stored, not a mix of the two.
    assert sorted(Score.objects.values_list("value", flat=True)) in (
        [2.0, pytest.approx(2.8)],
        [pytest.approx(3.2), 4.0],
    )


def test_a_persons_baseline_and_follow_up_share_a_pseudonym_and_nobody_else_shares_it(world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[HABITS]])
    baseline, follow_up = open_now(baseline_of(plan)), open_now(follow_up_of(plan, 3))
    other_group = PracticeGroupFactory(host=world.org, name="Another RP")
    member_of(other_group, role="facilitator", is_facilitator=True)
    GroupMemberFactory(group=other_group, user=world.practitioner)
    other_plan = make_plan(other_group, world.facilitator, [chosen[HABITS]])
    other_baseline = open_now(baseline_of(other_plan))

    for window in (baseline, follow_up, other_baseline):
        response_submit(window=window, user=world.practitioner, answers=full_answers(window))
    response_submit(window=baseline, user=world.facilitator, answers=full_answers(baseline))

    pip = response_pseudonym(world.practitioner, plan)
    assert Response.objects.get(window=baseline, pseudonym=pip)
    assert Response.objects.get(window=follow_up, pseudonym=pip)
    assert (
        len(set(Response.objects.filter(window=baseline).values_list("pseudonym", flat=True))) == 2
    )
    assert Response.objects.get(window=other_baseline).pseudonym != pip
    assert response_pseudonym(world.facilitator, plan) != pip


# ---------------------------------------------------------------------------------------------
# Pulse windows
# ---------------------------------------------------------------------------------------------


def test_a_pulse_opens_once_for_each_session_just_held_by_a_group_that_wants_one(world):
    make_plan(world.group, world.facilitator, [library()[HABITS]], pulse=True)
    held = make_session(world.group, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)
    held_earlier = make_session(
        world.group, starts_at=soon(hours=-8), status=GroupSession.Status.HELD
    )
    make_session(world.group, starts_at=soon(days=2))  # still to come
    long_ago = make_session(world.group, starts_at=soon(days=-5), status=GroupSession.Status.HELD)
    GroupSession.objects.filter(pk=long_ago.pk).update(held_at=timezone.now() - timedelta(days=5))
    quiet = PracticeGroupFactory(host=world.org, name="No pulse RP")
    member_of(quiet, role="facilitator", is_facilitator=True)
    make_plan(quiet, world.facilitator, [library()[HABITS]], pulse=False)
    make_session(quiet, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)
    no_plan = PracticeGroupFactory(host=world.org, name="No plan RP")
    make_session(no_plan, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)

    now = timezone.now()
    assert pulse_windows_open(now=now) == 2
    assert pulse_windows_open(now=now) == 0

    pulses = QuestionnaireWindow.objects.filter(kind=QuestionnaireWindow.Kind.PULSE)
    assert sorted(pulses.values_list("session", flat=True)) == sorted([held.pk, held_earlier.pk])
    for window in pulses:
        assert window.plan.group == world.group
        assert window.is_open
        assert window.closes_at - window.opens_at == timedelta(days=7)


# ---------------------------------------------------------------------------------------------
# Measure definitions
# ---------------------------------------------------------------------------------------------

GOOD_YAML = """
name: Team resilience (licensed)
key: team-resilience
description: How the team bounces back.
use: follow_up
licence: Used under licence 2026-17 held by Riverside.
scale:
  min: 0
  max: 4
  labels: [Never, Rarely, Sometimes, Often, Always]
items:
  - text: We recover quickly after a hard week.
  - key: Blame
    text: We look for someone to blame when things go wrong.
    reverse: true
  - We ask each other for help.
"""

GOOD_JSON = """{"name": "Supervision quality",
 "items": [{"text": "My supervision helps me think."}, {"text": "I leave supervision clearer."}],
 "scale": {"min": 1, "max": 3, "labels": ["No", "Partly", "Yes"]}}"""


def test_a_yaml_definition_is_read_with_its_items_scale_use_and_licence():
    fields = parse_measure_definition(GOOD_YAML)
    assert fields["name"] == "Team resilience (licensed)"
    assert fields["key"] == "team-resilience"
    assert fields["use"] == "follow_up"
    assert (fields["scale_min"], fields["scale_max"]) == (0, 4)
    assert fields["scale_labels"] == ["Never", "Rarely", "Sometimes", "Often", "Always"]
    assert fields["licence_note"] == "Used under licence 2026-17 held by Riverside."
    assert fields["items"] == [
        {"key": "q1", "text": "We recover quickly after a hard week.", "reverse": False},
        {
            "key": "blame",
            "text": "We look for someone to blame when things go wrong.",
            "reverse": True,
        },
        {"key": "q3", "text": "We ask each other for help.", "reverse": False},
    ]


def test_a_json_definition_is_read_with_defaults_filled_in():
    fields = parse_measure_definition(GOOD_JSON)
    assert fields["name"] == "Supervision quality"
    assert fields["key"] == "supervision-quality"
    assert fields["use"] == "any"
    assert fields["scale_labels"] == ["No", "Partly", "Yes"]
    assert [i["key"] for i in fields["items"]] == ["q1", "q2"]


def test_an_imported_measure_belongs_to_the_organisation_and_is_not_imported_twice(world):
    measure = measure_import(organisation=world.org, actor=world.admin, text=GOOD_YAML)
    assert measure.organisation == world.org
    assert measure.score({"q1": 4, "blame": 4, "q3": 2}) == pytest.approx((4 + 0 + 2) / 3)
    before = Measure.objects.count()
    with pytest.raises(ValidationError) as error:
        measure_import(organisation=world.org, actor=world.admin, text=GOOD_YAML)
    assert "already has a measure" in error.value.messages[0]
    assert Measure.objects.count() == before
    # Another organisation may import the same definition for itself.
    theirs = measure_import(organisation=world.other_org, actor=world.outsider, text=GOOD_YAML)
    assert theirs.organisation == world.other_org


def _items(n: int) -> str:
    return "\n".join(f"  - Question number {i}" for i in range(1, n + 1))


BAD_DEFINITIONS = {
    "not JSON": ('{"name": "Broken", "items": [', "not valid JSON or YAML"),
    "not YAML": ("name: [unclosed\nitems: {a", "not valid JSON or YAML"),
    "not a mapping": ("- just\n- a list\n", "must be a mapping"),
    "plain text": ("Just some words", "must be a mapping"),
    "missing name": ("items: [One, Two]\n", "“name”"),
    "empty name": ("name: '   '\nitems: [One, Two]\n", "“name”"),
    "one item": ("name: Short\nitems: [Only one]\n", "2 to 30 questions"),
    "no items": ("name: Short\n", "2 to 30 questions"),
    "31 items": (f"name: Long\nitems:\n{_items(31)}\n", "2 to 30 questions"),
    "item without text": (
        "name: M\nitems:\n  - key: a\n  - text: Second\n",
        "Item 1 needs a “text”",
    ),
    "item with empty text": ("name: M\nitems:\n  - First\n  - text: ''\n", "Item 2 needs"),
    "duplicate keys": (
        "name: M\nitems:\n  - {key: same, text: One}\n  - {key: Same, text: Two}\n",
        "Item 2 repeats the key “same”",
    ),
    "labels count wrong": (
        "name: M\nitems: [One, Two]\nscale: {min: 1, max: 5, labels: [Low, High]}\n",
        "one label per point, 5 in all",
    ),
    "scale above 10": (
        "name: M\nitems: [One, Two]\nscale: {min: 0, max: 11}\n",
        "between 0 and 10",
    ),
    "scale upside down": (
        "name: M\nitems: [One, Two]\nscale: {min: 5, max: 5}\n",
        "between 0 and 10",
    ),
    "scale not numbers": (
        "name: M\nitems: [One, Two]\nscale: {min: low, max: high}\n",
        "whole numbers",
    ),
    "use pulse": ("name: M\nitems: [One, Two]\nuse: pulse\n", "“use” must be “any” or “follow_up”"),
    "use unknown": ("name: M\nitems: [One, Two]\nuse: sometimes\n", "“use” must be"),
    "impossible date": ("name: M\nwhen: 2024-02-30\nitems: [One, Two]\n", "not valid JSON or"),
    "name is a date": ("name: 2024-02-01\nitems: [One, Two]\n", "“name”"),
    "deeply nested": ("[" * 5000 + "]" * 5000, "not valid JSON or YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_a_bad_definition_is_refused_with_a_message_naming_the_problem_and_nothing_is_stored(
    world, case
):
    text, fragment = BAD_DEFINITIONS[case]
    with pytest.raises(ValidationError) as error:
        parse_measure_definition(text)
    assert fragment in " ".join(error.value.messages)
    before = Measure.objects.count()
    with pytest.raises(ValidationError):
        measure_import(organisation=world.org, actor=world.admin, text=text)
    assert Measure.objects.count() == before


def test_thirty_items_are_accepted():
    assert len(parse_measure_definition(f"name: Long\nitems:\n{_items(30)}\n")["items"]) == 30


# ---------------------------------------------------------------------------------------------
# Invitations and the one reminder
# ---------------------------------------------------------------------------------------------


def _to(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_invitations_go_to_every_member_once_per_window(world, answering, mailoutbox):
    _plan, window = answering
    third = member_of(world.group)

    assert notices.invitations_send() == 3
    assert _to(mailoutbox) == sorted(
        [world.facilitator.email, world.practitioner.email, third.email]
    )
    assert "Team RP" in mailoutbox[0].subject
    assert f"/questionnaires/{window.pk}/" in mailoutbox[0].body
    window.refresh_from_db()
    assert window.invitations_sent_at is not None

    assert notices.invitations_send() == 0
    assert len(mailoutbox) == 3


class _FailsForOneAddress(locmem.EmailBackend):
    """The test outbox, except that the mail server refuses one address the first time."""

    refuse: set = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refuse:
                self.refuse -= set(message.to)
                raise smtplib.SMTPServerDisconnected("the mail server went away")
        return super().send_messages(messages)


def test_a_retry_after_the_mail_server_fails_half_way_sends_each_invitation_once(
    world, answering, mailoutbox, settings
):
    _plan, window = answering
    third = member_of(world.group)
    settings.EMAIL_BACKEND = f"{__name__}._FailsForOneAddress"
    _FailsForOneAddress.refuse = {world.practitioner.email}

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.invitations_send()
    first = _to(mailoutbox)
    window.refresh_from_db()
    assert window.invitations_sent_at is None  # not everyone has it yet
    assert world.practitioner.email not in first

    assert notices.invitations_send() == 3 - len(first)  # the retry sends only what is missing
    assert _to(mailoutbox) == sorted(
        [world.facilitator.email, world.practitioner.email, third.email]
    )
    assert QuestionnaireEmail.objects.filter(window=window, kind="invitation").count() == 3
    assert notices.invitations_send() == 0
    assert len(mailoutbox) == 3


def test_windows_not_yet_open_are_not_announced(world, mailoutbox):
    make_plan(
        world.group,
        world.facilitator,
        [library()[HABITS]],
        baseline=timezone.localdate() + timedelta(days=3),
    )
    assert notices.invitations_send() == 0
    assert mailoutbox == []


def test_the_pulse_invitation_goes_only_to_those_who_attended(world, mailoutbox):
    chosen = library()
    # The baseline opens next month: only the pulse is due now.
    make_plan(
        world.group,
        world.facilitator,
        [chosen[HABITS]],
        baseline=timezone.localdate() + timedelta(days=30),
    )
    late, absent, cancelled = member_of(world.group), member_of(world.group), member_of(world.group)
    session = make_session(world.group, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)
    book(session, world.practitioner, attendance=Booking.Attendance.PRESENT)
    book(session, late, attendance=Booking.Attendance.LATE)
    book(session, absent, attendance=Booking.Attendance.ABSENT)
    book(session, cancelled, status=Booking.Status.CANCELLED)
    pulse_windows_open()

    assert notices.invitations_send() == 2
    assert _to(mailoutbox) == sorted([world.practitioner.email, late.email])
    assert notices.invitations_send() == 0


def test_one_reminder_goes_only_to_members_who_have_not_answered(world, answering, mailoutbox):
    _plan, window = answering
    third = member_of(world.group)
    notices.invitations_send()
    mailoutbox.clear()
    response_submit(window=window, user=world.practitioner, answers=full_answers(window))

    # Not yet: the window closes in a week.
    assert notices.reminders_send() == 0
    QuestionnaireWindow.objects.filter(pk=window.pk).update(
        closes_at=timezone.now() + timedelta(days=1)
    )
    assert notices.reminders_send() == 2
    assert _to(mailoutbox) == sorted([world.facilitator.email, third.email])
    assert all("Reminder" in m.subject for m in mailoutbox)

    assert notices.reminders_send() == 0
    assert len(mailoutbox) == 2
