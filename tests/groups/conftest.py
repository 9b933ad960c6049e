"""A small world for group tests: one organisation with a person in each role, one group, and
an outsider from another organisation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)


@dataclass
class World:
    org: object
    other_org: object
    admin: object
    manager: object
    facilitator: object
    practitioner: object
    outsider: object
    group: object
    other_group: object


@pytest.fixture
def world(db) -> World:
    org = OrganisationFactory(name="Riverside")
    other_org = OrganisationFactory(name="Elsewhere")
    admin = MembershipFactory(organisation=org, is_admin=True, is_practitioner=False).user
    manager = MembershipFactory(organisation=org, is_manager=True, is_practitioner=False).user
    facilitator = MembershipFactory(organisation=org, is_facilitator=True).user
    practitioner = MembershipFactory(organisation=org).user
    outsider = MembershipFactory(organisation=other_org, is_admin=True, is_facilitator=True).user
    group = PracticeGroupFactory(host=org, name="Team RP")
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    GroupMemberFactory(group=group, user=practitioner)
    other_group = PracticeGroupFactory(host=other_org, name="Their RP")
    GroupMemberFactory(group=other_group, user=outsider, role="facilitator")
    return World(
        org, other_org, admin, manager, facilitator, practitioner, outsider, group, other_group
    )


@pytest.fixture
def unrelated_person(db):
    """Signed up, verified, but in no organisation."""
    return UserFactory()
