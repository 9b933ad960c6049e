"""Browser journeys for a newcomer's first visit, guided by the first-steps panels.

An organisation admin goes from signing up to the first date poll, led by the panel on the home
and organisation pages; a practitioner accepts the agreement, books the next session and starts
a private journal; a manager records the sign-off and learns what the dashboard will show and
why small groups are hidden. Each step is checked with axe-core and photographed at desktop,
tablet (768 px) and phone (375 px) widths (see conftest ``Journey.check``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import AgreementAcceptance, Invitation, Organisation, PracticeGroup, SignOff
from journals.models import JournalEntry
from onboarding.models import HiddenGuide
from rp_portal.accounts.demo import totp_code_now
from sessions.models import Booking, Poll
from tests.e2e.conftest import sign_in
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory, UserFactory
from tests.sessions.support import at, make_session

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-journey-password-9"
LINK = "https://meet.example.test/first-group"


def _guide(page, title: str):
    return page.get_by_role("region", name=title)


def _step(guide, title: str):
    return guide.get_by_role("listitem").filter(
        has=guide.page.get_by_role("heading", name=re.compile(re.escape(title)))
    )


def _link_in(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(1)


def test_an_organisation_admin_is_guided_from_sign_up_to_the_first_poll(journey, mailoutbox):
    page = journey.page

    # Sign up and confirm the email address.
    journey.goto(reverse("account_signup"))
    journey.check("sign up")
    page.get_by_label("Your name").fill("Morgan Reyes")
    page.get_by_label("Email").fill("morgan@example.test")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    journey.goto(_link_in(mailoutbox[0], r"https?://[^/]+(/accounts/confirm-email/\S+/)"))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Email").fill("morgan@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # The first home page: the guide starts at creating the organisation.
    expect(page.get_by_role("heading", name="Hello, Morgan Reyes")).to_be_visible()
    guide = _guide(page, "Setting up your organisation")
    expect(_step(guide, "Create your organisation")).to_contain_text("Next")
    expect(guide).to_contain_text("wait for their invitation instead")
    journey.check("home with the first step")
    guide.get_by_role("link", name="Set up an organisation").click()
    page.get_by_label("Name").fill("Harbourside Leaving Care")
    page.get_by_label("Contact email").fill("team@harbourside.example.test")
    journey.check("organisation form")
    page.get_by_role("button", name="Create organisation").click()

    # Now an admin: two-factor authentication comes before anything else, guide included.
    heading = page.get_by_role("heading", name=re.compile("Confirm Access|Activate Authenticator"))
    expect(heading).to_be_visible()
    expect(page.get_by_text("needs two-factor authentication")).to_be_visible()
    if page.get_by_role("heading", name="Confirm Access").is_visible():
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    organisation = Organisation.objects.get(name="Harbourside Leaving Care")

    # Back home, the guide has moved on: the organisation is done, branding is next.
    journey.goto("/")
    guide = _guide(page, "Setting up your organisation")
    expect(_step(guide, "Create your organisation")).to_contain_text("✓ Done")
    expect(_step(guide, "Add your logo and colour")).to_contain_text("Next")
    expect(guide).to_contain_text("After this: Invite people.")
    expect(guide).to_contain_text("1 of 5 done")
    journey.check("guide after the organisation is set up")

    guide.get_by_role("link", name="Add branding").click()
    page.get_by_label("Accent colour").fill("#7a1f5c")
    journey.check("branding")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Organisation details saved.")).to_be_visible()
    # The organisation page carries the same guide.
    guide = _guide(page, "Setting up your organisation")
    expect(_step(guide, "Add your logo and colour")).to_contain_text("✓ Done")
    expect(_step(guide, "Invite people")).to_contain_text("Next")
    journey.check("organisation page with the guide")

    guide.get_by_role("link", name="Invite your first people").click()
    expect(page.get_by_role("heading", name="Invite people", level=1)).to_be_visible()
    one = page.get_by_role("region", name="One person")
    one.get_by_label("Email address").fill("sam.okoro@example.test")
    one.get_by_label("Name").fill("Sam Okoro")
    one.get_by_label("practitioner").check()
    one.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to sam.okoro@example.test.")).to_be_visible()
    journey.check("invitation sent")
    assert Invitation.objects.filter(organisation=organisation).count() == 1

    # Left here and resumed later: the guide picks up at the first group.
    journey.goto("/")
    guide = _guide(page, "Setting up your organisation")
    expect(_step(guide, "Set up the first group")).to_contain_text("Next")
    guide.get_by_role("link", name="Start the first group").click()
    page.get_by_label("Name").fill("Harbourside Reflective Group")
    page.get_by_label("Purpose").fill("Reflecting together on our work with care leavers.")
    page.locator("label").filter(has_text=re.compile(r"^\s*Team\s*$")).click()
    page.locator("label").filter(has_text=re.compile(r"^\s*Internal facilitator\s*$")).click()
    journey.check("first group form")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    group = PracticeGroup.objects.get(host=organisation)

    journey.goto("/")
    guide = _guide(page, "Setting up your organisation")
    group_step = _step(guide, "Set up the first group")
    expect(group_step).to_contain_text("✓ Done")
    expect(group_step).to_contain_text("Harbourside Reflective Group is set up.")
    expect(_step(guide, "Open a date poll")).to_contain_text("Next")
    journey.check("guide with the first group set up")

    guide.get_by_role("link", name="Open a date poll").click()
    expect(page.get_by_role("heading", name="Ask the group when to meet")).to_be_visible()
    day = timezone.localdate() + timedelta(days=12)
    page.get_by_label("What is the poll for?").fill("When shall we first meet?")
    page.get_by_label("Answers close on").fill(
        (timezone.localdate() + timedelta(days=5)).isoformat()
    )
    page.locator("#id_closes_time").fill("17:00")
    option = page.get_by_role("group", name="Date 1", exact=True)
    option.get_by_label("Date", exact=True).fill(day.isoformat())
    option.get_by_label("Start", exact=True).fill("10:00")
    option.get_by_label("Minutes", exact=True).fill("90")
    option.get_by_label("Online link").fill(LINK)
    journey.check("first date poll form")
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_text("The poll is open and members have been asked.")).to_be_visible()
    assert Poll.objects.filter(group=group).count() == 1

    # All five done: the guide gives way to the ordinary home page.
    journey.goto("/")
    expect(page.get_by_role("heading", name="Hello, Morgan Reyes")).to_be_visible()
    expect(_guide(page, "Setting up your organisation")).to_have_count(0)
    journey.check("home once the organisation is set up")
    organisation.refresh_from_db()
    assert organisation.accent_colour == "#7a1f5c"


def test_a_practitioner_accepts_the_agreement_books_and_starts_a_private_journal(journey):
    group = PracticeGroupFactory(name="Harbour Team Reflective Group")
    facilitator = UserFactory(display_name="Fran Facilitator", email="fran@example.test")
    MembershipFactory(organisation=group.host, user=facilitator, is_facilitator=True)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    pia = UserFactory(display_name="Pia Marlowe", email="pia@example.test")
    MembershipFactory(organisation=group.host, user=pia)
    GroupMemberFactory(group=group, user=pia)
    session = make_session(group, starts_at=at(9, hour=10), capacity=8, created_by=facilitator)
    page = journey.page

    sign_in(journey, pia)
    guide = _guide(page, "Your first steps as a member")
    expect(_step(guide, "Accept the group agreement")).to_contain_text("Next")
    expect(_step(guide, "See when the group meets next")).to_contain_text("✓ Done")
    expect(guide).to_contain_text("1 of 4 done")  # the next session is already there to see
    journey.check("home on the first visit")

    guide.get_by_role("link", name="Read the agreement").click()
    journey.check("the group agreement")
    page.get_by_role("button", name="I accept the group agreement").click()
    expect(page.get_by_text("Thank you. You have accepted the group agreement.")).to_be_visible()
    assert AgreementAcceptance.objects.filter(user=pia).count() == 1

    journey.goto("/")
    guide = _guide(page, "Your first steps as a member")
    expect(_step(guide, "Accept the group agreement")).to_contain_text("✓ Done")
    booking = _step(guide, "Book your place")
    expect(booking).to_contain_text("Next")
    journey.check("home with the booking next")
    booking.get_by_role("link", name="Book a place").click()
    page.locator("#booking-panel").get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("You have a place.")).to_be_visible()
    journey.check("session booked")
    assert Booking.objects.get(session=session, user=pia).status == Booking.Status.BOOKED

    journey.goto("/")
    guide = _guide(page, "Your first steps as a member")
    journal = _step(guide, "Keep a private journal")
    expect(journal).to_contain_text("Next")
    expect(journal).to_contain_text("encrypted before it is stored")
    journey.check("home with the journal next")
    journal.get_by_role("link", name="Why only you can read it").click()
    expect(page.locator("#journal")).to_be_visible()
    assert page.url.endswith(reverse("guide:section", args=["privacy"]) + "#journal")
    journey.check("the guide on journal privacy")

    page.go_back()
    _step(_guide(page, "Your first steps as a member"), "Keep a private journal").get_by_role(
        "link", name="Write an entry"
    ).click()
    page.get_by_role("link", name=re.compile("Free writing")).click()
    page.get_by_label("Title").fill("Before my first session")
    page.get_by_label("Your reflection").fill("Nervous about speaking up, curious about others.")
    journey.check("first journal entry")
    page.get_by_role("button", name="Save as finished").click()
    expect(page.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    assert JournalEntry.objects.filter(author=pia).count() == 1

    journey.goto("/")
    expect(page.get_by_role("heading", name="Hello, Pia Marlowe")).to_be_visible()
    expect(_guide(page, "Your first steps as a member")).to_have_count(0)
    journey.check("home once the first steps are done")


def test_a_manager_signs_off_and_learns_what_the_dashboard_shows_and_hides(journey):
    group = PracticeGroupFactory(name="Northgate Housing Reflective Group")
    mo = UserFactory(display_name="Mo Adeyemi", email="mo@example.test")
    MembershipFactory(organisation=group.host, user=mo, is_manager=True, is_practitioner=False)
    page = journey.page

    sign_in(journey, mo)
    guide = _guide(page, "Your first steps as a manager")
    sign_off = _step(guide, "Record your sign-off")
    expect(sign_off).to_contain_text("Next")
    expect(sign_off).to_contain_text("Northgate Housing Reflective Group is waiting")
    expect(_step(guide, "Why small groups are hidden")).to_contain_text("fewer than five people")
    journey.check("home on the first visit")

    sign_off.get_by_role("link", name="Record sign-off").click()
    form = page.locator("#sign-off")
    journey.check("sign-off on the group page")
    form.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Sign-off recorded. Thank you for backing the group.")).to_be_visible()
    assert SignOff.objects.filter(group=group, signed_by=mo).count() == 1

    journey.goto("/")
    guide = _guide(page, "Your first steps as a manager")
    expect(_step(guide, "Record your sign-off")).to_contain_text("✓ Done")
    dashboard = _step(guide, "Know what the dashboard shows")
    expect(dashboard).to_contain_text("nothing to show for now")
    journey.check("home with the sign-off done")
    dashboard.get_by_role("link", name="Open the dashboard").click()
    expect(page).to_have_url(re.compile(reverse("evaluation:dashboard", args=[group.host.pk])))
    journey.check("the dashboard before any session")

    page.go_back()
    guide = _guide(page, "Your first steps as a manager")
    _step(guide, "Why small groups are hidden").get_by_role(
        "link", name="The five-person rule in the guide"
    ).click()
    expect(page.locator("#small-numbers")).to_be_visible()
    journey.check("the five-person rule in the guide")

    # Seen enough: the manager hides the guide, and can bring it back.
    page.go_back()
    page.get_by_role("button", name="Hide “Your first steps as a manager”").click()
    expect(page.get_by_text("is hidden. You can show it again")).to_be_visible()
    expect(_guide(page, "Your first steps as a manager")).to_have_count(0)
    journey.check("guide hidden")
    assert HiddenGuide.objects.filter(user=mo, guide="manager").count() == 1
    page.get_by_role("button", name="Show “Your first steps as a manager” again").click()
    expect(_guide(page, "Your first steps as a manager")).to_be_visible()
    assert not HiddenGuide.objects.exists()
