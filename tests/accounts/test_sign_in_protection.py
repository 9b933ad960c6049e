"""Guessing is slow and tells nothing: rate limits on the real Redis cache, the same answers
for known and unknown addresses, and a Django admin reachable only through allauth's sign-in."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.accounts.two_factor import give_authenticator
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
NOT_CORRECT = "The email address and/or password you specified are not correct."


def _sign_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _same_page(response) -> str:
    """The page as anyone would compare it: without the per-request CSRF token and CSP nonce."""
    body = response.content.decode()
    body = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1…", body)
    body = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", body)
    return re.sub(r'nonce="[^"]+"', 'nonce="…"', body)


# --- Rate limits ----------------------------------------------------------------------------


def test_the_cache_behind_the_limits_is_the_shared_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_the_sixth_wrong_password_for_one_account_is_refused(client):
    user = UserFactory()
    for attempt in range(1, 6):
        response = _sign_in(client, user.email, f"wrong-{attempt}")
        assert NOT_CORRECT in response.content.decode(), attempt
    response = _sign_in(client, user.email, "wrong-6")
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    # Even the right password is refused until the window has passed.
    response = _sign_in(client, user.email, PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_account_and_lasts_five_minutes(client):
    user, other = UserFactory(), UserFactory()
    for attempt in range(6):
        _sign_in(client, user.email, f"wrong-{attempt}")
    keys = [
        key
        for key in cache._cache.get_client().scan_iter("*allauth:rl:allauth.account:login_failed*")
        if b"/key" in key
    ]
    assert keys, "the per-account counter lives in Redis"
    assert all(0 < cache._cache.get_client().ttl(key) <= 300 for key in keys)

    response = _sign_in(client, other.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_a_right_password_does_not_reset_the_count(client):
    """Signing in to one's own account between guesses must not wipe the guesses."""
    user = UserFactory()
    for attempt in range(4):
        _sign_in(client, user.email, f"wrong-{attempt}")
    assert _sign_in(client, user.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    _sign_in(client, user.email, "wrong-5")
    response = _sign_in(client, user.email, "wrong-6")
    assert TOO_MANY in response.content.decode()


def test_the_sixth_wrong_two_factor_code_is_refused(client):
    user = UserFactory()
    give_authenticator(user)
    _sign_in(client, user.email, PASSWORD)
    for _ in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert "Incorrect code" in response.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert TOO_MANY in response.content.decode()


# --- No enumeration -------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_address_look_the_same(client):
    user = UserFactory()
    known = _sign_in(client, user.email, "not-the-password")
    unknown = _sign_in(client, "nobody@example.test", "not-the-password")
    assert known.status_code == unknown.status_code == 200
    assert _same_page(known).replace(user.email, "X") == _same_page(unknown).replace(
        "nobody@example.test", "X"
    )


def _sign_up(client, email: str):
    return client.post(
        "/accounts/signup/",
        {
            "display_name": "Sam Patel",
            "email": email,
            "password1": "a-long-sign-up-password-9",
            "password2": "a-long-sign-up-password-9",
        },
    )


def test_signing_up_with_a_taken_address_looks_like_a_new_sign_up(client, mailoutbox):
    taken = UserFactory(email="taken@example.test")
    known = _sign_up(client, taken.email)
    known_page = client.get(known["Location"])
    client.logout()
    unknown = _sign_up(client, "fresh@example.test")
    unknown_page = client.get(unknown["Location"])

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert known_page.status_code == unknown_page.status_code == 200
    assert _same_page(known_page).replace(taken.email, "X") == _same_page(unknown_page).replace(
        "fresh@example.test", "X"
    )
    # The owner of the taken address is told by email instead.
    assert [m.to for m in mailoutbox] == [[taken.email], ["fresh@example.test"]]


def test_a_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    user = UserFactory()
    known = client.post("/accounts/password/reset/", {"email": user.email})
    known_page = client.get(known["Location"])
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    unknown_page = client.get(unknown["Location"])
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert _same_page(known_page) == _same_page(unknown_page)


def test_an_emailed_code_request_answers_the_same_for_known_and_unknown_addresses(client):
    user = UserFactory()
    known = client.post("/accounts/login/code/", {"email": user.email})
    known_page = client.get(known["Location"])
    client.cookies.clear()
    unknown = client.post("/accounts/login/code/", {"email": "nobody@example.test"})
    unknown_page = client.get(unknown["Location"])
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert _same_page(known_page).replace(user.email, "X") == _same_page(unknown_page).replace(
        "nobody@example.test", "X"
    )


# --- The Django admin -----------------------------------------------------------------------


def test_the_admin_sends_visitors_to_the_allauth_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert 'name="login"' in response.content.decode()


def test_the_admin_has_no_password_form_of_its_own(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_who_is_not_operator_staff_gets_no_admin(client):
    user = UserFactory()
    other_staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    # Nor can they use the admin's login to try someone else's password.
    response = client.post("/admin/login/", {"username": other_staff.email, "password": PASSWORD})
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(user.pk)


def test_operator_staff_reach_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
