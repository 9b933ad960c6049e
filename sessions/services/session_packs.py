"""Asking for a session pack. The request only records and enqueues the build."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.selectors import current_agreement
from rp_portal.audit.services import audit_log
from rp_portal.documents.models import DocumentBuild
from rp_portal.documents.services import document_request
from sessions.models import GroupSession
from sessions.selectors import register_of
from sessions.session_pack import KIND

# Bump when the pack's template changes, so files built before are not reused.
LAYOUT_VERSION = "1"


def session_pack_version(session: GroupSession) -> str:
    """Changes with anything the pack prints: the session's details, the agreement in force,
    the branding and the register (who is booked or waiting, and any attendance marked)."""
    booked, waiting = register_of(session)
    agreement = current_agreement(session.group) if session.group_id else None
    organisation = session.group.host if session.group_id else session.organisation
    facts = [
        LAYOUT_VERSION,
        session.revision,
        session.status,
        session.starts_at.isoformat(),
        session.ends_at.isoformat(),
        session.title,
        session.agenda,
        session.reflective_model,
        session.room_id,
        bool(session.online_link),
        session.capacity,
        agreement.pk if agreement else None,
        organisation.name,
        organisation.accent_colour,
        organisation.logo.name or "",
        [(b.user_id, b.person_name, b.status, b.attendance) for b in [*booked, *waiting]],
    ]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()[:16]


@transaction.atomic
def session_pack_request(*, session: GroupSession, owner) -> DocumentBuild:
    """The caller has checked that ``owner`` may run the session (the builder checks again)."""
    if session.status == GroupSession.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled, so there is no pack to print."))
    build = document_request(
        kind=KIND,
        owner=owner,
        inputs={"session_id": session.pk},
        organisation_id=session.organisation_id,
        version=session_pack_version(session),
    )
    audit_log(
        actor=owner, action="session_pack.request", target=build,
        organisation_id=session.organisation_id, session_id=session.pk,
    )  # fmt: skip
    return build
