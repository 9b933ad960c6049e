"""Production settings, plus the floor page the benchmark compares every page with.

Everything else (middleware, templates, database, cache, static files) is exactly
``rp_portal.settings``, read from the same environment variables.
"""

from rp_portal.settings import *  # noqa: F403

ROOT_URLCONF = "rp_portal.scale.urls"
