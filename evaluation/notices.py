"""Questionnaire invitations and one reminder, by email. Each is sent once per window (a
timestamp on the window, set in the same transaction as the sending)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Completion, QuestionnaireWindow
from groups.models import GroupMember
from rp_portal.emails import templated_email_send
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


def _send(window: QuestionnaireWindow, people, template: str) -> int:
    url = settings.SITE_URL + reverse("evaluation:answer", args=[window.pk])
    with get_connection() as connection:
        for person in people:
            templated_email_send(
                to=[person.email],
                template_prefix=template,
                connection=connection,
                context={
                    "window": window,
                    "group": window.plan.group,
                    "person": person,
                    "url": url,
                    "preferences_url": settings.SITE_URL + reverse("sessions:preferences"),
                    "reason": "member",
                },
            )
    return len(people)


def invitations_send(*, now=None) -> int:
    """Beat: invite members when a window opens (the pulse: only those who attended)."""
    now = now or timezone.now()
    sent = 0
    due = QuestionnaireWindow.objects.filter(
        invitations_sent_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    )
    for window_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            window = (
                QuestionnaireWindow.objects.select_for_update(of=("self",))
                .select_related("plan__group", "session")
                .get(pk=window_id)
            )
            if window.invitations_sent_at:
                continue
            window.invitations_sent_at = now
            window.save(update_fields=["invitations_sent_at"])
            sent += _send(window, _recipients(window), "emails/questionnaire_invitation")
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
        with transaction.atomic():
            window = (
                QuestionnaireWindow.objects.select_for_update(of=("self",))
                .select_related("plan__group", "session")
                .get(pk=window_id)
            )
            if window.reminder_sent_at:
                continue
            window.reminder_sent_at = now
            window.save(update_fields=["reminder_sent_at"])
            done = set(Completion.objects.filter(window=window).values_list("user_id", flat=True))
            sent += _send(
                window,
                [p for p in _recipients(window) if p.pk not in done],
                "emails/questionnaire_reminder",
            )
    return sent
