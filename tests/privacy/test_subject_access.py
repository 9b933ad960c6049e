"""A signed-in person downloads everything rp_portal holds about them, as JSON and as a PDF, and
nobody else's data is in it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from privacy.selectors import SECTIONS, session_email_label
from rp_portal.documents.models import DocumentBuild
from tests.journals.support import content_bytes, pdf_text
from tests.privacy.conftest import OTHER, SUBJECT

pytestmark = pytest.mark.django_db

# Sections in which the subject's own marker string must show up.
MARKED = [
    "profile",
    "email_addresses",
    "sign_in_sessions",
    "invitations",
    "journal_entries",
    "shared_learning",
    "questionnaire_answers",
    "audit_events",
]


def _export(client, capture, user, fmt: str) -> DocumentBuild:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("privacy:my_data"), {"fmt": fmt})
    assert response.status_code == 302
    build = DocumentBuild.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert build.status == DocumentBuild.Status.DONE, build.error
    return build


def _download(client, build) -> bytes:
    response = client.get(reverse("documents:download", args=[build.pk]))
    assert response.status_code == 200
    return content_bytes(response)


def test_the_json_export_has_every_section_filled_with_the_persons_own_data(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    exported = json.loads(_download(client, build))["sections"]
    assert list(exported) == list(SECTIONS)
    empty = [key for key, rows in exported.items() if not rows]
    assert empty == []
    missing = [key for key in MARKED if SUBJECT not in json.dumps(exported[key])]
    assert missing == []


def test_the_json_export_holds_nothing_of_the_other_member_of_the_same_group(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    raw = _download(client, build).decode()
    assert OTHER not in raw
    exported = json.loads(raw)["sections"]
    # Exactly the subject's rows, where both people have one of each.
    assert len(exported["bookings"]) == 2
    assert len(exported["shared_learning"]) == 1
    assert len(exported["questionnaire_answers"]) == 1
    assert len(exported["questionnaires_completed"]) == 1
    assert len(exported["poll_answers"]) == 1
    assert len(exported["invitations"]) == 1
    assert len(exported["notices_sent"]) == 1
    assert len(exported["poll_emails"]) == 1
    assert len(exported["questionnaire_emails"]) == 1
    assert len(exported["hidden_guides"]) == 1


def test_journal_entries_are_decrypted_in_the_persons_own_export(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    entries = json.loads(_download(client, build))["sections"]["journal_entries"]
    assert entries[0]["title"] == f"My entry {SUBJECT}"
    assert entries[0]["sections"][0]["text"] == f"I wrote {SUBJECT} here."


def test_the_questionnaire_answers_are_found_by_the_persons_pseudonym(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    answers = json.loads(_download(client, build))["sections"]["questionnaire_answers"]
    assert answers[0]["comment"] == f"Comment {SUBJECT}"
    assert answers[0]["scores"][0]["score"] == 3


def test_the_pdf_export_reads_back_with_every_section_and_only_the_persons_data(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "pdf")
    text = pdf_text(_download(client, build))
    flat = " ".join(text.split())
    assert [str(title) for title in SECTIONS.values() if str(title) not in flat] == []
    assert f"I wrote {SUBJECT} here." in flat
    assert f"Comment {SUBJECT}" in flat
    assert OTHER not in text
    assert build.pages >= 2


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_the_export_is_stored_encrypted(
    client, privacy, media, fmt, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, fmt)
    assert build.encrypted
    stored = (media / build.file.name).read_bytes()
    assert SUBJECT.encode() not in stored


@pytest.mark.parametrize("view", ["documents:download", "documents:status"])
def test_another_person_cannot_see_or_download_the_export(
    client, privacy, media, view, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    client.force_login(privacy.other)
    assert client.get(reverse(view, args=[build.pk])).status_code == 404


def test_an_unknown_format_is_refused_with_a_message_and_builds_nothing(client, privacy):
    client.force_login(privacy.subject)
    response = client.post(reverse("privacy:my_data"), {"fmt": "xlsx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not DocumentBuild.objects.exists()


def test_the_page_offers_both_formats_and_the_way_to_delete_the_account(client, privacy):
    client.force_login(privacy.subject)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert 'value="json"' in page
    assert 'value="pdf"' in page
    assert reverse("privacy:erase") in page


def test_the_emails_and_hidden_guides_are_told_in_plain_words(
    client, privacy, media, django_capture_on_commit_callbacks
):
    build = _export(client, django_capture_on_commit_callbacks, privacy.subject, "json")
    exported = json.loads(_download(client, build))["sections"]
    assert exported["notices_sent"][0]["message"] == "A new session"
    assert exported["poll_emails"][0] == {
        "poll": "When next?",
        "message": "An invitation to answer",
        "sent": exported["poll_emails"][0]["sent"],
    }
    emailed = exported["questionnaire_emails"][0]
    assert (emailed["group"], emailed["questionnaire"], emailed["message"]) == (
        "Team RP",
        "Baseline",
        "A reminder to answer",
    )
    assert exported["hidden_guides"][0]["guide"] == "Your first steps as a member"
    assert exported["preferences"][0]["reminder_hours_before"] == [48, 2]


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("before-48h", "A reminder 48 hours before"),
        ("before-2h", "A reminder 2 hours before"),
        ("new-r1", "A new session"),
        ("changed-r12", "The session changed"),
        ("cancelled-r3", "The session was cancelled"),
        ("promoted-1795000000", "You got a place from the waiting list"),
        ("post-session", "An invitation to reflect on the session"),
        ("something-new", "something-new"),
    ],
)
def test_each_session_email_is_named_in_plain_words(kind, words):
    assert session_email_label(kind) == words
