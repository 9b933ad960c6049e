"""The session pack: only those who run a session may build it; it holds the agenda with clock
times, the group agreement, the session's reflective model and a register of the booked names;
the same session unchanged reuses the file, and a change to the register builds a new one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from groups.models import AgreementVersion, GroupMember
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from rp_portal.documents.services import document_build
from sessions.models import Booking, GroupSession
from sessions.session_pack import build_session_pack
from tests.pdf_support import is_a4_portrait, pdf_pages_text, pdf_reader, pdf_text, stored_pdf
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import NAMES, add_member, book

riverside = fixtures_views.riverside  # the fixture, used by name below

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(session) -> str:
    return reverse("sessions:pack", args=[session.pk])


def _at_half_past_two(session) -> GroupSession:
    day = (session.starts_at.astimezone(LONDON) + timedelta(days=1)).date()
    starts = datetime(day.year, day.month, day.day, 14, 30, tzinfo=LONDON)
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + timedelta(minutes=90)
    )
    session.refresh_from_db()
    return session


def _build(client, session, callbacks):
    with callbacks(execute=True):
        response = client.post(_url(session))
    assert response.status_code == 302
    build = DocumentBuild.objects.filter(kind="session-pack").latest("created_at")
    assert response["Location"] == f"{_url(session)}?build={build.pk}"
    return build


# --- Who may build it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["facilitator", "admin"])
def test_the_people_who_run_the_session_see_the_page(client, riverside, who):
    client.force_login(getattr(riverside, who))
    page = client.get(_url(riverside.session))
    assert page.status_code == 200
    assert "Build the session pack" in page.content.decode()


@pytest.mark.parametrize("who", ["practitioner", "manager"])
def test_members_and_managers_may_not_build_it(client, riverside, who):
    client.force_login(getattr(riverside, who))
    assert client.get(_url(riverside.session)).status_code == 403
    assert client.post(_url(riverside.session)).status_code == 403
    assert not DocumentBuild.objects.exists()


def test_it_is_a_404_for_another_organisation(client, riverside):
    client.force_login(riverside.outsider)
    assert client.get(_url(riverside.session)).status_code == 404
    assert client.post(_url(riverside.session)).status_code == 404
    assert not DocumentBuild.objects.exists()


def test_the_session_page_links_to_it_for_those_who_run_it_only(client, riverside):
    link = _url(riverside.session)
    detail = reverse("sessions:detail", args=[riverside.session.pk])
    client.force_login(riverside.facilitator)
    assert link in client.get(detail).content.decode()
    client.force_login(riverside.practitioner)
    assert link not in client.get(detail).content.decode()


def test_a_build_is_shown_only_to_the_person_who_asked(
    client, riverside, django_capture_on_commit_callbacks
):
    client.force_login(riverside.facilitator)
    build = _build(client, riverside.session, django_capture_on_commit_callbacks)
    client.force_login(riverside.admin)
    assert client.get(f"{_url(riverside.session)}?build={build.pk}").status_code == 404
    assert client.get(reverse("documents:download", args=[build.pk])).status_code == 404


def test_the_builder_checks_again_that_the_person_who_asked_still_runs_the_session(
    client, riverside
):
    client.force_login(riverside.facilitator)
    client.post(_url(riverside.session))  # queued, not built yet
    build = DocumentBuild.objects.get()
    GroupMember.objects.filter(user=riverside.facilitator).update(role="member")
    assert document_build(build_id=build.pk) is False
    build.refresh_from_db()
    assert build.status == DocumentBuild.Status.FAILED
    assert not build.file
    with pytest.raises(PermissionError):
        build_session_pack(build, lambda percent, step: None)


# --- The request only enqueues; the page shows progress, then the download -----------------


def test_asking_enqueues_a_build_and_the_page_shows_its_progress(client, riverside):
    client.force_login(riverside.facilitator)
    response = client.post(_url(riverside.session))
    build = DocumentBuild.objects.get()
    assert build.status == DocumentBuild.Status.QUEUED
    assert build.inputs == {"session_id": riverside.session.pk}
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/documents/{build.pk}/"' in page
    assert 'role="progressbar"' in page
    assert AuditEvent.objects.filter(action="session_pack.request", target_id=build.pk).exists()


def test_a_cancelled_session_has_no_pack(client, riverside):
    GroupSession.objects.filter(pk=riverside.session.pk).update(status="cancelled")
    client.force_login(riverside.facilitator)
    response = client.post(_url(riverside.session), follow=True)
    assert "This session was cancelled" in response.content.decode()
    assert not DocumentBuild.objects.exists()


# --- What is in it ---------------------------------------------------------------------------


def test_the_pack_holds_the_agenda_agreement_prompts_and_register(
    client, riverside, django_capture_on_commit_callbacks
):
    session = _at_half_past_two(riverside.session)
    session.agenda = "10 Arrive and settle\n20 Check-in round\n45 Case discussion\n15 Close"
    session.reflective_model = "gibbs"
    session.save()
    AgreementVersion.objects.create(
        group=riverside.group, number=2, text="We keep names out of it.\n\nWe listen first."
    )
    waiting = add_member(riverside.group, "Wren Waitingham")
    book(session, waiting, status=Booking.Status.WAITLISTED)
    client.force_login(riverside.facilitator)
    build = _build(client, session, django_capture_on_commit_callbacks)

    pdf = stored_pdf(build)
    text = pdf_text(pdf)
    assert build.filename == f"session-pack-{session.starts_at.date().isoformat()}-{session.pk}.pdf"
    assert all(is_a4_portrait(page) for page in pdf_reader(pdf).pages)
    assert "14:30 Arrive and settle 10" in text
    assert "14:40 Check-in round 20" in text
    assert "15:00 Case discussion 45" in text
    assert "16:00 End of the session" in text
    assert "Group agreement (version 2)" in text
    assert "We keep names out of it." in text
    assert "Gibbs' reflective cycle" in text
    assert "6. Action plan" in text
    register = pdf_pages_text(pdf)[-1]
    assert "Register" in register
    assert NAMES["practitioner"] in register
    assert "Waiting list" in register
    assert "Wren Waitingham" in register
    assert "Oak Room" in text
    # The register names people: the stored file is encrypted, never a readable PDF.
    with build.file.open("rb") as handle:
        assert not handle.read().startswith(b"%PDF")
    assert build.encrypted


def test_a_workshop_pack_uses_ground_rules_and_the_suggested_agenda(
    client, riverside, django_capture_on_commit_callbacks
):
    book(riverside.workshop, riverside.manager)
    client.force_login(riverside.admin)
    build = _build(client, riverside.workshop, django_capture_on_commit_callbacks)
    text = pdf_text(stored_pdf(build))
    assert "Introduction to reflective practice: session pack" in text
    assert "Ground rules for the workshop" in text
    assert "No agenda was written for this session, so this is the suggested one." in text
    assert NAMES["manager"] in text


def test_names_with_markup_are_printed_as_typed(
    client, riverside, django_capture_on_commit_callbacks
):
    session = riverside.session
    session.agenda = "15 <b>Welcome</b> & <script>alert(1)</script>\n75 Reflect"
    session.save()
    AgreementVersion.objects.create(
        group=riverside.group, number=2, text='<img src="http://127.0.0.1:9/x.png"> Be kind.'
    )
    client.force_login(riverside.facilitator)
    text = pdf_text(stored_pdf(_build(client, session, django_capture_on_commit_callbacks)))
    assert "<b>Welcome</b> & <script>alert(1)</script>" in text
    assert '<img src="http://127.0.0.1:9/x.png"> Be kind.' in text


# --- Reuse -----------------------------------------------------------------------------------


def test_the_same_session_unchanged_reuses_the_file_and_a_new_booking_builds_again(
    client, riverside, django_capture_on_commit_callbacks
):
    client.force_login(riverside.facilitator)
    first = _build(client, riverside.session, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        again = client.post(_url(riverside.session))
    assert again["Location"] == f"{_url(riverside.session)}?build={first.pk}"
    assert enqueued == []
    book(riverside.session, add_member(riverside.group, "Newt Newcomer"))
    second = _build(client, riverside.session, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert "Newt Newcomer" in pdf_text(stored_pdf(second))
    assert "Newt Newcomer" not in pdf_text(stored_pdf(first))
