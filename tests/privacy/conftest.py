"""Two people in the same group with data in every part of rp_portal, each marked with their own
string, so a test can tell whose data an export or a table holds."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from evaluation.library import ensure_library
from evaluation.models import EvaluationPlan, Measure, QuestionnaireEmail, QuestionnaireWindow
from evaluation.services import measures_for_window, plan_save, response_submit
from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Invitation,
    Organisation,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from journals.models import SharedLearning
from journals.services import learning_share
from onboarding.models import GuideKind
from onboarding.services import guide_hide
from rp_portal.audit.services import audit_log
from rp_portal.documents.models import DocumentBuild
from sessions.models import (
    Booking,
    GroupSession,
    Poll,
    PollAnswer,
    PollEmail,
    PollOption,
    Reminder,
    Series,
)
from sessions.selectors import preference_of
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
)
from tests.journals.support import write

SUBJECT = "qzsubjectmark"
OTHER = "qzothermark"


@dataclass
class Privacy:
    org: object
    group: object
    facilitator: object
    subject: object  # the person asking for their data, or erasing their account
    other: object  # a member of the same group, whose data must never appear in the subject's
    held: GroupSession  # a held session both attended
    upcoming: GroupSession  # a session still to come, both booked
    window: QuestionnaireWindow  # the baseline, open, both answered


def _person(org, group, mark: str):
    user = MembershipFactory(
        organisation=org,
        user__email=f"{mark}@example.test",
        user__display_name=f"Person {mark.capitalize()}",
    ).user
    GroupMemberFactory(group=group, user=user)
    AgreementAcceptance.objects.create(version=group.agreement_versions.first(), user=user)
    return user


def _session(group, *, starts_at, status=GroupSession.Status.SCHEDULED) -> GroupSession:
    return GroupSession.objects.create(
        organisation=group.host,
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        capacity=2,
        online_link="https://meet.example.test/rp",
        status=status,
        held_at=timezone.now() if status == GroupSession.Status.HELD else None,
    )


def give_data(p: Privacy, user, mark: str) -> None:
    """Something of ``user``'s in every section of the export, marked with ``mark``."""
    other_org = OrganisationFactory(name=f"Inviting org {mark}")
    Invitation.objects.create(
        organisation=other_org,
        email=user.email,
        name=f"Invited {mark}",
        is_practitioner=True,
        expires_at=timezone.now() + timedelta(days=14),
    )
    TrainingRecord.objects.create(
        user=user, organisation=p.org, completed_on=timezone.localdate() - timedelta(days=30)
    )
    Booking.objects.create(session=p.held, user=user, status="booked", attendance="present")
    Booking.objects.create(session=p.upcoming, user=user, status="booked")
    write(user, title=f"My entry {mark}", tags=[f"tag{mark}"], texts=[f"I wrote {mark} here."])
    learning_share(author=user, group_id=p.group.pk, text=f"Shared point {mark}")
    answers = {
        f"{m.pk}:{item['key']}": "3" for m in measures_for_window(p.window) for item in m.items
    }
    response_submit(window=p.window, user=user, answers=answers, comment=f"Comment {mark}")
    poll = Poll.objects.filter(group=p.group).first() or Poll.objects.create(
        group=p.group, title="When next?", closes_at=timezone.now() + timedelta(days=3)
    )
    option = poll.options.first() or PollOption.objects.create(
        poll=poll, starts_at=timezone.now() + timedelta(days=10), duration_minutes=90
    )
    PollAnswer.objects.create(option=option, user=user, answer="yes")
    PollEmail.objects.create(poll=poll, user=user, kind="invitation")
    QuestionnaireEmail.objects.create(window=p.window, user=user, kind="reminder")
    guide_hide(user=user, guide=GuideKind.PRACTITIONER)
    Reminder.objects.create(session=p.upcoming, user=user, kind=f"new-r{len(mark)}")
    preference_of(user)
    UserSession.objects.create(
        user=user, ip="192.0.2.10", user_agent=f"Browser {mark}", session_key=f"key{mark}"
    )
    # Stored as production stores it: encrypted by our MFA adapter.
    Authenticator.objects.create(user=user, type="recovery_codes", data={"seed": encrypt(mark)})
    audit_log(actor=user, action="test.something", detail_mark=mark)


