"""Shared fixtures: people, a clean cache, and helpers every test file may use."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.db import connection

from rp_portal.celery import app as celery_app
from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[1]
QUEUE = "celery"


@pytest.fixture(autouse=True)
def _clean_cache():
    # The cache is the real Redis (allauth's rate limits live there): start each test empty.
    cache.clear()
    return


@pytest.fixture
def person(db):
    """A verified person who can sign in with the factory password."""
    return UserFactory()


@pytest.fixture
def signed_in_client(client, person):
    client.force_login(person)
    return client


# --- The real broker and a real worker, for tests of the background-job wiring -------------


@pytest.fixture
def broker(settings):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE, "unacked", "unacked_index")
    yield client
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def worker(transactional_db, broker, tmp_path):
    """A `celery worker` process, as production runs it, on the test database and real Redis."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "RP_VAR_DIR": str(tmp_path),
        "TEST_WORKER_PROCESS": "true",  # no eager tasks inside the worker
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rp_portal", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(lambda: "ready." in log_path.read_text(), seconds=60, what="worker start")
            yield tmp_path
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
