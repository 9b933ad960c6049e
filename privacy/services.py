"""Erasing a person's account, and the retention clean-up beat runs every night.

What erasure deletes and what it keeps (the page asking for confirmation says the same):

* deleted: the account, its email addresses, two-factor devices and signed-in sessions; journal
  entries and every export or other document built for the person; learning points they shared;
  memberships, group places, agreement acceptances, training records, poll answers, the
  reminder, poll email and questionnaire email ledger rows, hidden first-visit guides and
  preferences; invitations addressed to them; which questionnaires they completed (Completion
  rows). ERASURE below says it field by field.
* kept, anonymised: bookings of sessions (user emptied, one random ``erased_ref`` for all of the
  person's bookings, so attendance figures and counts of distinct people do not change);
  questionnaire responses and scores, moved to a fresh random pseudonym per plan (the baseline
  and follow-ups still pair up, but not even the pseudonym key leads back to the person); audit
  events (actor emptied); groups, sessions, polls and plans the person created (creator emptied).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Completion, QuestionnaireEmail, QuestionnaireWindow, Response
from groups.models import Invitation, Membership
from journals.models import JournalEntry
from privacy.selectors import invitations_to, own_pseudonyms, own_shared_learning
from rp_portal.accounts.models import User
from rp_portal.audit.models import AuditEvent
from rp_portal.audit.services import audit_log
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, GroupSession, Poll, PollEmail, Reminder
from sessions.services.bookings import waiting_list_promote

logger = logging.getLogger(__name__)

# Retention periods (docs/security.md, "Data protection", says why each is what it is).
COMPLETIONS_KEPT_AFTER_CLOSE = timedelta(days=90)
INVITATIONS_KEPT_AFTER_EXPIRY = timedelta(days=90)
AUDIT_EVENTS_KEPT = timedelta(days=2 * 365)
REMINDERS_KEPT_AFTER_SESSION = timedelta(days=90)
# Who was emailed about a date poll: kept as long as who was emailed about a questionnaire.
POLL_EMAILS_KEPT_AFTER_CLOSE = COMPLETIONS_KEPT_AFTER_CLOSE


# What erasure does with each field that names a person ("app_label.Model.field", the same keys
# as privacy.selectors.EXPORTED and NOT_EXPORTED). tests/privacy/test_personal_data_map.py fails
# on a field that names a person and is not here, and checks each fate on real rows.
DELETED = "deleted"
ANONYMISED = "kept, no longer leading to the person"
KEPT = "kept as it is"

_CASCADE = "the person's own row, deleted with the account (on_delete=CASCADE)"
_CREATOR = "the organisation's record stays for its other people; who acted is emptied (SET_NULL)"
ERASURE = {
    "accounts.User.email": (DELETED, "the account itself"),
    "account.EmailAddress.user": (DELETED, _CASCADE),
    "account.EmailAddress.email": (DELETED, _CASCADE),
    "account.EmailConfirmation.email_address": (DELETED, "CASCADE from the email address"),
    "mfa.Authenticator.user": (DELETED, _CASCADE),
    "usersessions.UserSession.user": (DELETED, "each signed-in session is ended first"),
    "sessions.Session.session_data": (DELETED, "ended with its UserSession, on every device"),
    "rp_sessions.SchedulePreference.user": (DELETED, _CASCADE),
    "onboarding.HiddenGuide.user": (DELETED, _CASCADE),
    "groups.Membership.user": (DELETED, _CASCADE),
    "groups.GroupMember.user": (DELETED, _CASCADE),
    "groups.Invitation.email": (DELETED, "invitations addressed to the person"),
    "groups.Invitation.accepted_by": (DELETED, "invitations the person accepted"),
    "groups.AgreementAcceptance.user": (DELETED, _CASCADE),
    "groups.TrainingRecord.user": (DELETED, _CASCADE),
    "rp_sessions.PollAnswer.user": (DELETED, _CASCADE),
    "rp_sessions.Reminder.user": (DELETED, _CASCADE),
    "rp_sessions.PollEmail.user": (DELETED, _CASCADE),
    "evaluation.QuestionnaireEmail.user": (DELETED, _CASCADE),
    "evaluation.Completion.user": (DELETED, "deleted first, with the answers re-pseudonymised"),
    "journals.JournalEntry.author": (DELETED, "deleted first"),
    "journals.SharedLearning.author_pseudonym": (DELETED, "found by the person's pseudonym"),
    "documents.DocumentBuild.owner": (DELETED, "deleted first, files included"),
    "admin.LogEntry.user": (DELETED, _CASCADE),
    "accounts.User_groups.user": (DELETED, _CASCADE),
    "accounts.User_user_permissions.user": (DELETED, _CASCADE),
    "rp_sessions.Booking.user": (
        ANONYMISED,
        "attendance figures stay: user emptied, one random erased_ref for all the person's "
        "bookings (places still to come are cancelled first)",
    ),
    "evaluation.Response.pseudonym": (
        ANONYMISED,
        "the group's figures stay: a fresh random pseudonym per plan, which not even the "
        "pseudonym key leads back from",
    ),
    "evaluation.Score.response": (ANONYMISED, "stays with its re-pseudonymised response"),
    "audit.AuditEvent.actor": (ANONYMISED, "the log stays complete; the actor is emptied"),
    "groups.Invitation.invited_by": (ANONYMISED, _CREATOR),
    "groups.GroupMember.added_by": (ANONYMISED, _CREATOR),
    "groups.TrainingRecord.recorded_by": (ANONYMISED, _CREATOR),
    "journals.SharedLearning.hidden_by": (ANONYMISED, _CREATOR),
    "groups.GroupPartner.invited_by": (ANONYMISED, _CREATOR),
    "groups.GroupPartner.responded_by": (ANONYMISED, _CREATOR),
    "groups.PracticeGroup.created_by": (ANONYMISED, _CREATOR),
    "groups.AgreementVersion.created_by": (ANONYMISED, _CREATOR),
    "groups.SignOff.signed_by": (ANONYMISED, _CREATOR),
    "rp_sessions.Series.created_by": (ANONYMISED, _CREATOR),
    "rp_sessions.GroupSession.created_by": (ANONYMISED, _CREATOR),
    "rp_sessions.GroupSession.closed_by": (ANONYMISED, _CREATOR),
    "rp_sessions.Poll.created_by": (ANONYMISED, _CREATOR),
    "evaluation.EvaluationPlan.created_by": (ANONYMISED, _CREATOR),
    # The organisation publishes it and its admins change it; an address there is theirs to
    # replace, and erasing one member's account must not leave the organisation without one.
    "groups.Organisation.contact_email": (KEPT, "the organisation's published contact address"),
}


def erasure_blockers(user: User) -> list[str]:
    """Reasons the account cannot be erased yet. An organisation must never be left without an
    admin, so its only admin hands over first."""
    other_admins = Membership.objects.filter(
        organisation=OuterRef("organisation"), is_admin=True
    ).exclude(user=user)
    sole = (
        Membership.objects.filter(user=user, is_admin=True)
        .annotate(has_other_admin=Exists(other_admins))
        .filter(has_other_admin=False)
        .select_related("organisation")
    )
    reasons = []
    for membership in sole:
        reasons.append(
            _(
                "You are the only admin of %(org)s. Make someone else an admin on its People "
                "page first (or ask the operator to close the organisation), then come back."
            )
            % {"org": membership.organisation.name}
        )
    return reasons


def _delete_documents(builds) -> int:
    count = 0
    for build in builds:
        if build.file:
            build.file.delete(save=False)
        build.delete()
        count += 1
    return count


def _release_places(user: User) -> None:
    """Places in sessions still to come go back to the group (to the first person waiting);
    the person's waiting-list spots are dropped."""
    now = timezone.now()
    upcoming = Booking.objects.filter(
        user=user,
        status__in=[Booking.Status.BOOKED, Booking.Status.WAITLISTED],
        session__status=GroupSession.Status.SCHEDULED,
    ).filter(Q(session__starts_at__gt=now) | Q(status=Booking.Status.WAITLISTED))
    for booking in upcoming.select_related("session"):
        session = GroupSession.objects.select_for_update(of=("self",)).get(pk=booking.session_id)
        was_booked = booking.status == Booking.Status.BOOKED
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=now
        )
        if was_booked and session.starts_at > now:
            waiting_list_promote(session=session)


