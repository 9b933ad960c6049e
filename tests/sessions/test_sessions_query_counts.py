"""The sessions pages run a fixed number of queries however much there is to show.

Each test measures a page with a little data, adds more of everything the page lists (2 → 10
sessions, bookings, members, polls, rooms…), and measures again: the two counts must be equal,
and small. A first request warms caches (content types, the person's reminder settings) so both
measurements see the same steady state.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Booking, GroupSession, PollAnswer, Room
from tests.factories import GroupMemberFactory, PracticeGroupFactory
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import (
    accept_agreement,
    add_member,
    book,
    make_poll,
    make_session,
    make_workshop,
    soon,
)

SMALL, LARGE = 2, 10
CEILING = 25

riverside = fixtures_views.riverside  # the fixture, used by name below


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return [query["sql"] for query in context.captured_queries]


def _assert_flat(client, url: str, grow: Callable[[int], None]) -> None:
    """Measure ``url`` with SMALL of everything, grow to LARGE, measure again."""
    grow(SMALL)
    client.get(url)  # warm-up
    small = _queries(client, url)
    grow(LARGE)
    large = _queries(client, url)
    assert len(small) == len(large), (
        f"{url}: {len(small)} queries with {SMALL} of each, {len(large)} with {LARGE}. "
        "Queries only at the larger size:\n" + "\n".join(q for q in large if q not in small)
    )
    assert len(large) < CEILING, f"{url}: {len(large)} queries:\n" + "\n".join(large)


class Grower:
    """Adds items until there are ``n`` of them; each call tops up to the new size."""

    def __init__(self, make: Callable[[int], None]):
        self.make, self.count = make, 0

    def __call__(self, n: int) -> None:
        while self.count < n:
            self.make(self.count)
            self.count += 1


def test_the_group_sessions_page_does_not_grow_with_sessions_bookings_or_polls(client, riverside):
    group = riverside.group

    def more(i: int) -> None:
        member = add_member(group)
        upcoming = make_session(group, starts_at=soon(days=20 + i), room=riverside.room)
        past = make_session(group, starts_at=soon(days=-20 - i), status=GroupSession.Status.HELD)
        book(upcoming, member)
        book(upcoming, add_member(group), status=Booking.Status.WAITLISTED)
        book(past, member, attendance=Booking.Attendance.PRESENT)
        book(past, riverside.practitioner, attendance=Booking.Attendance.ABSENT)
        make_poll(group, title=f"Poll {i}")

    client.force_login(riverside.facilitator)
    _assert_flat(client, reverse("sessions:group_sessions", args=[group.pk]), Grower(more))


def test_my_sessions_does_not_grow_with_bookings_waiting_lists_polls_or_workshops(
    client, riverside
):
    me = riverside.practitioner

    def more(i: int) -> None:
        # A session in a group of its own, so the page has many groups to name.
        group = PracticeGroupFactory(host=riverside.org, name=f"Group {i}")
        GroupMemberFactory(group=group, user=me)
        accept_agreement(me, group)
        booked = make_session(group, starts_at=soon(days=10 + i), room=riverside.room)
        book(booked, me)
        waiting = make_session(group, starts_at=soon(days=30 + i))
        book(waiting, me, status=Booking.Status.WAITLISTED)
        make_session(group, starts_at=soon(days=50 + i))  # open for booking
        held = make_session(group, starts_at=soon(days=-10 - i), status=GroupSession.Status.HELD)
        book(held, me, attendance=Booking.Attendance.PRESENT)
        poll = make_poll(group, title=f"Poll {i}")
        if i % 2:
            for option in poll.options.all():
                PollAnswer.objects.create(option=option, user=me, answer="yes")
        make_workshop(riverside.org, starts_at=soon(days=60 + i))

    client.force_login(me)
    _assert_flat(client, reverse("sessions:mine"), Grower(more))


def test_the_run_page_does_not_grow_with_the_register_or_the_walk_in_list(client, riverside):
    session = make_session(riverside.group, capacity=100, agenda="10 Arrive\n60 Case\n20 Close")

    def more(i: int) -> None:
        book(session, add_member(riverside.group), attendance="present" if i % 2 else "")
        book(session, add_member(riverside.group), walk_in=True)
        book(session, add_member(riverside.group), status=Booking.Status.WAITLISTED)
        add_member(riverside.group)  # could walk in

    client.force_login(riverside.facilitator)
    _assert_flat(client, reverse("sessions:run", args=[session.pk]), Grower(more))


def test_the_session_page_does_not_grow_with_bookings(client, riverside):
    session = riverside.session

    def more(i: int) -> None:
        book(session, add_member(riverside.group))
        book(session, add_member(riverside.group), status=Booking.Status.WAITLISTED)

    client.force_login(riverside.practitioner)
    _assert_flat(client, reverse("sessions:detail", args=[session.pk]), Grower(more))


def test_the_poll_page_does_not_grow_with_options_or_answers(client, riverside):
    poll = make_poll(riverside.group, options=0, title="Growing poll")
    members = []

    def more(i: int) -> None:
        from sessions.models import PollOption

        PollOption.objects.create(
            poll=poll,
            starts_at=soon(days=20 + i),
            duration_minutes=90,
            room=riverside.room if i % 2 else None,
            online_link="" if i % 2 else "https://meet.example.test/x",
        )
        members.append(add_member(riverside.group))
        for member in [*members, riverside.facilitator]:
            for option in poll.options.all():
                PollAnswer.objects.get_or_create(
                    option=option, user=member, defaults={"answer": "yes" if i % 2 else "maybe"}
                )

    client.force_login(riverside.facilitator)
    _assert_flat(client, reverse("sessions:poll", args=[poll.pk]), Grower(more))


def test_the_calendar_feed_does_not_grow_with_sessions_booked(client, riverside):
    me = riverside.practitioner

    def more(i: int) -> None:
        group = PracticeGroupFactory(host=riverside.org, name=f"Feed group {i}")
        GroupMemberFactory(group=group, user=me)
        room = Room.objects.create(organisation=riverside.org, name=f"Room {i}", capacity=20)
        book(make_session(group, starts_at=soon(days=10 + i), room=room), me)
        book(make_workshop(riverside.org, starts_at=soon(days=40 + i)), me)
        cancelled = make_session(
            group, starts_at=soon(days=70 + i), status=GroupSession.Status.CANCELLED
        )
        book(cancelled, me)

    url = reverse("sessions:feed", args=[riverside.preference.feed_token])
    _assert_flat(client, url, Grower(more))


def test_the_rooms_page_does_not_grow_with_rooms(client, riverside):
    def more(i: int) -> None:
        Room.objects.create(
            organisation=riverside.org,
            name=f"Room {i}",
            capacity=10 + i,
            accessibility_notes="Hearing loop",
            is_active=bool(i % 2),
        )

    client.force_login(riverside.admin)
    _assert_flat(client, reverse("sessions:rooms", args=[riverside.org.pk]), Grower(more))


def test_the_workshops_page_does_not_grow_with_workshops(client, riverside):
    def more(i: int) -> None:
        workshop = make_workshop(riverside.org, starts_at=soon(days=20 + i), room=riverside.room)
        book(workshop, add_member(riverside.group))

    client.force_login(riverside.facilitator)
    _assert_flat(client, reverse("sessions:workshops", args=[riverside.org.pk]), Grower(more))


def test_the_group_page_does_not_grow_with_sessions_or_members(client, riverside):
    group = riverside.group

    def more(i: int) -> None:
        member = add_member(group)
        session = make_session(group, starts_at=soon(days=20 + i), settling_in=i < 3)
        book(session, member)
        make_session(group, starts_at=soon(days=-20 - i), status=GroupSession.Status.HELD)

    client.force_login(riverside.facilitator)
    _assert_flat(client, reverse("groups:detail", args=[group.pk]), Grower(more))


def test_the_home_page_does_not_grow_with_sessions_booked_or_groups(client, riverside):
    me = riverside.practitioner

    def more(i: int) -> None:
        group = PracticeGroupFactory(host=riverside.org, name=f"Home group {i}")
        GroupMemberFactory(group=group, user=me)
        if i % 2:
            accept_agreement(me, group)
        book(make_session(group, starts_at=soon(days=1 + i), room=riverside.room), me)
        book(make_session(group, starts_at=soon(days=-5 - i), status="held"), me)

    client.force_login(me)
    _assert_flat(client, "/", Grower(more))
