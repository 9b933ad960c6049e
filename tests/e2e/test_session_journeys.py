"""Browser journeys for sessions: date polls, booking and the waiting list, running a session.

A facilitator asks the group when to meet and turns the favourite date into a series; members
book a small session until it fills and a cancellation promotes the next person waiting; a
facilitator runs a session on a tablet and closes it; and a practitioner books from a phone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import AgreementAcceptance, AgreementVersion
from sessions.models import Booking, GroupSession, Poll, PollAnswer, Series
from sessions.services.scheduling import SessionDetails, session_create
from tests.e2e.conftest import sign_in
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    PracticeGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
LINK = "https://meet.example.test/reflective-group"
TABLET = {"width": 768, "height": 1024}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def person(name: str):
    first = name.split()[0].lower()
    return UserFactory(display_name=name, email=f"{first}@example.test")


def group_with_people(facilitator_name: str, member_names: list[str], *, accepted: bool = True):
    """A group, its facilitator and members, all practitioners of the host organisation.
    Members have accepted the group agreement (version 1) unless ``accepted=False``."""
    group = PracticeGroupFactory(name="Harbour Team Reflective Group")
    facilitator = person(facilitator_name)
    MembershipFactory(organisation=group.host, user=facilitator, is_facilitator=True)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    members = []
    version = AgreementVersion.objects.get(group=group, number=1)
    for name in member_names:
        member = person(name)
        MembershipFactory(organisation=group.host, user=member)
        GroupMemberFactory(group=group, user=member)
        if accepted:
            AgreementAcceptance.objects.create(version=version, user=member)
        members.append(member)
    return group, facilitator, members


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def short_day(day: date) -> str:
    """As the poll page's legends write it: "Thu 3 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"


def long_day(day: date) -> str:
    """As the poll table writes it: "Thu 3 Dec 2026"."""
    return f"{short_day(day)} {day:%Y}"


def mimetypes_of(message) -> list[str]:
    types = []
    for attachment in message.attachments:
        if hasattr(attachment, "get_content_type"):
            types.append(attachment.get_content_type())
        else:
            types.append(attachment[2])
    return types


def marker_set(page) -> None:
    """Mark the current document; the mark is lost if the page reloads."""
    page.evaluate("window.__sameDocument = 'yes'")


def marker_kept(page) -> bool:
    return page.evaluate("window.__sameDocument === 'yes'")


# ---------------------------------------------------------------------------------------------
# 1. A date poll becomes a recurring series
# ---------------------------------------------------------------------------------------------


