"""gunicorn's settings, read from the working directory by the production image's command and
by the benchmark (`scripts/bench_pages.py`), so both serve the app the same way.

Workers are sync processes. Pages spend most of their time in Python, so more processes than
cores add no throughput, but with a few more than cores a long request (a dashboard computed
afresh, a large export) no longer holds up the short ones queued behind it: the kernel shares
the cores between them. WEB_CONCURRENCY overrides the count (each worker takes about 200 MB).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
timeout = 60
worker_tmp_dir = "/dev/shm"  # noqa: S108 -- gunicorn's heartbeat files, in memory as documented
accesslog = "-"
errorlog = "-"
