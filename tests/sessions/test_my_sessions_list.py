"""My sessions is paginated: booked and waiting (``?page=``, soonest first), open for booking
(``?open=``: the person's groups' sessions and their organisations' workshops in one list,
soonest first) and attended (``?past=``, latest first), 20 a page each. Every booking can be
reached, a session booked on a later page is never offered as open, bad page numbers give a
real page, and a person sees only their own bookings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Booking, GroupSession
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import add_member, book, make_session, make_workshop, soon

riverside = fixtures_views.riverside  # the fixture, used by name below

URL = reverse("sessions:mine")


def _booked(riverside, n: int, *, first_day: int = 10) -> list[GroupSession]:
    """``n`` sessions the practitioner booked, one a day from ``first_day`` days ahead."""
    sessions = [make_session(riverside.group, starts_at=soon(days=first_day + i)) for i in range(n)]
    for session in sessions:
        book(session, riverside.practitioner)
    return sessions


def _attended(riverside, n: int, *, first_day: int = 14) -> list[GroupSession]:
    """``n`` held sessions the practitioner came to, one a day back from ``first_day`` days ago."""
    sessions = [
        make_session(
            riverside.group, starts_at=soon(days=-first_day - i), status=GroupSession.Status.HELD
        )
        for i in range(n)
    ]
    for session in sessions:
        book(session, riverside.practitioner, attendance=Booking.Attendance.PRESENT)
    return sessions


def _ids(page, *, of_bookings: bool = False) -> list[int]:
    return [item.session_id if of_bookings else item.pk for item in page]


def test_booked_sessions_come_20_a_page_and_the_farthest_is_reached(client, riverside):
    booked = [riverside.session, *_booked(riverside, 24)]  # 25 in all
    client.force_login(riverside.practitioner)

    first = client.get(URL).context["upcoming"]
    second = client.get(URL, {"page": 2})

    assert _ids(first, of_bookings=True) == [s.pk for s in booked[:20]]
    assert _ids(second.context["upcoming"], of_bookings=True) == [s.pk for s in booked[20:]]
    assert reverse("sessions:detail", args=[booked[-1].pk]) in second.content.decode()


def test_attended_sessions_come_20_a_page_latest_first_and_the_oldest_is_reached(client, riverside):
    attended = [riverside.held, *_attended(riverside, 22)]  # 23, the fixture's a week ago first
    client.force_login(riverside.practitioner)

    first = client.get(URL).context["attended"]
    second = client.get(URL, {"past": 2})

    assert _ids(first, of_bookings=True) == [s.pk for s in attended[:20]]
    assert _ids(second.context["attended"], of_bookings=True) == [s.pk for s in attended[20:]]
    assert reverse("sessions:detail", args=[attended[-1].pk]) in second.content.decode()
    assert 'aria-label="Pages of sessions you attended"' in second.content.decode()


def test_open_sessions_and_workshops_are_one_list_by_date_20_a_page(client, riverside):
    # The fixture's workshop is in 5 days; the practitioner booked the session in 3.
    sessions = [make_session(riverside.group, starts_at=soon(days=20 + i)) for i in range(15)]
    workshops = [make_workshop(riverside.org, starts_at=soon(days=40 + i)) for i in range(10)]
    client.force_login(riverside.practitioner)

    first = client.get(URL).context["open_sessions"]
    second = client.get(URL, {"open": 2})
    body = second.content.decode()

    offered = [riverside.workshop, *sessions, *workshops]  # 26
    assert _ids(first) == [s.pk for s in offered[:20]]
    assert _ids(second.context["open_sessions"]) == [s.pk for s in offered[20:]]
    assert riverside.session.pk not in _ids(first) + _ids(second.context["open_sessions"])
    assert body.count('<span class="badge text-bg-info">workshop</span>') == 6
    assert 'href="?open=1#open-title"' in body


def test_a_session_booked_on_a_later_page_is_not_offered_as_open(client, riverside):
    booked = _booked(riverside, 30)  # the practitioner's bookings fill two pages
    waiting = make_session(riverside.group, starts_at=soon(days=60), capacity=1)
    book(waiting, add_member(riverside.group))
    book(waiting, riverside.practitioner, status=Booking.Status.WAITLISTED)
    free = make_session(riverside.group, starts_at=soon(days=61))
    client.force_login(riverside.practitioner)

    open_ids = _ids(client.get(URL).context["open_sessions"])

    assert free.pk in open_ids
    assert not {s.pk for s in [*booked, waiting]} & set(open_ids)


def test_the_lists_page_independently_and_keep_each_others_page(client, riverside):
    _booked(riverside, 25)
    _attended(riverside, 25)
    client.force_login(riverside.practitioner)

    response = client.get(URL, {"page": 2, "past": 2})
    body = response.content.decode()

    assert (response.context["upcoming"].number, response.context["attended"].number) == (2, 2)
    assert 'href="?page=1&amp;past=2#booked-title"' in body
    assert 'href="?page=2&amp;past=1#past-title"' in body


@pytest.mark.parametrize(
    ("asked", "expected"),
    [("abc", 1), ("", 1), ("0", 1), ("-1", 1), ("2", 2), ("999999", 2), ("1e3", 1)],
)
def test_a_bad_page_number_gives_the_first_or_the_last_page_never_an_error(
    client, riverside, asked, expected
):
    _booked(riverside, 25)
    _attended(riverside, 25)
    for i in range(25):
        make_session(riverside.group, starts_at=soon(days=60 + i))
    client.force_login(riverside.practitioner)

    response = client.get(URL, {"page": asked, "past": asked, "open": asked})

    assert response.status_code == 200
    for name in ("upcoming", "attended", "open_sessions"):
        assert response.context[name].number == expected, name


def test_a_person_sees_only_their_own_bookings_on_every_page(client, riverside):
    _booked(riverside, 25)
    _attended(riverside, 25)
    other = add_member(riverside.group, "Kim Early")
    theirs = make_session(riverside.group, starts_at=soon(days=90), title="Kim's own session")
    book(theirs, other)
    client.force_login(other)

    pages = [client.get(URL, {"page": n, "past": n}) for n in (1, 2)]

    for response in pages:
        assert [b.session_id for b in response.context["upcoming"]] == [theirs.pk]
        assert list(response.context["attended"]) == []


def test_the_outsider_is_offered_nothing_of_another_organisation(client, riverside):
    for i in range(25):
        make_session(riverside.group, starts_at=soon(days=20 + i))
        make_workshop(riverside.org, starts_at=soon(days=50 + i))
    client.force_login(riverside.outsider)

    for n in (1, 2):
        response = client.get(URL, {"open": n})
        assert response.status_code == 200
        assert list(response.context["open_sessions"]) == []


def _count_queries(client, query: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_every_page_runs_the_same_queries_with_more_bookings(client, riverside):
    """Page 1 and later pages of each list, with 2 and with 4 pages of each."""
    client.force_login(riverside.practitioner)
    made = 0

    def grow(n: int) -> None:
        nonlocal made
        _booked(riverside, n, first_day=10 + made)
        _attended(riverside, n, first_day=14 + made)
        for i in range(n):
            make_session(riverside.group, starts_at=soon(days=200 + made + i))
            make_workshop(riverside.org, starts_at=soon(days=400 + made + i))
        made += n

    grow(25)
    client.get(URL)  # warm-up
    counts = {_count_queries(client, query) for query in ({}, {"page": 2, "past": 2, "open": 2})}
    grow(40)
    counts |= {
        _count_queries(client, query)
        for query in ({}, {"page": 2, "past": 3, "open": 2}, {"page": 4, "past": 4, "open": 4})
    }

    assert len(counts) == 1, f"query counts differ between pages and sizes: {counts}"


def test_empty_lists_run_the_same_queries_as_full_ones(client, riverside):
    newcomer = add_member(riverside.group, "Nell Newcomer")
    riverside.workshop.delete()
    riverside.session.delete()
    client.force_login(newcomer)
    client.get(URL)  # warm-up
    empty = _count_queries(client, {})

    _booked(riverside, 3)  # the practitioner's, so open to the newcomer
    for session in _attended(riverside, 3):
        book(session, newcomer, attendance=Booking.Attendance.PRESENT)
    book(make_session(riverside.group, starts_at=soon(days=30)), newcomer)
    response = client.get(URL)

    assert all(len(response.context[name]) for name in ("upcoming", "attended", "open_sessions"))
    assert _count_queries(client, {}) == empty
