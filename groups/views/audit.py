"""An organisation's audit log, for its admins: who did what, when (UTC). The log holds ids and
labels only, never journal text or answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from groups.views.access import admin_organisation
from rp_portal.audit.models import AuditEvent

PER_PAGE = 50


@login_required
def audit_log_page(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    events = (
        AuditEvent.objects.filter(organisation_id=organisation.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "groups/audit_log.html", {"organisation": organisation, "page": page})
