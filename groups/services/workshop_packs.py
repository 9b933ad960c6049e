"""Asking for a workshop pack. The request only records and enqueues the build; the Celery
worker lays it out (groups.workshop_pack.builder) through rp_portal.documents."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Organisation
from groups.workshop_pack.content import KIND, PART_KEYS
from rp_portal.audit.services import audit_log
from rp_portal.documents.models import DocumentBuild
from rp_portal.documents.services import document_request

# Bump when the pack's templates or content change, so files built before are not reused.
LAYOUT_VERSION = "1"


def branding_version(organisation: Organisation) -> str:
    """Changes whenever the organisation's branding (its logo above all, which the inputs only
    name by id) changes, so a pack is rebuilt rather than reused."""
    branding = "|".join(
        [
            LAYOUT_VERSION,
            organisation.name,
            organisation.logo.name or "",
            organisation.accent_colour,
            organisation.contact_email,
        ]
    )
    return hashlib.sha256(branding.encode()).hexdigest()[:16]


@transaction.atomic
def workshop_pack_request(*, organisation: Organisation, owner, details: dict) -> DocumentBuild:
    if details.get("organisation_id") != organisation.pk:
        raise ValueError("the details belong to another organisation")
    build = document_request(
        kind=KIND,
        owner=owner,
        inputs=details,
        organisation_id=organisation.pk,
        version=branding_version(organisation),
    )
    audit_log(
        actor=owner, action="workshop_pack.request", target=build,
        organisation_id=organisation.pk, parts=details.get("parts", []),
    )  # fmt: skip
    return build


def workshop_pack_part_request(
    *, organisation: Organisation, owner, pack: DocumentBuild, part: str
) -> DocumentBuild:
    """One part of an earlier pack on its own, with the same details."""
    if part not in PART_KEYS or part not in pack.inputs.get("parts", []):
        raise ValidationError(_("That part is not in this pack."))
    details = {**pack.inputs, "parts": [part]}
    return workshop_pack_request(organisation=organisation, owner=owner, details=details)
