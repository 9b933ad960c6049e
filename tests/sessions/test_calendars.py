"""iCalendar for one session (attached to emails) and for a person's private feed."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar

from sessions import selectors
from sessions.calendars import PRODID, feed_ics, session_ics
from sessions.models import GroupSession
from sessions.services import scheduling
from tests.sessions.support import LINK, at, book, details, make_session


def _event(session):
    calendar = Calendar.from_ical(session_ics(session))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_sessions_invite_parses_back_with_its_identity_time_and_place(team):
    session = make_session(team.group, starts_at=at(10, 14), room=team.room, title="Case review")
    calendar, event = _event(session)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"session-{session.pk}@rp-portal"
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Case review"
    assert event["DTSTART"].dt == session.starts_at
    assert event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert event["DTEND"].dt == session.starts_at + timedelta(minutes=90)
    assert str(event["LOCATION"]) == f"Room 4 / {LINK}"
    assert str(event["URL"]) == LINK
    assert f"/sessions/{session.pk}/" in str(event["DESCRIPTION"])


def test_the_invite_states_the_start_in_utc(team):
    session = make_session(team.group, starts_at=at(10, 14))
    raw = session_ics(session).decode()
    expected = session.starts_at.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ")
    assert expected in raw


def test_the_invites_sequence_follows_the_sessions_revision(team):
    session = make_session(team.group, starts_at=at(10))
    scheduling.session_update(
        session=session,
        actor=team.facilitator,
        scope="this",
        starts_at=at(10, 16),
        details=details(),
    )
    session.refresh_from_db()
    _calendar, event = _event(session)
    assert event["SEQUENCE"] == session.revision == 1
    assert event["DTSTART"].dt == at(10, 16)


def test_a_cancelled_sessions_invite_cancels_it(team):
    session = make_session(team.group, starts_at=at(10))
    scheduling.session_cancel(session=session, actor=team.facilitator)
    session.refresh_from_db()
    calendar, event = _event(session)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"session-{session.pk}@rp-portal"


def test_a_workshop_invite_is_titled_as_an_introduction(team):
    workshop = make_session(
        None, organisation=team.org, kind="workshop", created_by=team.facilitator
    )
    _calendar, event = _event(workshop)
    assert str(event["SUMMARY"]) == "Introduction to reflective practice"


def _uids(ics: bytes) -> dict[str, str]:
    return {
        str(event["UID"]): str(event["STATUS"]) for event in Calendar.from_ical(ics).walk("VEVENT")
    }


def test_a_feed_holds_only_the_sessions_the_person_has_a_place_in(team):
    me, someone_else = team.members[0], team.members[1]
    booked = make_session(team.group, starts_at=at(7))
    waiting = make_session(team.group, starts_at=at(8))
    theirs = make_session(team.group, starts_at=at(9))
    left = make_session(team.group, starts_at=at(10))
    called_off = make_session(team.group, starts_at=at(11))
    recent = make_session(team.group, starts_at=at(-30), status="held")
    long_ago = make_session(team.group, starts_at=at(-100), status="held")
    book(booked, me)
    book(waiting, me, status="waitlisted")
    book(theirs, someone_else)
    book(left, me, status="cancelled")
    book(called_off, me)
    book(recent, me, attendance="present")
    book(long_ago, me, attendance="present")
    scheduling.session_cancel(session=called_off, actor=team.facilitator)

    preference = selectors.preference_of(me)
    sessions = list(selectors.feed_sessions(preference))
    assert sessions == [recent, booked, called_off]

    uids = _uids(feed_ics(sessions))
    assert uids == {
        f"session-{recent.pk}@rp-portal": "CONFIRMED",
        f"session-{booked.pk}@rp-portal": "CONFIRMED",
        f"session-{called_off.pk}@rp-portal": "CANCELLED",
    }


def test_a_feed_is_a_calendar_without_a_method(team):
    session = make_session(team.group, starts_at=at(7))
    book(session, team.members[0])
    calendar = Calendar.from_ical(
        feed_ics(selectors.feed_sessions(selectors.preference_of(team.members[0])))
    )
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "rp_portal"


def test_an_empty_feed_is_still_a_valid_calendar(team):
    calendar = Calendar.from_ical(feed_ics(GroupSession.objects.none()))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_each_person_has_their_own_secret_feed_address(team):
    mine = selectors.preference_of(team.members[0])
    theirs = selectors.preference_of(team.members[1])
    assert selectors.preference_of(team.members[0]).feed_token == mine.feed_token
    assert mine.feed_token != theirs.feed_token
    assert len(mine.feed_token) >= 32
