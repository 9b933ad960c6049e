"""Everything rp_portal holds about one person, for their subject access request.

Every query is filtered by the person (or by a pseudonym only they and the server can compute),
so nothing here can pick up anyone else's rows. Invitations the person sent are left out: they
hold other people's addresses.
"""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models import Completion, EvaluationPlan, QuestionnaireEmail, Response
from evaluation.services import response_pseudonym
from groups.models import (
    AgreementAcceptance,
    GroupMember,
    Invitation,
    Membership,
    PracticeGroup,
    TrainingRecord,
)
from journals.models import JournalEntry, SharedLearning
from journals.services import learning_pseudonym, read_entry
from onboarding.models import HiddenGuide
from rp_portal.audit.models import AuditEvent
from rp_portal.crypto import UnreadableText
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, PollAnswer, PollEmail, Reminder, SchedulePreference

# In the order they appear in the export, with the heading each one gets.
SECTIONS = {
    "profile": _("Profile"),
    "email_addresses": _("Email addresses"),
    "security": _("Two-factor authentication"),
    "sign_in_sessions": _("Signed-in devices"),
    "preferences": _("Reminder preferences"),
    "hidden_guides": _("First-visit guides you hid"),
    "memberships": _("Organisations and roles"),
    "groups": _("Groups"),
    "invitations": _("Invitations sent to you"),
    "agreement_acceptances": _("Group agreements you accepted"),
    "training_records": _("Training"),
    "bookings": _("Bookings and attendance"),
    "poll_answers": _("Answers to date polls"),
    "notices_sent": _("Emails sent to you about sessions"),
    "poll_emails": _("Emails sent to you about date polls"),
    "questionnaire_emails": _("Emails sent to you about questionnaires"),
    "journal_entries": _("Journal entries"),
    "shared_learning": _("Learning points you shared"),
    "questionnaires_completed": _("Questionnaires you completed"),
    "questionnaire_answers": _("Your questionnaire answers"),
    "documents": _("Documents built for you"),
    "audit_events": _("Things you did that were recorded"),
}


# Where the export puts each field that names a person ("app_label.Model.field" -> SECTIONS key).
# tests/privacy/test_personal_data_map.py walks every installed model for fields that name a
# person (a key to the user model, an email address, a pseudonym, the stored sign-in sessions,
# and keys to rows exported here) and fails on one that is in neither this nor NOT_EXPORTED.
EXPORTED = {
    "accounts.User.email": "profile",
    "account.EmailAddress.user": "email_addresses",
    "account.EmailAddress.email": "email_addresses",
    "mfa.Authenticator.user": "security",
    "usersessions.UserSession.user": "sign_in_sessions",
    "rp_sessions.SchedulePreference.user": "preferences",
    "onboarding.HiddenGuide.user": "hidden_guides",
    "groups.Membership.user": "memberships",
    "groups.GroupMember.user": "groups",
    "groups.Invitation.email": "invitations",
    "groups.Invitation.accepted_by": "invitations",
    "groups.AgreementAcceptance.user": "agreement_acceptances",
    "groups.TrainingRecord.user": "training_records",
    "rp_sessions.Booking.user": "bookings",
    "rp_sessions.PollAnswer.user": "poll_answers",
    "rp_sessions.Reminder.user": "notices_sent",
    "rp_sessions.PollEmail.user": "poll_emails",
    "evaluation.QuestionnaireEmail.user": "questionnaire_emails",
    "journals.JournalEntry.author": "journal_entries",
    "journals.SharedLearning.author_pseudonym": "shared_learning",
    "evaluation.Completion.user": "questionnaires_completed",
    "evaluation.Response.pseudonym": "questionnaire_answers",
    "evaluation.Score.response": "questionnaire_answers",
    "documents.DocumentBuild.owner": "documents",
    "audit.AuditEvent.actor": "audit_events",
}

