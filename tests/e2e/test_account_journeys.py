import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from rp_portal.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code_now
from rp_portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _link_in(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(1)


def test_a_new_person_signs_up_verifies_signs_in_and_out(journey, mailoutbox):
    page = journey.page
    journey.goto("/")
    journey.check("home for a visitor")
    page.get_by_role("link", name="Create an account").first.click()
    journey.check("sign-up form")

    page.get_by_label("Your name").fill("Robin Ahmed")
    page.get_by_label("Email").fill("robin@example.test")
    page.locator("#id_password1").fill("a-long-journey-password-3")
    page.locator("#id_password2").fill("a-long-journey-password-3")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    journey.check("check your email")

    confirm_path = _link_in(mailoutbox[0], r"https?://[^/]+(/accounts/confirm-email/\S+/)")
    journey.goto(confirm_path)
    journey.check("confirm email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.get_by_label("Email").fill("robin@example.test")
    page.get_by_label("Password").fill("a-long-journey-password-3")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Hello, Robin Ahmed")).to_be_visible()
    journey.check("home for a new person")
    assert User.objects.get(email="robin@example.test").welcomed_at is not None
    assert any(m.subject.endswith("Welcome to rp_portal") for m in mailoutbox)

    page.get_by_role("button", name="Robin Ahmed").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Reflective practice groups, run well")).to_be_visible()


def test_a_wrong_password_shows_a_message(journey):
    call_command("demo_data", force=True)
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill("manager@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("are not correct")).to_be_visible()
    journey.check("sign-in refused")


def test_a_demo_account_signs_in_and_edits_its_profile(journey):
    call_command("demo_data", force=True)
    page = journey.page
    journey.goto("/accounts/login/")
    journey.check("sign-in form")
    page.get_by_label("Email").fill("facilitator@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # Demo staff use the authenticator key the README publishes.
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    journey.check("two-factor code for the demo facilitator")
    page.locator("#id_code").fill(totp_code_now(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Hello, Frankie Facilitator")).to_be_visible()
    journey.check("home for the demo facilitator")

    page.get_by_role("link", name="Check your time zone").click()
    page.get_by_label("Time zone").select_option("Europe/Dublin")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    journey.check("profile saved")
    assert User.objects.get(email="facilitator@example.org").time_zone == "Europe/Dublin"


def test_sign_up_works_at_phone_width(phone_journey):
    page = phone_journey.page
    phone_journey.goto("/")
    phone_journey.check("home on a phone")
    page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("link", name="Create an account").first.click()
    phone_journey.check("sign-up on a phone")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    phone_journey.check("sign-up errors on a phone")
    assert User.objects.count() == 0
