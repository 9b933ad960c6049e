"""Reads of a person's own journal. Every function takes the author and reads only their rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from journals.models import JournalEntry, SharedLearning
from journals.services import EntryText, learning_pseudonym, read_entry

PAGE_SIZE = 20
# What a line of the list shows: the rest of each row (and of its session and group) is left
# in the database, since building whole rows cost more than the query.
LISTED_FIELDS = (
    "content",
    "status",
    "created_at",
    "session__title",
    "session__kind",
    "session__group__name",
)


def own_entry(author, entry_id: int) -> JournalEntry:
    """The author's entry, or 404: nobody else's entry exists as far as they can tell."""
    entry = (
        JournalEntry.objects.select_related("session__group")
        .filter(pk=entry_id, author=author)
        .first()
    )
    if entry is None:
        raise Http404("No such entry.")
    return entry


@dataclass
class JournalPage:
    page: Page  # of (JournalEntry, EntryText)
    total: int
    matched: int


def journal_page(
    author,
    *,
    query: str = "",
    tag: str = "",
    template_key: str = "",
    session_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page_number: int | str = 1,
) -> JournalPage:
    """Newest first. Filters on metadata run in SQL; tag and search run over the decrypted
    text in this request, because the text is only readable here."""
    everything = (
        JournalEntry.objects.filter(author=author)
        .select_related("session__group")
        .only(*LISTED_FIELDS)
        .order_by("-created_at", "-id")
    )
    entries = everything
    if template_key:
        entries = entries.filter(template_key=template_key)
    if session_id:
        entries = entries.filter(session_id=session_id)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    tag, query = tag.strip().lower(), query.strip()
    if not tag and not query:
        # Nothing to look for in the text: paginate in SQL and decrypt only this page.
        paginator = Paginator(entries, PAGE_SIZE)
        total = paginator.count if entries is everything else everything.count()
        page = paginator.get_page(page_number)
        page.object_list = [(entry, read_entry(entry)) for entry in page.object_list]
        return JournalPage(page=page, total=total, matched=paginator.count)
    decrypted = [(entry, read_entry(entry)) for entry in entries]
    total = len(decrypted) if entries is everything else everything.count()
    if tag:
        decrypted = [(e, t) for e, t in decrypted if tag in t.tags]
    if query:
        decrypted = [(e, t) for e, t in decrypted if t.matches(query)]
    paginator = Paginator(decrypted, PAGE_SIZE)
    return JournalPage(page=paginator.get_page(page_number), total=total, matched=len(decrypted))


def entries_for_export(
    author, *, entry_ids: list[int] | None = None, date_from=None, date_to=None
) -> list[tuple[JournalEntry, EntryText]]:
    entries = (
        JournalEntry.objects.filter(author=author)
        .select_related("session__group")
        .order_by("created_at", "id")
    )
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return [(entry, read_entry(entry)) for entry in entries]


def shared_learning_of(group_id: int, *, include_hidden: bool = False) -> QuerySet[SharedLearning]:
    items = SharedLearning.objects.filter(group_id=group_id)
    if not include_hidden:
        items = items.filter(hidden_at__isnull=True)
    return items.order_by("-created_at", "-id")


def my_shared_learning(author, group_ids: list[int]) -> set[int]:
    """Ids of the points this person shared, among these groups (so they can withdraw them)."""
    mine = {learning_pseudonym(author, group_id) for group_id in group_ids}
    return set(
        SharedLearning.objects.filter(
            group_id__in=group_ids, author_pseudonym__in=mine
        ).values_list("pk", flat=True)
    )
