from tests.groups.conftest import world  # noqa: F401  (the fixture, used by name)
