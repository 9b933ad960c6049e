"""Thin Celery tasks: take ids, call one function in sessions.notices. All are idempotent."""

from datetime import datetime

from celery import shared_task

from rp_portal.celery import EMAIL_TASK_OPTIONS
from sessions import notices

# Every task here sends email. (evaluation.tasks uses the same options.)
IDEMPOTENT = EMAIL_TASK_OPTIONS


@shared_task(**IDEMPOTENT)
def send_session_notice(session_id: int, kind: str, revision: int) -> int:
    return notices.session_notice_send(session_id=session_id, kind=kind, revision=revision)


@shared_task(**IDEMPOTENT)
def send_promotion_notice(booking_id: int) -> bool:
    return notices.promotion_notice_send(booking_id=booking_id)


@shared_task(**IDEMPOTENT)
def send_post_session_messages(session_id: int) -> int:
    return notices.post_session_send(session_id=session_id)


@shared_task(**IDEMPOTENT)
def send_poll_invitation(poll_id: int) -> int:
    return notices.poll_invitation_send(poll_id=poll_id)


@shared_task(**IDEMPOTENT)
def send_due_reminders() -> int:
    return notices.reminders_send_due()


@shared_task(**IDEMPOTENT)
def send_reminder_batch(items: list[list], now: str) -> int:
    """``items``: [booking id, lead hours, the session's start (ISO 8601)]."""
    return notices.reminder_batch_send(
        items=[
            (booking_id, hours, datetime.fromisoformat(starts_at))
            for booking_id, hours, starts_at in items
        ],
        now=datetime.fromisoformat(now),
    )


@shared_task(**IDEMPOTENT)
def send_poll_reminders() -> int:
    return notices.poll_reminders_send()


@shared_task(**IDEMPOTENT)
def send_minimum_size_warnings() -> int:
    return notices.minimum_size_warnings_send()
