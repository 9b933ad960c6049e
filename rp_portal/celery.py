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
