"""Builders for a person's subject access export (registered in PrivacyConfig.ready).

Both run in the person's own task and return private files: the documents mechanism stores them
encrypted, lets only their owner download them and deletes them after a day.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader

from privacy.selectors import SECTIONS, subject_access_data
from rp_portal.documents.registry import BuiltFile
from rp_portal.pdf import html_to_pdf

JSON_KIND = "subject-access-json"
PDF_KIND = "subject-access-pdf"

# The readable label of each field of the export (the JSON keeps the short names).
FIELD_LABELS = {
    "email": gettext_lazy("Email address"),
    "display_name": gettext_lazy("Name"),
    "time_zone": gettext_lazy("Time zone"),
    "joined": gettext_lazy("Joined"),
    "last_sign_in": gettext_lazy("Last signed in"),
    "verified": gettext_lazy("Verified"),
    "primary": gettext_lazy("Primary"),
    "type": gettext_lazy("Type"),
    "added": gettext_lazy("Added"),
    "last_used": gettext_lazy("Last used"),
    "ip": gettext_lazy("IP address"),
    "browser": gettext_lazy("Browser"),
    "since": gettext_lazy("Since"),
    "last_seen": gettext_lazy("Last seen"),
    "reminder_hours_before": gettext_lazy("Reminders, hours before"),
    "reminders_on": gettext_lazy("Reminders on"),
    "organisation": gettext_lazy("Organisation"),
    "roles": gettext_lazy("Roles"),
    "group": gettext_lazy("Group"),
    "role": gettext_lazy("Role"),
    "for_organisation": gettext_lazy("Taking part for"),
    "rota_position": gettext_lazy("Place on the facilitation rota"),
    "name": gettext_lazy("Name"),
    "status": gettext_lazy("Status"),
    "sent": gettext_lazy("Sent"),
    "expires": gettext_lazy("Expires"),
    "version": gettext_lazy("Version"),
    "accepted": gettext_lazy("Accepted"),
    "completed_on": gettext_lazy("Completed on"),
    "session": gettext_lazy("Session"),
    "starts": gettext_lazy("Starts"),
    "session_status": gettext_lazy("Session status"),
    "booking": gettext_lazy("Booking"),
    "attendance": gettext_lazy("Attendance"),
    "walk_in": gettext_lazy("Came without booking"),
    "booked": gettext_lazy("Booked"),
    "cancelled": gettext_lazy("Cancelled"),
    "poll": gettext_lazy("Poll"),
    "option_starts": gettext_lazy("Date offered"),
    "answer": gettext_lazy("Answer"),
    "answered": gettext_lazy("Answered"),
    "kind": gettext_lazy("Kind"),
    "message": gettext_lazy("Email"),
    "guide": gettext_lazy("Guide"),
    "hidden": gettext_lazy("Hidden"),
    "id": gettext_lazy("Number"),
    "created": gettext_lazy("Written"),
    "updated": gettext_lazy("Last changed"),
    "title": gettext_lazy("Title"),
    "tags": gettext_lazy("Tags"),
    "template": gettext_lazy("Template"),
    "unreadable": gettext_lazy("Cannot be decrypted"),
    "text": gettext_lazy("Text"),
    "shared": gettext_lazy("Shared"),
    "hidden_by_facilitator": gettext_lazy("Hidden by a facilitator"),
    "questionnaire": gettext_lazy("Questionnaire"),
    "scores": gettext_lazy("Scores"),
    "comment": gettext_lazy("Comment"),
    "requested": gettext_lazy("Requested"),
    "action": gettext_lazy("Action"),
    "target": gettext_lazy("Record"),
    "organisation_id": gettext_lazy("Organisation number"),
    "detail": gettext_lazy("Detail"),
    "at": gettext_lazy("When"),
}


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def subject_access_json(build, report) -> BuiltFile:
    report(10, _("Collecting what we hold about you"))
    data = subject_access_data(build.owner)
    document = {"exported": timezone.now(), "sections": data}
    content = json.dumps(document, default=_json_default, ensure_ascii=False, indent=2)
    return BuiltFile(
        filename=f"my-data-{timezone.localdate():%Y-%m-%d}.json",
        content=content.encode(),
        private=True,
    )


def _readable(value, zone: ZoneInfo) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return f"{timezone.localtime(value, zone):%d %b %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(_readable(v, zone) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_readable(v, zone)}" for k, v in value.items()) or "—"
    return str(value)


def _pdf_sections(data: dict, zone: ZoneInfo) -> list[dict]:
    sections = []
    for key, title in SECTIONS.items():
        rows = data[key] if isinstance(data[key], list) else [data[key]]
        sections.append(
            {
                "key": key,
                "title": title,
                "rows": [
                    {
                        "fields": [
                            (FIELD_LABELS.get(field, field), _readable(value, zone))
                            for field, value in row.items()
                            if field != "sections"
                        ],
                        # Journal entries keep their sections as paragraphs, not one long cell.
                        "texts": row.get("sections", []),
                    }
                    for row in rows
                ],
            }
        )
    return sections


def subject_access_pdf(build, report) -> BuiltFile:
    report(10, _("Collecting what we hold about you"))
    person = build.owner
    zone = ZoneInfo(person.time_zone)
    data = subject_access_data(person)
    report(40, _("Laying out the pages"))
    html = render_to_string(
        "privacy/pdf/subject_access.html",
        {
            "person": person,
            "made": timezone.localtime(timezone.now(), zone),
            "sections": _pdf_sections(data, zone),
        },
    )
    pdf = html_to_pdf(html)
    report(95, _("Finishing"))
    return BuiltFile(
        filename=f"my-data-{timezone.localdate():%Y-%m-%d}.pdf",
        content=pdf,
        pages=len(PdfReader(io.BytesIO(pdf)).pages),
        private=True,
    )
