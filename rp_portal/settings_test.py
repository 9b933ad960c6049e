"""Settings for the test suite: the real PostgreSQL and Redis on loopback, fast hashing.

Each default below can be overridden from the environment (CI does not need to).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rp_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
# Test-only keys (not secrets): two journal keys so decryption with the older one is exercised.
os.environ.setdefault(
    "JOURNAL_KEYS",
    "dGVzdC1qb3VybmFsLWtleS1uZXdlc3QtMzItYnl0ZXM=,dGVzdC1qb3VybmFsLWtleS1vbGRlci0zMi1ieXRlcyE=",
)
os.environ.setdefault("PSEUDONYM_KEY", "test-pseudonym-key-not-a-secret-0123456789")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault(
    "RP_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)

from rp_portal.settings import *  # noqa: F403
from rp_portal.settings import STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only: unit tests of other features sign facilitators and admins in with force_login and
# no authenticator. The two-factor requirement is on in tests/accounts (test_two_factor*.py) and
# in every browser test (tests/e2e/conftest.py), which sign staff in with a real TOTP code.
RP_REQUIRE_MFA_FOR_STAFF = False

# Tasks run inline unless a test asks for the real broker and worker (see tests/conftest.py).
# A worker process started by a test says so, or a retry or a task sent by a task would run
# inline inside it instead of going through the broker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_WORKER_PROCESS") != "true"
CELERY_TASK_EAGER_PROPAGATES = True
# A worker started by the worker-kill test takes back a killed worker's unacknowledged task
# after a few seconds instead of an hour (tests/security/test_job_reliability.py).
if os.environ.get("TEST_BROKER_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["TEST_BROKER_VISIBILITY_TIMEOUT"])
    }

# No collectstatic in tests: serve from the finders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise expects STATIC_ROOT to exist; in tests it stays empty and the finders serve files.
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
