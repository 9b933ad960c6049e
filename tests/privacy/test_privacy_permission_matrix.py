"""Every URL of the ``privacy`` namespace, for every kind of visitor, for GET and an empty POST.

The pages are about the visitor themself, so there is no one else's object to ask for: anonymous
visitors are sent to sign in, a signed-in person reaches their own page, and the account deletion
page first sends them to sign in again. No visit changes anything. A URL without a row fails the
first test (and the project-wide matrix in tests/security reads this ``MATRIX`` too).
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from rp_portal.accounts.models import User
from tests.groups.conftest import World, world  # noqa: F401  (the fixture, used by name)

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")

LOGIN = (302, 302)
PAGE = (200, 200)  # an empty POST re-renders the form with its error
REAUTHENTICATE = (302, 302)


def _same(anonymous, signed_in) -> tuple:
    return (anonymous, *([signed_in] * (len(ROLES) - 1)))


MATRIX = {
    "my_data": _same(LOGIN, PAGE),
    "erase": _same(LOGIN, REAUTHENTICATE),
}
DESTINATION = {"anonymous": "account_login", "erase": "account_reauthenticate"}


def _patterns() -> dict:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "privacy":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the privacy namespace.")


def _visitor(world: World, role: str):  # noqa: F811
    return None if role == "anonymous" else getattr(world, "admin" if role == "org_admin" else role)


def test_every_privacy_url_has_a_row_in_the_matrix():
    assert set(_patterns()) == set(MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_each_visitor_gets_the_expected_status_and_nothing_changes(client, world, name, role):  # noqa: F811
    visitor = _visitor(world, role)
    people = User.objects.count()
    for index, method in enumerate(("get", "post")):
        client.logout()
        if visitor is not None:
            client.force_login(visitor)
        response = getattr(client, method)(reverse(f"privacy:{name}"), {})
        expected = MATRIX[name][ROLES.index(role)][index]
        assert response.status_code == expected, (method, name, role)
        if expected == 302:
            where = DESTINATION["anonymous" if visitor is None else name]
            assert response.url.startswith(reverse(where)), (method, name, role, response.url)
    assert User.objects.count() == people
