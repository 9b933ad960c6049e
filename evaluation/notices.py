"""Questionnaire invitations and one reminder, by email. Each person gets each email once: a
ledger row (QuestionnaireEmail) is written in the same transaction as that person's email, so
a task that fails half-way and is retried, or is delivered twice, sends only what is missing.
The window's timestamp records that everyone due has been sent it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Completion, QuestionnaireEmail, QuestionnaireWindow
from groups.models import GroupMember
from rp_portal.emails import emails_send_once
from sessions.models import Booking


def _recipients(window: QuestionnaireWindow):
    members = GroupMember.objects.filter(group_id=window.plan.group_id).select_related("user")
    people = [m.user for m in members]
    if window.kind == QuestionnaireWindow.Kind.PULSE:
        attended = set(
            Booking.objects.filter(
                session_id=window.session_id,
                status=Booking.Status.BOOKED,
                attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
            ).values_list("user_id", flat=True)
        )
        people = [p for p in people if p.pk in attended]
    return people


def _send(window: QuestionnaireWindow, people, template: str, kind: str) -> int:
    """Email each person who has not had this email yet; returns how many were sent."""
    return emails_send_once(
        people,
        ledger=QuestionnaireEmail,
        key={"window": window, "kind": kind},
        template_prefix=template,
        context={
            "window": window,
            "group": window.plan.group,
            "url": settings.SITE_URL + reverse("evaluation:answer", args=[window.pk]),
            "preferences_url": settings.SITE_URL + reverse("sessions:preferences"),
            "reason": "member",
        },
    )


def _window(window_id: int) -> QuestionnaireWindow:
    return QuestionnaireWindow.objects.select_related("plan__group", "session").get(pk=window_id)


def invitations_send(*, now=None) -> int:
    """Beat: invite members when a window opens (the pulse: only those who attended)."""
    now = now or timezone.now()
    sent = 0
    due = QuestionnaireWindow.objects.filter(
        invitations_sent_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    )
    for window_id in due.values_list("pk", flat=True):
        window = _window(window_id)
        sent += _send(window, _recipients(window), "emails/questionnaire_invitation", "invitation")
        QuestionnaireWindow.objects.filter(pk=window_id, invitations_sent_at__isnull=True).update(
            invitations_sent_at=now
        )
    return sent


def reminders_send(*, now=None, before_close: timedelta = timedelta(days=2)) -> int:
    """Beat: one reminder, two days before a window closes, to those who have not answered."""
    now = now or timezone.now()
    sent = 0
    due = QuestionnaireWindow.objects.filter(
        reminder_sent_at__isnull=True,
        invitations_sent_at__isnull=False,
        closes_at__gt=now,
        closes_at__lte=now + before_close,
    )
    for window_id in due.values_list("pk", flat=True):
        window = _window(window_id)
        done = set(Completion.objects.filter(window=window).values_list("user_id", flat=True))
        sent += _send(
            window,
            [p for p in _recipients(window) if p.pk not in done],
            "emails/questionnaire_reminder",
            "reminder",
        )
        QuestionnaireWindow.objects.filter(pk=window_id, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
    return sent
