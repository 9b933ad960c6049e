from celery import shared_task

from evaluation import notices, services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def open_pulse_windows() -> int:
    return services.pulse_windows_open()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_questionnaire_invitations() -> int:
    return notices.invitations_send()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_questionnaire_reminders() -> int:
    return notices.reminders_send()
