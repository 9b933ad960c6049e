"""Two people press "Book" for the last place at the same moment, on real PostgreSQL: the
session row lock means exactly one gets the place and the other joins the waiting list."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sessions.models import Booking
from sessions.services import bookings
from tests.sessions.support import at, book, make_session

ROUNDS = 10


def _race(session, people) -> list:
    """Each person books in their own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(people))
    results: list = [None] * len(people)

    def attempt(index, user):
        try:
            barrier.wait(timeout=10)
            results[index] = bookings.booking_create(session=session, user=user).status
        except Exception as error:  # reported by the assertions below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, user)) for i, user in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a booking never finished"
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_place_get_one_place_and_one_waiting_list_spot(team):
    first, second, already_booked = team.members[:3]
    for round_number in range(ROUNDS):
        session = make_session(team.group, starts_at=at(7 + round_number), capacity=2)
        book(session, already_booked)  # one place left

        results = _race(session, [first, second])

        assert sorted(map(str, results)) == ["booked", "waitlisted"], (round_number, results)
        statuses = sorted(Booking.objects.filter(session=session).values_list("status", flat=True))
        assert statuses == ["booked", "booked", "waitlisted"], round_number


@pytest.mark.django_db(transaction=True)
def test_many_people_racing_never_overfill_a_session(team):
    session = make_session(team.group, capacity=2)
    results = _race(session, [*team.members, team.facilitator])
    assert sorted(map(str, results)) == [
        "booked",
        "booked",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert Booking.objects.filter(session=session, status="booked").count() == 2
