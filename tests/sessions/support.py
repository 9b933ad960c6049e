"""Helpers for session tests: London wall-clock times, session details and quick sessions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar

from sessions.models import Booking, GroupSession
from sessions.services.scheduling import SessionDetails

LONDON = ZoneInfo("Europe/London")
LINK = "https://meet.example.test/team-rp"


def at(days: int, hour: int = 14, minute: int = 0) -> datetime:
    """A London wall-clock time ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def on(day: date, hour: int = 14, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month: when UK clocks change in March and October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def next_clock_change(month: int) -> date:
    """The next last-Sunday-of-``month`` that is more than two weeks away."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        change = last_sunday(year, month)
        if change > today + timedelta(days=14):
            return change
    raise AssertionError("unreachable")


def details(**changes) -> SessionDetails:
    """Online by default, so tests that do not care about rooms never clash."""
    return SessionDetails(**{"online_link": LINK, **changes})


def make_session(group, *, starts_at=None, capacity: int = 3, created_by=None, **fields):
    """A session written straight to the database (no notices), for booking tests. Created by
    the group's facilitator unless ``created_by`` says otherwise."""
    from groups.models import GroupMember

    starts_at = starts_at or at(7)
    if created_by is None and group is not None:
        created_by = GroupMember.objects.filter(group=group, role="facilitator").first().user
    return GroupSession.objects.create(
        group=group,
        organisation=fields.pop("organisation", None) or group.host,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=fields.pop("duration", 90)),
        capacity=capacity,
        online_link=fields.pop("online_link", LINK),
        created_by=created_by,
        **fields,
    )


def book(session: GroupSession, user, status: str = Booking.Status.BOOKED, **fields) -> Booking:
    """A booking written straight to the database, for tests about something else."""
    return Booking.objects.create(session=session, user=user, status=status, **fields)


def move_to(session: GroupSession, starts_at: datetime) -> GroupSession:
    """Move a session in time without the service (to put it in the past, or near)."""
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90)
    )
    session.refresh_from_db()
    return session


def ics_of(message) -> Calendar:
    """The calendar attached to an email, parsed back."""
    [attachment] = [a for a in message.attachments if a[2] == "text/calendar"]
    return Calendar.from_ical(attachment[1])


def subjects(mailoutbox) -> list[str]:
    return [m.subject for m in mailoutbox]


def recipients(mailoutbox, subject: str | None = None) -> list[str]:
    return sorted(
        address for m in mailoutbox if subject is None or m.subject == subject for address in m.to
    )
