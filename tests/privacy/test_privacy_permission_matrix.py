"""Every URL of the ``privacy`` namespace, for an anonymous visitor and for a signed-in person.

The pages are about the visitor themself, so there is no one else's object to ask for: anonymous
visitors are sent to sign in, and a signed-in person reaches their own page (the account deletion
page after signing in again). A URL without a row fails the first test.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# name -> (anonymous, signed in without a recent re-authentication)
MATRIX = {
    "my_data": ("login", 200),
    "erase": ("login", "reauthenticate"),
}


def _patterns() -> dict:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "privacy":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the privacy namespace.")


def _expect(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif expected == "reauthenticate":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
    else:
        assert response.status_code == expected


def test_every_privacy_url_has_a_row_in_the_matrix():
    assert set(_patterns()) == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name, method):
    _expect(getattr(client, method)(reverse(f"privacy:{name}")), MATRIX[name][0])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_signed_in_person_reaches_their_own_page(client, person, name):
    client.force_login(person)
    _expect(client.get(reverse(f"privacy:{name}")), MATRIX[name][1])
