import re

import pytest
from allauth.account.models import EmailAddress

from rp_portal.accounts.models import User

GOOD = {
    "display_name": "Sam Patel",
    "email": "sam@example.test",
    "password1": "a-long-sign-up-password-9",
    "password2": "a-long-sign-up-password-9",
}


@pytest.mark.django_db
def test_it_creates_an_unverified_account_and_sends_a_confirmation_link(client, mailoutbox):
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="sam@example.test")
    assert user.display_name == "Sam Patel"
    assert user.time_zone == "Europe/London"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", mailoutbox[0].body)


@pytest.mark.django_db
def test_an_unverified_person_cannot_sign_in(client, mailoutbox):
    client.post("/accounts/signup/", GOOD)
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": GOOD["email"], "password": GOOD["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def _post_bad(client, changes):
    response = client.post("/accounts/signup/", {**GOOD, **changes})
    assert response.status_code == 200
    assert User.objects.count() == 0
    return response.content.decode()


@pytest.mark.django_db
def test_it_asks_for_every_field(client):
    body = _post_bad(client, dict.fromkeys(GOOD, ""))
    assert body.count("This field is required.") == 4


@pytest.mark.django_db
def test_it_refuses_huge_input_with_a_message(client):
    body = _post_bad(
        client, {"display_name": "x" * 10_000, "email": "y" * 10_000 + "@example.test"}
    )
    assert "Ensure this value has at most 150 characters" in body
    assert "Ensure this value has at most 254 characters" in body or "Enter a valid email" in body


@pytest.mark.django_db
def test_it_refuses_markup_in_a_name(client):
    body = _post_bad(client, {"display_name": "<script>alert(1)</script>"})
    assert "no &lt; or &gt; signs" in body
    assert "<script>alert(1)</script>" not in body


@pytest.mark.django_db
def test_it_refuses_passwords_that_do_not_match(client):
    body = _post_bad(client, {"password2": "something-else-entirely"})
    assert "You must type the same password each time." in body


@pytest.mark.django_db
def test_it_refuses_a_weak_password(client):
    body = _post_bad(client, {"password1": "password", "password2": "password"})
    assert "This password is too short." in body or "too common" in body


@pytest.mark.django_db
def test_signing_up_with_a_known_email_looks_the_same_and_changes_nothing(client, mailoutbox):
    existing = User.objects.create_user("taken@example.test", "whatever-password-1")
    EmailAddress.objects.create(user=existing, email=existing.email, primary=True, verified=True)
    response = client.post("/accounts/signup/", {**GOOD, "email": "Taken@Example.test"})
    # Same outcome as a new address: nobody can learn who has an account here.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.check_password("whatever-password-1")
    assert [m.to for m in mailoutbox] == [["taken@example.test"]]
