"""Browser journey for evaluation: a member answers the baseline questionnaire and, after a
session they came to, the session pulse (stored under a pseudonym). Then the manager opens the
evaluation dashboard from the organisation page — figures of the last finished quarters, written
for this test as earlier answers would have left them — filters it by group, downloads the CSV and
builds the PDF report on a real Celery worker, watching its progress, and downloads it.

Every page is checked with axe-core. The dashboard is photographed at 1280 and 375 pixels wide,
and page 1 of the report is rendered to PNG with pdftoppm (Debian's poppler-utils), all under
test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import time
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from evaluation.dashboard import current_quarter_start
from evaluation.models import Completion, QuestionnaireWindow, Response, Score
from evaluation.services import pulse_windows_open, response_pseudonym
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, GroupSession
from tests.e2e.conftest import DESKTOP, PHONE, sign_in
from tests.evaluation.support import (
    CONFIDENCE,
    HABITS,
    PROTECTS,
    PULSE,
    TOO_FEW,
    bare_plan,
    baseline_of,
    held_session,
    library,
    make_plan,
    respond,
    window_on,
)
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.pdf_support import pdf_text
from tests.sessions.fixtures_views import book, make_session, soon

pytestmark = pytest.mark.django_db(transaction=True)

TEAM = "Leaving Care Team reflective practice"
SMALL = "Harbour partners reflective practice"
JUSTICE = "Youth Justice reflective practice"
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


def _finished_quarters() -> tuple[date, date]:
    """The first days of the two quarters before this one."""
    last = current_quarter_start().date() - timedelta(days=1)
    last = date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    before = last - timedelta(days=1)
    return date(before.year, 3 * ((before.month - 1) // 3) + 1, 1), last


def _earlier_quarters(org, team, plan, small) -> None:
    """What the two quarters before this one left behind: the team met once a quarter (six
    booked, five and then six came) and answered the pulse; Youth Justice's six answered a
    baseline and a 3-month follow-up; three people of the small multi-agency group answered a
    baseline (hidden, and the host's total for that quarter with it)."""
    earlier, last = _finished_quarters()
    chosen = library()
    measures = [chosen[HABITS], chosen[CONFIDENCE]]
    colleagues = []
    for index in range(6):
        colleague = UserFactory(display_name=f"Colleague Number{index}")
        MembershipFactory(organisation=org, user=colleague)
        GroupMemberFactory(group=team, user=colleague)
        colleagues.append(colleague)
    for quarter, came in ((earlier, 5), (last, 6)):
        day = quarter + timedelta(days=15)
        session = held_session(team, day, colleagues, came=came)
        window = window_on(plan, QuestionnaireWindow.Kind.PULSE, day, session=session)
        for index in range(came):
            respond(window, f"colleague-{index}", {chosen[PULSE]: 4.0 + index % 2 * 0.5},
                    comment=COMMENT if index == 0 else "")  # fmt: skip
    justice = PracticeGroupFactory(host=org, name=JUSTICE, structure="team")
    justice_plan = bare_plan(justice, measures)
    baseline = window_on(justice_plan, QuestionnaireWindow.Kind.BASELINE, earlier + timedelta(20))
    follow_up = window_on(justice_plan, QuestionnaireWindow.Kind.FOLLOW_UP,
                          last + timedelta(days=20), months=3)  # fmt: skip
    for index in range(6):
        respond(baseline, f"justice-{index}", dict.fromkeys(measures, 2.5 + index % 3 * 0.25))
        respond(follow_up, f"justice-{index}", dict.fromkeys(measures, 3.25 + index % 2 * 0.5))
    small_plan = bare_plan(small, measures)
    small_baseline = window_on(
        small_plan, QuestionnaireWindow.Kind.BASELINE, last + timedelta(days=25)
    )
    for index in range(3):
        respond(small_baseline, f"partner-{index}", dict.fromkeys(measures, 1.0))


def _watch_build(page, *, seconds: float = 120) -> list[str]:
    """The texts the progress box showed as the browser polled it, until it finished."""
    seen: list[str] = []
    box = page.locator(".build-status")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            text = " ".join(box.inner_text(timeout=2_000).split())
        except PlaywrightError:  # htmx is swapping the box at this instant
            continue
        if not seen or seen[-1] != text:
            seen.append(text)
        if "Your document is ready." in text or "Try again" in text:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the report did not finish; the box showed {seen}")


def test_a_member_answers_and_the_manager_reads_filters_and_exports_the_dashboard(
    journey, another_browser, settings, tmp_path, request
):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed"
    # The worker started below keeps its media under tmp_path/media: use the same folder here.
    settings.MEDIA_ROOT = tmp_path / "media"
    org, manager, member, team, plan, session, small = _world()
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

    # --- The manager reads the figures of the quarters that have finished -------------------
    _earlier_quarters(org, team, plan, small)
    morgan = another_browser("manager")
    mpage = morgan.page
    sign_in(morgan, manager)
    morgan.goto(reverse("groups:organisation_detail", args=[org.pk]))
    mpage.get_by_role("link", name="Evaluation dashboard: is it working?").click()
    expect(mpage.get_by_role("heading", name="Is reflective practice working?")).to_be_visible()
    for heading in ("Attendance rate", "People who came at least once", "Session pulse",
                    "Reflective habits", "Confidence in practice"):  # fmt: skip
        expect(mpage.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(mpage.locator("svg.chart-svg").first).to_be_visible()
    expect(mpage.get_by_text(COMMENT).first).to_be_visible()
    # The small group's three answers are hidden, and say why.
    expect(mpage.locator(f'.hidden-figure[title="{TOO_FEW}"]').first).to_be_visible()
    expect(mpage.locator(f'.hidden-figure[title="{PROTECTS}"]').first).to_be_visible()
    change = mpage.locator("table").filter(has_text="Mean change").first
    expect(change.locator("tbody tr").first.locator("td").last).to_have_text("6")
    # This quarter's answers (Pia's among them) are not counted yet, and nobody is named.
    for name in (member.display_name, "Pia", member.email, "Colleague Number"):
        expect(mpage.locator("main")).not_to_contain_text(name)
    morgan.check("evaluation dashboard")
    dashboard_url = mpage.url

    # Filtered to the team's group.
    mpage.get_by_label("Group", exact=True).select_option(label=TEAM)
    mpage.get_by_role("button", name="Show").click()
    expect(mpage).to_have_url(re.compile(rf"group={team.pk}"))
    expect(mpage.get_by_label("Group", exact=True)).to_have_value(str(team.pk))
    expect(mpage.locator("section.evaluation-section")).to_contain_text(TEAM)
    expect(mpage.locator("section.evaluation-section")).not_to_contain_text(JUSTICE)
    morgan.check("dashboard filtered by group")

    # The CSV of the same protected figures.
    with mpage.expect_download() as info:
        mpage.get_by_role("link", name="Download CSV").click()
    assert re.fullmatch(r"evaluation-\d{4}-\d{2}-\d{2}\.csv", info.value.suggested_filename)
    csv_path = morgan.folder / "evaluation.csv"
    info.value.save_as(csv_path)
    header, *rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    assert header[:5] == ["section", "figure", "row", "quarter", "value"]
    assert {r[2] for r in rows} == {TEAM}
    assert any(r[1] == "Attendance rate" and r[4] for r in rows)
    assert any(r[1] == "Session pulse" and r[4] for r in rows)

    # The PDF report, built in the background on a real worker, with progress shown.
    request.getfixturevalue("broker")
    mpage.get_by_role("button", name="Build the PDF report").click()
    expect(mpage.get_by_role("heading", name="Your document")).to_be_visible()
    expect(mpage.get_by_text("Waiting to start…")).to_be_visible()
    morgan.check("report waiting for a worker")
    request.getfixturevalue("worker")
    seen = _watch_build(mpage)
    assert seen[-1].startswith("✓ Your document is ready."), seen
    morgan.check("report ready")
    build = DocumentBuild.objects.get()
    assert build.inputs["filters"]["group"] == team.pk
    with mpage.expect_download() as info:
        mpage.get_by_role("link", name=re.compile(r"^Download evaluation-")).click()
    assert re.fullmatch(r"evaluation-\d{4}-\d{2}-\d{2}\.pdf", info.value.suggested_filename)
    pdf_path = morgan.folder / "evaluation-report.pdf"
    info.value.save_as(pdf_path)
    text = pdf_text(pdf_path.read_bytes())
    assert "Evaluation report: Riverside Children's Services" in text
    assert "Filtered as on the dashboard." in text
    assert "Session pulse" in text
    assert TEAM in text
    assert JUSTICE not in text
    assert "Pia" not in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
         str(morgan.folder / "evaluation-report-page-1")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert (morgan.folder / "evaluation-report-page-1.png").stat().st_size > 10_000

    # The dashboard on a phone: photographed, and checked like every page.
    mpage.set_viewport_size(PHONE)
    mpage.goto(dashboard_url)
    expect(mpage.get_by_role("heading", name="Is reflective practice working?")).to_be_visible()
    morgan.check("evaluation dashboard at 375 px")
    mpage.set_viewport_size(DESKTOP)
