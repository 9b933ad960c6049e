import re

import pytest

from tests.factories import UserFactory


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(client, mailoutbox):
    user = UserFactory()
    known = client.post("/accounts/password/reset/", {"email": user.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Each address is told by email, so the page itself gives nothing away.
    assert [m.to for m in mailoutbox] == [[user.email], ["nobody@example.test"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "do not have any record" in mailoutbox[1].body


@pytest.mark.django_db
def test_the_emailed_link_sets_a_new_password(client, mailoutbox):
    user = UserFactory()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(
        action, {"password1": "a-brand-new-password-7", "password2": "a-brand-new-password-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-7")
