from celery import shared_task

from groups.services import invitations


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_invitation_email(invitation_id: int) -> None:
    invitations.invitation_email_send(invitation_id=invitation_id)
