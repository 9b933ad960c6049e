"""The leak test for questionnaire free text: a marker in the comments of a baseline (never
shown) and of a session pulse answered by only three people (too few to show) appears in no
page of the project for any role, nor in the dashboard's CSV or PDF report.

The crawl is the journal leak test's (``test_journal_privacy``): every URL pattern of the
project, filled with real ids, as every other kind of visitor.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import EvaluationPlan, QuestionnaireWindow, Response, Score
from evaluation.services import response_pseudonym
from groups.models import GroupMember
from rp_portal.documents.models import DocumentBuild
from tests.evaluation.support import HABITS, PULSE, library, london, member_of
from tests.journals.support import body, pdf_text
from tests.journals.test_journal_privacy import (  # noqa: F401 -- fixtures used by name
    Values,
    _urls,
    _visit,
    exports,
    values,
)

ANSWER_MARKER = "zq-answer-marker-91x"
ROLES = (
    "anonymous",
    "author",
    "peer",
    "facilitator",
    "manager",
    "org_admin",
    "outsider",
    "superuser",
)


def _closed(plan, kind: str, day: date, months: int = 0) -> QuestionnaireWindow:
    opens = london(day)
    return QuestionnaireWindow.objects.create(
        plan=plan, kind=kind, months=months, opens_at=opens, closes_at=opens + timedelta(days=7)
    )


@pytest.fixture
def answers(journal):
    """Seven members answered a baseline last year (the author's comment holds the marker), and
    three answered a pulse with the marker in every comment."""
    group = journal.world.group
    plan = EvaluationPlan.objects.create(group=group, baseline_opens=date(2025, 2, 3))
    others = [member_of(group) for _ in range(5)]
    people = [journal.author, journal.peer, *others]
    baseline = _closed(plan, "baseline", date(2025, 2, 3))
    pulse = _closed(plan, "pulse", date(2025, 3, 3), months=1)
    habits, pulse_measure = library()[HABITS], library()[PULSE]
    for person in people:
        comment = ANSWER_MARKER if person == journal.author else "Useful to stop and think."
        response = Response.objects.create(
            window=baseline, pseudonym=response_pseudonym(person, plan), comment=comment
        )
        Score.objects.create(response=response, measure=habits, value=3.0)
    for person in people[:3]:
        response = Response.objects.create(
            window=pulse, pseudonym=response_pseudonym(person, plan), comment=ANSWER_MARKER
        )
        Score.objects.create(response=response, measure=pulse_measure, value=4.0)
    assert GroupMember.objects.filter(group=group).count() >= 7
    return baseline, pulse


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_questionnaire_comment_to_anyone(journal, values, answers, role):  # noqa: F811
    values.ids["window_id"] = answers[0].pk
    user = journal.person(role)
    client = Client(raise_request_exception=False)
    leaks, errors, visited = [], [], 0
    for label, url in _urls(values):
        response, seen = _visit(client, user, url)
        visited += 1
        if ANSWER_MARKER in seen:
            leaks.append((label, url, response.status_code))
        if response.status_code >= 500:
            errors.append((label, url, response.status_code))
    assert leaks == []
    assert errors == []
    assert visited > 150


def test_the_dashboard_csv_and_report_hold_no_questionnaire_comment(
    journal, answers, media, django_capture_on_commit_callbacks
):
    world = journal.world
    dashboards = {
        world.manager: reverse("evaluation:dashboard", args=[world.org.pk]),
        world.facilitator: reverse("evaluation:group_dashboard", args=[world.group.pk]),
    }
    reports = {
        world.manager: reverse("evaluation:report", args=[world.org.pk]),
        world.facilitator: reverse("evaluation:group_report", args=[world.group.pk]),
    }
    for person, url in dashboards.items():
        client = Client()
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200
        assert "Reflective habits" in body(page)  # the baseline figure is there (7 people)
        csv = client.get(url + "?format=csv")
        assert csv.status_code == 200
        assert ANSWER_MARKER not in body(page) + csv.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reports[person]).status_code == 302
        build = DocumentBuild.objects.filter(owner=person).latest("pk")
        assert build.status == DocumentBuild.Status.DONE, build.error
        text = pdf_text(build.file.read())
        assert "Reflective habits" in text
        assert ANSWER_MARKER not in text