# Fields that name a person but stay out of their export, each with the reason.
_ORGANISATION_RECORD = (
    "the organisation's own record (a group, session, series, poll, plan, agreement version or "
    "sign-off), which names the person only as the one who acted; the audit events they are the "
    "actor of are exported"
)
NOT_EXPORTED = {
    # Other people's data.
    "groups.Invitation.invited_by": "invitations the person sent hold other people's names and "
    "addresses",
    "groups.GroupMember.added_by": "the places of other people the person added to a group",
    "groups.TrainingRecord.recorded_by": "other people's training the person recorded",
    "journals.SharedLearning.hidden_by": "someone else's learning point the person hid as a "
    "facilitator",
    # The organisation's records, naming the person only as who acted.
    "groups.GroupPartner.invited_by": _ORGANISATION_RECORD,
    "groups.GroupPartner.responded_by": _ORGANISATION_RECORD,
    "groups.PracticeGroup.created_by": _ORGANISATION_RECORD,
    "groups.AgreementVersion.created_by": _ORGANISATION_RECORD,
    "groups.SignOff.signed_by": _ORGANISATION_RECORD,
    "rp_sessions.Series.created_by": _ORGANISATION_RECORD,
    "rp_sessions.GroupSession.created_by": _ORGANISATION_RECORD,
    "rp_sessions.GroupSession.closed_by": _ORGANISATION_RECORD,
    "rp_sessions.Poll.created_by": _ORGANISATION_RECORD,
    "evaluation.EvaluationPlan.created_by": _ORGANISATION_RECORD,
    "groups.Organisation.contact_email": "the address an organisation's admins publish for it: "
    "the organisation's data, even when it is someone's own address",
    # Framework tables.
    "account.EmailConfirmation.email_address": "allauth's pending check of an address: a secret "
    "key and when it was sent (the address itself is under email_addresses)",
    "sessions.Session.session_data": "the signed-in sessions themselves hold the account number "
    "and a secret; each is described under sign_in_sessions",
    "admin.LogEntry.user": "Django admin's log of what the operator's staff changed there, "
    "naming other people's records; members never use the admin site",
    "accounts.User_groups.user": "Django's permission groups: rp_portal gives them to nobody "
    "(roles are on memberships)",
    "accounts.User_user_permissions.user": "Django's permissions: rp_portal gives them to "
    "nobody (roles are on memberships)",
}


def _emails(user) -> list[str]:
    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return sorted({user.email.lower(), *(a.lower() for a in addresses)})


def invitations_to(user):
    """Invitations addressed to any of the person's email addresses, or accepted by them."""
    query = Q(accepted_by=user)
    for email in _emails(user):
        query |= Q(email__iexact=email)
    return Invitation.objects.filter(query)


def own_shared_learning(user):
    """The points this person shared, in any group, found by recomputing their pseudonym."""
    group_ids = SharedLearning.objects.values_list("group_id", flat=True).distinct()
    mine = [learning_pseudonym(user, group_id) for group_id in group_ids]
    return SharedLearning.objects.filter(author_pseudonym__in=mine)


def own_pseudonyms(user) -> dict[str, int]:
    """The person's questionnaire pseudonym for every plan that has responses: pseudonym -> plan id."""
    plans = EvaluationPlan.objects.filter(windows__responses__isnull=False).distinct().only("pk")
    return {response_pseudonym(user, plan): plan.pk for plan in plans}


def own_responses(user):
    return Response.objects.filter(pseudonym__in=list(own_pseudonyms(user)))


# Poll and questionnaire emails are of two kinds, both asking the person to answer.
_ASKING = {"invitation": _("An invitation to answer"), "reminder": _("A reminder to answer")}

_SESSION_EMAILS = {
    "new": _("A new session"),
    "changed": _("The session changed"),
    "cancelled": _("The session was cancelled"),
    "promoted": _("You got a place from the waiting list"),
    "post-session": _("An invitation to reflect on the session"),
}


def session_email_label(kind: str) -> str:
    """The ledger's kind in plain words: "before-48h" is a reminder 48 hours before, "changed-r3"
    the notice of the session's third version, "promoted-<time>" a place from the waiting list."""
    before = re.fullmatch(rf"{Reminder.BEFORE_START}(\d+)h", kind)
    if before:
        return str(_("A reminder %(hours)s hours before") % {"hours": before[1]})
    label = _SESSION_EMAILS.get(kind) or _SESSION_EMAILS.get(re.sub(r"-r?\d+$", "", kind))
    return str(label) if label else kind


def _journal_entries(user) -> list[dict]:
    rows = []
    entries = JournalEntry.objects.filter(author=user).select_related("session__group")
    for entry in entries.order_by("created_at", "id"):
        try:
            text = read_entry(entry)
        except UnreadableText:
            rows.append({"id": entry.pk, "created": entry.created_at, "unreadable": True})
            continue
        rows.append(
            {
                "id": entry.pk,
                "created": entry.created_at,
                "updated": entry.updated_at,
                "status": entry.status,
                "title": text.title,
                "tags": text.tags,
                "template": text.template_name,
                "session": entry.session.display_title if entry.session_id else "",
                "sections": [
                    {"title": s.get("title", ""), "text": s.get("text", "")} for s in text.sections
                ],
            }
        )
    return rows


def _questionnaire_answers(user) -> list[dict]:
    responses = (
        own_responses(user)
        .select_related("window__plan__group", "window__session")
        .prefetch_related("scores__measure")
        .order_by("window__opens_at", "id")
    )
    return [
        {
            "group": r.window.plan.group.name,
            "questionnaire": r.window.label,
            "scores": [
                {"measure": s.measure.name, "score": round(s.value, 2)} for s in r.scores.all()
            ],
            "comment": r.comment,
        }
        for r in responses
    ]


def subject_access_data(user) -> dict[str, object]:
    """Every section of SECTIONS, each a list of plain rows (the profile: one mapping)."""
    preference = SchedulePreference.objects.filter(user=user).first()
    plan_groups = dict(PracticeGroup.objects.values_list("pk", "name"))
    return {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "joined": user.date_joined,
            "last_sign_in": user.last_login,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        # The kind of each authenticator only: its secret stays out of any file.
        "security": [
            {"type": a.get_type_display(), "added": a.created_at, "last_used": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
        "sign_in_sessions": [
            {
                "ip": s.ip,
                "browser": s.user_agent,
                "since": s.created_at,
                "last_seen": s.last_seen_at,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "preferences": [
            {
                "reminder_hours_before": preference.lead_hours,
                "reminders_on": preference.reminders_enabled,
            }
        ]
        if preference
        else [],
        "hidden_guides": [
            {"guide": h.get_guide_display(), "hidden": h.hidden_at}
            for h in HiddenGuide.objects.filter(user=user).order_by("hidden_at", "id")
        ],
        "memberships": [
            {"organisation": m.organisation.name, "roles": m.role_labels, "joined": m.joined_at}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "groups": [
            {
                "group": m.group.name,
                "role": m.get_role_display(),
                "for_organisation": m.organisation.name,
                "rota_position": m.rota_position,
                "added": m.added_at,
            }
            for m in GroupMember.objects.filter(user=user).select_related("group", "organisation")
        ],
        "invitations": [
            {
                "organisation": i.organisation.name,
                "email": i.email,
                "name": i.name,
                "roles": i.role_labels,
                "status": i.status_label,
                "sent": i.created_at,
                "expires": i.expires_at,
            }
            for i in invitations_to(user).select_related("organisation").order_by("created_at")
        ],
        "agreement_acceptances": [
            {"group": a.version.group.name, "version": a.version.number, "accepted": a.accepted_at}
            for a in AgreementAcceptance.objects.filter(user=user).select_related("version__group")
        ],
        "training_records": [
            {"organisation": t.organisation.name, "completed_on": t.completed_on}
            for t in TrainingRecord.objects.filter(user=user).select_related("organisation")
        ],
        "bookings": [
            {
                "session": b.session.display_title,
                "starts": b.session.starts_at,
                "session_status": b.session.get_status_display(),
                "booking": b.get_status_display(),
                "attendance": b.get_attendance_display(),
                "walk_in": b.walk_in,
                "booked": b.created_at,
                "cancelled": b.cancelled_at,
            }
            for b in Booking.objects.filter(user=user)
            .select_related("session__group")
            .order_by("session__starts_at", "id")
        ],
        "poll_answers": [
            {
                "poll": a.option.poll.title,
                "option_starts": a.option.starts_at,
                "answer": a.get_answer_display(),
                "answered": a.answered_at,
            }
            for a in PollAnswer.objects.filter(user=user).select_related("option__poll")
        ],
        "notices_sent": [
            {
                "session": r.session.display_title,
                "message": session_email_label(r.kind),
                "sent": r.sent_at,
            }
            for r in Reminder.objects.filter(user=user)
            .select_related("session__group")
            .order_by("sent_at")
        ],
        "poll_emails": [
            {"poll": e.poll.title, "message": _ASKING.get(e.kind, e.kind), "sent": e.sent_at}
            for e in PollEmail.objects.filter(user=user).select_related("poll").order_by("sent_at")
        ],
        "questionnaire_emails": [
            {
                "group": e.window.plan.group.name,
                "questionnaire": e.window.label,
                "message": _ASKING.get(e.kind, e.kind),
                "sent": e.sent_at,
            }
            for e in QuestionnaireEmail.objects.filter(user=user)
            .select_related("window__plan__group", "window__session")
            .order_by("sent_at")
        ],
        "journal_entries": _journal_entries(user),
        "shared_learning": [
            {
                "group": plan_groups.get(item.group_id, ""),
                "text": item.text,
                "shared": item.created_at,
                "hidden_by_facilitator": item.hidden_at is not None,
            }
            for item in own_shared_learning(user).order_by("created_at")
        ],
        "questionnaires_completed": [
            {"group": c.window.plan.group.name, "questionnaire": c.window.label}
            for c in Completion.objects.filter(user=user)
            .select_related("window__plan__group", "window__session")
            .order_by("window__opens_at")
        ],
        "questionnaire_answers": _questionnaire_answers(user),
        "documents": [
            {"kind": d.kind, "status": d.get_status_display(), "requested": d.created_at}
            for d in DocumentBuild.objects.filter(owner=user).order_by("created_at")
        ],
        "audit_events": [
            {
                "action": e.action,
                "target": f"{e.target_type} {e.target_id}" if e.target_type else "",
                "organisation_id": e.organisation_id,
                "detail": e.detail,
                "at": e.created_at,
            }
            for e in AuditEvent.objects.filter(actor=user).order_by("created_at", "id")
        ],
    }
