"""A group's sessions list is paginated: sessions coming up (``?page=``, soonest first) and past
sessions (``?past=``, latest first), 20 a page each, so every session of the group can be
reached however long the group has met. Bad page numbers give a real page, and who may see the
list is unchanged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Booking, GroupSession
from sessions.selectors import PAGE_SIZE
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import NAMES, add_member, book, make_session, soon

riverside = fixtures_views.riverside  # the fixture, used by name below


def _url(group) -> str:
    return reverse("sessions:group_sessions", args=[group.pk])


def _past(group, n: int, *, first_day: int = 14) -> list[GroupSession]:
    """``n`` held sessions, one a day going back from ``first_day`` days ago: latest first."""
    return [
        make_session(group, starts_at=soon(days=-first_day - i), status=GroupSession.Status.HELD)
        for i in range(n)
    ]


def _coming(group, n: int, *, first_day: int = 10) -> list[GroupSession]:
    """``n`` scheduled sessions, one a day from ``first_day`` days ahead: soonest first."""
    return [make_session(group, starts_at=soon(days=first_day + i)) for i in range(n)]


def _ids(page) -> list[int]:
    return [session.pk for session in page]


def test_past_sessions_come_20_a_page_and_the_oldest_is_reached_on_the_last_page(client, riverside):
    held = [riverside.held, *_past(riverside.group, 24)]  # 25, the fixture's a week ago first
    client.force_login(riverside.facilitator)

    first = client.get(_url(riverside.group)).context["past"]
    second = client.get(_url(riverside.group), {"past": 2}).context["past"]

    assert _ids(first) == [s.pk for s in held[:PAGE_SIZE]]
    assert _ids(second) == [s.pk for s in held[PAGE_SIZE:]]
    assert len(second) == 5
    assert (first.number, second.number, second.paginator.num_pages) == (1, 2, 2)


def test_sessions_coming_up_come_20_a_page_soonest_first(client, riverside):
    coming = [riverside.session, *_coming(riverside.group, 41)]  # 42: three pages
    client.force_login(riverside.practitioner)

    pages = [client.get(_url(riverside.group), {"page": n}).context["upcoming"] for n in (1, 2, 3)]

    assert [len(page) for page in pages] == [20, 20, 2]
    assert [pk for page in pages for pk in _ids(page)] == [s.pk for s in coming]
    body = client.get(_url(riverside.group), {"page": 3}).content.decode()
    assert reverse("sessions:detail", args=[coming[-1].pk]) in body


def test_each_list_keeps_its_own_page_and_the_other_parameters_of_the_address(client, riverside):
    _coming(riverside.group, 25)
    _past(riverside.group, 25)
    client.force_login(riverside.facilitator)

    response = client.get(_url(riverside.group), {"page": 2, "past": 2})
    body = response.content.decode()

    assert (response.context["upcoming"].number, response.context["past"].number) == (2, 2)
    # The past list's links change ?past= and keep ?page=2, and open at the list's heading.
    assert 'href="?page=2&amp;past=1#past-title"' in body
    # The upcoming list's links change ?page= and keep ?past=2.
    assert 'href="?page=1&amp;past=2#upcoming-title"' in body


def test_the_pager_is_a_labelled_navigation_that_marks_the_current_page(client, riverside):
    _past(riverside.group, 45)  # 46 past sessions: three pages
    client.force_login(riverside.facilitator)

    body = client.get(_url(riverside.group), {"past": 2}).content.decode()

    assert '<nav class="my-2" aria-label="Pages of past sessions">' in body
    assert 'aria-current="page">2<span class="visually-hidden"> (this page)</span>' in body
    assert 'rel="prev" href="?past=1#past-title">Newer</a>' in body
    assert 'rel="next" href="?past=3#past-title">Older</a>' in body
    assert 'aria-label="Page 3">3</a>' in body
    assert "Showing 21\N{EN DASH}40 of 46" in body


def test_a_list_that_fits_on_one_page_shows_no_pager(client, riverside):
    client.force_login(riverside.facilitator)

    body = client.get(_url(riverside.group)).content.decode()

    assert "Pages of past sessions" not in body
    assert "Pages of sessions coming up" not in body
    assert 'class="pagination' not in body


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("abc", 1),
        ("", 1),
        ("1.5", 1),
        ("0", 1),
        ("-3", 1),
        ("2", 2),
        ("3", 3),
        ("999999", 3),
        ("9" * 40, 3),
        ("2<script>", 1),
    ],
)
def test_a_bad_page_number_gives_the_first_or_the_last_page_never_an_error(
    client, riverside, asked, expected
):
    _past(riverside.group, 45)  # 46: three pages
    _coming(riverside.group, 45)
    client.force_login(riverside.facilitator)

    response = client.get(_url(riverside.group), {"past": asked, "page": asked})

    assert response.status_code == 200
    assert response.context["past"].number == expected
    assert response.context["upcoming"].number == expected
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_a_manager_sees_counts_and_no_names_on_every_page(client, riverside):
    held = _past(riverside.group, 25)
    for session in held:
        book(session, add_member(riverside.group, "Kim Early"), attendance="present")
    client.force_login(riverside.manager)

    response = client.get(_url(riverside.group), {"past": 2})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Counts only." in body
    for name in (NAMES["practitioner"], NAMES["facilitator"], "Kim Early"):
        assert name not in body


@pytest.mark.parametrize("query", [{}, {"past": 2}, {"page": 2}, {"past": "abc"}])
def test_another_organisations_group_is_not_found_on_any_page(client, riverside, query):
    _past(riverside.group, 25)
    client.force_login(riverside.outsider)

    assert client.get(_url(riverside.group), query).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_from_any_page(client, riverside):
    response = client.get(_url(riverside.group), {"past": 2})

    assert response.status_code == 302
    assert "login" in response["Location"]


def _count_queries(client, url: str, query: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_every_page_runs_the_same_queries_with_more_sessions_and_bookings(client, riverside):
    """Page 1, a middle page and the last page, with 3 and with 6 pages of each list."""
    group, url = riverside.group, _url(riverside.group)
    client.force_login(riverside.facilitator)

    def grow(n: int) -> None:
        for session in _past(group, n, first_day=14 + group.sessions.count()):
            book(session, add_member(group), attendance=Booking.Attendance.PRESENT)
        for session in _coming(group, n, first_day=10 + group.sessions.count()):
            book(session, add_member(group), status=Booking.Status.WAITLISTED)

    grow(50)
    client.get(url)  # warm-up
    queries = {
        _count_queries(client, url, query)
        for query in ({}, {"past": 2, "page": 2}, {"past": 3, "page": 3})
    }
    grow(60)
    queries |= {
        _count_queries(client, url, query)
        for query in ({}, {"past": 3, "page": 2}, {"past": 6, "page": 6})
    }

    assert len(queries) == 1, f"query counts differ between pages and sizes: {queries}"
