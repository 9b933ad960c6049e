from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from rp_portal.accounts.models import User
from rp_portal.emails import templated_email_send

logger = logging.getLogger(__name__)


@transaction.atomic
def user_profile_update(*, user: User, display_name: str, time_zone: str) -> User:
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name", "time_zone"])
    return user


def welcome_email_enqueue(*, user: User) -> None:
    """Queue the welcome email; it is sent only if the surrounding transaction commits."""
    from rp_portal.accounts.tasks import send_welcome_email

    if user.welcomed_at is None:
        send_welcome_email.delay_on_commit(user.pk)


@transaction.atomic
def welcome_email_send(*, user_id: int) -> bool:
    """Send the welcome email once. Returns False when there is nothing to send.

    The row lock makes a redelivered task wait for the first one and then find the email sent.
    """
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or user.welcomed_at is not None:
        return False
    templated_email_send(
        to=[user.email],
        template_prefix="emails/welcome",
        context={"user": user},
    )
    user.welcomed_at = timezone.now()
    user.save(update_fields=["welcomed_at"])
    logger.info("welcome email sent to user %s", user.pk)
    return True


def user_sessions_end_all(*, user: User) -> int:
    """End every sign-in session of a person (each browser or device). Returns how many ended.

    Sessions are found through allauth's list of signed-in devices, which records each sign-in.
    """
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)
