"""Turns a workshop pack request's inputs into the PDF: one layout per part, joined.

Registered as the "workshop-pack" document kind (groups.apps), so the Celery worker builds it.
Nothing here fetches a URL: the only resource a part can name besides our stylesheets is the
organisation's logo, addressed under /media/ and served by rp_portal.pdf's local-only fetcher.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups.guidance import DEFAULT_AGREEMENT, FACILITATION_MODELS, STRUCTURES, Option
from groups.models import Organisation
from groups.workshop_pack.colours import pack_colours
from groups.workshop_pack.content import (
    ACTIVITIES,
    EVIDENCE,
    FEEDBACK_QUESTIONS,
    FEEDBACK_STATEMENTS,
    OUTCOME_MEASURES,
    PARTICIPATION_MEASURES,
    PARTS,
    SET_UP_STEPS,
    Activity,
    Part,
)
from rp_portal.documents.registry import BuiltFile, Report
from rp_portal.pdf import LocalFilesOnlyFetcher, join_documents, render_document
from rp_portal.reflective_models import reflective_model

SIGN_IN_ROWS_PER_PAGE = 16
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class AgendaRow:
    activity: Activity
    minutes: int
    starts: time
    ends: time


@dataclass(frozen=True)
class StructureChoice:
    option: Option
    focus: bool


def _logo_url(organisation: Organisation | None, include: bool) -> str:
    """Only the organisation's own uploaded PNG or JPEG, addressed under /media/."""
    if not include or organisation is None or not organisation.logo:
        return ""
    name = organisation.logo.name
    if not name.lower().endswith(LOGO_SUFFIXES):
        return ""
    return settings.MEDIA_URL + quote(name)


def _agenda(details: dict, day: date) -> list[AgendaRow]:
    clock = datetime.combine(day, time.fromisoformat(details["start"]))
    rows = []
    for activity in ACTIVITIES:
        minutes = int(details["minutes"][activity.key])
        ends = clock + timedelta(minutes=minutes)
        rows.append(AgendaRow(activity, minutes, clock.time(), ends.time()))
        clock = ends
    return rows


def _sign_in_pages(participants: int) -> list[range]:
    """Numbered rows, a few spare, one table per page (a long table is never split)."""
    total = participants + max(2, math.ceil(participants / 10))
    return [
        range(first + 1, min(first + SIGN_IN_ROWS_PER_PAGE, total) + 1)
        for first in range(0, total, SIGN_IN_ROWS_PER_PAGE)
    ]


def _agreement_paragraphs() -> list[tuple[str, str]]:
    """The default agreement as (heading, text): each paragraph opens with its heading."""
    paragraphs = []
    for paragraph in str(DEFAULT_AGREEMENT).split("\n\n"):
        heading, _dot, rest = paragraph.strip().partition(". ")
        paragraphs.append((heading, rest))
    return paragraphs


def pack_context(details: dict, organisation: Organisation | None) -> dict:
    day = date.fromisoformat(details["date"])
    agenda = _agenda(details, day)
    focus = set(details.get("structures") or [])
    structures = [StructureChoice(o, o.value in focus) for o in STRUCTURES]
    structures.sort(key=lambda choice: not choice.focus)
    participants = int(details["participants"])
    return {
        "org_name": details["organisation_name"],
        "logo_url": _logo_url(organisation, details.get("include_logo", False)),
        "colours": pack_colours(details.get("accent_colour", "")),
        "contact_email": details.get("contact_email", ""),
        "date": day,
        "starts": agenda[0].starts,
        "ends": agenda[-1].ends,
        "length": int(details["length"]),
        "venue": details.get("venue", ""),
        "facilitators": details["facilitators"],
        "note": details.get("note", ""),
        "agenda": agenda,
        "agenda_by_key": {row.activity.key: row for row in agenda},
        "structures": structures,
        "focus_titles": [choice.option.title for choice in structures if choice.focus],
        "facilitation_models": FACILITATION_MODELS,
        "model": reflective_model(details.get("model", "")),
        "evidence": EVIDENCE,
        "steps": SET_UP_STEPS,
        "participation_measures": PARTICIPATION_MEASURES,
        "outcome_measures": OUTCOME_MEASURES,
        "agreement": _agreement_paragraphs(),
        "participants": participants,
        "sign_in_pages": _sign_in_pages(participants),
        "copies": range(participants if details.get("per_participant") else 1),
        "feedback_statements": FEEDBACK_STATEMENTS,
        "feedback_questions": FEEDBACK_QUESTIONS,
    }


def _chosen_parts(details: dict) -> list[Part]:
    chosen = set(details.get("parts") or [])
    return [part for part in PARTS if part.key in chosen]


def render_workshop_pack(
    details: dict,
    organisation: Organisation | None,
    *,
    report: Report | None = None,
    url_fetcher: LocalFilesOnlyFetcher | None = None,
) -> tuple[bytes, int]:
    """The PDF and its page count. Used by the builder and by scripts/bench_packs.py."""
    parts = _chosen_parts(details)
    if not parts:
        raise ValueError("a workshop pack needs at least one part")
    context = pack_context(details, organisation)
    fetcher = url_fetcher or LocalFilesOnlyFetcher()
    documents = []
    for number, part in enumerate(parts, start=1):
        if report:
            report(
                5 + 85 * (number - 1) // len(parts),
                _("Laying out the %(part)s (%(n)s of %(total)s)")
                % {"part": str(part.title).lower(), "n": number, "total": len(parts)},
            )
        documents.append(
            render_document(part.template, {**context, "part": part}, url_fetcher=fetcher)
        )
    if report:
        report(92, _("Writing the PDF"))
    pages = sum(len(document.pages) for document in documents)
    return join_documents(documents), pages


def pack_filename(details: dict) -> str:
    parts = _chosen_parts(details)
    what = slugify(str(parts[0].title)) if len(parts) == 1 else "workshop-pack"
    org = slugify(details["organisation_name"])[:40] or "organisation"
    return f"{what}-{org}-{details['date']}.pdf"


def build_workshop_pack(build, report: Report) -> BuiltFile:
    details = build.inputs
    organisation = Organisation.objects.filter(pk=build.organisation_id).first()
    report(2, _("Gathering the workshop details"))
    content, pages = render_workshop_pack(details, organisation, report=report)
    return BuiltFile(filename=pack_filename(details), content=content, pages=pages)
