from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import ROLE_FIELDS, Invitation, Membership, Organisation
from rp_portal.accounts.validators import validate_plain_name
from rp_portal.audit.services import audit_log
from rp_portal.emails import templated_email_send

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=14)
_SALT = "rp_portal.groups.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("groups:invitation", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation | None:
    try:
        pk, nonce = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk, nonce=nonce).first()


def _emails_of(user) -> set[str]:
    addresses = {user.email.lower()}
    addresses.update(
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return addresses


def _clean(email: str, name: str, roles: dict[str, bool]) -> tuple[str, str]:
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors = []
    try:
        validate_email(email)
    except ValidationError:
        errors.append(_("“%(email)s” is not an email address.") % {"email": email[:100]})
    if len(name) > 150:
        errors.append(_("The name is longer than 150 characters."))
    else:
        try:
            validate_plain_name(name)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if not any(roles.get(f) for f in ROLE_FIELDS):
        errors.append(_("Choose at least one role."))
    if errors:
        raise ValidationError(errors)
    return email, name


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, name: str = "", roles: dict[str, bool], invited_by
) -> Invitation:
    """Invite one person. Inviting the same address again replaces the earlier link."""
    email, name = _clean(email, name, roles)
    already = Membership.objects.filter(
        organisation=organisation, user__email__iexact=email
    ).exists() or (
        Membership.objects.filter(
            organisation=organisation, user__emailaddress__email__iexact=email
        ).exists()
    )
    if already:
        raise ValidationError(
            _("%(email)s is already a member. Change their roles on the People page instead.")
            % {"email": email}
        )
    now = timezone.now()
    replaced = Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        name=name,
        invited_by=invited_by,
        expires_at=now + INVITATION_LIFETIME,
        **{f: bool(roles.get(f)) for f in ROLE_FIELDS},
    )
    audit_log(
        actor=invited_by, action="invitation.create", target=invitation,
        organisation_id=organisation.pk, replaced=replaced,
    )  # fmt: skip
    from groups.tasks import send_invitation_email

    send_invitation_email.delay_on_commit(invitation.pk)
    invitation.replaced_earlier = bool(replaced)
    return invitation


@dataclass
class RowProblem:
    line: int
    text: str
    messages: list[str]
    source: str = ""


@dataclass
class BulkResult:
    created: list[Invitation] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def invitations_create_many(*, organisation: Organisation, rows, invited_by) -> BulkResult:
    """Invite every good row; report each bad row by its line number. Good rows are kept."""
    result = BulkResult()
    seen: set[str] = set()
    for row in rows:
        address = row.email.strip().lower()
        if not row.error and address in seen:
            row.error = _("This address is already in the list above; it is invited once.")
        seen.add(address)
        if row.error:
            result.problems.append(RowProblem(row.line, row.text, [row.error], row.source))
            continue
        try:
            with transaction.atomic():
                invitation = invitation_create(
                    organisation=organisation, email=row.email, name=row.name,
                    roles=row.roles, invited_by=invited_by,
                )  # fmt: skip
        except ValidationError as exc:
            result.problems.append(RowProblem(row.line, row.text, exc.messages, row.source))
        else:
            result.created.append(invitation)
    return result


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(
            _("This invitation is already %(status)s.") % {"status": invitation.status_label}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(
        actor=actor,
        action="invitation.revoke",
        target=invitation,
        organisation_id=invitation.organisation_id,
    )
    return invitation


def invitation_problem(invitation: Invitation | None) -> str:
    """Why a link cannot be used, in words for the person holding it; '' when it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied all of it.")
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        return _("This invitation has already been used. Sign in to reach %(org)s.") % {
            "org": invitation.organisation.name
        }
    if status == Invitation.Status.REVOKED:
        return _(
            "This invitation was withdrawn or replaced by a newer one. Use the newest email you "
            "received, or ask %(org)s to invite you again."
        ) % {"org": invitation.organisation.name}
    if status == Invitation.Status.EXPIRED:
        return _("This invitation has expired. Ask %(org)s to invite you again.") % {
            "org": invitation.organisation.name
        }
    return ""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if invitation.email.lower() not in _emails_of(user):
        raise ValidationError(
            _(
                "This invitation was sent to %(email)s, but you are signed in as %(you)s. Sign out "
                "and accept it with that address, or add it to your account under Email addresses."
            )
            % {"email": invitation.email, "you": user.email}
        )
    # Following the emailed link proves the person controls the address.
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    membership, created = Membership.objects.select_for_update().get_or_create(
        organisation=invitation.organisation,
        user=user,
        defaults=invitation.role_values(),
    )
    if not created:
        for f in ROLE_FIELDS:
            setattr(membership, f, getattr(membership, f) or getattr(invitation, f))
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(
        actor=user,
        action="invitation.accept",
        target=invitation,
        organisation_id=invitation.organisation_id,
    )
    return membership


@transaction.atomic
def invitation_accept_with_signup(*, invitation: Invitation, display_name: str, password: str):
    """Create the account for the invited address (the link proves it) and accept."""
    user_model = get_user_model()
    if account_exists_for(invitation.email):
        raise ValidationError(
            _("An account already uses %(email)s. Sign in to accept.") % {"email": invitation.email}
        )
    user = user_model(email=invitation.email.lower(), display_name=display_name.strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_email_send(*, invitation_id: int) -> bool:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at or invitation.status != Invitation.Status.PENDING:
        return False
    templated_email_send(
        to=[invitation.email],
        template_prefix="emails/invitation",
        context={"invitation": invitation, "url": invitation_url(invitation)},
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    logger.info("invitation %s sent", invitation.pk)
    return True


def account_exists_for(email: str) -> bool:
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )
