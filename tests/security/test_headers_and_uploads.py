"""Headers on every page a signed-in practitioner opens; logo and CSV uploads checked by
content and size; downloads served as attachments.
(The home page's nonce and the deploy check are in tests/rp_portal/test_home.py.)"""

from __future__ import annotations

import io
import re

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from groups.invitation_import import MAX_BYTES
from groups.models import Invitation, Organisation
from rp_portal.documents.models import DocumentBuild

PAGES = ["home", "accounts:profile", "groups:organisation_list", "groups:list", "journals:list"]


def _png(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_every_page_has_a_fresh_nonce_no_inline_script_and_the_protective_headers(client, world):
    client.force_login(world.practitioner)
    for name in PAGES:
        nonces = set()
        for _ in range(2):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            policy = response["Content-Security-Policy"]
            script_src = re.search(r"script-src ([^;]+)", policy).group(1)
            assert "'unsafe-inline'" not in script_src, name
            nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
            for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
                assert f'nonce="{nonce}"' in tag, (name, tag)
            nonces.add(nonce)
            assert "frame-ancestors 'none'" in policy
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"
        assert len(nonces) == 2, f"{name} reuses its nonce"


def _post_logo(client, world, upload):
    client.force_login(world.admin)
    return client.post(
        reverse("groups:organisation_edit", args=[world.org.pk]),
        {"name": "Riverside", "contact_email": "a@example.test", "accent_colour": "#336699",
         "logo": upload},
    )  # fmt: skip


def test_html_named_like_a_png_is_refused_as_a_logo(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>")
    response = _post_logo(client, world, upload)
    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    assert not Organisation.objects.get(pk=world.org.pk).logo


def test_a_logo_over_one_megabyte_is_refused(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    noisy = Image.effect_noise((1200, 1200), 100).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    big = buffer.getvalue()
    assert len(big) > 1_000_000
    response = _post_logo(client, world, SimpleUploadedFile("logo.png", big))
    assert response.context["form"].errors["logo"]
    assert not Organisation.objects.get(pk=world.org.pk).logo


def test_a_logo_gets_a_generated_name_and_is_served_with_nosniff(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post_logo(client, world, SimpleUploadedFile("../../<evil>.png", _png()))
    assert response.status_code == 302
    stored = Organisation.objects.get(pk=world.org.pk).logo.name
    assert "evil" not in stored
    assert ".." not in stored
    client.force_login(world.practitioner)
    served = client.get(reverse("groups:organisation_logo", args=[world.org.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_logo_that_is_small_on_disk_but_huge_in_pixels_is_refused(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, "PNG")  # one colour: a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    response = _post_logo(client, world, SimpleUploadedFile("logo.png", buffer.getvalue()))
    assert "too large in pixels" in " ".join(response.context["form"].errors["logo"])
    assert not Organisation.objects.get(pk=world.org.pk).logo


def _post_csv(client, world, name: str, content: bytes):
    client.force_login(world.admin)
    return client.post(
        reverse("groups:invite_many", args=[world.org.pk]),
        {"rows": "", "csv_file": SimpleUploadedFile(name, content)},
    )


def test_a_binary_file_named_csv_is_refused_and_nobody_is_invited(client, world):
    before = Invitation.objects.count()
    # The start of a spreadsheet (.xlsx is a zip): every byte of it decodes as cp1252 text.
    spreadsheet = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64 + b"[Content_Types].xml"
    response = _post_csv(client, world, "people.csv", spreadsheet)
    assert response.status_code == 200
    assert "not a text CSV file" in " ".join(response.context["bulk_form"].errors["csv_file"])
    assert Invitation.objects.count() == before


def test_a_csv_over_the_size_cap_is_refused_and_nobody_is_invited(client, world):
    before = Invitation.objects.count()
    row = b"someone@example.test,Someone,practitioner\n"
    response = _post_csv(client, world, "people.csv", row * (MAX_BYTES // len(row) + 1))
    assert response.status_code == 200
    assert "larger than 200 KB" in " ".join(response.context["bulk_form"].errors["csv_file"])
    assert Invitation.objects.count() == before


def test_only_the_cap_of_an_uploaded_csv_is_ever_read(client, world, monkeypatch):
    """The view reads one byte past the cap and stops, so a huge upload is never held whole."""
    import groups.views.invitations as view_module

    read_lengths = []
    decode = view_module.decode_upload

    def recording_decode(data: bytes) -> str:
        read_lengths.append(len(data))
        return decode(data)

    monkeypatch.setattr(view_module, "decode_upload", recording_decode)
    response = _post_csv(client, world, "huge.csv", b"a" * (5 * MAX_BYTES))
    assert response.context["bulk_form"].errors["csv_file"]
    assert read_lengths == [MAX_BYTES + 1]


def test_a_document_download_is_an_attachment_with_nosniff(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build = DocumentBuild.objects.create(
        kind="workshop-pack", owner=world.practitioner, inputs_hash="0" * 64,
        status=DocumentBuild.Status.DONE, progress=100, filename="pack.pdf",
    )  # fmt: skip
    build.file.save("pack.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    client.force_login(world.practitioner)
    response = client.get(reverse("documents:download", args=[build.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="pack.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_calendar_downloads_say_what_they_are_and_are_not_sniffed(client, world):
    from sessions.models import SchedulePreference
    from tests.sessions.fixtures_views import make_session

    session = make_session(world.group)
    client.force_login(world.practitioner)
    ics = client.get(reverse("sessions:ics", args=[session.pk]))
    assert ics.status_code == 200
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics["Content-Disposition"] == f'attachment; filename="session-{session.pk}.ics"'
    assert ics["X-Content-Type-Options"] == "nosniff"
    preference, _ = SchedulePreference.objects.get_or_create(user=world.practitioner)
    client.logout()
    feed = client.get(reverse("sessions:feed", args=[preference.feed_token]))
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed["Content-Disposition"].startswith("inline;")  # calendar apps subscribe to it
    assert feed["X-Content-Type-Options"] == "nosniff"


def _import_measure(client, world, definition: str):
    client.force_login(world.admin)
    return client.post(
        reverse("evaluation:measures", args=[world.org.pk]), {"definition": definition}
    )


def test_a_measure_definition_is_parsed_safely_and_capped(client, world):
    from evaluation.models import Measure

    client.force_login(world.admin)
    client.get(reverse("evaluation:measures", args=[world.org.pk]))  # sets up the library
    before = Measure.objects.count()
    hostile = [
        "!!python/object/apply:os.system ['echo owned']",  # safe_load builds no Python objects
        "name: x\nitems: !!python/name:os.system",
        '{"name": ' + "[" * 20_000,  # nesting deep enough to exhaust a recursive parser
        "name: " + "x" * 60_000,  # over the 50,000-character cap
        "<script>alert(1)</script>",
    ]
    for definition in hostile:
        response = _import_measure(client, world, definition)
        assert response.status_code == 200, definition[:40]
        assert response.context["form"].errors, definition[:40]
    assert Measure.objects.count() == before
    accepted = _import_measure(client, world, "name: Our measure\nitems: [One, Two]")
    assert accepted.status_code in {200, 302}
    assert Measure.objects.count() == before + 1
