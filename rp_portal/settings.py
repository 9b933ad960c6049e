"""rp_portal settings, read from the environment.

Two modes, chosen by whether ``DATABASE_URL`` is set:

* **embedded** (no ``DATABASE_URL``): what ``make run`` gives a newcomer with no configuration.
  SQLite, a filesystem Celery broker, a file cache and emails written to the console and to
  files, all under ``var/``. ``DEBUG`` defaults to on.
* **served** (``DATABASE_URL`` set): PostgreSQL, Redis (``REDIS_URL`` required) and SMTP.
  ``DEBUG`` defaults to off and ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required.

Every value that is wrong stops start-up with a message naming the variable.
"""

from __future__ import annotations

import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from rp_portal.env import env_bool, env_int, env_list, env_raw, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RP_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL", "")
REDIS_URL = env_str("REDIS_URL", "")
EMBEDDED = not DATABASE_URL

DEBUG = env_bool("DEBUG", default=EMBEDDED)


def _embedded_secret_key() -> str:
    """A key generated once per checkout, so that an embedded run needs no configuration."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_raw("SECRET_KEY") or (_embedded_secret_key() if EMBEDDED else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) is required when DATABASE_URL is set."
    )

if EMBEDDED:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required when DATABASE_URL is set.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address people reach the site at, for links in emails sent by background tasks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "rp_portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "rp_portal.accounts",
    "rp_portal.audit",
    "rp_portal.documents",
    "groups",
    "sessions.apps.SessionsConfig",
    "journals",
    "evaluation",
    "privacy",
    "guide",
    "onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Picks the language from the browser among LANGUAGES (English only until a locale is added).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rp_portal.accounts.middleware.UserTimezoneMiddleware",
    "rp_portal.accounts.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "rp_portal.urls"
WSGI_APPLICATION = "rp_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "rp_portal.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
else:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL,
                conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                conn_health_checks=True,
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits live here, so it must be shared between processes) --------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rp",
        }
    }
elif EMBEDDED:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
else:
    raise ImproperlyConfigured("REDIS_URL is required when DATABASE_URL is set.")

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "rp_portal.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "rp_portal.accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[rp_portal] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
# allauth's default rate limits stay on (they use the shared cache above); a sixth wrong
# password (or two-factor code) for one account within 5 minutes is refused.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Changing email addresses (and, in accounts/urls.py, the password) asks for the password or a
# two-factor code again when the last one is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (5 min).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_ADAPTER = "rp_portal.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "rp_portal"
# Facilitators, managers and organisation admins must set up an authenticator app before any
# other page (rp_portal.accounts.middleware.TwoFactorRequiredMiddleware). Not an environment
# variable on purpose: only the test settings switch it off, for unit tests of other features.
RP_REQUIRE_MFA_FOR_STAFF = True

# --- Internationalisation and time --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Every template string and user-facing Python string is marked for translation; a new language
# is a .po file under locale/ (`django-admin makemessages -l cy`) and a line here.
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name.")
USE_I18N = True
USE_TZ = True

# --- Static and media files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap is installed from the npm registry by `make install` (see package.json).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Forms ---------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rp_portal <no-reply@rp-portal.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "")
if EMAIL_HOST:
    EMAIL_BACKEND = EMAIL_BACKEND or "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
elif not EMAIL_BACKEND:
    if not EMBEDDED:
        raise ImproperlyConfigured(
            "EMAIL_HOST (or EMAIL_BACKEND) is required when DATABASE_URL is set."
        )
    EMAIL_BACKEND = "rp_portal.mail.ConsoleAndFileEmailBackend"

# --- Background jobs (Celery) --------------------------------------------------------------
# Redis hands a task that was taken but never acknowledged (its worker was killed) to another
# worker after this many seconds. It must be longer than the longest task (the time limit
# below) and than every countdown, ETA or retry delay: a task still waiting or running past it
# would be delivered twice. tests/security/test_job_reliability.py checks both.
BROKER_VISIBILITY_TIMEOUT = 3600
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    # kombu's filesystem transport: a real broker with no server, for the embedded mode.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "session-reminders": {"task": "sessions.tasks.send_due_reminders", "schedule": 300.0},
    "poll-reminders": {"task": "sessions.tasks.send_poll_reminders", "schedule": 900.0},
    "minimum-size-warnings": {
        "task": "sessions.tasks.send_minimum_size_warnings",
        "schedule": 900.0,
    },
    "open-pulse-questionnaires": {"task": "evaluation.tasks.open_pulse_windows", "schedule": 900.0},
    "questionnaire-invitations": {
        "task": "evaluation.tasks.send_questionnaire_invitations",
        "schedule": 900.0,
    },
    "questionnaire-reminders": {
        "task": "evaluation.tasks.send_questionnaire_reminders",
        "schedule": 3600.0,
    },
    "clean-up-documents": {
        "task": "rp_portal.documents.tasks.clean_up_documents",
        "schedule": crontab(hour=3, minute=41),
    },
    "apply-retention-periods": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=7),
    },
    "clear-expired-sign-in-sessions": {
        "task": "rp_portal.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- Security ------------------------------------------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The client's address for allauth's per-IP rate limits: the last X-Forwarded-For hop the
    # proxy added, not the proxy's own address (which every request would share).
    ALLAUTH_TRUSTED_PROXY_COUNT = 1

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports every refused URL; the refusals are expected and counted in tests.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- Keys for journal encryption and pseudonyms -----------------------------------------
def _embedded_key(name: str, make) -> str:
    key_file = VAR_DIR / name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# MultiFernet keys, newest first: journal text is encrypted with the first, and decrypted with
# whichever matches. `manage.py rotate_journal_keys` moves every entry to the newest key.
JOURNAL_KEYS = env_list("JOURNAL_KEYS", [])
if not JOURNAL_KEYS and EMBEDDED:
    from cryptography.fernet import Fernet

    JOURNAL_KEYS = [_embedded_key("journal_key", lambda: Fernet.generate_key().decode())]
if not JOURNAL_KEYS:
    raise ImproperlyConfigured(
        "JOURNAL_KEYS (or JOURNAL_KEYS_FILE) is required when DATABASE_URL is set."
    )
try:
    from rp_portal.crypto import validate_fernet_keys

    validate_fernet_keys(JOURNAL_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(
        "JOURNAL_KEYS must be comma-separated Fernet keys (32 url-safe base64-encoded bytes each)."
    ) from exc

# The key behind keyed pseudonyms (shared learning, questionnaire responses).
PSEUDONYM_KEY = env_str("PSEUDONYM_KEY", "") or (
    _embedded_key("pseudonym_key", lambda: secrets.token_urlsafe(48)) if EMBEDDED else ""
)
if len(PSEUDONYM_KEY) < 32:
    raise ImproperlyConfigured(
        "PSEUDONYM_KEY (or PSEUDONYM_KEY_FILE) of at least 32 characters is required."
    )