def test_a_poll_answered_by_members_becomes_a_recurring_series(
    journey, another_browser, mailoutbox
):
    group, facilitator, (ben, cara) = group_with_people(
        "Fran Facilitator", ["Ben Okafor", "Cara Lindqvist"]
    )
    today = timezone.localdate()
    closes_on = today + timedelta(days=5)
    first_day, second_day = today + timedelta(days=10), today + timedelta(days=12)

    page = journey.page
    sign_in(journey, facilitator)
    journey.goto(reverse("groups:detail", args=[group.pk]))
    page.get_by_role("navigation", name="Group pages").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="Coming up")).to_be_visible()
    expect(page.get_by_text("Nothing scheduled yet.")).to_be_visible()
    journey.check("sessions tab with nothing scheduled")

    page.get_by_role("link", name="Ask the group when to meet").click()
    expect(page.get_by_role("heading", name="Ask the group when to meet")).to_be_visible()
    journey.check("new date poll form")
    page.get_by_label("What is the poll for?").fill("When shall we meet this winter?")
    page.get_by_label("Answers close on").fill(closes_on.isoformat())
    page.locator("#id_closes_time").fill("17:00")
    for number, day in ((1, first_day), (2, second_day)):
        option = page.get_by_role("group", name=f"Date {number}", exact=True)
        option.get_by_label("Date", exact=True).fill(day.isoformat())
        option.get_by_label("Start", exact=True).fill("14:00")
        option.get_by_label("Minutes", exact=True).fill("90")
        option.get_by_label("Online link").fill(LINK)
    page.get_by_role("button", name="Open the poll").click()

    expect(page.get_by_text("The poll is open and members have been asked.")).to_be_visible()
    expect(page.get_by_role("heading", name="When shall we meet this winter?")).to_be_visible()
    journey.check("poll as its facilitator")
    poll = Poll.objects.get(group=group)
    assert poll.status == Poll.Status.OPEN
    assert timezone.localtime(poll.closes_at) == local(closes_on, 17)
    starts = sorted(o.starts_at for o in poll.options.all())
    assert starts == [local(first_day, 14), local(second_day, 14)]
    asked = {m.to[0] for m in mailoutbox if "When should" in m.subject}
    assert {ben.email, cara.email} <= asked

    # Two members answer, each in their own browser; the second date is the favourite.
    answers = {
        "ben": (ben, {first_day: "If need be", second_day: "Yes"}),
        "cara": (cara, {first_day: "No", second_day: "Yes"}),
    }
    for count, (who, (member, chosen)) in enumerate(answers.items(), start=1):
        member_journey = another_browser(who)
        member_page = member_journey.page
        sign_in(member_journey, member)
        member_journey.goto(reverse("sessions:mine"))
        expect(member_page.get_by_text("waiting for your answer")).to_be_visible()
        member_journey.check("my sessions with a poll to answer")
        member_page.get_by_role("link", name=re.compile("When shall we meet this winter")).click()
        expect(member_page.get_by_role("button", name="Save my answers")).to_be_visible()
        member_journey.check("poll before answering")
        for day, label in chosen.items():
            member_page.get_by_role("group", name=f"Your answer for {short_day(day)}").get_by_label(
                label, exact=True
            ).check()
        member_page.get_by_role("button", name="Save my answers").click()
        expect(member_page.get_by_text("Your answers are saved.")).to_be_visible()
        favourite_row = member_page.get_by_role("row").filter(has_text=long_day(second_day))
        # Cells: place, yes, if need be, no, your answer.
        expect(favourite_row.get_by_role("cell").nth(1)).to_have_text(str(count))
        expect(favourite_row).to_contain_text("favourite so far")
        expect(
            member_page.get_by_role(
                "group", name=f"Your answer for {short_day(second_day)}"
            ).get_by_label("Yes", exact=True)
        ).to_be_checked()
        member_journey.check("poll after answering")
    assert PollAnswer.objects.filter(option__poll=poll).count() == 4

    # The facilitator sees the tally and turns the favourite into a fortnightly series.
    page.reload()
    first_row = page.get_by_role("row").filter(has_text=long_day(first_day))
    favourite_row = page.get_by_role("row").filter(has_text=long_day(second_day))
    expect(favourite_row.get_by_role("cell").nth(1)).to_have_text("2")
    expect(first_row.get_by_role("cell").nth(2)).to_have_text("1")
    expect(first_row.get_by_role("cell").nth(3)).to_have_text("1")
    journey.check("poll with the group's answers")

    schedule = page.get_by_role("region", name="Turn a date into sessions")
    favourite = poll.options.get(starts_at=local(second_day, 14))
    expect(schedule.get_by_label("Date", exact=True)).to_have_value(str(favourite.pk))
    schedule.get_by_label("Date", exact=True).select_option(
        label=f"{long_day(second_day)}, 14:00 (2 yes)"
    )
    schedule.get_by_role("radio", name="Every few weeks, same weekday").check()
    schedule.get_by_role("spinbutton", name="Every how many weeks or months").fill("2")
    schedule.get_by_role("radio", name="After a number of sessions").check()
    schedule.get_by_role("spinbutton", name="Number of sessions").fill("4")
    page.get_by_role("button", name="Schedule and tell the group").click()

    expect(
        page.get_by_text("Scheduled. Members have been told, with a calendar invite.")
    ).to_be_visible()
    coming_up = page.get_by_role("region", name="Coming up")
    expect(coming_up.get_by_role("link")).to_have_count(4)
    expect(coming_up.get_by_role("link").first).to_contain_text(
        f"{second_day:%A} {second_day.day} {second_day:%B %Y}, 14:00\N{EN DASH}15:30"
    )
    journey.check("sessions tab with the new series")

    poll.refresh_from_db()
    assert poll.status == Poll.Status.SCHEDULED
    series = Series.objects.get(group=group)
    sessions = list(GroupSession.objects.filter(group=group).order_by("starts_at"))
    assert [s.series_id for s in sessions] == [series.pk] * 4
    assert [timezone.localtime(s.starts_at) for s in sessions] == [
        local(second_day + timedelta(weeks=2 * n), 14) for n in range(4)
    ]
    assert all(s.online_link == LINK and s.duration_minutes == 90 for s in sessions)

    for member in (ben, cara):
        invites = [
            m for m in mailoutbox if m.to == [member.email] and "text/calendar" in mimetypes_of(m)
        ]
        assert invites, f"{member.email} got no calendar invite"
        assert any("New session" in m.subject for m in invites)


