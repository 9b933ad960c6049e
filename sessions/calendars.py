"""iCalendar (RFC 5545) for one session and for a person's private feed of their sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import GroupSession

PRODID = "-//rp_portal//reflective practice sessions//EN"


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", "rp_portal")
    return calendar


def _event(session: GroupSession) -> Event:
    event = Event()
    event.add("uid", f"session-{session.pk}@rp-portal")
    event.add("dtstamp", datetime.now(tz=UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", session.display_title)
    event.add("sequence", session.revision)
    organiser = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organiser.params["cn"] = vText(session.organisation.name)
    event.add("organizer", organiser)
    place = []
    if session.room_id:
        place.append(session.room.name)
    if session.online_link:
        place.append(session.online_link)
        event.add("url", session.online_link)
    if place:
        event.add("location", " / ".join(place))
    link = settings.SITE_URL + reverse("sessions:detail", args=[session.pk])
    event.add("description", f"{session.get_kind_display()}. Details and changes: {link}")
    if session.status == GroupSession.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def session_ics(session: GroupSession) -> bytes:
    method = "CANCEL" if session.status == GroupSession.Status.CANCELLED else "PUBLISH"
    calendar = _calendar(method)
    calendar.add_component(_event(session))
    return calendar.to_ical()


def feed_ics(sessions) -> bytes:
    """A person's feed: their booked sessions; cancelled ones stay in, marked cancelled, so
    calendar apps remove them."""
    calendar = _calendar()
    for session in sessions:
        calendar.add_component(_event(session))
    return calendar.to_ical()
