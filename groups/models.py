"""Organisations, their people, and the reflective practice groups they run."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rp_portal.accounts.validators import validate_plain_name

ROLE_FIELDS = ("is_admin", "is_manager", "is_facilitator", "is_practitioner")
ROLE_LABELS = {
    "is_admin": _("organisation admin"),
    "is_manager": _("manager"),
    "is_facilitator": _("facilitator"),
    "is_practitioner": _("practitioner"),
}


def new_partner_code() -> str:
    alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_nonce() -> str:
    return secrets.token_hex(16)


def logo_upload_path(instance: Organisation, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "img"
    return f"logos/{instance.pk or 'new'}-{secrets.token_hex(6)}.{suffix}"


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0f5161."))


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=150, validators=[validate_plain_name])
    description = models.TextField(
        _("short description"), blank=True, validators=[MaxLengthValidator(2000)]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_upload_path, blank=True)
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0f5161", validators=[hex_colour]
    )
    # Shared out of band with a partner that wants to invite this organisation into a
    # multi-agency group; the list of organisations is never shown to anyone.
    partner_code = models.CharField(max_length=9, unique=True, default=new_partner_code)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class RoleFlags(models.Model):
    is_admin = models.BooleanField(_("organisation admin"), default=False)
    is_manager = models.BooleanField(_("manager"), default=False)
    is_facilitator = models.BooleanField(_("facilitator"), default=False)
    is_practitioner = models.BooleanField(_("practitioner"), default=False)

    class Meta:
        abstract = True

    @property
    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS[field]) for field in ROLE_FIELDS if getattr(self, field)]

    def role_values(self) -> dict[str, bool]:
        return {field: getattr(self, field) for field in ROLE_FIELDS}


_ANY_ROLE = Q(is_admin=True) | Q(is_manager=True) | Q(is_facilitator=True) | Q(is_practitioner=True)


class Membership(RoleFlags):
    """A person's place in an organisation, with one or more roles."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org"),
            models.CheckConstraint(condition=_ANY_ROLE, name="membership_has_a_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"


class Invitation(RoleFlags):
    """An emailed, single-use, expiring invitation to join an organisation with roles."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True, validators=[validate_plain_name])
    # The link carries a signed (id, nonce); the nonce alone is useless without SECRET_KEY.
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("withdrawn")
        EXPIRED = "expired", _("expired")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
            models.CheckConstraint(condition=_ANY_ROLE, name="invitation_has_a_role"),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label


class PracticeGroup(models.Model):
    """A reflective practice group."""

    class Structure(models.TextChoices):
        TEAM = "team", _("Team")
        ORGANISATIONAL = "organisational", _("Organisational")
        MULTI_AGENCY = "multi_agency", _("Multi-agency")

    class Facilitation(models.TextChoices):
        EXTERNAL = "external", _("External facilitator")
        INTERNAL = "internal", _("Internal facilitator")
        PEER = "peer", _("Peer facilitation")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    host = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="hosted_groups")
    name = models.CharField(_("name"), max_length=150, validators=[validate_plain_name])
    purpose = models.TextField(_("purpose"), validators=[MaxLengthValidator(2000)])
    structure = models.CharField(_("structure"), max_length=20, choices=Structure.choices)
    # The structures the group had before, oldest first: [{"structure": code, "until": ISO
    # time}]. Evaluation figures count a group under the structure it had when each quarter
    # ended, so a change now never alters a figure shown for a quarter already over.
    structure_history = models.JSONField(default=list, blank=True, editable=False)
    facilitation_model = models.CharField(
        _("facilitation model"), max_length=20, choices=Facilitation.choices, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    # Step 2: the plan.
    aims = models.TextField(_("aims"), blank=True, validators=[MaxLengthValidator(4000)])
    objectives = models.TextField(
        _("objectives"), blank=True, validators=[MaxLengthValidator(4000)]
    )
    frequency = models.CharField(_("how often and how long"), max_length=200, blank=True)
    usual_place = models.CharField(_("usual place"), max_length=200, blank=True)
    # Step 6: how many of the first sessions are treated as the group settling in.
    settling_in_sessions = models.PositiveSmallIntegerField(default=3)
    # Step 7: the group's own decision on when and where it meets.
    ownership_note = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    ownership_decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_multi_agency(self) -> bool:
        return self.structure == self.Structure.MULTI_AGENCY

    @property
    def plan_is_complete(self) -> bool:
        return all([self.aims, self.objectives, self.frequency, self.usual_place])


class GroupPartner(models.Model):
    """A partner organisation in a multi-agency group; it joins only when it accepts."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        ACCEPTED = "accepted", _("taking part")
        DECLINED = "declined", _("declined")

    group = models.ForeignKey(PracticeGroup, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation"], name="one_partnership_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.group}"


class GroupMember(models.Model):
    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("facilitator")
        MEMBER = "member", _("member")

    group = models.ForeignKey(PracticeGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    # The participating organisation this person takes part for.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    # Peer facilitation: the order in which trained members take their turn.
    rota_position = models.PositiveSmallIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_place_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class TrainingRecord(models.Model):
    """A person completed an introductory reflective practice workshop."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_training_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} trained {self.completed_on}"


class AgreementVersion(models.Model):
    """One version of a group's ground rules. The newest is the one members must accept."""

    group = models.ForeignKey(
        PracticeGroup, on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField(validators=[MaxLengthValidator(10000)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="one_agreement_number"),
        ]

    def __str__(self) -> str:
        return f"{self.group} agreement v{self.number}"


class AgreementAcceptance(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="accept_a_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.version}"


class SignOff(models.Model):
    """Step 1: a manager or admin of one participating organisation commits to the group."""

    group = models.ForeignKey(PracticeGroup, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="one_sign_off_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed off {self.group}"
