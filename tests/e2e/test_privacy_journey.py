"""Browser journey: a practitioner downloads everything held about them, then deletes their
account (signing in again and typing their email address first)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from journals.models import JournalEntry
from rp_portal.accounts.models import User
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory
from tests.journals.support import write

pytestmark = pytest.mark.django_db(transaction=True)

MARK = "qzjourneymark"


def test_a_practitioner_downloads_their_data_and_then_deletes_their_account(
    journey, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    pia = MembershipFactory(
        organisation=OrganisationFactory(name="Riverside"), user__display_name="Pia Marlowe"
    ).user
    write(pia, title=f"Endings {MARK}", texts=[f"What I noticed {MARK}."])
    page = journey.page
    sign_in(journey, pia)

    page.get_by_role("button", name="Pia Marlowe").click()  # the account menu
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    journey.check("your data")

    page.get_by_label("JSON, for other software").check()
    page.get_by_role("button", name="Build my export").click()
    expect(page.get_by_text("Your document is ready.")).to_be_visible()
    journey.check("export ready")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download")).click()
    exported = json.loads(download.value.path().read_bytes())
    assert exported["sections"]["journal_entries"][0]["title"] == f"Endings {MARK}"

    journey.goto(reverse("privacy:my_data"))
    page.get_by_role("link", name="Delete my account…").click()
    # Asked for the password again before the page opens.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    journey.check("delete account warning")

    page.get_by_label("Type your email address to confirm").fill("not-me@example.test")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("nothing was deleted")).to_be_visible()
    journey.check("wrong confirmation")
    assert User.objects.filter(pk=pia.pk).exists()

    page.get_by_label("Type your email address to confirm").fill(pia.email)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(
        page.get_by_text("Your account and everything that named you have been deleted.")
    ).to_be_visible()
    journey.check("account deleted")
    assert not User.objects.filter(pk=pia.pk).exists()
    assert not JournalEntry.objects.filter(author_id=pia.pk).exists()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()
