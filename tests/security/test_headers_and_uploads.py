"""Headers on every page a signed-in practitioner opens, and logo uploads checked by content.
(The home page's nonce and the deploy check are in tests/rp_portal/test_home.py.)"""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from groups.models import Organisation

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
