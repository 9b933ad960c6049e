"""Evaluation pages: who sees which dashboard, filters, the CSV and the PDF report (suppressed
like the pages), answering questionnaires, my questionnaires, measure import and the plan."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Completion, EvaluationPlan, Measure, QuestionnaireWindow, Response
from evaluation.services import pulse_windows_open, response_submit
from sessions.models import Booking, GroupSession
from tests.evaluation.support import (
    HABITS,
    WELLBEING,
    baseline_of,
    counts,
    follow_up_of,
    full_answers,
    library,
    make_plan,
    open_now,
    page_tables,
)
from tests.sessions.fixtures_views import book, make_session, soon

FORMULA_GROUP = '=HYPERLINK("http://evil.example.test","Open")'


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _measure_rows(response, heading="Reflective habits") -> list[list[str]]:
    for table in page_tables(response.content.decode()):
        if table["heading"] == heading and table["caption"] == "Mean score by quarter":
            return table["rows"]
    raise AssertionError(f"no 'Mean score by quarter' table under {heading}")


@pytest.fixture
def open_baseline(world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[WELLBEING], chosen[HABITS]])
    return open_now(baseline_of(plan))


def _form(window, value="3") -> dict[str, str]:
    return {f"item-{key}": v for key, v in full_answers(window, value).items()}


def test_the_answer_page_stores_the_answers_without_a_name(client, world, open_baseline):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    page = _get(client, world.practitioner, url)
    assert page.status_code == 200
    body = page.content.decode()
    for name in _form(open_baseline):
        assert f'name="{name}"' in body

    response = client.post(url, _form(open_baseline, "4"), follow=True)

    assert response.redirect_chain == [(reverse("evaluation:mine"), 302)]
    assert "Your answers are stored without your name." in response.content.decode()
    assert Response.objects.count() == 1
    assert Completion.objects.filter(user=world.practitioner, window=open_baseline).exists()
    again = client.get(url)
    assert "You have answered this questionnaire" in again.content.decode()
    client.post(url, _form(open_baseline, "1"))
    assert Response.objects.count() == 1


def test_a_forged_item_shows_the_message_keeps_the_choices_and_stores_nothing(
    client, world, open_baseline
):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    form = _form(open_baseline, "4") | {"item-999:q1": "3"}
    before = counts()

    response = _get(client, world.practitioner, url)
    response = client.post(url, form)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The form had questions that are not part of this questionnaire." in body
    assert counts() == before
    first = next(iter(_form(open_baseline)))
    assert re.search(
        rf'name="{re.escape(first)}" id="{re.escape(first)}-4" value="4" checked', body
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first": "9"}, "Choose one of the answers offered."),
        ({"first": "<script>"}, "Choose one of the answers offered."),
        ({"drop": True}, "Please answer every question."),
    ],
)
def test_bad_answers_show_a_message_and_store_nothing(
    client, world, open_baseline, change, message
):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    form = _form(open_baseline)
    first = next(iter(form))
    if change.get("drop"):
        form.pop(first)
    else:
        form[first] = change["first"]
    client.force_login(world.practitioner)

    response = client.post(url, form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts()["responses"] == 0


def test_a_closed_questionnaire_says_so_and_takes_no_answers(client, world, open_baseline):
    QuestionnaireWindow.objects.filter(pk=open_baseline.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    response = _get(client, world.practitioner, url)
    assert "This questionnaire is closed." in response.content.decode()
    response = client.post(url, _form(open_baseline))
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert counts()["responses"] == 0


def test_my_questionnaires_lists_open_windows_i_have_not_answered(client, world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[HABITS]], follow_ups=[3, 6])
    baseline = open_now(baseline_of(plan))
    answered_one = open_now(follow_up_of(plan, 3))
    response_submit(
        window=answered_one, user=world.practitioner, answers=full_answers(answered_one)
    )
    # The 6-month follow-up is still to come. A closed pulse, a pulse I missed, and one I came to.
    came = make_session(world.group, starts_at=soon(hours=-5), status=GroupSession.Status.HELD)
    missed = make_session(world.group, starts_at=soon(hours=-4), status=GroupSession.Status.HELD)
    book(came, world.practitioner, attendance=Booking.Attendance.PRESENT)
    book(missed, world.practitioner, attendance=Booking.Attendance.ABSENT)
    pulse_windows_open()
    old = make_session(world.group, starts_at=soon(days=-20), status=GroupSession.Status.HELD)
    book(old, world.practitioner, attendance=Booking.Attendance.PRESENT)
    QuestionnaireWindow.objects.create(
        plan=plan,
        kind="pulse",
        session=old,
        opens_at=timezone.now() - timedelta(days=19),
        closes_at=timezone.now() - timedelta(days=12),
    )
    # Another organisation's open window.
    theirs = make_plan(world.other_group, world.outsider, [chosen[HABITS]])
    open_now(baseline_of(theirs))

    response = _get(client, world.practitioner, reverse("evaluation:mine"))

    assert response.status_code == 200
    links = re.findall(r'href="/questionnaires/(\d+)/"', response.content.decode())
    came_window = QuestionnaireWindow.objects.get(session=came)
    assert sorted(int(pk) for pk in links) == sorted([baseline.pk, came_window.pk])
    nothing = _get(client, world.manager, reverse("evaluation:mine"))
    assert "Nothing to answer right now." in nothing.content.decode()


# ---------------------------------------------------------------------------------------------
# Measures and plans
# ---------------------------------------------------------------------------------------------


def test_an_admin_imports_a_measure_and_bad_yaml_is_refused_with_a_message(client, world):
    url = reverse("evaluation:measures", args=[world.org.pk])
    page = _get(client, world.admin, url)
    assert page.status_code == 200
    assert "Wellbeing and stress" in page.content.decode()
    before = Measure.objects.count()

    bad = client.post(url, {"definition": "name: [unclosed\nitems: {"})
    assert bad.status_code == 200
    assert "This is not valid JSON or YAML" in bad.content.decode()
    two = client.post(url, {"definition": "name: Lonely\nitems: [Only one]"})
    assert "“items” must be a list of 2 to 30 questions." in two.content.decode()
    assert Measure.objects.count() == before

    good = client.post(
        url,
        {"definition": "name: Team resilience\nlicence: Licence 42\nitems: [Bounce back, Ask]"},
        follow=True,
    )
    assert good.redirect_chain == [(url, 302)]
    assert "“Team resilience” is imported" in good.content.decode()
    assert "Licence 42" in good.content.decode()
    assert Measure.objects.get(organisation=world.org).name == "Team resilience"


def _step_three(client, group) -> str:
    body = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    match = re.search(r'<li class="([^"]*)" id="step-measures">', body)
    assert match, "no step 3 on the group page"
    return match.group(1)


def test_the_plan_page_saves_a_plan_and_step_three_of_the_checklist_is_done(client, world):
    chosen = library()
    client.force_login(world.facilitator)
    assert "step-done" not in _step_three(client, world.group)
    url = reverse("evaluation:plan", args=[world.group.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "measures": [chosen[WELLBEING].pk, chosen[HABITS].pk],
            "baseline_opens": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "window_days": "14",
            "follow_up_months": "6, 3",
            "pulse": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("groups:detail", args=[world.group.pk])
    plan = EvaluationPlan.objects.get(group=world.group)
    assert set(plan.measures.all()) == {chosen[WELLBEING], chosen[HABITS]}
    assert plan.follow_up_months == [3, 6]
    assert plan.pulse
    assert plan.windows.count() == 3
    assert "step-done" in _step_three(client, world.group)
    again = client.get(url).content.decode()
    assert "6-month follow-up" in again
    assert 'value="3, 6"' in again


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"follow_up_months": "3"}, "Choose at least one measure"),
        ({"follow_up_months": "3, six", "measures": "habits"}, "Use whole numbers of months"),
        ({"follow_up_months": "40", "measures": "habits"}, "between 1 and 36 months"),
        ({"follow_up_months": "3", "measures": "pulse"}, "Select a valid choice"),
    ],
)
def test_the_plan_page_refuses_a_bad_plan_with_a_message(client, world, form, message):
    chosen = library()
    keys = {"habits": "reflective-habits", "pulse": "session-pulse"}
    data = {
        "baseline_opens": timezone.localdate().isoformat(),
        "window_days": "14",
        **form,
    }
    if "measures" in data:
        data["measures"] = chosen[keys[data["measures"]]].pk
    client.force_login(world.facilitator)

    response = client.post(reverse("evaluation:plan", args=[world.group.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvaluationPlan.objects.exists()
    assert not QuestionnaireWindow.objects.exists()


# ---------------------------------------------------------------------------------------------
# Caching
# ---------------------------------------------------------------------------------------------


def test_questionnaire_pages_are_never_cached(client, world, open_baseline):
    urls = {
        "mine": (world.practitioner, reverse("evaluation:mine")),
        "answer": (world.practitioner, reverse("evaluation:answer", args=[open_baseline.pk])),
    }
    for name, (user, url) in urls.items():
        response = _get(client, user, url)
        assert response.status_code == 200, name
        assert "no-store" in response.get("Cache-Control", ""), name


def test_a_questionnaire_that_does_not_exist_is_a_404_not_an_error(client, world):
    response = _get(client, world.practitioner, reverse("evaluation:answer", args=[999_999]))
    assert response.status_code == 404
