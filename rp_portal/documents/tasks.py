from celery import shared_task

from rp_portal.documents import services


# Idempotent: the claim in document_build makes a redelivered task a no-op.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=150)
def build_document(build_id: int) -> bool:
    return services.document_build(build_id=build_id)


@shared_task
def clean_up_documents() -> int:
    return services.documents_clean_up()
