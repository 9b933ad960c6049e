from celery import shared_task

from privacy import services


# Idempotent (it deletes only what is past its period, so a second run deletes nothing): safe to
# acknowledge once done and to run again after a lost worker.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def apply_retention() -> dict[str, int]:
    return services.retention_apply()
