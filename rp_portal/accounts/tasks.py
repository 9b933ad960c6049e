from celery import shared_task
from django.core.management import call_command

from rp_portal.accounts import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_welcome_email(user_id: int) -> None:
    services.welcome_email_send(user_id=user_id)


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
