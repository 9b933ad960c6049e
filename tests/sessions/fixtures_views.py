"""Fixtures and helpers for the sessions view tests: Riverside with a person in each role, its
group "Team RP", a room, sessions in every state, an open date poll, a workshop and a feed.

Import what a test module needs, e.g. ``from tests.sessions.fixtures_views import riverside``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from groups.models import AgreementAcceptance, AgreementVersion
from sessions.models import (
    Booking,
    GroupSession,
    Poll,
    PollOption,
    Room,
    SchedulePreference,
)
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)

ONLINE = "https://meet.example.test/team-rp"

# Distinctive names, so a page that shows (or must not show) a name can be checked.
NAMES = {
    "admin": "Ada Adminson",
    "manager": "Morgan Managerley",
    "facilitator": "Fen Facilitatorova",
    "practitioner": "Pip Practitionerson",
    "outsider": "Oswin Outsiderby",
}


def soon(**delta) -> datetime:
    """A time relative to now, on a whole minute (forms work in minutes)."""
    return (timezone.now() + timedelta(**delta)).replace(second=0, microsecond=0)


def accept_agreement(user, group) -> None:
    version = AgreementVersion.objects.filter(group=group).order_by("-number").first()
    AgreementAcceptance.objects.create(version=version, user=user)


def add_member(group, name: str = "", *, role: str = "member", accepted: bool = True, **roles):
    """A new person of the group's host organisation, in the group; agreement accepted."""
    user = UserFactory(**({"display_name": name} if name else {}))
    MembershipFactory(organisation=group.host, user=user, **roles)
    GroupMemberFactory(group=group, user=user, role=role)
    if accepted:
        accept_agreement(user, group)
    return user


def make_session(
    group,
    *,
    starts_at=None,
    minutes: int = 90,
    capacity: int = 8,
    room=None,
    online_link: str = ONLINE,
    status: str = GroupSession.Status.SCHEDULED,
    **fields,
) -> GroupSession:
    """A group session straight in the database (the services are tested elsewhere)."""
    starts_at = starts_at or soon(days=3)
    return GroupSession.objects.create(
        organisation=group.host,
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
        room=room,
        online_link=online_link,
        status=status,
        held_at=timezone.now() if status == GroupSession.Status.HELD else None,
        **fields,
    )


def make_workshop(organisation, *, starts_at=None, capacity: int = 16, **fields) -> GroupSession:
    starts_at = starts_at or soon(days=5)
    return GroupSession.objects.create(
        organisation=organisation,
        group=None,
        kind=GroupSession.Kind.WORKSHOP,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=150),
        capacity=capacity,
        online_link=ONLINE,
        **fields,
    )


def book(session, user, status: str = Booking.Status.BOOKED, **fields) -> Booking:
    return Booking.objects.create(session=session, user=user, status=status, **fields)


def make_poll(group, *, options: int = 2, title: str = "When shall we meet?") -> Poll:
    poll = Poll.objects.create(group=group, title=title, closes_at=soon(days=5))
    for number in range(options):
        PollOption.objects.create(
            poll=poll,
            starts_at=soon(days=10 + number, hours=number),
            duration_minutes=90,
            online_link=ONLINE,
        )
    return poll


@dataclass
class Riverside:
    org: object
    other_org: object
    admin: object
    manager: object
    facilitator: object
    practitioner: object
    outsider: object
    group: object
    other_group: object
    room: Room
    session: GroupSession  # scheduled, in three days, in the Oak Room
    booking: Booking  # the practitioner's place in ``session``
    held: GroupSession  # held a week ago
    held_booking: Booking
    poll: Poll  # open, two options
    workshop: GroupSession  # the organisation's introductory workshop
    preference: SchedulePreference  # the practitioner's, with the feed token

    def person(self, role: str):
        return (
            None if role == "anonymous" else getattr(self, "admin" if role == "org_admin" else role)
        )


@pytest.fixture
def riverside(db) -> Riverside:
    org = OrganisationFactory(name="Riverside")
    other_org = OrganisationFactory(name="Elsewhere")
    people = {role: UserFactory(display_name=name) for role, name in NAMES.items()}
    MembershipFactory(organisation=org, user=people["admin"], is_admin=True, is_practitioner=False)
    MembershipFactory(
        organisation=org, user=people["manager"], is_manager=True, is_practitioner=False
    )
    MembershipFactory(organisation=org, user=people["facilitator"], is_facilitator=True)
    MembershipFactory(organisation=org, user=people["practitioner"])
    MembershipFactory(
        organisation=other_org, user=people["outsider"], is_admin=True, is_facilitator=True
    )
    group = PracticeGroupFactory(host=org, name="Team RP")
    GroupMemberFactory(group=group, user=people["facilitator"], role="facilitator")
    GroupMemberFactory(group=group, user=people["practitioner"])
    accept_agreement(people["practitioner"], group)
    accept_agreement(people["facilitator"], group)
    other_group = PracticeGroupFactory(host=other_org, name="Their RP")
    GroupMemberFactory(group=other_group, user=people["outsider"], role="facilitator")

    room = Room.objects.create(
        organisation=org, name="Oak Room", capacity=20, accessibility_notes="Step-free access"
    )
    session = make_session(group, room=room, online_link="")
    booking = book(session, people["practitioner"])
    held = make_session(
        group,
        starts_at=soon(days=-7),
        status=GroupSession.Status.HELD,
        themes="Workload",
    )
    held_booking = book(held, people["practitioner"], attendance=Booking.Attendance.PRESENT)
    poll = make_poll(group)
    workshop = make_workshop(org)
    preference = SchedulePreference.objects.create(user=people["practitioner"])
    return Riverside(
        org=org,
        other_org=other_org,
        group=group,
        other_group=other_group,
        room=room,
        session=session,
        booking=booking,
        held=held,
        held_booking=held_booking,
        poll=poll,
        workshop=workshop,
        preference=preference,
        **people,
    )
