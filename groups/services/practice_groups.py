from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.guidance import DEFAULT_AGREEMENT
from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Membership,
    Organisation,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from groups.permissions import GroupAccess
from rp_portal.audit.services import audit_log


def _log(actor, action: str, group: PracticeGroup, target=None, **detail) -> None:
    audit_log(
        actor=actor, action=action, target=target or group, organisation_id=group.host_id,
        group_id=group.pk, **detail,
    )  # fmt: skip


@transaction.atomic
def group_create(
    *,
    host: Organisation,
    creator,
    name: str,
    purpose: str,
    structure: str,
    facilitation_model: str = "",
) -> PracticeGroup:
    group = PracticeGroup(
        host=host, name=name.strip(), purpose=purpose.strip(), structure=structure,
        facilitation_model=facilitation_model, created_by=creator,
    )  # fmt: skip
    group.full_clean()
    group.save()
    AgreementVersion.objects.create(
        group=group, number=1, text=str(DEFAULT_AGREEMENT), created_by=creator
    )
    creator_membership = Membership.objects.filter(organisation=host, user=creator).first()
    if creator_membership and creator_membership.is_facilitator:
        GroupMember.objects.create(
            group=group,
            user=creator,
            organisation=host,
            role=GroupMember.Role.FACILITATOR,
            added_by=creator,
        )
    _log(creator, "group.create", group, structure=structure)
    return group


@transaction.atomic
def group_update(*, group: PracticeGroup, actor, **fields) -> PracticeGroup:
    allowed = {
        "name",
        "purpose",
        "structure",
        "facilitation_model",
        "aims",
        "objectives",
        "frequency",
        "usual_place",
    }
    structure_before = group.structure
    for key, value in fields.items():
        if key not in allowed:
            raise ValueError(f"{key} cannot be changed here")
        setattr(group, key, value.strip() if isinstance(value, str) else value)
    if group.structure != structure_before:
        # Kept so that figures of quarters already over still count the group as it was.
        group.structure_history = [
            *group.structure_history,
            {"structure": structure_before, "until": timezone.now().isoformat()},
        ]
    leaving_multi_agency = (
        "structure" in fields and fields["structure"] != PracticeGroup.Structure.MULTI_AGENCY
    )
    if (
        leaving_multi_agency
        and group.partners.exclude(status=GroupPartner.Status.DECLINED).exists()
    ):
        raise ValidationError(
            _("This group has partner organisations. Only a multi-agency group can have partners.")
        )
    group.full_clean()
    group.save()
    _log(actor, "group.update", group, fields=sorted(fields))
    return group


@transaction.atomic
def group_partner_invite(*, access: GroupAccess, partner_code: str, actor) -> GroupPartner:
    group = access.group
    if not group.is_multi_agency:
        raise ValidationError(_("Only a multi-agency group can have partner organisations."))
    code = partner_code.strip().upper()
    organisation = Organisation.objects.filter(partner_code=code).first()
    if organisation is None:
        raise ValidationError(
            _("No organisation has the partner code “%(code)s”. Check it with the partner's admin.")
            % {"code": code[:20]}
        )
    if organisation.pk == group.host_id:
        raise ValidationError(_("That is this group's own organisation."))
    partner, created = GroupPartner.objects.get_or_create(
        group=group, organisation=organisation, defaults={"invited_by": actor}
    )
    if not created:
        if partner.status != GroupPartner.Status.DECLINED:
            raise ValidationError(_("%(org)s is already invited.") % {"org": organisation.name})
        partner.status = GroupPartner.Status.INVITED
        partner.invited_by, partner.invited_at = actor, timezone.now()
        partner.responded_by = partner.responded_at = None
        partner.save()
    _log(actor, "group.partner_invite", group, target=partner, partner_org=organisation.pk)
    return partner


@transaction.atomic
def group_partner_respond(*, partner: GroupPartner, actor, accept: bool) -> GroupPartner:
    partner = GroupPartner.objects.select_for_update().get(pk=partner.pk)
    if partner.status != GroupPartner.Status.INVITED:
        raise ValidationError(_("This request has already been answered."))
    partner.status = GroupPartner.Status.ACCEPTED if accept else GroupPartner.Status.DECLINED
    partner.responded_by, partner.responded_at = actor, timezone.now()
    partner.save()
    _log(actor, "group.partner_respond", partner.group, target=partner, accepted=accept)
    return partner


@transaction.atomic
def group_member_add(
    *, access: GroupAccess, membership: Membership, role: str, actor
) -> GroupMember:
    """Add a person from one of the taking-part organisations."""
    group = access.group
    if membership.organisation_id not in access.participating_org_ids:
        raise ValidationError(_("That person's organisation is not taking part in this group."))
    if role not in GroupMember.Role.values:
        raise ValidationError(_("Choose facilitator or member."))
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(
                group=group, user_id=membership.user_id, organisation_id=membership.organisation_id,
                role=role, added_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already in this group.") % {"name": membership.user}
        ) from None
    _log(actor, "group.member_add", group, target=member, role=role)
    return member


@transaction.atomic
def group_member_update(*, member: GroupMember, actor, role: str) -> GroupMember:
    if role not in GroupMember.Role.values:
        raise ValidationError(_("Choose facilitator or member."))
    member.role = role
    member.save(update_fields=["role"])
    _log(actor, "group.member_role", member.group, target=member, role=role)
    return member


