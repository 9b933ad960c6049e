import re

import pytest
from allauth.account.models import EmailAddress

from rp_portal.accounts.models import User
from tests.accounts.test_signup import GOOD


def _confirmation_path(message) -> str:
    return re.search(r"(/accounts/confirm-email/[^/\s]+/)", message.body).group(1)


@pytest.mark.django_db
def test_confirming_the_email_verifies_it_and_sends_one_welcome(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.post("/accounts/signup/", GOOD)
    path = _confirmation_path(mailoutbox[0])
    assert client.get(path).status_code == 200  # a page with a button, not a GET that acts
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    user = User.objects.get(email=GOOD["email"])
    assert EmailAddress.objects.get(user=user).verified
    assert user.welcomed_at is not None
    welcome = [m for m in mailoutbox if "Welcome to rp_portal" in m.subject]
    assert len(welcome) == 1
    assert "Sam Patel" in welcome[0].body

    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    assert len([m for m in mailoutbox if "Welcome" in m.subject]) == 1


@pytest.mark.django_db
def test_a_wrong_confirmation_key_says_so_and_verifies_nothing(client, mailoutbox):
    client.post("/accounts/signup/", GOOD)
    page = client.get("/accounts/confirm-email/not-a-real-key/")
    assert page.status_code == 200
    assert "expired or is invalid" in page.content.decode()
    assert client.post("/accounts/confirm-email/not-a-real-key/").status_code == 404
    assert not EmailAddress.objects.filter(verified=True).exists()
