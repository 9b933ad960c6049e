"""Headers and cookies under production settings (rp_portal.settings with the served-mode
environment, DEBUG off), in a fresh interpreter as gunicorn would load them. The test suite's own
settings turn off the https redirect and secure cookies, so this is the only place they are
seen on real responses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import REPO

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client

# No collectstatic here: serve static files as the test settings do (the manifest is the
# Dockerfile's business, not this probe's).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
from allauth.account.models import EmailAddress
from rp_portal.accounts.models import User

user = User.objects.create_user(email="probe@example.test", password="a-Long-pass-2026")
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
client = Client(HTTP_HOST="rp.example.org")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
signed_in = client.post(
    "/accounts/login/", {"login": user.email, "password": "a-Long-pass-2026"}, secure=True
)

def cookie(response, name):
    morsel = response.cookies.get(name)
    return None if morsel is None else {
        "secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
    }

print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": page.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "csp": page.get("Content-Security-Policy", ""),
    "nosniff": page.get("X-Content-Type-Options", ""),
    "frame": page.get("X-Frame-Options", ""),
    "referrer": page.get("Referrer-Policy", ""),
    "csrf_cookie": cookie(page, "csrftoken"),
    "sign_in_status": signed_in.status_code,
    "session_cookie": cookie(signed_in, "sessionid"),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_production_settings_redirect_to_https_and_send_hsts_and_secure_cookies(tmp_path):
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings",
        "RP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "SECRET_KEY": "production-probe-" + "k" * 50,
        "ALLOWED_HOSTS": "rp.example.org",
        "EMAIL_HOST": "smtp.example.invalid",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "JOURNAL_KEYS": "dGVzdC1qb3VybmFsLWtleS1uZXdlc3QtMzItYnl0ZXM=",
        "PSEUDONYM_KEY": "p" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://rp.example.org/accounts/login/"
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "'nonce-" in seen["csp"]
    assert "unsafe-inline" not in seen["csp"]
    assert seen["nosniff"] == "nosniff"
    assert seen["frame"] == "DENY"
    assert seen["referrer"] == "same-origin"
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["sign_in_status"] == 302
    assert seen["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
