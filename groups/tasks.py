from celery import shared_task

from groups.services import invitations
from rp_portal.celery import EMAIL_TASK_OPTIONS


@shared_task(**EMAIL_TASK_OPTIONS)
def send_invitation_email(invitation_id: int) -> None:
    invitations.invitation_email_send(invitation_id=invitation_id)
