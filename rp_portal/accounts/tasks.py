from celery import shared_task
from django.core.management import call_command

from rp_portal.accounts import services
from rp_portal.celery import EMAIL_TASK_OPTIONS, IDEMPOTENT_TASK_OPTIONS


@shared_task(**EMAIL_TASK_OPTIONS)
def send_welcome_email(user_id: int) -> None:
    services.welcome_email_send(user_id=user_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def clear_expired_sessions() -> None:
    call_command("clearsessions")
