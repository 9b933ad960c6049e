"""Every URL of the ``guide`` namespace: the guide is public, the same for every visitor, and
read-only (a POST is refused). A URL without a row fails the first test."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from tests.groups.conftest import World

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")
READ_ONLY = (200, 405)  # (GET, empty POST)

# name -> one (GET, POST) pair per visitor, in the order of ROLES
MATRIX = {
    "index": (READ_ONLY,) * len(ROLES),
    "section": (READ_ONLY,) * len(ROLES),
}
ARGS = {"index": [], "section": ["privacy"]}


def _patterns() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "guide":
            return {p.name for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the guide namespace.")


def test_every_guide_url_has_a_row_in_the_matrix():
    assert _patterns() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_visitor_may_read_the_guide_and_nobody_may_post_to_it(client, world: World, name):
    url = reverse(f"guide:{name}", args=ARGS[name])
    for role, (get_status, post_status) in zip(ROLES, MATRIX[name], strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, "admin" if role == "org_admin" else role))
        assert client.get(url).status_code == get_status, role
        assert client.post(url).status_code == post_status, role
