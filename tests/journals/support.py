"""Helpers for the journal tests: marker strings, writing entries, attending sessions, running
document builds and reading PDFs back."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

from django.utils import timezone
from pypdf import PdfReader

from journals import services
from journals.templates_catalogue import FREE_KEY, builtin_templates
from sessions.models import Booking, GroupSession

# Lower case and without spaces: tags are folded to lower case, and PDF text extraction keeps a
# single word together. One marker per kind of journal text, so a failure says which leaked.
TITLE_MARKER = "qxtitlemarker7731"
TAG_MARKER = "qxtagmarker7731"
SECTION_MARKER = "qxsectionmarker7731"
MARKERS = (TITLE_MARKER, TAG_MARKER, SECTION_MARKER)

THREE_QUESTIONS = "builtin:what_so_what_now_what"
GIBBS = "builtin:gibbs"


def leaked(text: str | bytes) -> list[str]:
    """The markers found in ``text`` (any case)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    folded = text.casefold()
    return [marker for marker in MARKERS if marker in folded]


def builtin(key: str = FREE_KEY):
    return next(t for t in builtin_templates() if t.key == key)


def write(
    author,
    *,
    title: str = "An entry",
    tags: list[str] | None = None,
    texts: list[str] | None = None,
    key: str = FREE_KEY,
    template=None,
    session=None,
    finished: bool = True,
    created_at=None,
):
    """An entry written through the service, as the views write it."""
    template = template or builtin(key)
    texts = texts if texts is not None else ["Some words."] * len(template.sections)
    text = services.build_text(template=template, title=title, tags=tags or [], texts=texts)
    entry = services.entry_create(
        author=author,
        template=template,
        text=text,
        session_id=session.pk if session else None,
        finished=finished,
    )
    if created_at is not None:
        type(entry).objects.filter(pk=entry.pk).update(created_at=created_at)
        entry.refresh_from_db()
    return entry


def write_marked(author, *, session=None, key: str = THREE_QUESTIONS):
    """An entry whose title, tags and every section carry a marker."""
    template = builtin(key)
    return write(
        author,
        title=f"Endings with a family {TITLE_MARKER}",
        tags=["endings", TAG_MARKER],
        texts=[
            f"Section {n} of my reflection {SECTION_MARKER} and more words."
            for n in range(1, len(template.sections) + 1)
        ],
        key=key,
        session=session,
    )


def past_session(group, *, hours_ago: float = 2, status: str = GroupSession.Status.HELD, **fields):
    starts_at = timezone.now() - timedelta(hours=hours_ago)
    return GroupSession.objects.create(
        organisation=group.host,
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        capacity=8,
        online_link="https://meet.example.test/team-rp",
        status=status,
        held_at=timezone.now() if status == GroupSession.Status.HELD else None,
        **fields,
    )


def attend(session, user, attendance: str = "present", status: str = "booked") -> Booking:
    return Booking.objects.create(session=session, user=user, status=status, attendance=attendance)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def content_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def htmx_swaps(client, response) -> bool:
    """Whether htmx, as the site configures it, puts this response into the page. htmx 2 swaps
    2xx answers and, unless ``responseHandling`` in the htmx-config meta says otherwise, drops
    4xx and 5xx ones: an autosave warning sent with such a status would never be seen."""
    status = response.status_code
    if 200 <= status < 300:
        return True
    page = client.get("/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'", page)
    config = json.loads(meta.group(1)) if meta else {}
    return any(
        re.fullmatch(rule.get("code", ""), str(status)) and rule.get("swap")
        for rule in config.get("responseHandling", [])
    )