@dataclass
class ErasureResult:
    bookings_anonymised: int
    responses_kept: int


@transaction.atomic
def account_erase(*, user: User) -> ErasureResult:
    """Erase a person's account (the view has re-authenticated them and had them confirm)."""
    blockers = erasure_blockers(user)
    if blockers:
        raise ValidationError(blockers)
    # Lock the row, but keep working on the caller's object: deleting it empties its pk, so a
    # sign-out recorded afterwards for the same object (request.user) names nobody.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    user_id = user.pk

    _delete_documents(DocumentBuild.objects.filter(owner=user))
    JournalEntry.objects.filter(author=user).delete()
    own_shared_learning(user).delete()

    # Answers stay for the group's figures, under a new random pseudonym per plan: nothing, not
    # even the pseudonym key, ties them to this person any more.
    responses_kept = 0
    for old in own_pseudonyms(user):
        responses_kept += Response.objects.filter(pseudonym=old).update(
            pseudonym=secrets.token_hex(32)
        )
    Completion.objects.filter(user=user).delete()

    _release_places(user)
    erased_ref = secrets.token_hex(16)
    anonymised = Booking.objects.filter(user=user).update(user=None, erased_ref=erased_ref)

    invitations_to(user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()

    # Memberships, group places, acceptances, training, poll answers, the reminder, poll email
    # and questionnaire email ledgers, hidden guides, preferences, email addresses and
    # authenticators go with the account (on_delete=CASCADE); what the person created for an organisation stays with an empty
    # creator (SET_NULL).
    user.delete()
    audit_log(actor=None, action="account.erase", user_id=user_id, bookings_anonymised=anonymised)
    logger.info("account %s erased", user_id)
    return ErasureResult(bookings_anonymised=anonymised, responses_kept=responses_kept)


@transaction.atomic
def retention_apply(*, now=None) -> dict[str, int]:
    """Beat, nightly: delete what has passed its retention period. Idempotent: a second run
    finds nothing left to delete."""
    now = now or timezone.now()
    closed_windows = QuestionnaireWindow.objects.filter(
        closes_at__lt=now - COMPLETIONS_KEPT_AFTER_CLOSE
    )
    deleted = {
        "completions": Completion.objects.filter(window__in=closed_windows).delete()[0],
        # Who was emailed about a questionnaire: kept as long as who answered it.
        "questionnaire_emails": QuestionnaireEmail.objects.filter(
            window__in=closed_windows
        ).delete()[0],
        "invitations": Invitation.objects.filter(
            accepted_at__isnull=True, expires_at__lt=now - INVITATIONS_KEPT_AFTER_EXPIRY
        ).delete()[0],
        "audit_events": AuditEvent.objects.filter(created_at__lt=now - AUDIT_EVENTS_KEPT).delete()[
            0
        ],
        "reminders": Reminder.objects.filter(
            session__ends_at__lt=now - REMINDERS_KEPT_AFTER_SESSION
        ).delete()[0],
        # A poll sends nothing once it has closed (or was closed early, or became a session).
        "poll_emails": PollEmail.objects.filter(
            poll__in=Poll.objects.filter(closes_at__lt=now - POLL_EMAILS_KEPT_AFTER_CLOSE)
        ).delete()[0],
    }
    logger.info("retention: %s", deleted)
    return deleted
