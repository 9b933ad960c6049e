"""The one Celery app. Configuration lives in settings under the ``CELERY_`` namespace.

Because Django is configured, Celery's Django fix-up makes every task a ``DjangoTask``, so
services enqueue with ``task.delay_on_commit(...)``: nothing is sent if the transaction rolls
back, and a worker never looks for a row that is not committed yet.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rp_portal.settings")

app = Celery("rp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task that may run twice without harm (it records what it did under a row lock or in a
# unique ledger row) is acknowledged only once it has finished, so a worker killed mid-task
# leaves it to be delivered again rather than lost.
IDEMPOTENT_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}

# Sending email: the same, plus a bounded number of retries when the mail server cannot be
# reached or refuses for now. smtplib.SMTPException, ConnectionError and socket timeouts are
# all OSErrors. Waits double from 30 s up to 10 minutes, each drawn at random below that bound
# (jitter), so a mail server coming back is not hit by every retry at once; the longest wait
# stays far below the broker's visibility timeout (settings.BROKER_VISIBILITY_TIMEOUT).
EMAIL_TASK_OPTIONS = {
    **IDEMPOTENT_TASK_OPTIONS,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
