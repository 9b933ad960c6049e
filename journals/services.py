"""Writing, changing and sharing from a private journal.

Journal text is only ever handled inside these functions and the author's own requests and
tasks: it is encrypted before it reaches the database and never logged or audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import GroupMember
from groups.permissions import GroupAccess
from journals.models import JournalEntry, SharedLearning
from journals.templates_catalogue import Template
from rp_portal.audit.services import audit_log
from rp_portal.crypto import decrypt_json, encrypt_json, pseudonym
from sessions.models import Booking

MAX_TITLE = 200
MAX_SECTION = 20_000
MAX_TOTAL = 60_000
MAX_TAGS = 30
MAX_TAG = 40
MAX_SHARED = 1000


class EditConflict(Exception):
    """The entry changed (in another tab or device) since this form was loaded."""

    def __init__(self, entry: JournalEntry):
        super().__init__("entry changed elsewhere")
        self.entry = entry


@dataclass
class EntryText:
    """The decrypted content of an entry, as its author sees it."""

    title: str = ""
    tags: list[str] = field(default_factory=list)
    template_name: str = ""
    sections: list[dict] = field(default_factory=list)  # {"title", "prompts", "text"}

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "tags": self.tags,
            "template_name": self.template_name,
            "sections": self.sections,
        }

    @property
    def words(self) -> int:
        return sum(len(s.get("text", "").split()) for s in self.sections) + len(self.title.split())

    def matches(self, query: str) -> bool:
        needle = query.casefold()
        haystack = [self.title, *self.tags, *(s.get("text", "") for s in self.sections)]
        return any(needle in part.casefold() for part in haystack)


def read_entry(entry: JournalEntry) -> EntryText:
    data = decrypt_json(entry.content)
    return EntryText(
        title=data.get("title", ""),
        tags=list(data.get("tags", [])),
        template_name=data.get("template_name", ""),
        sections=list(data.get("sections", [])),
    )


def clean_tags(raw: str) -> list[str]:
    tags = []
    for part in raw.replace(";", ",").split(","):
        tag = " ".join(part.split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(_("Use at most %(n)s tags.") % {"n": MAX_TAGS})
    if any(len(tag) > MAX_TAG for tag in tags):
        raise ValidationError(_("Keep each tag under %(n)s characters.") % {"n": MAX_TAG})
    return tags


def build_text(*, template: Template, title: str, tags: list[str], texts: list[str]) -> EntryText:
    title = title.strip()
    if len(title) > MAX_TITLE:
        raise ValidationError(_("Keep the title under %(n)s characters.") % {"n": MAX_TITLE})
    if len(texts) != len(template.sections):
        raise ValidationError(
            _("The form did not match its template. Reload the page and try again.")
        )
    for (section_title, _prompts), text in zip(template.sections, texts, strict=True):
        if len(text) > MAX_SECTION:
            raise ValidationError(
                _("“%(section)s” is longer than %(n)s characters. Split it into another entry.")
                % {"section": section_title, "n": f"{MAX_SECTION:,}"}
            )
    if sum(len(t) for t in texts) > MAX_TOTAL:
        raise ValidationError(
            _("An entry can hold up to %(n)s characters.") % {"n": f"{MAX_TOTAL:,}"}
        )
    sections = [
        {"title": section_title, "prompts": list(prompts), "text": text}
        for (section_title, prompts), text in zip(template.sections, texts, strict=True)
    ]
    return EntryText(title=title, tags=tags, template_name=template.name, sections=sections)


def _check_session(author, session_id: int | None) -> None:
    if session_id is None:
        return
    attended = Booking.objects.filter(
        session_id=session_id,
        user=author,
        status=Booking.Status.BOOKED,
        attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
    ).exists()
    if not attended:
        raise ValidationError(_("You can only link an entry to a session you attended."))


@transaction.atomic
def entry_create(
    *,
    author,
    template: Template,
    text: EntryText,
    session_id: int | None = None,
    finished: bool = False,
) -> JournalEntry:
    if not text.title and not any(s["text"].strip() for s in text.sections):
        raise ValidationError(_("Write something first: a title or a few words in any section."))
    _check_session(author, session_id)
    now = timezone.now()
    entry = JournalEntry.objects.create(
        author=author,
        content=encrypt_json(text.as_dict()),
        template_key=template.key,
        session_id=session_id,
        status=JournalEntry.Status.FINISHED if finished else JournalEntry.Status.DRAFT,
        word_count=text.words,
        created_at=now,
        updated_at=now,
    )
    audit_log(actor=author, action="journal.create", target=entry)  # ids only, never text
    return entry


@transaction.atomic
def entry_update(
    *,
    entry: JournalEntry,
    author,
    text: EntryText,
    expected_version: int,
    session_id: int | None = None,
    finished: bool | None = None,
) -> JournalEntry:
    """Save a new version, unless the entry changed since the form was loaded (EditConflict)."""
    locked = JournalEntry.objects.select_for_update().get(pk=entry.pk, author=author)
    if locked.version != expected_version:
        raise EditConflict(locked)
    _check_session(author, session_id)
    locked.content = encrypt_json(text.as_dict())
    locked.word_count = text.words
    locked.session_id = session_id
    if finished is not None:
        locked.status = JournalEntry.Status.FINISHED if finished else JournalEntry.Status.DRAFT
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def entry_delete(*, entry: JournalEntry, author) -> None:
    JournalEntry.objects.filter(pk=entry.pk, author=author).delete()
    audit_log(actor=author, action="journal.delete", target=None, entry_id=entry.pk)


def learning_pseudonym(author, group_id: int) -> str:
    return pseudonym("shared-learning", author.pk, group_id)


@transaction.atomic
def learning_share(*, author, group_id: int, text: str) -> SharedLearning:
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the learning point you want to share."))
    if len(text) > MAX_SHARED:
        raise ValidationError(_("Keep a shared point under %(n)s characters.") % {"n": MAX_SHARED})
    if not GroupMember.objects.filter(group_id=group_id, user=author).exists():
        raise ValidationError(_("You can share only with a group you are a member of."))
    item = SharedLearning.objects.create(
        group_id=group_id, text=text, author_pseudonym=learning_pseudonym(author, group_id)
    )
    # The audit log records that something was shared, not who shared it.
    audit_log(actor=None, action="learning.share", target=item)
    return item


@transaction.atomic
def learning_withdraw(*, author, item: SharedLearning) -> None:
    if item.author_pseudonym != learning_pseudonym(author, item.group_id):
        raise ValidationError(_("You can only withdraw points you shared."))
    item.delete()


@transaction.atomic
def learning_hide(*, access: GroupAccess, item: SharedLearning, actor) -> SharedLearning:
    """A facilitator hides a point that could identify someone. It stays for its author to
    withdraw or rewrite."""
    if not access.can_facilitate or item.group_id != access.group.pk:
        raise ValidationError(_("Only the group's facilitators can hide shared learning."))
    item.hidden_at, item.hidden_by = timezone.now(), actor
    item.save(update_fields=["hidden_at", "hidden_by"])
    audit_log(
        actor=actor, action="learning.hide", target=item, organisation_id=access.group.host_id
    )
    return item


def entries_rotate_keys(*, batch_size: int = 500) -> int:
    """Re-encrypt every entry with the newest key. Safe to run again; returns entries done."""
    from rp_portal.crypto import rotate

    done = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                JournalEntry.objects.select_for_update()
                .filter(pk__gt=last_id)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return done
            for entry in batch:
                entry.content = rotate(entry.content)
            JournalEntry.objects.bulk_update(batch, ["content"])
            done += len(batch)
            last_id = batch[-1].pk
