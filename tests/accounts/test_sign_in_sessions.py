"""Sign-in sessions: seen and ended by their owner, ended for good when a person is deactivated,
and sensitive account changes ask for the password again."""

from __future__ import annotations

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client

from rp_portal.accounts.models import User
from rp_portal.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"


def _signed_in_browser(user, agent: str) -> Client:
    """A separate browser that signs in through the real form (so allauth records the session)."""
    browser = Client(HTTP_USER_AGENT=agent)
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _is_signed_in(browser: Client) -> bool:
    return browser.get("/accounts/profile/").status_code == 200


# --- Seeing and ending sessions -------------------------------------------------------------


def test_the_profile_links_to_the_signed_in_devices(client, person):
    client.force_login(person)
    body = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/sessions/"' in body
    assert 'href="/accounts/2fa/"' in body
    assert 'href="/accounts/password/change/"' in body


def test_a_person_sees_each_browser_they_are_signed_in_with(person):
    laptop = _signed_in_browser(person, "Laptop browser 1.0")
    _signed_in_browser(person, "Phone browser 2.0")
    body = laptop.get("/accounts/sessions/").content.decode()
    assert "Laptop browser 1.0" in body
    assert "Phone browser 2.0" in body


def test_ending_the_other_sessions_signs_the_other_browser_out(person):
    laptop = _signed_in_browser(person, "Laptop browser 1.0")
    phone = _signed_in_browser(person, "Phone browser 2.0")
    someone_else = _signed_in_browser(UserFactory(), "Their browser")
    assert _is_signed_in(phone)

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert not _is_signed_in(phone)
    assert _is_signed_in(laptop)
    assert _is_signed_in(someone_else)
    assert UserSession.objects.filter(user=person).count() == 1


# --- Deactivation ---------------------------------------------------------------------------


def test_deactivating_a_person_ends_every_session_at_once(person):
    browsers = [_signed_in_browser(person, f"Browser {n}") for n in range(2)]
    other = UserFactory()
    theirs = _signed_in_browser(other, "Their browser")
    sessions_before = Session.objects.count()

    person.is_active = False
    person.save()

    assert not UserSession.objects.filter(user=person).exists()
    assert Session.objects.count() == sessions_before - 2
    assert not any(_is_signed_in(browser) for browser in browsers)
    assert _is_signed_in(theirs)
    event = AuditEvent.objects.get(action="account.sessions_end")
    assert event.target_id == person.pk
    assert event.detail == {"count": 2}

    # Switching the account back on does not bring the old sessions back.
    person.is_active = True
    person.save()
    assert not any(_is_signed_in(browser) for browser in browsers)


def test_deactivating_in_the_django_admin_ends_the_sessions(client, person):
    browser = _signed_in_browser(person, "Their laptop")
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "display_name": person.display_name,
            "time_zone": person.time_zone,
            # is_active left out: the checkbox is unticked
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=person.pk).is_active
    assert not _is_signed_in(browser)


def test_saving_an_active_person_ends_nothing(person):
    browser = _signed_in_browser(person, "Their laptop")
    person.display_name = "New Name"
    person.save()
    assert _is_signed_in(browser)


# --- Asking for the password again ----------------------------------------------------------


def _age_authentications(browser: Client, seconds: int) -> None:
    session = browser.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def _reauthenticate(browser: Client) -> None:
    response = browser.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302


SENSITIVE = {
    "change password": ("get", "/accounts/password/change/", {}),
    "add an email address": (
        "post",
        "/accounts/email/",
        {"email": "third@example.test", "action_add": ""},
    ),
    "make another address the main one": (
        "post",
        "/accounts/email/",
        {"email": "second@example.test", "action_primary": ""},
    ),
    "set up two-factor authentication": ("get", "/accounts/2fa/totp/activate/", {}),
}


@pytest.mark.parametrize("change", SENSITIVE)
def test_a_sensitive_change_asks_for_the_password_when_it_was_last_given_long_ago(person, change):
    EmailAddress.objects.create(user=person, email="second@example.test", verified=True)
    method, url, data = SENSITIVE[change]
    browser = _signed_in_browser(person, "Laptop")
    _reauthenticate(browser)
    _age_authentications(browser, 301)

    response = getattr(browser, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    assert EmailAddress.objects.get(email="second@example.test").primary is False
    assert not EmailAddress.objects.filter(email="third@example.test").exists()


@pytest.mark.parametrize("change", SENSITIVE)
def test_a_sensitive_change_goes_ahead_within_five_minutes_of_giving_the_password(person, change):
    EmailAddress.objects.create(user=person, email="second@example.test", verified=True)
    method, url, data = SENSITIVE[change]
    browser = _signed_in_browser(person, "Laptop")
    _reauthenticate(browser)
    _age_authentications(browser, 240)

    response = getattr(browser, method)(url, data)
    assert not response.get("Location", "").startswith(REAUTHENTICATE)
    assert response.status_code in (200, 302)


def test_the_password_change_page_comes_back_after_reauthenticating(person):
    browser = _signed_in_browser(person, "Laptop")
    response = browser.get("/accounts/password/change/")
    assert response["Location"].startswith(REAUTHENTICATE)
    response = browser.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    assert browser.get("/accounts/password/change/").status_code == 200
