"""Background jobs go through the real Redis broker and a real worker process.

Most tests run tasks eagerly; these switch that off and watch the broker and a worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction

from rp_portal.accounts import services
from rp_portal.celery import app as celery_app
from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]
QUEUE = "celery"


@pytest.fixture
def broker(settings):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE, "unacked", "unacked_index")
    yield client
    celery_app.conf.task_always_eager = eager


def _task_names(broker: redis.Redis) -> list[str]:
    return [json.loads(raw)["headers"]["task"] for raw in broker.lrange(QUEUE, 0, -1)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_enqueues_nothing(broker):
    user = UserFactory()

    def request_that_fails_after_enqueueing():
        with transaction.atomic():
            services.welcome_email_enqueue(user=user)
            raise RuntimeError("the request failed after the task was asked for")

    with pytest.raises(RuntimeError):
        request_that_fails_after_enqueueing()
    assert broker.llen(QUEUE) == 0


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_only_when_the_transaction_commits(broker):
    user = UserFactory()
    with transaction.atomic():
        services.welcome_email_enqueue(user=user)
        assert broker.llen(QUEUE) == 0
    assert _task_names(broker) == ["rp_portal.accounts.tasks.send_welcome_email"]


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
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rp_portal", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_for(lambda: "ready." in log_path.read_text(), seconds=60, what="worker start")
            yield tmp_path
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
def test_a_real_worker_sends_the_welcome_email_exactly_once(worker, broker):
    user = UserFactory()
    with transaction.atomic():
        services.welcome_email_enqueue(user=user)
        services.welcome_email_enqueue(user=user)  # as if the request were retried

    def all_done() -> bool:
        user.refresh_from_db()
        idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
        return user.welcomed_at is not None and idle

    _wait_for(all_done, seconds=60, what="both deliveries to be processed")
    sent = "".join(path.read_text() for path in (worker / "mail").glob("*.log"))
    assert sent.count("Subject: [rp_portal] Welcome to rp_portal") == 1
    assert f"To: {user.email}" in sent
