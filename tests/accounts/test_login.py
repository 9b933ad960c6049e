import re

import pytest

from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_a_verified_person_signs_in_and_out(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_email_is_matched_whatever_its_case(client):
    user = UserFactory(email="casey@example.test")
    client.post("/accounts/login/", {"login": "CASEY@Example.TEST", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-one"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"login": "", "password": ""},
        {"login": "x" * 10_000, "password": "y" * 10_000},
        {"login": "<script>alert(1)</script>", "password": "<b>"},
        {"login": ["a", "b"], "password": "c"},
    ],
)
def test_hostile_input_gets_a_form_back_not_an_error(client, data):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_signs_in_with_an_emailed_code(client, mailoutbox):
    user = UserFactory()
    response = client.post("/accounts/login/code/", {"email": user.email})
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mailoutbox[-1].body, re.MULTILINE).group(1)

    response = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_the_sign_in_page_shows_the_site_layout(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'class="navbar' in body
    assert "vendor/bootstrap/css/bootstrap.min.css" in body
    assert 'name="username"' not in body
