"""Browser journeys for setting up organisations and groups, end to end.

An admin sets up an organisation, invites people from a CSV file, sets up a multi-agency group
and brings in a partner organisation; both organisations sign off. A facilitator then works
through the checklist while a member accepts the group agreement, twice.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupPartner,
    Invitation,
    Membership,
    Organisation,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

DONE = "✓ Done"


def path_of_link_in(message) -> str:
    """The path of the first absolute link in an email, to follow on the live server."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_an_admin_sets_up_a_multi_agency_group_with_partners(
    journey, another_browser, mailoutbox, tmp_path
):
    admin = UserFactory(display_name="Alex Morgan", email="alex.morgan@example.test")
    partner_org = OrganisationFactory(name="Northside Youth Justice Service")
    partner_admin = MembershipFactory(
        organisation=partner_org,
        user=UserFactory(display_name="Priya Shah", email="priya.shah@example.test"),
        is_admin=True,
        is_practitioner=False,
    ).user
    page = journey.page

    # The admin signs in and sets up their organisation.
    # (two_factor: they become an organisation admin below, a role that requires it)
    sign_in(journey, admin, check="sign-in form", two_factor=True)
    journey.check("home before joining an organisation")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()
    journey.check("no organisations yet")
    page.get_by_role("link", name="Set up an organisation").click()
    expect(page.get_by_role("heading", name="Set up an organisation")).to_be_visible()
    journey.check("organisation form")
    page.get_by_label("Name").fill("Riverside Leaving Care Team")
    page.get_by_label("Short description").fill("We support care leavers aged 16 to 25.")
    page.get_by_label("Contact email").fill("leaving.care@example.test")
    page.get_by_role("button", name="Create organisation").click()
    expect(
        page.get_by_text("Riverside Leaving Care Team is set up, and you are its admin.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Riverside Leaving Care Team")).to_be_visible()
    journey.check("organisation set up")
    host = Organisation.objects.get(name="Riverside Leaving Care Team")
    assert Membership.objects.get(organisation=host, user=admin).is_admin

    # Invite people from a CSV file: two good rows and one bad one.
    page.get_by_role("link", name="Invite people").click()
    expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
    journey.check("invite people")
    csv_file = tmp_path / "team.csv"
    csv_file.write_text(
        "email,name,roles\n"
        "sam.patel@example.test,Sam Patel,practitioner\n"
        "jo.byrne@example.test,Jo Byrne,facilitator;practitioner\n"
        "not-an-email, Bad Row, practitioner\n",
        encoding="utf-8",
    )
    page.get_by_label("Or upload a CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("heading", name="2 invitations sent")).to_be_visible()
    expect(page.get_by_text("1 row needs fixing; the others were sent.")).to_be_visible()
    result = page.get_by_role("region", name="2 invitations sent")
    expect(result.locator("tbody tr")).to_have_count(1)  # the header row is not a problem
    bad_row = result.locator("tbody tr").filter(has_text="not-an-email")
    expect(bad_row.locator("td").nth(0)).to_have_text(re.compile(r"^4\b"))
    expect(bad_row.locator("td").nth(1)).to_have_text("not-an-email, Bad Row, practitioner")
    expect(bad_row.locator("td").nth(2)).to_contain_text("is not an email address")
    waiting = page.get_by_role("region", name="Waiting for an answer")
    for email in ("sam.patel@example.test", "jo.byrne@example.test"):
        row = waiting.get_by_role("row").filter(has_text=email)
        expect(row).to_contain_text("waiting for an answer")
    journey.check("invitations sent with one bad row")
    assert set(Invitation.objects.filter(organisation=host).values_list("email", flat=True)) == {
        "sam.patel@example.test",
        "jo.byrne@example.test",
    }

    # Sam accepts from the emailed link, in their own browser, by creating an account.
    (to_sam,) = [m for m in mailoutbox if m.to == ["sam.patel@example.test"]]
    sam = another_browser("sam")
    sam.goto(path_of_link_in(to_sam))
    expect(sam.page.get_by_role("heading", name="Join Riverside Leaving Care Team")).to_be_visible()
    sam.check("invitation page")
    expect(sam.page.get_by_label("Your name")).to_have_value("Sam Patel")
    sam.page.get_by_label("Choose a password").fill("a-long-journey-password-7")
    sam.page.get_by_label("Password (again)").fill("a-long-journey-password-7")
    sam.page.get_by_role("button", name="Create account and join").click()
    expect(
        sam.page.get_by_text("Your account is ready. Welcome to Riverside Leaving Care Team.")
    ).to_be_visible()
    expect(sam.page.get_by_role("heading", name="Riverside Leaving Care Team")).to_be_visible()
    sam.check("organisation page for a new member")
    assert Membership.objects.get(
        organisation=host, user__email="sam.patel@example.test"
    ).is_practitioner

    # The admin makes themself a facilitator on the People page.
    journey.goto(reverse("groups:organisation_detail", args=[host.pk]))
    page.get_by_role("link", name="People (2)").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    journey.check("people")
    my_row = page.get_by_role("row").filter(has_text=admin.email)
    my_row.get_by_label("facilitator", exact=True).check()
    my_row.get_by_role("button", name="Save roles for Alex Morgan").click()
    expect(page.get_by_text("Roles saved for Alex Morgan.")).to_be_visible()
    journey.check("roles saved")
    assert Membership.objects.get(organisation=host, user=admin).is_facilitator

    # ... and sets up a multi-agency group.
    page.get_by_role("link", name="Riverside Leaving Care Team").click()
    page.get_by_role("link", name="Set up a group").click()
    expect(page.get_by_role("heading", name="Set up a reflective practice group")).to_be_visible()
    journey.check("group form")
    page.get_by_label("Name").fill("Care Leavers Multi-Agency Group")
    page.get_by_label("Purpose").fill("Reflecting together on how we support care leavers.")
    page.locator("label").filter(has_text=re.compile(r"^\s*Multi-agency\s*$")).click()
    page.locator("label").filter(has_text=re.compile(r"^\s*Internal facilitator\s*$")).click()
    expect(page.get_by_label("Multi-agency")).to_be_checked()
    expect(page.get_by_label("Internal facilitator")).to_be_checked()
    page.get_by_role("button", name="Create group").click()
    expect(
        page.get_by_text(
            "Care Leavers Multi-Agency Group is created. Work through the checklist below."
        )
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    expect(page.locator("#step-buy_in")).to_contain_text(
        "0 of 1 taking-part organisations have signed off."
    )
    journey.check("new group with its checklist")
    group = PracticeGroup.objects.get(name="Care Leavers Multi-Agency Group")
    assert (group.host, group.structure, group.facilitation_model) == (
        host,
        PracticeGroup.Structure.MULTI_AGENCY,
        PracticeGroup.Facilitation.INTERNAL,
    )
    group_path = reverse("groups:detail", args=[group.pk])

    # The host invites the partner organisation by its partner code.
    page.get_by_role("navigation", name="Group pages").get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", name="Invite a partner")).to_be_visible()
    journey.check("partners")
    page.get_by_label("Partner code").fill(partner_org.partner_code)
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("Northside Youth Justice Service is invited.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="Northside Youth Justice Service")
    ).to_contain_text("invited")
    journey.check("partner invited")

    # The partner's admin finds the request on their home page and accepts it.
    priya = another_browser("partner-admin")
    sign_in(priya, partner_admin)
    request_link = priya.page.get_by_role(
        "link",
        name="Riverside Leaving Care Team invites Northside Youth Justice Service "
        "into a multi-agency group",
    )
    expect(priya.page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(request_link).to_be_visible()
    priya.check("partner admin's home with the request")
    request_link.click()
    expect(
        priya.page.get_by_role(
            "heading",
            name="Riverside Leaving Care Team invites Northside Youth Justice Service to take part",
        )
    ).to_be_visible()
    priya.check("partner request on the group page")
    priya.page.get_by_role("button", name="Accept", exact=True).click()
    expect(
        priya.page.get_by_text(
            "Your organisation is now taking part in Care Leavers Multi-Agency Group."
        )
    ).to_be_visible()
    priya.check("partner taking part")
    assert GroupPartner.objects.get(group=group).status == GroupPartner.Status.ACCEPTED

    # The host admin signs off: one of the two organisations.
    journey.goto(group_path)
    sign_off = page.locator("#sign-off")
    expect(sign_off.get_by_label("Signing off for")).to_contain_text("Riverside Leaving Care Team")
    sign_off.get_by_label("Note (optional)").fill("90 minutes a month in work time")
    sign_off.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Sign-off recorded. Thank you for backing the group.")).to_be_visible()
    expect(page.locator("#step-buy_in")).to_contain_text(
        "1 of 2 taking-part organisations have signed off."
    )
    expect(page.locator("#step-buy_in")).not_to_contain_text(DONE)
    journey.check("host signed off")

    # The partner admin signs off too, and step 1 is done.
    priya.goto(group_path)
    priya_sign_off = priya.page.locator("#sign-off")
    expect(priya_sign_off.get_by_label("Signing off for")).to_contain_text(
        "Northside Youth Justice Service"
    )
    priya_sign_off.get_by_role("button", name="Sign off").click()
    expect(
        priya.page.get_by_text("Sign-off recorded. Thank you for backing the group.")
    ).to_be_visible()
    expect(priya.page.locator("#step-buy_in")).to_contain_text(DONE)
    expect(priya.page.locator("#step-buy_in")).to_contain_text(
        "2 of 2 taking-part organisations have signed off."
    )
    priya.check("both organisations signed off")
    assert set(SignOff.objects.filter(group=group).values_list("organisation", flat=True)) == {
        host.pk,
        partner_org.pk,
    }

    page.reload()
    expect(page.locator("#step-buy_in")).to_contain_text(DONE)
    journey.check("host sees leadership buy-in done")


def _group_with_members():
    host = OrganisationFactory(name="Riverside Leaving Care Team")
    facilitator = UserFactory(display_name="Frankie Fields", email="frankie@example.test")
    MembershipFactory(organisation=host, user=facilitator, is_facilitator=True)
    group = PracticeGroupFactory(host=host, name="Tuesday Casework Group", created_by=facilitator)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    members = []
    for name, email in (("Sam Patel", "sam@example.test"), ("Jo Byrne", "jo@example.test")):
        user = UserFactory(display_name=name, email=email)
        MembershipFactory(organisation=host, user=user)
        GroupMemberFactory(group=group, user=user)
        members.append(user)
    return host, group, facilitator, members


def test_members_accept_the_agreement_and_the_checklist_moves_on(journey, another_browser):
    _host, group, facilitator, (sam, _jo) = _group_with_members()
    page = journey.page

    sign_in(journey, facilitator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    journey.check("group list")
    page.get_by_role("link", name="Tuesday Casework Group").click()
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    expect(page.locator("#step-plan")).not_to_contain_text(DONE)
    expect(page.locator("#step-ownership")).not_to_contain_text(DONE)
    journey.check("group page")

    # Step 2: the plan.
    tabs = page.get_by_role("navigation", name="Group pages")
    tabs.get_by_role("link", name="Plan").click()
    journey.check("plan form")
    page.get_by_label("Aims").fill("A safe space to think about our work with care leavers.")
    page.get_by_label("Objectives").fill("Fewer placement breakdowns; more confident staff.")
    page.get_by_label("How often and how long").fill("Monthly, 90 minutes")
    page.get_by_label("Usual place").fill("Room 4 at the Hub")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("The plan is saved.")).to_be_visible()
    expect(page.locator("#step-plan")).to_contain_text(DONE)
    journey.check("plan saved")
    group.refresh_from_db()
    assert group.plan_is_complete

    # Step 7: the group's own decision about when and where it meets. The checklist's button
    # now leads to a date poll; the ownership page records a decision made in the room.
    journey.goto(reverse("groups:ownership", args=[group.pk]))
    expect(page.get_by_role("heading", name="When and where the group meets")).to_be_visible()
    journey.check("ownership form")
    page.get_by_label("What the group decided").fill(
        "We meet on the first Tuesday of each month, 2 to 3.30pm, Room 4 at the Hub."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The group's decision is recorded.")).to_be_visible()
    expect(page.locator("#step-ownership")).to_contain_text(DONE)
    journey.check("ownership recorded")
    group.refresh_from_db()
    assert group.ownership_decided_at is not None

    # Training: Sam did the introductory workshop.
    tabs.get_by_role("link", name="Members").click()
    journey.check("members")
    sam_row = page.get_by_role("row").filter(has_text="Sam Patel")
    sam_row.get_by_label("Date Sam Patel completed the workshop").fill(
        timezone.localdate().isoformat()
    )
    sam_row.get_by_role("button", name="Mark trained Sam Patel").click()
    expect(page.get_by_text("Training recorded for Sam Patel.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Sam Patel")).to_contain_text("✓ trained")
    journey.check("member trained")
    assert TrainingRecord.objects.filter(user=sam).exists()

    # Sam signs in and accepts the agreement.
    sam_browser = another_browser("member")
    sign_in(sam_browser, sam)
    accept_link = sam_browser.page.get_by_role(
        "link", name="Accept the agreement of Tuesday Casework Group"
    )
    expect(accept_link).to_be_visible()
    sam_browser.check("member's home asks for the agreement")
    accept_link.click()
    expect(sam_browser.page.get_by_text("Be kind. Keep it here.")).to_be_visible()
    sam_browser.check("agreement to accept")
    sam_browser.page.get_by_role("button", name="I accept the group agreement").click()
    expect(
        sam_browser.page.get_by_text("Thank you. You have accepted the group agreement.")
    ).to_be_visible()
    sam_browser.check("agreement accepted")
    assert AgreementAcceptance.objects.filter(user=sam, version__group=group).count() == 1

    # The facilitator sees it on the Members tab.
    page.reload()
    expect(page.get_by_role("row").filter(has_text="Sam Patel")).to_contain_text("✓ accepted")
    expect(page.get_by_role("row").filter(has_text="Jo Byrne")).to_contain_text("waiting")
    journey.check("members with one agreement accepted")

    # The facilitator changes the agreement; Sam is asked again.
    tabs.get_by_role("link", name="Agreement").click()
    journey.check("agreement as facilitator")
    page.get_by_role("link", name="Change the agreement").click()
    journey.check("change the agreement")
    page.get_by_label("Group agreement").fill(
        "Be kind. Keep it here. Leave job titles at the door. Phones away."
    )
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Version 2 saved.")).to_be_visible()
    expect(page.get_by_text("Leave job titles at the door. Phones away.")).to_be_visible()
    journey.check("agreement version 2")
    assert AgreementVersion.objects.filter(group=group).count() == 2

    sam_browser.goto("/")
    expect(
        sam_browser.page.get_by_role("link", name="Accept the agreement of Tuesday Casework Group")
    ).to_be_visible()
    sam_browser.check("member asked to accept again")


def fits_the_screen(page) -> None:
    """Nothing sticks out sideways, so the phone does not zoom the whole page out."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def test_the_set_up_pages_work_at_phone_width(phone_journey):
    host, group, facilitator, _members = _group_with_members()
    page = phone_journey.page

    sign_in(phone_journey, facilitator, check="sign-in on a phone")
    phone_journey.goto(reverse("groups:detail", args=[group.pk]))
    expect(page.get_by_role("heading", name="Set-up checklist")).to_be_visible()
    phone_journey.check("group page on a phone")
    fits_the_screen(page)
    phone_journey.goto(reverse("groups:members", args=[group.pk]))
    expect(page.get_by_role("row").filter(has_text="Sam Patel")).to_be_visible()
    phone_journey.check("members on a phone")
    fits_the_screen(page)
    phone_journey.goto(reverse("groups:create", args=[host.pk]))
    expect(page.get_by_role("heading", name="Set up a reflective practice group")).to_be_visible()
    phone_journey.check("group form on a phone")
    fits_the_screen(page)
