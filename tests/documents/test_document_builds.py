"""The one mechanism every PDF goes through: request, build in Celery, progress, download."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from rp_portal.documents.models import DocumentBuild
from rp_portal.documents.registry import BuiltFile, register
from rp_portal.documents.services import document_build, document_request, documents_clean_up
from rp_portal.pdf import html_to_pdf
from tests.factories import UserFactory

CALLS: list[int] = []


def _echo_builder(build, report) -> BuiltFile:
    CALLS.append(build.pk)
    report(50, "Rendering the test page")
    pdf = html_to_pdf(f"<h1>Test document</h1><p>{build.inputs['word']}</p>")
    return BuiltFile(filename="test.pdf", content=pdf, pages=1)


def _failing_builder(build, report) -> BuiltFile:
    raise RuntimeError("secret journal words must not reach the log")


register("test-echo", _echo_builder)
register("test-fail", _failing_builder)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    CALLS.clear()


def _request(user, word="hello", kind="test-echo"):
    return document_request(kind=kind, owner=user, inputs={"word": word})


def test_a_request_builds_the_pdf_in_the_background_and_stores_it(
    db, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(user)
    build.refresh_from_db()
    assert build.status == DocumentBuild.Status.DONE
    assert build.progress == 100
    with build.file.open("rb") as handle:
        assert "hello" in PdfReader(handle).pages[0].extract_text()


def test_the_same_inputs_reuse_the_stored_file(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(user)
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(user)
        other = _request(user, word="different")
    assert again.pk == first.pk
    assert other.pk != first.pk
    assert len(CALLS) == 2


def test_a_redelivered_task_does_not_build_twice(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(user)
    assert document_build(build_id=build.pk) is False
    assert [build.pk] == CALLS


def test_a_failure_is_recorded_with_a_clear_message_and_no_detail_in_the_log(
    db, django_capture_on_commit_callbacks, caplog
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(user, kind="test-fail")
    build.refresh_from_db()
    assert build.status == DocumentBuild.Status.FAILED
    assert "Please try again" in build.error
    assert "secret journal words" not in build.error
    # The traceback is logged for the operator: it names the build, and the exception text is
    # the builder's own (builders must not put document content in exceptions).
    assert f"document build {build.pk}" in caplog.text


def test_only_the_owner_sees_progress_and_downloads(client, db, django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(owner)
    client.force_login(other)
    assert client.get(f"/documents/{build.pk}/").status_code == 404
    assert client.get(f"/documents/{build.pk}/download/").status_code == 404
    client.force_login(owner)
    page = client.get(f"/documents/{build.pk}/", HTTP_HX_REQUEST="true")
    assert "Your document is ready." in page.content.decode()
    assert "<html" not in page.content.decode()
    download = client.get(f"/documents/{build.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_queued_build_polls_and_a_failed_one_offers_a_retry(
    client, db, django_capture_on_commit_callbacks
):
    user = UserFactory()
    queued = _request(user)  # not committed in this block: still queued
    client.force_login(user)
    body = client.get(f"/documents/{queued.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "Waiting to start" in body
    with django_capture_on_commit_callbacks(execute=True):
        failed = _request(user, kind="test-fail")
    body = client.get(f"/documents/{failed.pk}/").content.decode()
    assert "Try again" in body
    assert 'hx-trigger="every 1s"' not in body


def test_old_builds_and_their_files_are_cleaned_up(db, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(user)
    build.refresh_from_db()
    path = build.file.path
    DocumentBuild.objects.filter(pk=build.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert documents_clean_up() == 1
    assert not DocumentBuild.objects.filter(pk=build.pk).exists()
    import os

    assert not os.path.exists(path)


def test_an_unknown_kind_is_refused_before_anything_is_stored(db):
    with pytest.raises(LookupError):
        document_request(kind="no-such-kind", owner=UserFactory(), inputs={})
    assert not DocumentBuild.objects.exists()


def _private_builder(build, report) -> BuiltFile:
    pdf = html_to_pdf(f"<p>{build.inputs['word']}</p>")
    return BuiltFile(filename="mine.pdf", content=pdf, pages=1, private=True)


register("test-private", _private_builder)


def test_a_private_document_is_stored_encrypted_and_decrypted_only_for_its_owner(
    client, db, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        build = _request(owner, word="MARKER-PRIVATE-7731", kind="test-private")
    build.refresh_from_db()
    with build.file.open("rb") as handle:
        stored = handle.read()
    assert build.encrypted
    assert not stored.startswith(b"%PDF")
    assert b"MARKER-PRIVATE-7731" not in stored
    client.force_login(owner)
    download = b"".join(client.get(f"/documents/{build.pk}/download/").streaming_content)
    assert download.startswith(b"%PDF")
    assert (
        "MARKER-PRIVATE-7731"
        in PdfReader(__import__("io").BytesIO(download)).pages[0].extract_text()
    )


def test_private_documents_are_kept_for_a_day_only(db, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        private = _request(owner, word="a", kind="test-private")
        public = _request(owner, word="b")
    DocumentBuild.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert documents_clean_up() == 1
    assert not DocumentBuild.objects.filter(pk=private.pk).exists()
    assert DocumentBuild.objects.filter(pk=public.pk).exists()


def test_a_retried_build_keeps_its_version_so_the_next_identical_request_reuses_it(
    db, django_capture_on_commit_callbacks
):
    from rp_portal.documents.services import document_retry

    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        failed = document_request(kind="test-fail", owner=user, inputs={"word": "x"}, version="v7")
    register("test-fail", _echo_builder)  # the fault is mended
    try:
        with django_capture_on_commit_callbacks(execute=True):
            again = document_retry(build=failed)
        again.refresh_from_db()
        assert again.status == DocumentBuild.Status.DONE
        assert again.inputs_hash == failed.inputs_hash
        with django_capture_on_commit_callbacks(execute=True):
            later = document_request(
                kind="test-fail", owner=user, inputs={"word": "x"}, version="v7"
            )
        assert later.pk == again.pk
    finally:
        register("test-fail", _failing_builder)
