"""Browser journeys through the paginated session lists: a facilitator pages back through a
long-running group's past sessions, and a practitioner pages through what they attended on a
phone. Each page is checked with axe-core and photographed (desktop, and 375 and 768 px)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import AgreementAcceptance, AgreementVersion
from sessions.models import Booking, GroupSession
from tests.e2e.conftest import sign_in
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _group_that_met_weekly(weeks: int, coming: int):
    """A group that met every week for ``weeks`` weeks, with ``coming`` sessions ahead; its
    facilitator and one member who came to every session."""
    group = PracticeGroupFactory(name="Harbour Team Reflective Group")
    facilitator = UserFactory(display_name="Fran Facilitator", email="fran@example.test")
    MembershipFactory(organisation=group.host, user=facilitator, is_facilitator=True)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    member = UserFactory(display_name="Ria Castell", email="ria@example.test")
    MembershipFactory(organisation=group.host, user=member)
    GroupMemberFactory(group=group, user=member)
    AgreementAcceptance.objects.create(
        version=AgreementVersion.objects.get(group=group, number=1), user=member
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for week in range(-weeks, coming):
        starts_at = now + timedelta(weeks=week, hours=2)
        held = week < 0
        session = GroupSession.objects.create(
            organisation=group.host,
            group=group,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            capacity=8,
            online_link="https://meet.example.test/harbour",
            status=GroupSession.Status.HELD if held else GroupSession.Status.SCHEDULED,
            held_at=starts_at + timedelta(minutes=90) if held else None,
            created_by=facilitator,
        )
        Booking.objects.create(
            session=session,
            user=member,
            status=Booking.Status.BOOKED,
            attendance=Booking.Attendance.PRESENT if held else "",
        )
    return group, facilitator, member


def test_a_facilitator_pages_back_through_a_years_past_sessions(journey):
    group, facilitator, _member = _group_that_met_weekly(weeks=50, coming=25)
    page = journey.page

    sign_in(journey, facilitator)
    journey.goto(reverse("sessions:group_sessions", args=[group.pk]))
    past_pages = page.get_by_role("navigation", name="Pages of past sessions")
    expect(past_pages).to_contain_text("Showing 1\N{EN DASH}20 of 50")
    expect(past_pages.locator("[aria-current=page]")).to_have_text("1 (this page)")
    journey.check("sessions list, page 1")

    past_pages.get_by_role("link", name="Older").click()
    expect(page).to_have_url(re.compile(r"\?past=2#past-title$"))
    past_pages = page.get_by_role("navigation", name="Pages of past sessions")
    expect(past_pages).to_contain_text("Showing 21\N{EN DASH}40 of 50")
    journey.check("sessions list, past page 2")

    past_pages.get_by_role("link", name="Page 3").click()
    expect(page.get_by_role("navigation", name="Pages of past sessions")).to_contain_text(
        "Showing 41\N{EN DASH}50 of 50"
    )
    # The list of sessions coming up kept its own page, and moves on its own.
    upcoming_pages = page.get_by_role("navigation", name="Pages of sessions coming up")
    upcoming_pages.get_by_role("link", name="Later").click()
    expect(page).to_have_url(re.compile(r"\?past=3&page=2#upcoming-title$"))
    expect(page.get_by_role("navigation", name="Pages of past sessions")).to_contain_text(
        "Showing 41\N{EN DASH}50 of 50"
    )
    journey.check("sessions list, past page 3, coming up page 2")


def test_a_practitioner_pages_through_sessions_attended_on_a_phone(phone_journey):
    _group, _facilitator, member = _group_that_met_weekly(weeks=30, coming=3)
    page = phone_journey.page

    sign_in(phone_journey, member)
    phone_journey.goto(reverse("sessions:mine") + "?past=2")
    attended_pages = page.get_by_role("navigation", name="Pages of sessions you attended")
    expect(attended_pages).to_contain_text("Showing 21\N{EN DASH}30 of 30")
    phone_journey.check("my sessions, attended page 2, on a phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"My sessions scrolls sideways by {overflow}px on a phone"

    attended_pages.get_by_role("link", name="Newer").tap()
    expect(page.get_by_role("navigation", name="Pages of sessions you attended")).to_contain_text(
        "Showing 1\N{EN DASH}20 of 30"
    )
    expect(page.get_by_role("region", name="Booked and waiting").get_by_role("link")).to_have_count(
        3
    )
