"""The groups tests' Riverside world (a person in each role and an outsider) for every test here."""

from tests.groups.conftest import world  # noqa: F401  (the fixture, used by name)
