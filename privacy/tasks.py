from celery import shared_task

from privacy import services


# Idempotent: it deletes only what is past its period, so a second run deletes nothing.
@shared_task
def apply_retention() -> dict[str, int]:
    return services.retention_apply()
