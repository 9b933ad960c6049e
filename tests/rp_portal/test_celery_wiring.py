"""Background jobs go through the real Redis broker and a real worker process.

Most tests run tasks eagerly; these switch that off and watch the broker and a worker.
"""

from __future__ import annotations

import json

import pytest
import redis
from django.db import transaction

from rp_portal.accounts import services
from tests.conftest import QUEUE, wait_for
from tests.factories import UserFactory


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

    wait_for(all_done, seconds=60, what="both deliveries to be processed")
    sent = "".join(path.read_text() for path in (worker / "mail").glob("*.log"))
    assert sent.count("Subject: [rp_portal] Welcome to rp_portal") == 1
    assert f"To: {user.email}" in sent
