"""A group ready to meet: a host organisation with a room, a facilitator and four members who
accepted the group agreement, a colleague outside the group and a person of another
organisation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from groups.models import AgreementAcceptance
from sessions.models import Room
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
)


def accept_agreement(user, group) -> None:
    AgreementAcceptance.objects.get_or_create(version=group.agreement_versions.first(), user=user)


@dataclass
class Team:
    org: object
    other_org: object
    room: object
    other_room: object
    group: object
    facilitator: object
    members: list
    colleague: object  # in the organisation, not in the group
    stranger: object  # in another organisation

    @property
    def everyone(self) -> list:
        return [self.facilitator, *self.members]


@pytest.fixture
def team(db) -> Team:
    org = OrganisationFactory(name="Riverside")
    other_org = OrganisationFactory(name="Elsewhere")
    room = Room.objects.create(organisation=org, name="Room 4", capacity=20)
    other_room = Room.objects.create(organisation=other_org, name="Their hall", capacity=40)
    group = PracticeGroupFactory(host=org, name="Team RP")
    facilitator = MembershipFactory(organisation=org, is_facilitator=True).user
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    members = []
    for _ in range(4):
        user = MembershipFactory(organisation=org).user
        GroupMemberFactory(group=group, user=user)
        members.append(user)
    for user in [facilitator, *members]:
        accept_agreement(user, group)
    colleague = MembershipFactory(organisation=org).user
    stranger = MembershipFactory(organisation=other_org).user
    return Team(org, other_org, room, other_room, group, facilitator, members, colleague, stranger)
