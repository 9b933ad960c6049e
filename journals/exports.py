"""Builders for CPD exports (registered with the documents mechanism in JournalsConfig.ready).

They run in the author's own Celery task, decrypt only the author's entries, and return
private files, which the documents mechanism stores encrypted.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from journals.forms import CODES
from journals.selectors import entries_for_export
from rp_portal.documents.registry import BuiltFile
from rp_portal.pdf import html_to_pdf


def _entries(build):
    inputs = build.inputs
    if inputs.get("scope") == "selection":
        return entries_for_export(build.owner, entry_ids=inputs.get("entries", []))
    if inputs.get("scope") == "range":
        return entries_for_export(
            build.owner,
            date_from=date.fromisoformat(inputs["from"]),
            date_to=date.fromisoformat(inputs["to"]),
        )
    return entries_for_export(build.owner)


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def journal_pdf(build, report) -> BuiltFile:
    report(10, "Reading your entries")
    entries = _entries(build)
    report(40, f"Laying out {len(entries)} entries")
    html = render_to_string(
        "journals/pdf/export.html",
        {"entries": entries, "person": build.owner, "made": timezone.localdate()},
    )
    pdf = html_to_pdf(html)
    report(95, "Finishing")
    return BuiltFile(
        filename=f"journal-{timezone.localdate():%Y-%m-%d}.pdf",
        content=pdf,
        pages=_pages(pdf),
        private=True,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50] or "entry"


def journal_markdown(build, report) -> BuiltFile:
    report(10, "Reading your entries")
    entries = _entries(build)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (entry, text) in enumerate(entries, start=1):
            body = render_to_string("journals/export_entry.md", {"entry": entry, "text": text})
            name = f"{entry.created_at:%Y-%m-%d}-{index:03d}-{_slug(text.title)}.md"
            archive.writestr(name, body)
            report(
                10 + int(85 * index / max(1, len(entries))),
                f"Writing entry {index} of {len(entries)}",
            )
    return BuiltFile(
        filename=f"journal-{timezone.localdate():%Y-%m-%d}.zip",
        content=buffer.getvalue(),
        private=True,
    )


def reflective_account(build, report) -> BuiltFile:
    inputs = build.inputs
    report(20, "Reading the entry")
    found = entries_for_export(build.owner, entry_ids=[inputs["entry"]])
    if not found:
        raise LookupError("the entry is gone")
    entry, text = found[0]
    sections = [s for s in text.sections if s.get("text", "").strip()]
    happened = sections[:1]
    learned = sections[1:-1] if len(sections) > 2 else sections[1:2] if len(sections) == 2 else []
    changed = sections[-1:] if len(sections) > 2 else []
    code_name, items = CODES[inputs["code"]]
    labels = dict(items)
    themes = [
        labels[t.split(":", 1)[1]] for t in inputs.get("themes", []) if t.split(":", 1)[1] in labels
    ]
    session = entry.session
    report(50, "Laying out the reflective account")
    html = render_to_string(
        "journals/pdf/reflective_account.html",
        {
            "entry": entry, "text": text, "session": session, "person": build.owner,
            "hours": round(session.duration_minutes / 60, 1) if session else None,
            "happened": happened, "learned": learned, "changed": changed,
            "code_name": code_name, "themes": themes,
        },
    )  # fmt: skip
    pdf = html_to_pdf(html)
    return BuiltFile(
        filename=f"reflective-account-{entry.created_at:%Y-%m-%d}.pdf",
        content=pdf,
        pages=_pages(pdf),
        private=True,
    )
