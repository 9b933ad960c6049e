"""Browser journeys for signing in safely.

A new facilitator is stopped at sign-in until they set up an authenticator app, keeps their
recovery codes and later signs in with one; a practitioner signs out a browser they left signed
in; a run of wrong passwords is refused.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import expect

from rp_portal.accounts.demo import totp_code_now
from rp_portal.audit.models import AuditEvent
from tests.e2e.conftest import Journey, sign_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _submit_password(journey: Journey, email: str, password: str) -> None:
    page = journey.page
    journey.goto(reverse("account_login"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_a_new_facilitator_sets_up_two_factor_before_anything_else(journey):
    fran = UserFactory(display_name="Fran Okafor", email="fran@example.test")
    MembershipFactory(user=fran, is_facilitator=True)
    page = journey.page

    _submit_password(journey, fran.email, PASSWORD)
    # Straight to the set-up, which first asks for the password again.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    expect(page.get_by_text("needs two-factor authentication")).to_be_visible()
    journey.check("asked to set up two-factor")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    journey.check("authenticator app set-up")
    # Other pages stay closed until it is done.
    journey.goto(reverse("journals:list"))
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    journey.check("recovery codes")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    assert Authenticator.objects.filter(user=fran, type="totp").exists()

    journey.goto("/")
    expect(page.get_by_role("heading", name="Hello, Fran Okafor")).to_be_visible()

    # Later, with the phone left at home: a recovery code instead of the app's code.
    page.get_by_role("button", name="Fran Okafor").click()
    page.get_by_role("button", name="Sign out").click()
    _submit_password(journey, fran.email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    journey.check("asked for a code")
    page.locator("#id_code").fill(codes[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Hello, Fran Okafor")).to_be_visible()
    assert AuditEvent.objects.filter(action="mfa.totp_activate", actor=fran).exists()


def test_a_practitioner_signs_out_a_browser_they_left_signed_in(journey, another_browser):
    pia = UserFactory(display_name="Pia Lund", email="pia@example.test")
    MembershipFactory(user=pia)
    library = another_browser("library-computer")
    sign_in(library, pia)
    sign_in(journey, pia)
    page = journey.page

    page.get_by_role("button", name="Pia Lund").click()
    page.get_by_role("link", name="Your profile").click()
    page.get_by_role("link", name="Signed-in devices").click()
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    journey.check("two signed-in browsers")
    page.get_by_role("button", name="Sign Out Other Sessions").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    journey.check("one signed-in browser")

    library.goto(reverse("accounts:profile"))
    expect(library.page.get_by_role("heading", name="Sign In")).to_be_visible()
    library.check("the other browser is signed out")


def test_a_run_of_wrong_passwords_is_refused(journey):
    sam = UserFactory(display_name="Sam Patel", email="sam@example.test")
    page = journey.page
    for attempt in range(5):
        _submit_password(journey, sam.email, f"guess-{attempt}")
        expect(page.get_by_text("are not correct")).to_be_visible()
    _submit_password(journey, sam.email, PASSWORD)
    expect(page.get_by_text("Too many failed login attempts")).to_be_visible()
    journey.check("too many attempts")
    assert AuditEvent.objects.filter(action="account.sign_in_fail", target_id=sam.pk).count() == 5
