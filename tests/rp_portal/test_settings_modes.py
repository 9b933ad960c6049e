"""Settings are imported in a fresh interpreter with a controlled environment, as at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "email": settings.EMAIL_BACKEND,
    "time_zone": settings.TIME_ZONE,
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def _start(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "rp_portal.settings"}
    base["RP_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_with_no_environment_it_runs_embedded(tmp_path):
    result = _start({}, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "engine": "django.db.backends.sqlite3",
        "broker": "filesystem://localhost/",
        "debug": True,
        "email": "rp_portal.mail.ConsoleAndFileEmailBackend",
        "time_zone": "Europe/London",
        "cache": "django.core.cache.backends.filebased.FileBasedCache",
    }
    assert (tmp_path / "var" / "secret_key").exists()
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


SERVED = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rp_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "rp.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "JOURNAL_KEYS": "dGVzdC1qb3VybmFsLWtleS1uZXdlc3QtMzItYnl0ZXM=",
    "PSEUDONYM_KEY": "p" * 40,
}


def test_with_a_database_url_it_uses_postgres_and_redis(tmp_path):
    result = _start(SERVED, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["broker"] == "redis://127.0.0.1:6379/15"
    assert seen["debug"] is False
    assert seen["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert seen["cache"] == "django.core.cache.backends.redis.RedisCache"


def _fails_naming(env, tmp_path, needle):
    result = _start(env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert needle in result.stderr


def test_it_refuses_to_start_served_without_a_secret_key(tmp_path):
    env = {k: v for k, v in SERVED.items() if k != "SECRET_KEY"}
    _fails_naming(env, tmp_path, "SECRET_KEY")


def test_it_refuses_to_start_served_without_redis(tmp_path):
    env = {k: v for k, v in SERVED.items() if k != "REDIS_URL"}
    _fails_naming(env, tmp_path, "REDIS_URL is required")


def test_it_refuses_to_start_served_without_allowed_hosts(tmp_path):
    env = {k: v for k, v in SERVED.items() if k != "ALLOWED_HOSTS"}
    _fails_naming(env, tmp_path, "ALLOWED_HOSTS is required")


def test_it_refuses_a_bad_debug_value(tmp_path):
    _fails_naming({**SERVED, "DEBUG": "sometimes"}, tmp_path, "DEBUG='sometimes'")


def test_it_refuses_an_unknown_time_zone(tmp_path):
    _fails_naming({**SERVED, "TIME_ZONE": "Mars/Olympus"}, tmp_path, "TIME_ZONE='Mars/Olympus'")


def test_it_refuses_a_database_url_it_cannot_parse(tmp_path):
    _fails_naming({**SERVED, "DATABASE_URL": "nonsense://"}, tmp_path, "DATABASE_URL")


def test_it_refuses_to_start_served_without_journal_keys(tmp_path):
    env = {k: v for k, v in SERVED.items() if k != "JOURNAL_KEYS"}
    _fails_naming(env, tmp_path, "JOURNAL_KEYS")


def test_it_refuses_a_journal_key_that_is_not_a_fernet_key(tmp_path):
    _fails_naming({**SERVED, "JOURNAL_KEYS": "not-a-key"}, tmp_path, "JOURNAL_KEYS must be")


def test_it_refuses_a_short_pseudonym_key(tmp_path):
    _fails_naming({**SERVED, "PSEUDONYM_KEY": "short"}, tmp_path, "PSEUDONYM_KEY")


def test_the_embedded_mode_makes_its_own_keys_once(tmp_path):
    assert _start({}, tmp_path).returncode == 0
    first = (tmp_path / "var" / "journal_key").read_text()
    assert _start({}, tmp_path).returncode == 0
    assert (tmp_path / "var" / "journal_key").read_text() == first
    assert (tmp_path / "var" / "pseudonym_key").exists()
