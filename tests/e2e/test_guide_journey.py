"""A newcomer reads the guide before signing up: from the home page, through every section, at
desktop, tablet and phone widths, with axe-core on every page and screenshots kept."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guide.content import SECTIONS

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 768, "height": 1024}


def test_a_visitor_reads_the_whole_guide_without_an_account(journey):
    page = journey.page
    journey.goto(reverse("home"))
    journey.check("home page")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guide").click()
    expect(
        page.get_by_role("heading", level=1, name="Guide to reflective practice")
    ).to_be_visible()
    journey.check("guide contents")

    for section in SECTIONS:
        journey.goto(reverse("guide:index"))
        page.get_by_role("navigation", name="Contents").get_by_role(
            "link", name=str(section.title), exact=True
        ).click()
        expect(page.get_by_role("heading", level=1, name=str(section.title))).to_be_visible()
        journey.check(f"guide: {section.slug}")

    # "On this page" jumps to a heading on the same page.
    page.get_by_role("link", name="The five-person rule").click()
    expect(page).to_have_url(re.compile(r"/guide/privacy/#small-numbers$"))
    expect(page.locator("#small-numbers")).to_be_in_viewport()


def test_the_guide_reads_well_on_a_phone_and_a_tablet(phone_journey, another_browser):
    page = phone_journey.page
    phone_journey.goto(reverse("home"))
    page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guide").click()
    phone_journey.check("guide contents on a phone")
    page.get_by_role("link", name="Group structures", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Multi-agency")).to_be_visible()
    phone_journey.check("group structures on a phone")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    tablet = another_browser("tablet", viewport=TABLET, has_touch=True)
    tablet.goto(reverse("guide:section", args=["facilitator-tips"]))
    expect(
        tablet.page.get_by_role("heading", level=2, name="Confidentiality and its limits")
    ).to_be_visible()
    tablet.check("facilitator tips on a tablet")
    assert tablet.page.evaluate("document.documentElement.scrollWidth") <= 768
