"""The session pack: a facilitator's printout for one session (agenda with clock times, the
group agreement, the session's reflective model and a register with the booked names).

Registered as the "session-pack" document kind (sessions.apps). The register names people, so
the builder checks again, at build time, that the person who asked may still run the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from groups.guidance import DEFAULT_AGREEMENT
from groups.selectors import current_agreement
from groups.workshop_pack.colours import pack_colours
from rp_portal.documents.registry import BuiltFile, Report
from rp_portal.pdf import LocalFilesOnlyFetcher, join_documents, render_document
from rp_portal.reflective_models import reflective_model
from sessions.agenda import DEFAULT_AGENDA, parse_agenda
from sessions.models import Booking, GroupSession
from sessions.selectors import register_of, session_access_for

KIND = "session-pack"
TEMPLATE = "sessions/pack/session_pack.html"
SPARE_REGISTER_ROWS = 3
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class TimedItem:
    title: str
    minutes: int
    starts: datetime | None


def _zone(session: GroupSession) -> ZoneInfo:
    try:
        return ZoneInfo(session.time_zone)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _agenda(session: GroupSession, starts: datetime) -> tuple[list[TimedItem], bool]:
    """The session's agenda with clock times; the suggested one if none was written."""
    suggested = not session.agenda.strip()
    items = parse_agenda(DEFAULT_AGENDA if suggested else session.agenda)
    return [
        TimedItem(item.title, item.minutes, starts + timedelta(minutes=item.starts_after))
        for item in items
    ], suggested


def _logo_url(organisation) -> str:
    name = organisation.logo.name if organisation.logo else ""
    if not name.lower().endswith(LOGO_SUFFIXES):
        return ""
    return settings.MEDIA_URL + quote(name)


def session_pack_context(session: GroupSession) -> dict:
    zone = _zone(session)
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    organisation = session.group.host if session.group_id else session.organisation
    booked, waiting = register_of(session)
    agreement = current_agreement(session.group) if session.group_id else None
    agenda, suggested = _agenda(session, starts)
    return {
        "part": {"title": _("Session pack")},
        "session": session,
        "org_name": organisation.name,
        "logo_url": _logo_url(organisation),
        "colours": pack_colours(organisation.accent_colour),
        "starts": starts,
        "ends": ends,
        "place": session.room.name if session.room_id else "",
        "online": bool(session.online_link),
        "agenda": agenda,
        "agenda_suggested": suggested,
        "agreement_text": agreement.text if agreement else str(DEFAULT_AGREEMENT),
        "agreement_version": agreement.number if agreement else None,
        "model": reflective_model(session.reflective_model),
        "booked": booked,
        "waiting": waiting,
        "spare_rows": range(len(booked) + 1, len(booked) + 1 + SPARE_REGISTER_ROWS),
        "attendance": Booking.Attendance,
    }


def render_session_pack(
    session: GroupSession,
    *,
    report: Report | None = None,
    url_fetcher: LocalFilesOnlyFetcher | None = None,
) -> tuple[bytes, int]:
    context = session_pack_context(session)
    if report:
        report(40, _("Laying out the agenda, agreement, prompts and register"))
    document = render_document(TEMPLATE, context, url_fetcher=url_fetcher)
    if report:
        report(90, _("Writing the PDF"))
    return join_documents([document]), len(document.pages)


def build_session_pack(build, report: Report) -> BuiltFile:
    report(5, _("Gathering the session and its register"))
    try:
        access = session_access_for(build.owner, build.inputs["session_id"])
    except Http404:
        raise PermissionError("the session is no longer visible to the person who asked") from None
    if not access.can_run:
        raise PermissionError("the person who asked no longer runs this session")
    session = access.session
    content, pages = render_session_pack(session, report=report)
    day = session.starts_at.astimezone(_zone(session)).date().isoformat()
    # The register names people: stored encrypted, and cleaned up after a day.
    return BuiltFile(
        filename=f"session-pack-{day}-{session.pk}.pdf", content=content, pages=pages, private=True
    )