@transaction.atomic
def group_member_remove(*, member: GroupMember, actor) -> None:
    _log(actor, "group.member_remove", member.group, target=member, user_id=member.user_id)
    member.delete()


@transaction.atomic
def training_record(*, member: GroupMember, actor, completed_on: date) -> TrainingRecord:
    if completed_on > timezone.localdate():
        raise ValidationError(_("The workshop date cannot be in the future."))
    record, _created = TrainingRecord.objects.update_or_create(
        user_id=member.user_id,
        organisation_id=member.organisation_id,
        defaults={"completed_on": completed_on, "recorded_by": actor},
    )
    _log(actor, "training.record", member.group, target=record, user_id=member.user_id)
    return record


@transaction.atomic
def rota_set(*, group: PracticeGroup, actor, member_ids: list[int]) -> None:
    """Peer facilitation: the given trained members take turns in this order."""
    members = {m.pk: m for m in GroupMember.objects.select_for_update().filter(group=group)}
    unknown = [pk for pk in member_ids if pk not in members]
    if unknown or len(set(member_ids)) != len(member_ids):
        raise ValidationError(
            _("The rota lists someone who is not in this group, or someone twice.")
        )
    trained = set(
        TrainingRecord.objects.filter(
            user_id__in=[members[pk].user_id for pk in member_ids]
        ).values_list("user_id", flat=True)
    )
    untrained = [members[pk].user.name for pk in member_ids if members[pk].user_id not in trained]
    if untrained:
        raise ValidationError(
            _("Only trained members can facilitate. Not trained yet: %(names)s.")
            % {"names": ", ".join(untrained)}
        )
    GroupMember.objects.filter(group=group).update(rota_position=None)
    for position, pk in enumerate(member_ids, start=1):
        GroupMember.objects.filter(pk=pk).update(rota_position=position)
    _log(actor, "group.rota", group, size=len(member_ids))


@transaction.atomic
def sign_off_record(*, access: GroupAccess, organisation_id: int, actor, note: str = "") -> SignOff:
    group = access.group
    if organisation_id not in access.sign_off_org_ids:
        raise ValidationError(
            _("Only a manager or admin of a taking-part organisation can sign off for it.")
        )
    if len(note) > 500:
        raise ValidationError(_("Keep the note under 500 characters."))
    sign_off, created = SignOff.objects.get_or_create(
        group=group, organisation_id=organisation_id,
        defaults={"signed_by": actor, "note": note.strip()},
    )  # fmt: skip
    if not created:
        raise ValidationError(_("Your organisation has already signed off this group."))
    _log(actor, "group.sign_off", group, target=sign_off, for_org=organisation_id)
    return sign_off


@transaction.atomic
def agreement_update(*, group: PracticeGroup, actor, text: str) -> AgreementVersion:
    """A changed agreement is a new version, which every member must accept again."""
    text = text.strip()
    if not text:
        raise ValidationError(_("The agreement cannot be empty."))
    latest = (
        AgreementVersion.objects.select_for_update().filter(group=group).order_by("-number").first()
    )
    if latest and latest.text == text:
        raise ValidationError(_("Nothing has changed, so members are not asked again."))
    number = (AgreementVersion.objects.filter(group=group).aggregate(n=Max("number"))["n"] or 0) + 1
    version = AgreementVersion(group=group, number=number, text=text, created_by=actor)
    version.full_clean()
    version.save()
    _log(actor, "group.agreement_update", group, target=version, number=number)
    return version


@transaction.atomic
def agreement_accept(*, access: GroupAccess, user, version_id: int) -> AgreementAcceptance:
    group = access.group
    if not access.is_member:
        raise ValidationError(_("Only members of the group accept its agreement."))
    latest = AgreementVersion.objects.filter(group=group).order_by("-number").first()
    if latest is None or latest.pk != version_id:
        raise ValidationError(
            _(
                "The agreement changed while you were reading it. Please read the new version and accept that."
            )
        )
    acceptance, _created = AgreementAcceptance.objects.get_or_create(version=latest, user=user)
    _log(user, "group.agreement_accept", group, target=acceptance, number=latest.number)
    return acceptance


@transaction.atomic
def ownership_record(*, group: PracticeGroup, actor, note: str) -> PracticeGroup:
    note = note.strip()
    if not note:
        raise ValidationError(
            _("Say what the group decided, e.g. “First Tuesday of the month, 2pm, Room 4”.")
        )
    if len(note) > 2000:
        raise ValidationError(_("Keep it under 2,000 characters."))
    group.ownership_note = note
    group.ownership_decided_at = timezone.now()
    group.save(update_fields=["ownership_note", "ownership_decided_at"])
    _log(actor, "group.ownership", group)
    return group


@transaction.atomic
def group_start(*, group: PracticeGroup, actor) -> PracticeGroup:
    """Start running the group. Allowed with steps still open: real life is messy."""
    group = PracticeGroup.objects.select_for_update().get(pk=group.pk)
    if group.status != PracticeGroup.Status.PLANNING:
        raise ValidationError(_("This group has already started."))
    group.status = PracticeGroup.Status.RUNNING
    group.started_at = timezone.now()
    group.save(update_fields=["status", "started_at"])
    _log(actor, "group.start", group)
    return group
