"""Every URL of the ``onboarding`` namespace: hiding and showing one's own first-visit guides.
Signed-in people only, POST only; an empty POST names no guide, so it changes nothing and
goes home with a message. A URL without a row fails the first test."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from onboarding.models import HiddenGuide
from tests.groups.conftest import World

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")
LOGIN = (302, 302)  # (GET, empty POST): sent to sign in
ACTION = (405, 302)  # POST only; the empty POST is refused with a message and a redirect

MATRIX = {
    "hide": (LOGIN, *([ACTION] * 5)),
    "show": (LOGIN, *([ACTION] * 5)),
}


def _patterns() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "onboarding":
            return {p.name for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the onboarding namespace.")


def test_every_onboarding_url_has_a_row_in_the_matrix():
    assert _patterns() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_visitor_gets_the_expected_status_and_an_empty_post_changes_nothing(
    client, world: World, name
):
    url = reverse(f"onboarding:{name}")
    for role, (get_status, post_status) in zip(ROLES, MATRIX[name], strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, "admin" if role == "org_admin" else role))
        assert client.get(url).status_code == get_status, role
        response = client.post(url)
        assert response.status_code == post_status, role
        expected = "/accounts/login/" if role == "anonymous" else reverse("home")
        assert response["Location"].startswith(expected), role
        assert not HiddenGuide.objects.exists()
