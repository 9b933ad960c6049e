"""Thin Celery tasks for the questionnaire schedule (beat). Each is idempotent."""

from celery import shared_task

from evaluation import notices, services
from rp_portal.celery import EMAIL_TASK_OPTIONS, IDEMPOTENT_TASK_OPTIONS


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def open_pulse_windows() -> int:
    return services.pulse_windows_open()


@shared_task(**EMAIL_TASK_OPTIONS)
def send_questionnaire_invitations() -> int:
    return notices.invitations_send()


@shared_task(**EMAIL_TASK_OPTIONS)
def send_questionnaire_reminders() -> int:
    return notices.reminders_send()
