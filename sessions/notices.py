"""Emails about sessions: new sessions, changes, cancellations, promotions, reminders,
post-session messages and polls. Each one is sent at most once, guaranteed by a ledger row
written in the same transaction as the email: the Reminder ledger's unique (session, person,
kind) for sessions, the PollEmail ledger's unique (poll, person, kind) for polls. A task that
fails half-way and is retried, or is delivered twice, sends only what is missing."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupMember
from rp_portal.emails import emails_send_once, templated_email_send
from sessions.calendars import session_ics
from sessions.models import (
    Booking,
    GroupSession,
    Poll,
    PollAnswer,
    PollEmail,
    Reminder,
    SchedulePreference,
)

logger = logging.getLogger(__name__)

ACTIVE = [Booking.Status.BOOKED, Booking.Status.WAITLISTED]


def _links(session: GroupSession) -> dict:
    from django.conf import settings

    return {
        "session_url": settings.SITE_URL + reverse("sessions:detail", args=[session.pk]),
        "preferences_url": settings.SITE_URL + reverse("sessions:preferences"),
    }


def _send_once(
    *,
    session: GroupSession,
    user,
    kind: str,
    template: str,
    context: dict,
    connection,
    ics=True,
    calendar: bytes | None = None,
    about_start=None,
) -> bool:
    """Write the ledger row and send in one transaction: a duplicate run waits on the unique
    index and then finds the row; a failed send rolls the row back so a retry can send.

    ``about_start``: the start time a reminder is about. Nothing is sent if the session has
    moved from it or been cancelled, even by a change that commits just before."""
    try:
        with transaction.atomic():
            if about_start is not None and not _still_starts_at(session, about_start):
                return False
            Reminder.objects.create(session=session, user=user, kind=kind)
            if ics and calendar is None:
                calendar = session_ics(session)
            attachments = [("session.ics", calendar, "text/calendar")] if ics else None
            templated_email_send(
                to=[user.email],
                template_prefix=template,
                connection=connection,
                attachments=attachments,
                context={"session": session, "person": user, **_links(session), **context},
            )
    except IntegrityError:
        return False
    return True


def _still_starts_at(session: GroupSession, starts_at) -> bool:
    """Whether the session is still scheduled at ``starts_at``, holding its row until the
    transaction ends: a move or a cancellation (both ``select_for_update``) waits until the
    reminder is sent, and one that committed first is seen here."""
    return (
        GroupSession.objects.select_for_update(no_key=True)
        .filter(pk=session.pk, starts_at=starts_at, status=GroupSession.Status.SCHEDULED)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


def _session(session_id: int) -> GroupSession | None:
    return (
        GroupSession.objects.select_related("group", "room", "organisation")
        .filter(pk=session_id)
        .first()
    )


def session_notice_send(*, session_id: int, kind: str, revision: int) -> int:
    """``new``: to every member of the group; ``changed``/``cancelled``: to everyone booked or
    waiting. A notice for an older revision is dropped: the newer change sends its own."""
    session = _session(session_id)
    if session is None or session.revision != revision:
        return 0
    if kind == "new":
        if not session.group_id:
            return 0
        people = [
            m.user
            for m in GroupMember.objects.filter(group_id=session.group_id).select_related("user")
        ]
        reason = "member"
    else:
        people = [
            b.user
            for b in session.bookings.filter(status__in=ACTIVE, user__isnull=False).select_related(
                "user"
            )
        ]
        reason = "booked"
    sent = 0
    with get_connection() as connection:
        for person in people:
            sent += _send_once(
                session=session,
                user=person,
                kind=f"{kind}-r{revision}",
                template=f"emails/session_{kind}",
                context={"reason": reason},
                connection=connection,
            )
    return sent


def promotion_notice_send(*, booking_id: int) -> bool:
    booking = (
        Booking.objects.select_related("session__group", "session__room", "user")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.status != Booking.Status.BOOKED or booking.promoted_at is None:
        return False
    if booking.user_id is None:  # the person erased their account
        return False
    with get_connection() as connection:
        return _send_once(
            session=booking.session,
            user=booking.user,
            kind=f"promoted-{int(booking.promoted_at.timestamp())}",
            template="emails/booking_promoted",
            context={"reason": "booked"},
            connection=connection,
        )


def _due_lead(lead_hours: list[int], starts_at, now) -> int | None:
    """The lead time whose window we are in: from ``h`` hours before until the next shorter lead
    starts (or the session starts). Someone booking late gets only the reminders still ahead."""
    for index, hours in enumerate(lead_hours):  # longest first
        opens = starts_at - timedelta(hours=hours)
        shorter = lead_hours[index + 1] if index + 1 < len(lead_hours) else 0
        closes = starts_at - timedelta(hours=shorter)
        if opens <= now < closes:
            return hours
    return None


# Reminders due in one beat run are sent in batches of this many, each batch a task of its own
# with one SMTP connection, so two or more workers share a busy window.
REMINDER_BATCH = 250


def _due_reminders(now) -> list[tuple[int, int, datetime]]:
    """(booking id, lead hours, the session's start) of every reminder due now and not sent
    yet. A session moved since a reminder went has no ledger rows left for it
    (``session_update`` deletes them), so its reminders fall due again before the new time."""
    horizon = now + timedelta(hours=24 * 15)
    bookings = Booking.objects.filter(
        status=Booking.Status.BOOKED,
        user__isnull=False,
        session__status=GroupSession.Status.SCHEDULED,
        session__starts_at__gt=now,
        session__starts_at__lte=horizon,
    ).order_by("session__starts_at", "id")
    rows = list(bookings.values_list("id", "session_id", "user_id", "session__starts_at"))
    preferences = {
        p.user_id: p
        for p in SchedulePreference.objects.filter(user_id__in=bookings.values("user_id"))
    }
    sent = set(
        Reminder.objects.filter(
            session_id__in=bookings.values("session_id"), kind__startswith=Reminder.BEFORE_START
        ).values_list("session_id", "user_id", "kind")
    )
    due = []
    for booking_id, session_id, user_id, starts_at in rows:
        preference = preferences.get(user_id)
        if preference and not preference.reminders_enabled:
            continue
        hours = _due_lead(preference.lead_hours if preference else [48, 2], starts_at, now)
        if hours is not None and (session_id, user_id, _before(hours)) not in sent:
            due.append((booking_id, hours, starts_at))
    return due


def _before(hours: int) -> str:
    return f"{Reminder.BEFORE_START}{hours}h"


def reminders_send_due(*, now=None, batch_size: int = REMINDER_BATCH) -> int:
    """Beat, every few minutes: remind people with a place (never the waiting list).

    One batch is sent here; more are handed to the workers as one task per batch. Returns how
    many reminders were sent here (0 when they were all handed on). A reminder already in the
    ledger is never sent again, whichever run or batch gets to it first."""
    from sessions.tasks import send_reminder_batch

    now = now or timezone.now()
    due = _due_reminders(now)
    if len(due) <= batch_size:
        return reminder_batch_send(items=due, now=now)
    for start in range(0, len(due), batch_size):
        send_reminder_batch.delay(
            [
                [booking_id, hours, starts_at.isoformat()]
                for booking_id, hours, starts_at in due[start : start + batch_size]
            ],
            now.isoformat(),
        )
    logger.info("reminders due: %s, in %s batches", len(due), -(-len(due) // batch_size))
    return 0


def reminder_batch_send(*, items: list[tuple[int, int, datetime]], now) -> int:
    """Send one batch of reminders over one SMTP connection; ``items`` are (booking id, lead
    hours, the session's start when the batch was made). A booking cancelled, or a session
    cancelled or moved since the batch was made, is skipped: a reminder is never sent for a
    time the session no longer has (the next beat run finds the new time's reminders)."""
    if not items:
        return 0
    hours_of = {booking_id: hours for booking_id, hours, _starts_at in items}
    start_of = {booking_id: starts_at for booking_id, _hours, starts_at in items}
    bookings = (
        Booking.objects.filter(
            pk__in=hours_of,
            status=Booking.Status.BOOKED,
            user__isnull=False,
            session__status=GroupSession.Status.SCHEDULED,
            session__starts_at__gt=now,
        )
        .select_related("session__group", "session__room", "user")
        .order_by("session__starts_at", "id")
    )
    calendars: dict[int, bytes] = {}  # one .ics per session, not one per person
    sent = 0
    with get_connection() as connection:
        for booking in bookings:
            session = booking.session
            if session.starts_at != start_of[booking.pk]:
                continue
            if session.pk not in calendars:
                calendars[session.pk] = session_ics(session)
            sent += _send_once(
                session=session,
                user=booking.user,
                kind=_before(hours_of[booking.pk]),
                template="emails/session_reminder",
                # The time really left, not the lead time: someone who booked late or a delayed
                # beat must not be told "48 hours" when the session is tomorrow morning.
                context={
                    "hours": max(1, math.ceil((session.starts_at - now).total_seconds() / 3600)),
                    "reason": "booked",
                },
                connection=connection,
                calendar=calendars[session.pk],
                about_start=start_of[booking.pk],
            )
    logger.info("reminders sent: %s", sent)
    return sent


def post_session_send(*, session_id: int) -> int:
    """After a session is closed: only those marked present or late are invited to reflect."""
    session = _session(session_id)
    if session is None or session.status != GroupSession.Status.HELD:
        return 0
    attended = session.bookings.filter(
        status=Booking.Status.BOOKED,
        user__isnull=False,
        attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
    ).select_related("user")
    sent = 0
    with get_connection() as connection:
        for booking in attended:
            sent += _send_once(
                session=session,
                user=booking.user,
                kind="post-session",
                template="emails/post_session",
                context={"reason": "attended"},
                connection=connection,
                ics=False,
            )
    return sent


MINIMUM_WARNING = "minimum-size"  # the Reminder ledger's kind for this warning


def minimum_size_warnings_send(*, now=None, warn_hours: int = 24) -> int:
    """Tell the facilitators a day ahead when fewer people have booked than the minimum.

    Each facilitator's warning is recorded in the reminder ledger in the same transaction as
    its email, and the session is marked done only once every facilitator has it: when the
    mail server fails part-way, the retry warns only those not warned yet."""
    now = now or timezone.now()
    sessions = GroupSession.objects.filter(
        status=GroupSession.Status.SCHEDULED,
        minimum_size__gt=0,
        minimum_warning_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=warn_hours),
        group__isnull=False,
    ).select_related("group", "room")
    sent = 0
    for session in sessions:
        booked = session.bookings.filter(status=Booking.Status.BOOKED).count()
        if booked < session.minimum_size:
            facilitators = [
                member.user
                for member in GroupMember.objects.filter(
                    group_id=session.group_id, role="facilitator"
                ).select_related("user")
            ]
            sent += emails_send_once(
                facilitators,
                ledger=Reminder,
                key={"session": session, "kind": MINIMUM_WARNING},
                template_prefix="emails/minimum_warning",
                context={
                    "session": session,
                    "booked": booked,
                    "reason": "facilitator",
                    **_links(session),
                },
            )
        GroupSession.objects.filter(pk=session.pk, minimum_warning_sent_at__isnull=True).update(
            minimum_warning_sent_at=now
        )
    return sent


def _poll_context(poll: Poll) -> dict:
    from django.conf import settings

    return {
        "poll": poll,
        "poll_url": settings.SITE_URL + reverse("sessions:poll", args=[poll.pk]),
        "preferences_url": settings.SITE_URL + reverse("sessions:preferences"),
        "reason": "member",
    }


def _poll_emails_send(poll: Poll, people, *, kind: str, template: str) -> int:
    """Email each person who has not had this email about the poll yet; returns how many."""
    return emails_send_once(
        people,
        ledger=PollEmail,
        key={"poll": poll, "kind": kind},
        template_prefix=template,
        context=_poll_context(poll),
    )


def poll_invitation_send(*, poll_id: int) -> int:
    """Invite every member of the group to answer a new poll, once each."""
    poll = Poll.objects.select_related("group").filter(pk=poll_id).first()
    if poll is None or poll.invitation_sent_at or poll.status != Poll.Status.OPEN:
        return 0
    members = GroupMember.objects.filter(group_id=poll.group_id).select_related("user")
    sent = _poll_emails_send(
        poll,
        [m.user for m in members],
        kind=PollEmail.Kind.INVITATION,
        template="emails/poll_invitation",
    )
    # Only now is everyone invited: a run that failed half-way left this empty for its retry.
    Poll.objects.filter(pk=poll.pk, invitation_sent_at__isnull=True).update(
        invitation_sent_at=timezone.now()
    )
    return sent


def poll_reminders_send(*, now=None, before_close_hours: int = 48) -> int:
    """Once per poll, remind members who have not answered, two days before it closes."""
    now = now or timezone.now()
    due = Poll.objects.filter(
        status=Poll.Status.OPEN,
        reminder_sent_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + timedelta(hours=before_close_hours),
    ).select_related("group")
    sent = 0
    for poll in due:
        answered = PollAnswer.objects.filter(option__poll=poll).values("user_id")
        waiting = GroupMember.objects.filter(
            Q(group_id=poll.group_id) & ~Q(user_id__in=answered)
        ).select_related("user")
        sent += _poll_emails_send(
            poll,
            [m.user for m in waiting],
            kind=PollEmail.Kind.REMINDER,
            template="emails/poll_reminder",
        )
        Poll.objects.filter(pk=poll.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
    return sent
