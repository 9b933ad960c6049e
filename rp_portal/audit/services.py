from __future__ import annotations

from django.db import models

from rp_portal.audit.models import AuditEvent


def audit_log(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation_id: int | None = None,
    **detail,
) -> AuditEvent:
    """Record one significant write. ``detail`` must hold ids and labels, never free text."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        organisation_id=organisation_id,
        detail=detail,
    )
