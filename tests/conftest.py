"""Shared fixtures: people, a clean cache, and helpers every test file may use."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # The cache is the real Redis (allauth's rate limits live there): start each test empty.
    cache.clear()
    return


@pytest.fixture
def person(db):
    """A verified person who can sign in with the factory password."""
    return UserFactory()


@pytest.fixture
def signed_in_client(client, person):
    client.force_login(person)
    return client
