"""Thin Celery tasks for the questionnaire schedule (beat). Each is idempotent."""

from celery import shared_task

from evaluation import notices, services
from sessions.tasks import IDEMPOTENT


@shared_task(**IDEMPOTENT)
def open_pulse_windows() -> int:
    return services.pulse_windows_open()


@shared_task(**IDEMPOTENT)
def send_questionnaire_invitations() -> int:
    return notices.invitations_send()


@shared_task(**IDEMPOTENT)
def send_questionnaire_reminders() -> int:
    return notices.reminders_send()
