"""The journal list keeps a fixed number of queries as the journal grows, and search over the
decrypted entries of a 2,000-entry journal still finds the right ones."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journals.models import JournalEntry
from journals.selectors import journal_page
from rp_portal.crypto import encrypt_json
from tests.journals.support import GIBBS, THREE_QUESTIONS, attend, past_session, write

MOST_QUERIES = 12


def _grow(journal, count: int) -> None:
    """``count`` entries in all, across templates and tags, every other one linked to a session."""
    session = journal.session
    existing = JournalEntry.objects.filter(author=journal.author).count()
    for n in range(existing, count):
        write(
            journal.author,
            title=f"Entry {n}",
            tags=["endings", f"tag{n % 5}"],
            key=(GIBBS, THREE_QUESTIONS)[n % 2],
            texts=None,
            session=session if n % 2 else None,
            created_at=timezone.now() - timedelta(hours=n),
        )


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("journals:list"), params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "entry"}, {"q": "endings", "template": GIBBS}, {"page": 2}],
    ids=["plain", "search", "search and template", "second page"],
)
def test_the_journal_list_runs_the_same_queries_with_3_or_60_entries(client, journal, params):
    client.force_login(journal.author)
    _grow(journal, 3)
    small = _queries(client, params)
    _grow(journal, 60)
    large = _queries(client, params)
    assert small == large
    assert large < MOST_QUERIES


def test_the_entry_page_does_not_grow_with_the_journal(client, journal):
    client.force_login(journal.author)
    url = reverse("journals:entry", args=[journal.entry.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(journal, 60)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_search_in_a_journal_of_two_thousand_entries_finds_the_right_ones(journal, capsys):
    author = journal.author
    other_session = past_session(journal.group)
    attend(other_session, author)
    now = timezone.now()
    entries = []
    for n in range(2_000):
        needle = n % 100 == 7  # 20 of them mention it, in a middle section
        sections = [
            {"title": "What?", "prompts": [], "text": f"Visit number {n} went as planned."},
            {
                "title": "So what?",
                "prompts": [],
                "text": "The Kinship Carer felt heard." if needle else "Nothing unusual.",
            },
            {"title": "Now what?", "prompts": [], "text": "Keep going."},
        ]
        entries.append(
            JournalEntry(
                author=author,
                content=encrypt_json(
                    {
                        "title": f"Entry {n}",
                        "tags": ["visits"],
                        "template_name": "Three",
                        "sections": sections,
                    }
                ),
                template_key=THREE_QUESTIONS,
                session=other_session if n % 3 == 0 else None,
                status="finished",
                word_count=12,
                created_at=now - timedelta(minutes=n),
                updated_at=now - timedelta(minutes=n),
            )
        )
    JournalEntry.objects.bulk_create(entries, batch_size=500)

    started = time.perf_counter()
    found = journal_page(author, query="kinship carer")
    elapsed = time.perf_counter() - started

    assert found.total == 2_001  # and the fixture's own entry
    assert found.matched == 20
    titles = [text.title for _entry, text in found.page]
    assert titles == [f"Entry {n}" for n in range(7, 2_000, 100)]
    assert journal_page(author, tag="qxtagmarker7731").matched >= 1  # tags are typed, then matched
    with capsys.disabled():
        print(f"\njournal_page: search over 2,001 encrypted entries took {elapsed:.3f}s")
