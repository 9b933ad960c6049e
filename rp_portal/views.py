from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from groups.selectors import home_summary
from onboarding.guides import first_visit_guides
from rp_portal.celery import app as celery_app
from sessions.selectors import upcoming_bookings

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    context = {}
    if request.user.is_authenticated:
        summary = home_summary(request.user)
        next_bookings = upcoming_bookings(request.user, limit=3)
        context = {
            **summary,
            "next_bookings": next_bookings,
            "first_visit": first_visit_guides(
                request.user,
                next_bookings=next_bookings,
                to_sign=summary["to_sign"],
                memberships=summary["memberships"],
                places=summary["places"],
            ),
        }
    return render(request, "home.html", context)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("healthz: broker check failed")
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: 200 when the database and broker answer."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
