"""A whole journey by keyboard alone: a practitioner signs in, accepts the group agreement,
books the next session and writes a journal entry, with Tab, Shift+Tab, Enter and Space only.

No clicks and no ``fill``: every control is reached with Tab, and each one reached must show
where the focus is (an outline or a focus shadow). A form sent empty announces its error
(role="alert"), so a screen reader user hears it without hunting for it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from groups.models import AgreementAcceptance
from journals.models import JournalEntry
from sessions.models import Booking
from tests.e2e.conftest import Journey
from tests.factories import (
    PASSWORD,
    GroupMemberFactory,
    MembershipFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.sessions.support import at, make_session

pytestmark = pytest.mark.django_db(transaction=True)

# The focused element, its accessible-ish name, and whether the focus can be seen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const label = el.getAttribute('aria-label')
    || (el.labels && el.labels.length ? el.labels[0].innerText : '')
    || el.innerText || el.value || '';
  return {tag: el.tagName.toLowerCase(), name: label.replace(/\\s+/g, ' ').trim(),
          ring: Boolean(outline || shadow)};
}"""


class Keyboard:
    """Moves through a page with Tab only, checking every stop has a visible focus."""

    def __init__(self, journey: Journey):
        self.page = journey.page
        self.stops = 0

    def tab_to(self, name: str, *, backwards: bool = False, limit: int = 80) -> None:
        """Press Tab until the focused control's name starts with ``name``."""
        pattern = re.compile(rf"^{re.escape(name)}", re.I)
        seen = []
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self.page.evaluate(FOCUSED)
            if focused is None:  # past the last control: the browser's own chrome
                continue
            self.stops += 1
            seen.append(focused["name"][:40])
            assert focused["ring"], f"no visible focus on {focused} ({self.page.url})"
            if pattern.search(focused["name"]):
                return
        raise AssertionError(f"{name!r} not reached by Tab on {self.page.url}; reached {seen}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def test_a_practitioner_books_and_journals_with_the_keyboard_alone(journey):
    group = PracticeGroupFactory(name="Harbour Team Reflective Group")
    facilitator = UserFactory(display_name="Fran Facilitator", email="fran@example.test")
    MembershipFactory(organisation=group.host, user=facilitator, is_facilitator=True)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    kai = UserFactory(display_name="Kai Brennan", email="kai@example.test")
    MembershipFactory(organisation=group.host, user=kai)
    GroupMemberFactory(group=group, user=kai)
    session = make_session(group, starts_at=at(8, hour=10), capacity=8, created_by=facilitator)
    page = journey.page
    # Focus styles are checked as they settle, not half-way through a transition.
    page.emulate_media(reduced_motion="reduce")
    keys = Keyboard(journey)

    # Sign in: a wrong password first, whose error is announced.
    journey.goto(reverse("account_login"))
    keys.tab_to("Email")
    keys.type(kai.email)
    keys.tab_to("Password")
    keys.type("not-my-password")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert").filter(has_text="are not correct")
    expect(alert).to_be_visible()
    journey.check("sign-in error announced")
    keys.tab_to("Password")
    keys.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Kai Brennan")).to_be_visible()
    journey.check("home by keyboard")

    # The first-steps guide leads to the agreement.
    keys.tab_to("Read the agreement")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I accept the group agreement")).to_be_visible()
    keys.tab_to("I accept the group agreement")
    page.keyboard.press("Space")
    expect(page.get_by_text("Thank you. You have accepted the group agreement.")).to_be_visible()
    assert AgreementAcceptance.objects.filter(user=kai).count() == 1

    # Home again, then the next session, and book it.
    keys.tab_to("Home")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Hello, Kai Brennan")).to_be_visible()
    keys.tab_to("Book a place")
    page.keyboard.press("Enter")
    panel = page.locator("#booking-panel")
    expect(panel.get_by_role("button", name="Book a place")).to_be_visible()
    journey.check("session page by keyboard")
    keys.tab_to("Book a place")
    page.keyboard.press("Enter")
    expect(panel.get_by_text("You have a place.")).to_be_visible()
    assert Booking.objects.get(session=session, user=kai).status == Booking.Status.BOOKED

    # The journal: choose free writing, send it empty, hear why, then write and save.
    keys.tab_to("Journal")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("journals:list")) + "$"))
    keys.tab_to("Write an entry")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="How would you like to reflect?")).to_be_visible()
    keys.tab_to("Free writing")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Free writing")).to_be_visible()
    keys.tab_to("Save as finished")
    page.keyboard.press("Enter")
    error = page.get_by_role("alert").filter(has_text="Write something first")
    expect(error).to_be_visible()
    journey.check("empty entry refused and announced")
    assert not JournalEntry.objects.filter(author=kai).exists()

    keys.tab_to("Title")
    keys.type("Booked my first session")
    keys.tab_to("Your reflection")
    keys.type("I want to bring the handover that went wrong last week.")
    keys.tab_to("Save as finished")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    journey.check("entry saved by keyboard")
    assert JournalEntry.objects.filter(author=kai).count() == 1
    assert keys.stops > 20  # the journey really went control by control
