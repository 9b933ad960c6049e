"""Two whole journeys, each one continuous story against the live server.

1. A facilitator sets up a multi-agency group through all seven set-up steps, asks the group
   when to meet, turns the favourite date into a recurring series and runs its first session.
2. A practitioner finds a session full and waits, is promoted when someone cancels, comes (the
   facilitator marks the register), reflects in her journal, shares a learning point, answers
   the session pulse and exports a reflective account built by a real Celery worker.

The steps are the ones the separate journeys check in more detail (test_group_setup_journey,
test_session_journeys, test_journal_journey, test_evaluation_journey, test_pack_journey); the
point here is that they join up.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Completion, QuestionnaireWindow
from evaluation.services import pulse_windows_open
from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupPartner,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from journals.models import JournalEntry, SharedLearning
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, GroupSession, Poll, Series
from sessions.services.scheduling import SessionDetails, session_create
from tests.e2e.conftest import sign_in
from tests.e2e.test_group_setup_journey import DONE
from tests.e2e.test_journal_journey import AUTOSAVE_WAIT, journal_link_path, pdf_text
from tests.e2e.test_pack_journey import watch_build
from tests.e2e.test_session_journeys import (
    LINK,
    group_with_people,
    long_day,
    short_day,
)
from tests.evaluation.support import HABITS, library, make_plan
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = ("buy_in", "plan", "measures", "facilitation", "training", "establishing", "ownership")
GROUP = "Care Leavers Multi-Agency Group"


def start_now(session: GroupSession) -> None:
    """Move a scheduled session so that it began ten minutes ago (the clock moving on)."""
    now = timezone.now().replace(microsecond=0)
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(minutes=80)
    )


# ---------------------------------------------------------------------------------------------
# 1. From a new group to its first session
# ---------------------------------------------------------------------------------------------


def test_a_facilitator_sets_up_a_multi_agency_group_and_runs_its_first_session(
    journey, another_browser, mailoutbox
):
    host = OrganisationFactory(name="Riverside Leaving Care Team")
    fran = UserFactory(display_name="Fran Okafor", email="fran@example.test")
    MembershipFactory(organisation=host, user=fran, is_admin=True, is_facilitator=True)
    sam = UserFactory(display_name="Sam Patel", email="sam@example.test")
    MembershipFactory(organisation=host, user=sam)
    partner_org = OrganisationFactory(name="Northside Youth Justice Service")
    priya = MembershipFactory(
        organisation=partner_org,
        user=UserFactory(display_name="Priya Shah", email="priya@example.test"),
        is_admin=True,
        is_practitioner=False,
    ).user
    page = journey.page
    today = timezone.localdate()

    # Fran sets up the group.
    sign_in(journey, fran)
    journey.goto(reverse("groups:organisation_detail", args=[host.pk]))
    page.get_by_role("link", name="Set up a group").click()
    expect(page.get_by_role("heading", name="Set up a reflective practice group")).to_be_visible()
    page.get_by_label("Name").fill(GROUP)
    page.get_by_label("Purpose").fill("Reflecting together on how we support care leavers.")
    page.locator("label").filter(has_text=re.compile(r"^\s*Multi-agency\s*$")).click()
    page.locator("label").filter(has_text=re.compile(r"^\s*Internal facilitator\s*$")).click()
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    # Choosing the model on the form, as its creator and facilitator, already covers step 4.
    for key in STEPS:
        if key == "facilitation":
            expect(page.locator(f"#step-{key}")).to_contain_text(DONE)
        else:
            expect(page.locator(f"#step-{key}")).not_to_contain_text(DONE)
    journey.check("new group, one step done")
    group = PracticeGroup.objects.get(name=GROUP)
    assert group.structure == PracticeGroup.Structure.MULTI_AGENCY
    group_path = reverse("groups:detail", args=[group.pk])
    # Sam joins the group and has accepted its agreement (as a member would on their home page).
    GroupMemberFactory(group=group, user=sam)
    AgreementAcceptance.objects.create(
        version=AgreementVersion.objects.get(group=group, number=1), user=sam
    )
    tabs = page.get_by_role("navigation", name="Group pages")

    # Step 1: the partner is invited, accepts, and both organisations sign off.
    tabs.get_by_role("link", name="Partners").click()
    page.get_by_label("Partner code").fill(partner_org.partner_code)
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("Northside Youth Justice Service is invited.")).to_be_visible()
    journey.check("partner invited")
    partner = another_browser("partner-admin")
    sign_in(partner, priya)
    partner.page.get_by_role(
        "link",
        name="Riverside Leaving Care Team invites Northside Youth Justice Service "
        "into a multi-agency group",
    ).click()
    partner.page.get_by_role("button", name="Accept", exact=True).click()
    expect(
        partner.page.get_by_text(f"Your organisation is now taking part in {GROUP}.")
    ).to_be_visible()
    partner.page.locator("#sign-off").get_by_role("button", name="Sign off").click()
    expect(
        partner.page.get_by_text("Sign-off recorded. Thank you for backing the group.")
    ).to_be_visible()
    partner.check("partner accepted and signed off")
    assert GroupPartner.objects.get(group=group).status == GroupPartner.Status.ACCEPTED

    journey.goto(group_path)
    page.locator("#sign-off").get_by_label("Note (optional)").fill("90 minutes a month")
    page.locator("#sign-off").get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Sign-off recorded. Thank you for backing the group.")).to_be_visible()
    expect(page.locator("#step-buy_in")).to_contain_text(DONE)
    expect(page.locator("#step-buy_in")).to_contain_text(
        "2 of 2 taking-part organisations have signed off."
    )
    journey.check("step 1 done")
    assert SignOff.objects.filter(group=group).count() == 2

    # Step 2: the plan.
    tabs.get_by_role("link", name="Plan").click()
    page.get_by_label("Aims").fill("A safe space to think about our work with care leavers.")
    page.get_by_label("Objectives").fill("Fewer placement breakdowns; more confident staff.")
    page.get_by_label("How often and how long").fill("Fortnightly, 90 minutes")
    page.get_by_label("Usual place").fill("Online")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("The plan is saved.")).to_be_visible()
    expect(page.locator("#step-plan")).to_contain_text(DONE)

    # Step 3: what success looks like, chosen before the first session.
    page.locator("#step-measures").get_by_role("link", name="Choose success measures").click()
    expect(
        page.get_by_role("heading", name="How will you know the group is working?")
    ).to_be_visible()
    journey.check("evaluation plan form")
    page.get_by_label(library()[HABITS].name, exact=True).check()
    page.get_by_label("The baseline questionnaire opens on").fill(today.isoformat())
    page.get_by_role("button", name="Save the plan").click()
    expect(
        page.get_by_text("The evaluation plan is saved. Questionnaires open on schedule.")
    ).to_be_visible()
    expect(page.locator("#step-measures")).to_contain_text(DONE)

    # Step 4: facilitation, confirmed on its own page, with Fran named as the facilitator.
    tabs.get_by_role("link", name="Facilitation").click()
    page.locator("label").filter(has_text=re.compile(r"^\s*Internal facilitator\s*$")).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Facilitation model saved.")).to_be_visible()
    journey.goto(group_path)
    expect(page.locator("#step-facilitation")).to_contain_text(DONE)

    # Step 5: everyone has done the introductory workshop.
    tabs.get_by_role("link", name="Members").click()
    for who in (fran, sam):
        row = page.get_by_role("row").filter(has_text=who.display_name)
        row.get_by_label(f"Date {who.display_name} completed the workshop").fill(today.isoformat())
        row.get_by_role("button", name=f"Mark trained {who.display_name}").click()
        expect(page.get_by_text(f"Training recorded for {who.display_name}.")).to_be_visible()
    journey.check("everyone trained")
    assert TrainingRecord.objects.filter(user__in=[fran, sam]).count() == 2
    journey.goto(group_path)
    for key in STEPS[:5]:
        expect(page.locator(f"#step-{key}")).to_contain_text(DONE)
    for key in STEPS[5:]:
        expect(page.locator(f"#step-{key}")).not_to_contain_text(DONE)
    journey.check("five steps done")

    # Steps 6 and 7: the group chooses its dates in a poll, which becomes a series.
    first_day, second_day = today + timedelta(days=8), today + timedelta(days=9)
    tabs.get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Ask the group when to meet").click()
    page.get_by_label("What is the poll for?").fill("When shall we meet?")
    page.get_by_label("Answers close on").fill((today + timedelta(days=5)).isoformat())
    page.locator("#id_closes_time").fill("17:00")
    for number, day in ((1, first_day), (2, second_day)):
        option = page.get_by_role("group", name=f"Date {number}", exact=True)
        option.get_by_label("Date", exact=True).fill(day.isoformat())
        option.get_by_label("Start", exact=True).fill("14:00")
        option.get_by_label("Minutes", exact=True).fill("90")
        option.get_by_label("Online link").fill(LINK)
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_text("The poll is open and members have been asked.")).to_be_visible()
    journey.check("poll open")
    poll = Poll.objects.get(group=group)

    member = another_browser("member")
    sign_in(member, sam)
    member.goto(reverse("sessions:poll", args=[poll.pk]))
    for day, label in ((first_day, "No"), (second_day, "Yes")):
        member.page.get_by_role("group", name=f"Your answer for {short_day(day)}").get_by_label(
            label, exact=True
        ).check()
    member.page.get_by_role("button", name="Save my answers").click()
    expect(member.page.get_by_text("Your answers are saved.")).to_be_visible()
    member.check("member answered the poll")

    page.reload()
    schedule = page.get_by_role("region", name="Turn a date into sessions")
    schedule.get_by_label("Date", exact=True).select_option(
        label=f"{long_day(second_day)}, 14:00 (1 yes)"
    )
    schedule.get_by_role("radio", name="Every few weeks, same weekday").check()
    schedule.get_by_role("spinbutton", name="Every how many weeks or months").fill("2")
    schedule.get_by_role("radio", name="After a number of sessions").check()
    schedule.get_by_role("spinbutton", name="Number of sessions").fill("3")
    page.get_by_role("button", name="Schedule and tell the group").click()
    expect(
        page.get_by_text("Scheduled. Members have been told, with a calendar invite.")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Coming up").get_by_role("link")).to_have_count(3)
    journey.check("series scheduled")
    series = Series.objects.get(group=group)
    sessions = list(GroupSession.objects.filter(group=group).order_by("starts_at"))
    assert [s.series_id for s in sessions] == [series.pk] * 3
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        second_day + timedelta(weeks=2 * n) for n in range(3)
    ]
    assert any(m.to == [sam.email] and "New session" in m.subject for m in mailoutbox)

    journey.goto(group_path)
    for key in STEPS:
        expect(page.locator(f"#step-{key}")).to_contain_text(DONE)
    journey.check("all seven steps done")
    group.refresh_from_db()
    assert group.ownership_decided_at is not None

    # Sam books the first session of the series.
    first = sessions[0]
    member.goto(reverse("sessions:detail", args=[first.pk]))
    member.page.locator("#booking-panel").get_by_role("button", name="Book a place").click()
    expect(
        member.page.locator("#booking-panel").locator("strong", has_text="You have a place.")
    ).to_be_visible()
    assert Booking.objects.get(session=first, user=sam).status == Booking.Status.BOOKED

    # The day comes: Fran runs the first session, marks the register and closes it.
    start_now(first)
    journey.goto(reverse("sessions:detail", args=[first.pk]))
    page.get_by_role("link", name="Run this session").click()
    expect(page.get_by_role("heading", name=re.compile("Register"))).to_be_visible()
    journey.check("run page of the first session")
    present = page.get_by_role("button", name=f"Present {sam.display_name}", exact=True)
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Themes").fill("Getting to know each other's services.")
    page.get_by_role("button", name="Close the session").click()
    expect(page.get_by_text("The session is recorded as held.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Held")
    journey.check("first session held")

    first.refresh_from_db()
    assert first.status == GroupSession.Status.HELD
    assert first.closed_by == fran
    assert Booking.objects.get(session=first, user=sam).attendance == "present"
    assert any(m.to == [sam.email] and "Take a moment to reflect" in m.subject for m in mailoutbox)
    journey.goto(group_path)
    expect(page.locator("#step-establishing")).to_contain_text("1 held so far")
    journey.check("checklist after the first session")


# ---------------------------------------------------------------------------------------------
# 2. From a full session to a reflective account
# ---------------------------------------------------------------------------------------------

TITLE = "Staying with a hard conversation"
SECTIONS = {
    "Description": "A young person told the group about a placement that had broken down.",
    "Feelings": "I wanted to rush to a solution and felt uneasy when I could not.",
    "Analysis": "Listening first gave everyone room to think before the plan was made.",
    "Action plan": "Next time I will summarise what I heard before suggesting anything.",
}
SHARED_POINT = "Summarise what you heard before you suggest anything."


@pytest.mark.worker
def test_a_practitioner_waits_for_a_place_comes_reflects_and_exports_a_reflective_account(
    journey, another_browser, mailoutbox, settings, tmp_path, request
):
    # The worker started at the end keeps its media under tmp_path/media: use it here too.
    settings.MEDIA_ROOT = tmp_path / "media"
    group, fran, (ada, bo, pia) = group_with_people(
        "Fran Facilitator", ["Ada Mensah", "Bo Harlow", "Pia Marlowe"]
    )
    plan = make_plan(group, fran, [library()[HABITS]])
    session = session_create(
        group=group,
        actor=fran,
        starts_at=timezone.now().replace(second=0, microsecond=0) + timedelta(days=3),
        details=SessionDetails(capacity=2, online_link=LINK),
    )
    for booked in (ada, bo):
        Booking.objects.create(session=session, user=booked, status=Booking.Status.BOOKED)
    detail = reverse("sessions:detail", args=[session.pk])
    page = journey.page

    # Pia finds the session full and joins the waiting list.
    sign_in(journey, pia)
    journey.goto(reverse("sessions:mine"))
    page.get_by_role("region", name="Open for booking").get_by_role(
        "link", name=re.compile(group.name)
    ).click()
    panel = page.locator("#booking-panel")
    expect(panel).to_contain_text("2 of 2 places taken.")
    journey.check("a full session")
    panel.get_by_role("button", name="Join the waiting list").click()
    expect(panel.locator("strong", has_text="You are on the waiting list.")).to_be_visible()
    journey.check("on the waiting list")
    assert Booking.objects.get(session=session, user=pia).status == Booking.Status.WAITLISTED

    # Ada cancels; Pia moves up and is told by email.
    ada_browser = another_browser("ada")
    sign_in(ada_browser, ada)
    ada_browser.goto(detail)
    ada_panel = ada_browser.page.locator("#booking-panel")
    ada_panel.get_by_role("button", name="Cancel my place").click()
    expect(ada_panel).to_contain_text("Your place is cancelled.")
    ada_browser.check("a place given up")
    page.reload()
    expect(panel.locator("strong", has_text="You have a place.")).to_be_visible()
    journey.check("promoted from the waiting list")
    assert Booking.objects.get(session=session, user=pia).status == Booking.Status.BOOKED
    assert [m.to for m in mailoutbox if "You have a place" in m.subject] == [[pia.email]]

    # The day comes: Fran marks the register and closes the session.
    start_now(session)
    facilitator = another_browser("facilitator")
    sign_in(facilitator, fran)
    facilitator.goto(reverse("sessions:run", args=[session.pk]))
    fpage = facilitator.page
    expect(fpage.get_by_role("heading", name=re.compile("Register"))).to_be_visible()
    for who in (pia, bo):
        present = fpage.get_by_role("button", name=f"Present {who.display_name}", exact=True)
        present.click()
        expect(present).to_have_attribute("aria-pressed", "true")
    facilitator.check("register marked")
    fpage.get_by_label("Themes").fill("Staying with uncertainty.")
    fpage.get_by_role("button", name="Close the session").click()
    expect(fpage.get_by_text("The session is recorded as held.")).to_be_visible()
    facilitator.check("session held")
    assert Booking.objects.get(session=session, user=pia).attendance == "present"
    # The scheduler opens the pulse for those who came (every 15 minutes in production).
    assert pulse_windows_open() == 1

    # Pia follows the email into her journal and reflects with Gibbs' cycle.
    [invitation] = [
        m for m in mailoutbox if m.to == [pia.email] and "Take a moment to reflect" in m.subject
    ]
    journey.goto(journal_link_path(invitation))
    page.get_by_role("link", name=re.compile("Gibbs' reflective cycle")).click()
    expect(page.get_by_label("Linked to the session")).to_have_value(str(session.pk))
    page.get_by_label("Title").fill(TITLE)
    for label, text in SECTIONS.items():
        page.get_by_label(label, exact=True).fill(text)
    expect(page.locator("#autosave-status")).to_contain_text(
        "Draft saved at", timeout=AUTOSAVE_WAIT
    )
    journey.check("reflection drafted")
    page.get_by_role("button", name="Save as finished").click()
    expect(page.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    journey.check("reflection finished")
    [entry] = JournalEntry.objects.filter(author=pia)
    assert (entry.status, entry.session_id) == (JournalEntry.Status.FINISHED, session.pk)
    assert SECTIONS["Feelings"].lower() not in entry.content.lower()
    entry_url = reverse("journals:entry", args=[entry.pk])

    # A learning point goes to the group, without her name.
    share = page.get_by_role("region", name="Share a learning point with a group")
    share.get_by_label("The learning point, as the group will read it").fill(SHARED_POINT)
    share.get_by_role("button", name="Share without my name").click()
    expect(page.get_by_text("Shared with the group, without your name.")).to_be_visible()
    assert SharedLearning.objects.get(group=group).text == SHARED_POINT
    facilitator.goto(reverse("journals:group_learning", args=[group.pk]))
    expect(fpage.locator("article").filter(has_text=SHARED_POINT)).to_have_count(1)
    expect(fpage.locator("main")).not_to_contain_text(pia.display_name)
    facilitator.check("shared learning without a name")

    # The pulse after the session she came to.
    journey.goto(reverse("evaluation:mine"))
    page.get_by_role("link", name=re.compile(r"^Pulse after the session of")).click()
    questions = page.locator("form fieldset")
    expect(questions).to_have_count(3)
    journey.check("session pulse")
    for index in range(3):
        questions.nth(index).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(
        page.get_by_text("Thank you. Your answers are stored without your name.")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Pulse after the session of"))).to_have_count(
        0
    )
    journey.check("pulse answered")
    pulse = QuestionnaireWindow.objects.get(plan=plan, session=session)
    assert Completion.objects.filter(user=pia, window=pulse).count() == 1

    # The reflective account, built on a real worker with its progress shown, then downloaded.
    request.getfixturevalue("broker")
    journey.goto(entry_url)
    account = page.get_by_role("region", name="Reflective account for CPD")
    account.get_by_label("Professional code").select_option(
        label="Social Work England professional standards"
    )
    account.get_by_label("Maintain my continuing professional development").check()
    account.get_by_role("button", name="Build the reflective account (PDF)").click()
    expect(page.get_by_role("heading", name="Your document")).to_be_visible()
    expect(page.get_by_text("Waiting to start…")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    journey.check("reflective account waiting for a worker")
    request.getfixturevalue("worker")
    seen = watch_build(page)
    assert seen[0].startswith("Waiting to start"), seen
    assert seen[-1].startswith("✓ Your document is ready."), seen
    journey.check("reflective account ready")
    assert DocumentBuild.objects.get().status == DocumentBuild.Status.DONE

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download reflective-account-")).click()
    assert re.fullmatch(r"reflective-account-\d{4}-\d{2}-\d{2}\.pdf", info.value.suggested_filename)
    pdf_path = tmp_path / "reflective-account.pdf"
    info.value.save_as(pdf_path)
    text = " ".join(pdf_text(pdf_path.read_bytes()).split())
    assert "Reflective account" in text
    assert TITLE in text
    assert SECTIONS["Description"] in text
    assert "Maintain my continuing professional development" in text
