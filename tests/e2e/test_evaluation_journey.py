"""Browser journey for evaluation: a member answers the baseline questionnaire and, after a
session they came to, the session pulse; then, with enough pseudonymous answers from others
for the figures to show, the manager opens the evaluation dashboard from the organisation page,
filters it by group, downloads the CSV and builds the PDF report.

Every page is checked with axe-core. Page 1 of the report is rendered to PNG with pdftoppm
(Debian's poppler-utils) into test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import Completion, QuestionnaireWindow, Response, Score
from evaluation.services import pulse_windows_open, response_pseudonym
from sessions.models import Booking, GroupSession
from tests.e2e.conftest import sign_in
from tests.evaluation.support import (
    CONFIDENCE,
    HABITS,
    PULSE,
    baseline_of,
    follow_up_of,
    library,
    make_plan,
    respond,
)
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.sessions.fixtures_views import book, make_session, soon

pytestmark = pytest.mark.django_db(transaction=True)

TEAM = "Leaving Care Team reflective practice"
SMALL = "Harbour partners reflective practice"
COMMENT = "Hearing how others handled a similar case helped."


def person(name: str):
    first = name.split()[0].lower()
    return UserFactory(display_name=name, email=f"{first}@example.test")


def _world():
    org = OrganisationFactory(name="Riverside Children's Services")
    manager = person("Morgan Ashby")
    MembershipFactory(organisation=org, user=manager, is_manager=True, is_practitioner=False)
    facilitator = person("Fen Okafor")
    MembershipFactory(organisation=org, user=facilitator, is_facilitator=True)
    member = person("Pia Marlowe")
    MembershipFactory(organisation=org, user=member)
    team = PracticeGroupFactory(host=org, name=TEAM, structure="team")
    GroupMemberFactory(group=team, user=facilitator, role="facilitator")
    GroupMemberFactory(group=team, user=member)
    chosen = library()
    plan = make_plan(team, facilitator, [chosen[HABITS], chosen[CONFIDENCE]], follow_ups=[3])
    # A session Pia came to, just closed: the pulse opens for those who attended.
    session = make_session(team, starts_at=soon(hours=-3), status=GroupSession.Status.HELD)
    book(session, member, attendance=Booking.Attendance.PRESENT)
    book(session, facilitator, attendance=Booking.Attendance.PRESENT)
    assert pulse_windows_open() == 1
    small = PracticeGroupFactory(host=org, name=SMALL, structure="multi_agency")
    GroupMemberFactory(group=small, user=facilitator, role="facilitator")
    return org, manager, member, team, plan, session, small


def _answer_every_question(page, choice: str) -> int:
    questions = page.locator("form fieldset")
    for index in range(questions.count()):
        questions.nth(index).get_by_label(choice, exact=True).check()
    return questions.count()


def _more_answers(org, manager, team, plan, session, small) -> None:
    """Pseudonymous answers from six more people of the team (a baseline, a 3-month follow-up
    and the pulse), attendance of six, and three answers in the small group (kept hidden)."""
    chosen = library()
    measures = [chosen[HABITS], chosen[CONFIDENCE]]
    baseline, follow_up = baseline_of(plan), follow_up_of(plan, 3)
    pulse_window = QuestionnaireWindow.objects.get(session=session)
    for index in range(6):
        respond(baseline, f"colleague-{index}", dict.fromkeys(measures, 2.5 + index % 3 * 0.25))
        respond(follow_up, f"colleague-{index}", dict.fromkeys(measures, 3.25 + index % 2 * 0.5))
        respond(pulse_window, f"colleague-{index}", {chosen[PULSE]: 4.0}, comment=COMMENT)
        colleague = UserFactory()
        MembershipFactory(organisation=org, user=colleague)
        GroupMemberFactory(group=team, user=colleague)
        book(session, colleague, attendance="present" if index % 3 else "absent")
    small_plan = make_plan(small, manager, measures, follow_ups=[6], pulse=False)
    for index in range(3):
        respond(baseline_of(small_plan), f"partner-{index}", dict.fromkeys(measures, 1.0))


def test_a_member_answers_a_baseline_and_a_pulse_in_the_browser(
    journey, another_browser, settings, tmp_path
):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed"
    settings.MEDIA_ROOT = tmp_path / "media"
    _org, _manager, member, _team, plan, session, _small = _world()
    page = journey.page

    # --- Pia answers the baseline questionnaire ------------------------------------------
    sign_in(journey, member)
    journey.goto(reverse("evaluation:mine"))
    expect(page.get_by_role("heading", name="Questionnaires waiting for you")).to_be_visible()
    links = page.locator(".list-group a")
    expect(links).to_have_count(2)
    journey.check("my questionnaires")
    page.get_by_role("link", name=re.compile(r"^Baseline")).click()
    expect(page.get_by_role("heading", name="Baseline")).to_be_visible()
    expect(page.get_by_text("Your answers are stored without your name.")).to_be_visible()
    journey.check("baseline questionnaire")
    assert _answer_every_question(page, "Agree") == 8
    # One question left unanswered is asked again, with the other answers kept.
    page.locator("form fieldset").first.get_by_label("Agree", exact=True).evaluate(
        "e => e.checked = false"
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Please answer every question.")).to_be_visible()
    expect(page.locator("form fieldset").nth(1).get_by_label("Agree", exact=True)).to_be_checked()
    assert Response.objects.count() == 0
    journey.check("baseline asked again")
    page.locator("form fieldset").first.get_by_label("Strongly agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(
        page.get_by_text("Thank you. Your answers are stored without your name.")
    ).to_be_visible()
    expect(page.locator(".list-group a")).to_have_count(1)

    # --- ...and the pulse after the session she came to -----------------------------------
    page.get_by_role("link", name=re.compile(r"^Pulse after the session of")).click()
    expect(page.get_by_role("heading", name=re.compile("^Pulse after the session"))).to_be_visible()
    journey.check("session pulse")
    assert _answer_every_question(page, "Strongly agree") == 3
    page.get_by_label(re.compile(r"^Anything else\?")).fill(COMMENT)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Nothing to answer right now. Thank you!")).to_be_visible()
    journey.check("nothing left to answer")

    # Stored under her pseudonym only; a completion says she answered, not what.
    pia = response_pseudonym(member, plan)
    assert Response.objects.filter(pseudonym=pia).count() == 2
    assert Completion.objects.filter(user=member).count() == 2
    baseline_scores = dict(
        Score.objects.filter(response__window=baseline_of(plan)).values_list(
            "measure__key", "value"
        )
    )
    # Confidence in practice comes first: 5, 4, 4 and "I often doubt..." agreed (reversed: 2).
    # Reflective habits: all four agreed.
    assert baseline_scores == {CONFIDENCE: 3.75, HABITS: 4.0}
    assert Response.objects.get(window__session=session).comment == COMMENT
