"""Background jobs with the real Redis broker and real `celery worker` processes: a task
delivered twice sends once, and a worker killed mid-task leaves nothing half-done and its task
is finished by the next worker. (A rolled-back transaction enqueuing nothing is
tests/rp_portal/test_celery_wiring.py::test_a_rolled_back_transaction_enqueues_nothing.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from groups.models import Invitation
from groups.services.invitations import INVITATION_LIFETIME
from groups.tasks import send_invitation_email
from tests.conftest import QUEUE, REPO, wait_for
from tests.factories import OrganisationFactory

REDELIVER_AFTER = 3  # seconds: the visibility timeout of the workers started here


def _invitation() -> Invitation:
    return Invitation.objects.create(
        organisation=OrganisationFactory(name="Riverside"),
        email="newcomer@example.test",
        name="New Comer",
        is_practitioner=True,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )


def _start_worker(var_dir, name: str, **extra_env: str) -> tuple[subprocess.Popen, object]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "RP_VAR_DIR": str(var_dir),
        "TEST_BROKER_VISIBILITY_TIMEOUT": str(REDELIVER_AFTER),
        "TEST_WORKER_PROCESS": "true",
        **extra_env,
    }
    log_path = var_dir / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rp_portal", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for(lambda: "ready." in log_path.read_text(), seconds=60, what=f"{name} to start")
    return process, log_path


def _sent(var_dir) -> str:
    return "".join(path.read_text() for path in (var_dir / "mail").glob("*.log"))


@pytest.mark.worker
def test_an_invitation_task_delivered_twice_sends_one_email(worker, broker):
    invitation = _invitation()
    send_invitation_email.delay(invitation.pk)
    send_invitation_email.delay(invitation.pk)  # as if redelivered

    def all_done() -> bool:
        invitation.refresh_from_db()
        idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
        return invitation.sent_at is not None and idle

    wait_for(all_done, seconds=60, what="both deliveries to be processed")
    assert _sent(worker).count("To: newcomer@example.test") == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_nothing_half_done_and_the_next_worker_finishes(
    broker, tmp_path
):
    invitation = _invitation()
    first, first_log = _start_worker(tmp_path, "first")
    try:
        # Hold the invitation's row lock, so the first worker's task stops half-way: inside its
        # transaction, waiting for the row.
        with transaction.atomic():
            Invitation.objects.select_for_update().get(pk=invitation.pk)
            send_invitation_email.delay(invitation.pk)
            wait_for(
                lambda: broker.hlen("unacked") == 1 and "received" in first_log.read_text(),
                seconds=30,
                what="the first worker to take the task",
            )
            time.sleep(1)  # it is now waiting on the lock
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)

    # Nothing half-done: the task was neither acknowledged nor finished.
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert _sent(tmp_path) == ""
    assert broker.hlen("unacked") == 1  # still held for redelivery
    assert broker.llen(QUEUE) == 0

    time.sleep(REDELIVER_AFTER + 1)
    second, _second_log = _start_worker(tmp_path, "second")
    try:

        def finished() -> bool:
            invitation.refresh_from_db()
            idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
            return invitation.sent_at is not None and idle

        wait_for(finished, seconds=60, what="the second worker to finish the task")
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert _sent(tmp_path).count("To: newcomer@example.test") == 1


def _held_messages(broker) -> list[dict]:
    """The messages a worker has taken and not yet acknowledged (kombu's Redis "unacked")."""
    return [json.loads(raw)[0] for raw in broker.hgetall("unacked").values()]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_failure_is_retried_after_a_bounded_wait_and_sends_once(broker, tmp_path):
    invitation = _invitation()
    worker, log = _start_worker(
        tmp_path, "flaky",
        EMAIL_BACKEND="tests.security.flaky_mail.FlakyThenFileBackend", FLAKY_MAIL_FAILURES="1",
    )  # fmt: skip
    try:
        sent_at = time.time()
        send_invitation_email.delay(invitation.pk)

        def retry_scheduled() -> bool:
            return any(m["headers"].get("retries") == 1 for m in _held_messages(broker))

        wait_for(retry_scheduled, seconds=30, what="the retry to be scheduled")
        retry = next(m for m in _held_messages(broker) if m["headers"].get("retries") == 1)
        eta = retry["headers"]["eta"]
        wait = timezone.datetime.fromisoformat(eta).timestamp() - sent_at
        assert wait <= 30 + 5  # the first wait is at most retry_backoff (30 s), jittered
        invitation.refresh_from_db()
        assert invitation.sent_at is None  # the failed attempt left nothing behind

        def sent() -> bool:
            invitation.refresh_from_db()
            idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
            return invitation.sent_at is not None and idle

        wait_for(sent, seconds=60, what="the retry to send the invitation")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert "Retry in" in log.read_text()
    assert _sent(tmp_path).count("To: newcomer@example.test") == 1