# ---------------------------------------------------------------------------------------------
# 2. Booking, a full session and the waiting list
# ---------------------------------------------------------------------------------------------


def booking_panel(page):
    return page.locator("#booking-panel")


def test_a_practitioner_books_the_session_fills_and_a_cancellation_promotes_the_next_person(
    journey, another_browser, mailoutbox
):
    group, facilitator, (ada, bo, cy) = group_with_people(
        "Fran Facilitator", ["Ada Mensah", "Bo Harlow", "Cy Duarte"]
    )
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    session = session_create(
        group=group,
        actor=facilitator,
        starts_at=starts_at,
        details=SessionDetails(capacity=2, online_link=LINK),
    )
    detail = reverse("sessions:detail", args=[session.pk])

    # Ada books; the booking box changes in place.
    page = journey.page
    sign_in(journey, ada)
    journey.goto(detail)
    panel = booking_panel(page)
    expect(panel).to_contain_text("0 of 2 places taken.")
    journey.check("session page before booking")
    marker_set(page)
    panel.get_by_role("button", name="Book a place").click()
    expect(panel.locator("strong", has_text="You have a place.")).to_be_visible()
    expect(panel.get_by_role("button", name="Cancel my place")).to_be_visible()
    assert marker_kept(page), "booking reloaded the page instead of swapping the booking box"
    assert page.url.endswith(detail)
    journey.check("session page with a place")

    # Bo takes the last place.
    bo_journey = another_browser("bo")
    sign_in(bo_journey, bo)
    bo_journey.goto(detail)
    expect(booking_panel(bo_journey.page)).to_contain_text("1 of 2 places taken.")
    booking_panel(bo_journey.page).get_by_role("button", name="Book a place").click()
    expect(
        booking_panel(bo_journey.page).locator("strong", has_text="You have a place.")
    ).to_be_visible()

    # Cy finds it full and joins the waiting list.
    cy_journey = another_browser("cy")
    cy_page = cy_journey.page
    sign_in(cy_journey, cy)
    cy_journey.goto(detail)
    cy_panel = booking_panel(cy_page)
    expect(cy_panel).to_contain_text("2 of 2 places taken.")
    expect(cy_page.get_by_text("2 of 2 taken, 0 waiting")).to_be_visible()
    join = cy_panel.get_by_role("button", name="Join the waiting list")
    expect(join).to_be_visible()
    cy_journey.check("a full session")
    join.click()
    expect(cy_panel.locator("strong", has_text="You are on the waiting list.")).to_be_visible()
    expect(cy_panel.get_by_role("button", name="Leave the waiting list")).to_be_visible()
    cy_journey.check("on the waiting list")
    assert Booking.objects.get(session=session, user=cy).status == Booking.Status.WAITLISTED

    # Ada cancels; Cy moves up and is told by email.
    panel.get_by_role("button", name="Cancel my place").click()
    expect(panel).to_contain_text("Your place is cancelled.")
    expect(panel.get_by_role("button", name="Join the waiting list")).to_be_visible()
    journey.check("session page after cancelling")
    assert Booking.objects.get(session=session, user=ada).status == Booking.Status.CANCELLED
    assert Booking.objects.get(session=session, user=cy).status == Booking.Status.BOOKED

    cy_page.reload()
    expect(booking_panel(cy_page).locator("strong", has_text="You have a place.")).to_be_visible()
    expect(cy_page.get_by_text("2 of 2 taken, 0 waiting")).to_be_visible()
    cy_journey.check("promoted from the waiting list")
    promoted = [m for m in mailoutbox if "You have a place" in m.subject]
    assert [m.to for m in promoted] == [[cy.email]]
    assert "text/calendar" in mimetypes_of(promoted[0])

    cy_journey.goto(reverse("sessions:mine"))
    booked = cy_page.get_by_role("region", name="Booked and waiting")
    entry = booked.get_by_role("link", name=re.compile(group.name))
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("booked")
    expect(entry).not_to_contain_text("waiting list")
    cy_journey.check("my sessions with the promoted place")


