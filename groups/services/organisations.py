from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import ROLE_FIELDS, GroupMember, Membership, Organisation
from rp_portal.audit.services import audit_log


@transaction.atomic
def organisation_create(
    *, creator, name: str, description: str = "", contact_email: str = ""
) -> Organisation:
    """A signed-in person creates an organisation and becomes its first admin."""
    organisation = Organisation(
        name=name.strip(), description=description.strip(), contact_email=contact_email
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=creator, is_admin=True)
    audit_log(
        actor=creator,
        action="organisation.create",
        target=organisation,
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor, **fields) -> Organisation:
    allowed = {"name", "description", "contact_email", "logo", "accent_colour"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValueError(f"{key} cannot be changed here")
        setattr(organisation, key, value)
    organisation.full_clean()
    organisation.save()
    audit_log(
        actor=actor, action="organisation.update", target=organisation,
        organisation_id=organisation.pk, fields=sorted(fields),
    )  # fmt: skip
    return organisation


def _admin_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, is_admin=True).count()


@transaction.atomic
def membership_update_roles(*, membership: Membership, actor, roles: dict[str, bool]) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not any(roles.get(field) for field in ROLE_FIELDS):
        raise ValidationError(
            _("Choose at least one role. To take someone out, remove them instead.")
        )
    if membership.is_admin and not roles.get("is_admin"):
        # Lock the organisation's admins so two admins cannot demote each other at once.
        admins = list(
            Membership.objects.select_for_update().filter(
                organisation_id=membership.organisation_id, is_admin=True
            )
        )
        if len(admins) <= 1:
            raise ValidationError(
                _("This is the organisation's only admin. Make someone else an admin first.")
            )
    for field in ROLE_FIELDS:
        setattr(membership, field, bool(roles.get(field)))
    membership.save()
    audit_log(
        actor=actor, action="membership.roles", target=membership,
        organisation_id=membership.organisation_id, roles=[f for f in ROLE_FIELDS if roles.get(f)],
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_admin:
        admins = list(
            Membership.objects.select_for_update().filter(
                organisation_id=membership.organisation_id, is_admin=True
            )
        )
        if len(admins) <= 1:
            raise ValidationError(
                _(
                    "This is the organisation's only admin, so they cannot be removed. Make someone else an admin first."
                )
            )
    # Their places in groups they took part in for this organisation end too.
    GroupMember.objects.filter(
        user_id=membership.user_id, organisation_id=membership.organisation_id
    ).delete()
    audit_log(
        actor=actor, action="membership.remove", target=membership,
        organisation_id=membership.organisation_id, user_id=membership.user_id,
    )  # fmt: skip
    membership.delete()