def give_records(p: Privacy, user) -> None:
    """``user`` as the one who acted on the organisation's records, and in Django's and
    allauth's own tables: with give_data, a row in every field that names a person."""
    now = timezone.now()
    later = now + timedelta(days=14)
    partner = OrganisationFactory(name="Partner org")
    PracticeGroup.objects.filter(pk=PracticeGroupFactory(host=p.org).pk).update(created_by=user)
    AgreementVersion.objects.filter(group=p.group).update(created_by=user)
    GroupPartner.objects.create(
        group=p.group, organisation=partner, status="accepted", invited_by=user,
        responded_by=user, responded_at=now,
    )  # fmt: skip
    SignOff.objects.create(group=p.group, organisation=p.org, signed_by=user)
    GroupMember.objects.filter(group=p.group, user=p.other).update(added_by=user)
    TrainingRecord.objects.filter(user=p.other).update(recorded_by=user)
    SharedLearning.objects.filter(text__contains=OTHER).update(hidden_at=now, hidden_by=user)
    Invitation.objects.create(
        organisation=p.org, email="someone.else@example.test", is_practitioner=True,
        invited_by=user, expires_at=later,
    )  # fmt: skip
    Invitation.objects.create(
        organisation=partner, email="an.old.address@example.test", is_practitioner=True,
        accepted_by=user, accepted_at=now, expires_at=later,
    )  # fmt: skip
    Series.objects.create(
        group=p.group, rrule="FREQ=MONTHLY", first_start=later, duration_minutes=90,
        created_by=user,
    )  # fmt: skip
    GroupSession.objects.filter(pk=p.held.pk).update(created_by=user, closed_by=user)
    Poll.objects.filter(group=p.group).update(created_by=user)
    EvaluationPlan.objects.filter(group=p.group).update(created_by=user)
    Organisation.objects.filter(pk=p.org.pk).update(contact_email=user.email)
    address, _ = EmailAddress.objects.get_or_create(user=user, email=user.email)
    EmailConfirmation.objects.create(email_address=address, key=secrets.token_hex(16), sent=now)
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(p.org.pk), object_repr=p.org.name, action_flag=CHANGE,
    )  # fmt: skip
    DocumentBuild.objects.create(kind="journal-pdf", owner=user, inputs_hash="0" * 64)
    user.groups.add(Group.objects.create(name="Operator staff"))
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))


@pytest.fixture
def privacy(db) -> Privacy:
    ensure_library()
    org = OrganisationFactory(name="Riverside")
    group = PracticeGroupFactory(host=org, name="Team RP")
    MembershipFactory(organisation=org, is_admin=True, is_practitioner=False)
    facilitator = MembershipFactory(organisation=org, is_facilitator=True).user
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    subject = _person(org, group, SUBJECT)
    other = _person(org, group, OTHER)
    held = _session(group, starts_at=timezone.now() - timedelta(days=3), status="held")
    upcoming = _session(group, starts_at=timezone.now() + timedelta(days=7))
    measure = Measure.objects.filter(organisation=None, use=Measure.Use.ANY).first()
    plan = plan_save(
        group=group,
        actor=facilitator,
        measures=[measure],
        baseline_opens=timezone.localdate(),
        follow_up_months=[3],
        pulse=False,
    )
    window = plan.windows.get(kind=QuestionnaireWindow.Kind.BASELINE)
    QuestionnaireWindow.objects.filter(pk=window.pk).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=7)
    )
    window.refresh_from_db()
    p = Privacy(org, group, facilitator, subject, other, held, upcoming, window)
    give_data(p, subject, SUBJECT)
    give_data(p, other, OTHER)
    return p


@pytest.fixture
def media(settings, tmp_path):
    """Document builds write their files here."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