# ---------------------------------------------------------------------------------------------
# 3. Running a session on a tablet
# ---------------------------------------------------------------------------------------------


def test_a_facilitator_runs_a_session_on_a_tablet_and_closes_it(another_browser, mailoutbox):
    group, facilitator, (pia, lou, abe, wes) = group_with_people(
        "Fran Facilitator", ["Pia Present", "Lou Late", "Abe Absent", "Wes Walkin"]
    )
    now = timezone.now().replace(microsecond=0)
    session = GroupSession.objects.create(
        group=group,
        organisation=group.host,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=80),
        capacity=6,
        online_link=LINK,
        status=GroupSession.Status.SCHEDULED,
        agenda="10 Arrive and check in\n60 Case discussion\n20 Close",
        created_by=facilitator,
    )
    for member in (pia, lou, abe):
        Booking.objects.create(session=session, user=member, status=Booking.Status.BOOKED)

    tablet = another_browser("tablet", viewport=TABLET, has_touch=True)
    page = tablet.page
    sign_in(tablet, facilitator)
    tablet.goto(reverse("sessions:detail", args=[session.pk]))
    expect(page.get_by_text("3 of 6 taken, 0 waiting")).to_be_visible()
    tablet.check("session page on a tablet")
    page.get_by_role("link", name="Run this session").tap()
    expect(page.get_by_role("heading", name=re.compile("Register"))).to_be_visible()
    tablet.check("run page on a tablet")

    run_url = page.url
    marker_set(page)
    for who, label in ((pia, "Present"), (lou, "Late"), (abe, "Absent")):
        button = page.get_by_role("button", name=f"{label} {who.display_name}", exact=True)
        expect(button).to_have_attribute("aria-pressed", "false")
        button.tap()
        expect(button).to_have_attribute("aria-pressed", "true")
        others = page.get_by_role("group", name=f"Attendance of {who.display_name}").get_by_role(
            "button", pressed=False
        )
        expect(others).to_have_count(2)
    assert page.url == run_url
    assert marker_kept(page), "marking attendance reloaded the page instead of swapping the row"
    tablet.check("register marked")
    marks = dict(
        Booking.objects.filter(session=session).values_list("user__display_name", "attendance")
    )
    assert marks == {"Pia Present": "present", "Lou Late": "late", "Abe Absent": "absent"}

    # Someone came without booking.
    page.get_by_label("Someone came without booking").select_option(label=wes.display_name)
    page.get_by_role("button", name="Add as present").tap()
    expect(page.get_by_text("Wes Walkin is on the register as present.")).to_be_visible()
    expect(
        page.get_by_role("button", name=f"Present {wes.display_name}", exact=True)
    ).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("walk-in", exact=True)).to_be_visible()
    tablet.check("register with a walk-in")

    # The timer counts up from the press.
    timer, toggle = page.locator("#timer"), page.locator("#timer-toggle")
    expect(timer).to_have_text("0:00")
    expect(toggle).to_have_text("Start timer")
    toggle.tap()
    expect(toggle).to_have_text("Reset timer")
    page.wait_for_timeout(1_500)
    expect(timer).not_to_have_text("0:00")
    expect(timer).to_have_text(re.compile(r"^0:0[1-9]$"))
    expect(page.locator(".agenda li.active")).to_contain_text("Arrive and check in")
    tablet.check("run page with the timer going")

    page.get_by_label("Themes").fill("Holding uncertainty when a plan changes at short notice.")
    page.get_by_label("Agreed actions").fill("Share the escalation checklist before next time.")
    page.get_by_role("button", name="Close the session").tap()

    expect(page.get_by_text("The session is recorded as held.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Held")
    expect(page.get_by_role("link", name="See the register and notes")).to_be_visible()
    expect(page.get_by_text("Holding uncertainty when a plan changes")).to_be_visible()
    tablet.check("session held")

    session.refresh_from_db()
    assert session.status == GroupSession.Status.HELD
    assert session.closed_by == facilitator
    assert session.held_at is not None
    assert session.themes.startswith("Holding uncertainty")
    assert session.actions.startswith("Share the escalation checklist")
    register = {
        b.user.display_name: (b.attendance, b.walk_in)
        for b in Booking.objects.filter(session=session).select_related("user")
    }
    assert register == {
        "Pia Present": ("present", False),
        "Lou Late": ("late", False),
        "Abe Absent": ("absent", False),
        "Wes Walkin": ("present", True),
    }
    reflect = [m for m in mailoutbox if "Take a moment to reflect" in m.subject]
    assert sorted(m.to[0] for m in reflect) == sorted([pia.email, lou.email, wes.email])

    # The closed session's register reads back, locked.
    page.get_by_role("link", name="See the register and notes").tap()
    expect(page.get_by_role("button", name=f"Late {lou.display_name}", exact=True)).to_be_disabled()
    tablet.check("register after closing")


# ---------------------------------------------------------------------------------------------
# 4. Phone width
# ---------------------------------------------------------------------------------------------


def test_the_booking_pages_work_at_phone_width(phone_journey, mailoutbox):
    group, facilitator, (ria,) = group_with_people("Fran Facilitator", ["Ria Castell"])
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=4)
    session = session_create(
        group=group,
        actor=facilitator,
        starts_at=starts_at,
        details=SessionDetails(capacity=8, online_link=LINK),
    )

    page = phone_journey.page
    sign_in(phone_journey, ria)
    phone_journey.goto(reverse("sessions:mine"))
    expect(page.get_by_text("You have not booked anything coming up.")).to_be_visible()
    open_for_booking = page.get_by_role("region", name="Open for booking")
    expect(open_for_booking.get_by_role("link")).to_have_count(1)
    phone_journey.check("my sessions on a phone")

    open_for_booking.get_by_role("link", name=re.compile(group.name)).tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text(group.name)
    panel = booking_panel(page)
    expect(panel).to_contain_text("0 of 8 places taken.")
    phone_journey.check("session page on a phone")
    marker_set(page)
    panel.get_by_role("button", name="Book a place").tap()
    expect(panel.locator("strong", has_text="You have a place.")).to_be_visible()
    assert marker_kept(page)
    phone_journey.check("booked on a phone")
    assert Booking.objects.get(session=session, user=ria).status == Booking.Status.BOOKED

    phone_journey.goto(reverse("sessions:mine"))
    entry = page.get_by_role("region", name="Booked and waiting").get_by_role(
        "link", name=re.compile(group.name)
    )
    expect(entry).to_contain_text("booked")
    phone_journey.check("my sessions with a booking on a phone")
    # Nothing on the page is wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"My sessions scrolls sideways by {overflow}px on a phone"
