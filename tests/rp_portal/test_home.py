import re

import pytest

HREF = re.compile(r'href="(/[^"#]*)"')


def _internal_links(html: str) -> set[str]:
    return {href for href in HREF.findall(html) if not href.startswith("/static/")}


@pytest.mark.django_db
def test_it_tells_a_visitor_what_rp_portal_is(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Reflective practice groups, run well" in body
    assert 'href="/accounts/login/"' in body
    assert 'href="/accounts/signup/"' in body


def test_it_tells_a_signed_in_person_what_to_do_next(signed_in_client, person):
    person.display_name = ""
    person.save()
    body = signed_in_client.get("/").content.decode()
    assert "Here is what you can do next." in body
    assert "Add your name" in body
    assert "two-factor authentication" in body


def test_it_stops_asking_for_a_name_once_given(signed_in_client, person):
    body = signed_in_client.get("/").content.decode()
    assert person.display_name in body
    assert "Add your name" not in body


@pytest.mark.django_db
def test_every_link_a_visitor_sees_leads_to_a_page(client):
    links = _internal_links(client.get("/").content.decode())
    assert links, "the home page should link somewhere"
    for href in links:
        assert client.get(href).status_code == 200, href


def test_every_link_a_signed_in_person_sees_leads_to_a_page(signed_in_client):
    links = _internal_links(signed_in_client.get("/").content.decode())
    assert "/accounts/profile/" in links
    for href in links:
        response = signed_in_client.get(href)
        if href == "/accounts/password/change/":
            # Changing the password asks for the current one again first (tests/accounts).
            assert response["Location"].startswith("/accounts/reauthenticate/"), href
            response = signed_in_client.get(response["Location"])
        assert response.status_code == 200, href


@pytest.mark.django_db
def test_it_has_a_skip_link_to_the_main_content(client):
    body = client.get("/").content.decode()
    assert 'href="#main"' in body
    assert 'id="main"' in body


@pytest.mark.django_db
def test_every_script_carries_the_request_nonce_and_the_policy_allows_no_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)


@pytest.mark.django_db
def test_it_sends_the_hardening_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
